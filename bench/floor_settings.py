"""Production settings with `floor_urls` (the one-row insert view) for the floor bench."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
