"""Daily jobs of the cases app, registered with `congvu.core.daily`."""
