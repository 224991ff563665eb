"""Keeping `AssignmentRollup` current: dashboards read these counts, never raw assignments.

One row per organisation, plan, period and period end: a period label ends on one day,
so a recurring period has one row; the one-off tasks (label "") have one row per day
on which any of them ends, so a periodic report can count them by their own end.

Every service that changes assignments calls `refresh(...)` for the rows it
touched, inside its transaction. Overdue counts change when a day passes, so
the daily job calls `refresh_stale()`. `rebuild_all()` recomputes everything
from the raw assignments and gives identical results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from .models import Assignment, AssignmentRollup
from .states import state_q

COUNTED = ("total", "not_started", "in_progress", "overdue", "done_on_time", "done_late")


def _counts(day: dt.date) -> dict[str, Any]:
    counts: dict[str, Any] = {"total": Count("pk")}
    for state in Assignment.State:
        counts[state.value] = Count("pk", filter=state_q(state, day))
    return counts


def _recount(keys: Q, day: dt.date) -> int:
    # Grouped by period end too: a period label ends on one day, but the one-off tasks
    # (label "") each end on their own, and a report counts the rows that end inside it.
    # One row for them all, dated by the latest, took every one-off task out of the
    # report whenever one of them ended after it.
    rows = (
        Assignment.objects.filter(keys)
        .values("organisation_id", "task__plan_id", "period", "period_end")
        .annotate(**_counts(day))
        .order_by()
    )
    objects = [
        AssignmentRollup(
            organisation_id=row["organisation_id"],
            plan_id=row["task__plan_id"],
            period=row["period"],
            period_end=row["period_end"],
            computed_on=day,
            **{name: row[name] for name in COUNTED},
        )
        for row in rows
    ]
    # One upsert per batch instead of a query per row.
    AssignmentRollup.objects.bulk_create(
        objects,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["organisation", "plan", "period", "period_end"],
        update_fields=["computed_on", *COUNTED],
    )
    return len(objects)


@transaction.atomic
def refresh(
    *, plan_id: int, organisation_ids: Iterable[int], periods: Iterable[str] | None = None
) -> int:
    """Recount the rollup rows of these organisations in this plan (and periods, if given)."""
    keys = Q(task__plan_id=plan_id, organisation_id__in=list(organisation_ids))
    if periods is not None:
        keys &= Q(period__in=list(periods))
    # A row whose assignments all went away (task deleted) must go too.
    stale = AssignmentRollup.objects.filter(
        plan_id=plan_id, organisation_id__in=list(organisation_ids)
    )
    if periods is not None:
        stale = stale.filter(period__in=list(periods))
    stale.delete()
    return _recount(keys, timezone.localdate())


@transaction.atomic
def refresh_stale(day: dt.date | None = None) -> int:
    """Recount rows computed before `day` that still hold open assignments."""
    day = day or timezone.localdate()
    stale = AssignmentRollup.objects.filter(computed_on__lt=day).exclude(
        total=F("done_on_time") + F("done_late")
    )
    by_plan: dict[int, set[int]] = {}
    for plan_id, organisation_id in stale.values_list("plan_id", "organisation_id"):
        by_plan.setdefault(plan_id, set()).add(organisation_id)
    count = 0
    for plan_id, organisation_ids in by_plan.items():
        # Recounting whole organisations (all periods) in one GROUP BY per plan is
        # cheaper than a query per stale row, and just as correct.
        count += _recount(
            Q(task__plan_id=plan_id, organisation_id__in=sorted(organisation_ids)), day
        )
    AssignmentRollup.objects.filter(computed_on__lt=day).update(computed_on=day)
    return count


@transaction.atomic
def rebuild_all(day: dt.date | None = None) -> int:
    """Throw the rollups away and recount every assignment."""
    AssignmentRollup.objects.all().delete()
    return _recount(Q(), day or timezone.localdate())
