"""The demo's clock: a step of a demo story run as if it happened at a given moment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock


@contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Run the services of one demo step as if it were `moment`: the record's dates, the
    deadlines counted from that day, its history and its audit events all agree, as they
    would had it really happened then. (Rewriting them afterwards would be tampering:
    `audit_verify` checks history rows against their audit events.) `moment` is in UTC,
    as `timezone.now()` gives it: the audit hash covers the time as written. Demo data only:
    everything that reads the time through `django.utils.timezone` sees `moment`."""
    if moment.utcoffset() != dt.timedelta(0):
        raise ValueError("clock_at takes a time in UTC")
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield
