"""Daily job of the organisations app, registered with `congvu.core.daily`."""

from __future__ import annotations

from congvu.core import daily

from . import restructuring

daily.register("organisations.apply_due_names", restructuring.apply_due_names)
