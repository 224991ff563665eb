"""Demo ratings for the demo province (a few months, so that the dashboards show something)."""

from __future__ import annotations

from congvu.organisations.models import Organisation


def load_demo_ratings(root: Organisation, *, seed: int) -> int:
    """Create the demo's counters, dossiers and ratings under `root`; returns the ratings made."""
    return 0
