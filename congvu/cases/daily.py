"""Daily jobs of the cases app, registered with `congvu.core.daily`."""

from __future__ import annotations

from congvu.core import daily

from . import clocks, retention

daily.register("cases.deadline_digest", clocks.send_digests)
daily.register("cases.retention", retention.daily_job)
