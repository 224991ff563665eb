"""Demo cases for the demo province, in every state, so that the pages show something."""

from __future__ import annotations

from congvu.organisations.models import Organisation


def load_demo_cases(root: Organisation, *, seed: int) -> int:
    """Create a handful of cases under `root`; returns how many."""
    return 0
