"""Retention: a finished case keeps its facts but loses its reporter's identity.

`CASES_RETENTION_DAYS` after a case was closed (or not accepted), the reporter's
name, phone and e-mail are erased and an ERASED event is recorded; the case
stays, anonymised, for the statistics. The default is five years: it covers
the 5-year limitation period for reprimand-level discipline (Law on Cadres and
Civil Servants, art. 80) and an appeal in that time, after which Decree
13/2023 (art. 3: data kept no longer than its purpose needs) asks us to let
go. Set `CONGVU_CASES_RETENTION_DAYS` to change it.

The passphrase hash stays: it identifies nobody, and a reporter who kept the
code can still read the outcome. Event bodies are not rewritten: they are
chained in the audit log (a reporter who wrote their name in a message keeps it there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Case
from .reporter import erase_reporter_identity

DEFAULT_RETENTION_DAYS: Final = 5 * 365 + 1


def retention_days() -> int:
    return int(getattr(settings, "CASES_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


@dataclass(frozen=True)
class RetentionResult:
    cutoff: dt.datetime
    due: int
    erased: int
    dry_run: bool


def due_for_erasure(now: dt.datetime | None = None) -> tuple[dt.datetime, list[int]]:
    """The cutoff and the ids of finished cases past it that still hold an identity."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days())
    has_identity = ~Q(reporter_name="") | ~Q(reporter_phone="") | ~Q(reporter_email="")
    ids = list(
        Case.objects.filter(status__in=[Case.Status.CLOSED, Case.Status.REJECTED])
        .annotate(finished_at=Coalesce("closed_at", "rejected_at"))
        .filter(finished_at__lt=cutoff)
        .filter(has_identity)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return cutoff, ids


def apply_retention(*, dry_run: bool = False, now: dt.datetime | None = None) -> RetentionResult:
    cutoff, ids = due_for_erasure(now)
    erased = 0
    if not dry_run:
        for case in Case.objects.filter(pk__in=ids).order_by("pk"):
            erase_reporter_identity(case, actor=None)  # one transaction per case
            erased += 1
    return RetentionResult(cutoff=cutoff, due=len(ids), erased=erased, dry_run=dry_run)


def daily_job(today: dt.date) -> dict[str, int]:
    result = apply_retention()
    return {"due": result.due, "erased": result.erased}
