"""The cache that every process of a deployment shares, and the check that one is set.

What Django's cache holds here:

* must be shared between processes — the per-client limit on guessing a case's
  passphrase (`cases.reporter`, 20 failures in 15 minutes): with a cache per
  process each gunicorn worker counted on its own, and two workers let 38 guesses
  through; the per-client limit on filing reports and the per-address limit on the
  mails they send (`cases.filing_limits`);
* may be per process (only speed depends on it) — the ratings' totals of closed
  months (`feedback.selectors`), the tasks dashboard's counts
  (`planning.dashboard_selectors`), small rankings' PDFs (`scoring.documents`).

The rating limits (per device, per target), the sign-in lockout (django-axes) and
the two-step codes' throttle (django-otp) are counted in their own tables, not in
the cache.

`CONGVU_CACHE_URL` (config/settings.py) picks the backend: `db` (this module's
`DatabaseCache`, in the `congvu_cache` table made by `manage.py createcachetable`),
`redis://…` (Django's own RedisCache, which needs the `redis` package), or nothing:
local memory, fine for development and a single process, flagged by
`manage.py check --deploy` when DEBUG is off.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import pickle
from typing import Any

from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import connections, router, transaction

#: Backends whose entries live in one process only.
PROCESS_LOCAL = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    }
)


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache with an `incr` that two processes cannot interleave.

    Django's own `incr` is a read then a write: two workers counting the same
    failure at once would both write n + 1, and the write resets the entry's expiry.
    Here the row is locked first (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's
    IMMEDIATE transactions already take the write lock), so every failure counts, and
    only the value is written."""

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        made_key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT cache_key FROM {table} WHERE cache_key = %s{lock}",  # noqa: S608
                [made_key],
            )
            value = self.get(key, self._missing_key, version=version)
            if value is self._missing_key:
                raise ValueError(f"Key '{key}' not found")
            new_value = value + delta
            # Only the value: the entry keeps its expiry (Django's `incr` would reset it
            # to the default timeout, and a 15-minute window would become 5 minutes).
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol))
            cursor.execute(
                f"UPDATE {table} SET value = %s WHERE cache_key = %s",  # noqa: S608
                [encoded.decode("latin1"), made_key],
            )
        return int(new_value)


def keyed(prefix: str, value: str) -> str:
    """A cache key for `value` (a client's address, an e-mail address) that does not
    show it: a hash keyed with the secret key, so that nothing readable is kept."""
    if not value:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), str(value).encode(), hashlib.sha256)
    return f"{prefix}:{digest.hexdigest()[:32]}"


def count(key: str, *, window: int) -> None:
    """Add one to the counter `key`, which starts at the first count and lasts `window`
    seconds (a later count does not extend it)."""
    if not key:
        return
    django_cache.add(key, 0, timeout=window)
    try:
        django_cache.incr(key)
    except ValueError:  # expired between add and incr
        django_cache.set(key, 1, timeout=window)


def counted(key: str) -> int:
    """The counter `key`'s value (0 when it never started or has run out)."""
    return int(django_cache.get(key, 0) or 0) if key else 0


def is_process_local(alias: str = "default") -> bool:
    return str(settings.CACHES[alias]["BACKEND"]) in PROCESS_LOCAL


def ping(alias: str = "default") -> None:
    """Raise if the cache cannot be read (its server is down, its table is missing)."""
    caches[alias].get("congvu:ready")


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG or not is_process_local():
        return []
    return [
        Warning(
            "The cache is local to each process: every gunicorn worker keeps its own count of "
            "wrong passphrases, so the per-client limit is multiplied by the number of workers.",
            hint="Set CONGVU_CACHE_URL=db (then run `manage.py createcachetable`) "
            "or CONGVU_CACHE_URL=redis://127.0.0.1:6379/1.",
            id="congvu.W001",
        )
    ]
