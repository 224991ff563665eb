"""The rows the data migrations load, loaded again after a flush.

`manage.py flush` (which `demo --reset` and the live-server tests run) empties every
table, the data migrations' rows with them; `migrate` does not load them again, since
the migrations are recorded as applied. Without them a rating is refused ("No
satisfaction scale is in use yet") and a case has no clock or routing rule.

Each loader is the migration's own function (idempotent), called with the current
models, so nothing here repeats the data.
"""

from __future__ import annotations

import importlib

from django.apps import apps
from django.core.cache import cache

#: (migration module, its loading function), in dependency order.
SEEDING_MIGRATIONS = (
    ("congvu.organisations.migrations.0002_default_kinds", "load"),
    ("congvu.feedback.migrations.0002_default_scales", "create_scales"),
    ("congvu.cases.migrations.0004_default_rules", "load"),
)


def _run(module: str, function: str) -> None:
    getattr(importlib.import_module(module), function)(apps, None)


def clear_process_caches() -> None:
    """Forget what this process cached of the flushed database (the active scale and
    criteria, counter hours, today's device salt, rate limits)."""
    from congvu.feedback import devices as rating_devices
    from congvu.feedback import services as rating_services

    cache.clear()
    rating_services.clear_caches()
    rating_devices.forget_cached_salts()


def restore_default_kinds() -> None:
    """The organisation kinds of congvu/organisations/migrations/0002."""
    _run(*SEEDING_MIGRATIONS[0])


def restore_default_scales() -> None:
    """The satisfaction scales of congvu/feedback/migrations/0002 (the five levels in use)."""
    _run(*SEEDING_MIGRATIONS[1])
    clear_process_caches()


def restore_case_rules() -> None:
    """The clocks, routing rules and discipline forms of congvu/cases/migrations/0004."""
    _run(*SEEDING_MIGRATIONS[2])
    clear_process_caches()


def restore_all() -> None:
    """Everything the data migrations load, after a flush."""
    for module, function in SEEDING_MIGRATIONS:
        _run(module, function)
    clear_process_caches()
