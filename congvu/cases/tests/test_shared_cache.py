"""The passphrase-guessing limit holds across processes when the cache is shared.

With a cache per process, two gunicorn workers each counted their own failures and
let 38 guesses through instead of 20. Two backend instances on the same table stand
for two workers here."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from congvu.cases import reporter
from congvu.core import cache as shared_cache
from congvu.core.cache import DatabaseCache

from .core_helpers import media, report  # noqa: F401

pytestmark = pytest.mark.usefixtures("media")

SHARED = {"default": {"BACKEND": "congvu.core.cache.DatabaseCache", "LOCATION": "test_cache"}}


@pytest.fixture
def two_workers(db: Any) -> Iterator[tuple[DatabaseCache, DatabaseCache]]:
    with override_settings(CACHES=SHARED):
        call_command("createcachetable", verbosity=0)
        first = caches.create_connection("default")
        second = caches.create_connection("default")
        assert first is not second
        yield first, second  # type: ignore[misc]


class Alternating:
    """The cache as `reporter` sees it when a load balancer alternates between workers."""

    def __init__(self, *workers: Any) -> None:
        self._next = itertools.cycle(workers)

    def __getattr__(self, name: str) -> Any:
        return getattr(next(self._next), name)


def test_two_workers_share_one_count_of_wrong_passphrases(two_workers, staff_member, monkeypatch):
    receipt = report(staff_member)
    # The counters of `core.cache` (shared by every per-client limit) see the alternation.
    monkeypatch.setattr(shared_cache, "django_cache", Alternating(*two_workers))
    for _attempt in range(reporter.CLIENT_LIMIT):
        with pytest.raises(reporter.FollowDenied):
            reporter.follow(receipt.code, "wrong", client_ip="203.0.113.7")
    # The 21st attempt is refused whichever worker gets it, even with the right passphrase.
    for _worker in two_workers:
        with pytest.raises(reporter.FollowLocked):
            reporter.follow(receipt.code, receipt.passphrase, client_ip="203.0.113.7")
    assert reporter.follow(receipt.code, receipt.passphrase, client_ip="198.51.100.1")


def test_counting_keeps_the_window_of_the_first_failure(two_workers):
    first, second = two_workers
    first.add("failures", 0, timeout=900)
    assert [first.incr("failures"), second.incr("failures"), first.incr("failures")] == [1, 2, 3]
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM test_cache")
        (expires,) = cursor.fetchone()
    if isinstance(expires, str):  # SQLite without the ORM's converters: naive UTC
        expires = dt.datetime.fromisoformat(expires)
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    # Django's own incr would have re-set the entry with the default 300 seconds.
    assert (expires - timezone.now()).total_seconds() > 800
    with pytest.raises(ValueError):
        second.incr("never-set")
