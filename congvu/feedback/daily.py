"""Daily jobs of the feedback app, registered with `congvu.core.daily`."""
