"""Reads behind the monitoring dashboards: completion, overdue work, heat map, trend, standing.

Province-wide figures come from `AssignmentRollup` (one row per organisation,
plan and period; one-off tasks one per day they end), so their cost follows
organisations × periods, never assignments. Only three reads touch `Assignment`,
each bounded by an index and a page: the per-task counts of one plan and period
(one GROUP BY over the (task, period) index), the overdue list (the
(completed_on, due_on) index, one page), and the heat map cells (one page of
organisations).

Every read is scoped to `access.organisations_for(user, Perm.PLAN_VIEW)`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, NullIf
from django.utils import timezone

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.conduct.models import CodeVersion
from congvu.organisations.models import Organisation, OrganisationKind

from .coverage import Coverage, coverage_by_organisation
from .models import Assignment, AssignmentRollup, Plan, Task

S = Assignment.State
STATES: tuple[str, ...] = (
    S.NOT_STARTED,
    S.IN_PROGRESS,
    S.OVERDUE,
    S.DONE_ON_TIME,
    S.DONE_LATE,
)
COUNTED: tuple[str, ...] = ("total", *STATES)
BY_TASK_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Counts:
    """The government's statuses for a set of assignments (sums of rollup rows)."""

    total: int = 0
    not_started: int = 0
    in_progress: int = 0
    overdue: int = 0
    done_on_time: int = 0
    done_late: int = 0

    @classmethod
    def of(cls, row: Sequence[Any]) -> Counts:
        """From a row of (total, not_started, in_progress, overdue, done_on_time, done_late)."""
        return cls(*(int(value or 0) for value in row))

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, n) + getattr(other, n) for n in COUNTED))

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def done_share(self) -> float | None:
        """(done on time + done late) / total."""
        return self.done / self.total if self.total else None

    @property
    def on_time_share(self) -> float | None:
        """Done on time / total: the measure organisations are ranked by."""
        return self.done_on_time / self.total if self.total else None

    @property
    def overdue_share(self) -> float | None:
        return self.overdue / self.total if self.total else None

    @property
    def done_pct(self) -> float | None:
        return None if self.done_share is None else round(100 * self.done_share, 1)

    @property
    def on_time_pct(self) -> float | None:
        return None if self.on_time_share is None else round(100 * self.on_time_share, 1)

    def as_list(self) -> list[int]:
        return [getattr(self, name) for name in STATES]


@dataclass(frozen=True)
class Filters:
    plan: Plan | None = None
    period: str = ""
    kind: OrganisationKind | None = None


# --- Scope and filter choices -------------------------------------------------------------------


def scoped_rollups(user: Any, filters: Filters | None = None) -> QuerySet[AssignmentRollup]:
    """Rollup rows of organisations where `user` may view plans, narrowed by `filters`."""
    qs = AssignmentRollup.objects.all()
    if not access.can_anywhere(user, Perm.PLAN_VIEW):
        return qs.none()
    scope = access.organisations_for(user, Perm.PLAN_VIEW)
    if scope.query.where:  # a superuser's scope is everything: no subquery at all
        qs = qs.filter(organisation__in=scope.values("pk"))
    if filters is not None:
        if filters.plan is not None:
            qs = qs.filter(plan=filters.plan)
        if filters.period:
            qs = qs.filter(period=filters.period)
        if filters.kind is not None:
            qs = qs.filter(organisation__in=_of_kind(filters.kind))
    return qs


def _of_kind(kind: OrganisationKind) -> QuerySet[Organisation, Any]:
    return Organisation.objects.filter(kind=kind).values("pk")


def plans_for(user: Any) -> list[Plan]:
    """Plans with assignments somewhere the user may see, newest first.

    Not `Plan.visible_to`: a commune head follows the provincial plan assigned
    to the commune although the plan was issued above them.
    """
    plan_ids = scoped_rollups(user).values("plan_id").distinct()
    return list(Plan.objects.filter(pk__in=plan_ids).order_by("-issued_on", "number"))


def current_period(periods: Sequence[tuple[str, dt.date]], today: dt.date) -> str:
    """The first period not yet over (else the last one); '' when there are none.

    Tasks done once have no period label: they cannot be the single period of
    the per-task table and the heat map.
    """
    labelled = [(label, end) for label, end in periods if label]
    for label, end in labelled:
        if end >= today:
            return label
    return labelled[-1][0] if labelled else ""


def kinds() -> list[OrganisationKind]:
    return list(OrganisationKind.objects.order_by("order", "name"))


# --- Completion ---------------------------------------------------------------------------------


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in COUNTED}


def summary(user: Any, filters: Filters) -> Counts:
    row = scoped_rollups(user, filters).aggregate(**_sums())
    return Counts.of([row[name] for name in COUNTED])


@dataclass
class OrganisationRow:
    organisation_id: int
    counts: Counts
    organisation: Organisation | None = None
    coverage: Coverage | None = None
    links: dict[str, str] = field(default_factory=dict)  # to the assignment list, per state


def _share(part: str) -> Any:
    return Cast(Sum(part), FloatField()) / NullIf(Sum("total"), 0)


def by_organisation(user: Any, filters: Filters) -> QuerySet[AssignmentRollup, Any]:
    """Completion per organisation, worst first: rows of (organisation id, *COUNTED).

    Worst = the largest overdue share, then the smallest done share, then the
    smallest on-time share. Sorted and paged in the database: building 2,000
    rows in Python to show 50 cost more than the whole query.
    """
    return (
        scoped_rollups(user, filters)
        .values_list("organisation_id")
        .annotate(
            *(Sum(name) for name in COUNTED),
            overdue_share=_share("overdue"),
            done_share=Cast(Sum("done_on_time") + Sum("done_late"), FloatField())
            / NullIf(Sum("total"), 0),
            on_time_share=_share("done_on_time"),
        )
        .order_by("-overdue_share", "done_share", "on_time_share", "organisation_id")
    )


def organisation_rows(rows: Iterable[Sequence[Any]]) -> list[OrganisationRow]:
    """`by_organisation` rows (one page of them) as `OrganisationRow`s."""
    return [OrganisationRow(row[0], Counts.of(row[1 : 1 + len(COUNTED)])) for row in rows]


def active_code_version_ids() -> list[int]:
    """The catalogues staff acknowledge: the active provincial one and active supplements."""
    return list(
        CodeVersion.objects.filter(status=CodeVersion.Status.ACTIVE).values_list("pk", flat=True)
    )


def attach_organisations(rows: Sequence[OrganisationRow], *, coverage: bool = True) -> None:
    """Fill in the organisation (with its kind) and its dissemination coverage, for one page."""
    ids = [row.organisation_id for row in rows]
    orgs = Organisation.objects.select_related("kind").in_bulk(ids)
    covered = coverage_by_organisation(ids, active_code_version_ids()) if coverage else {}
    for row in rows:
        row.organisation = orgs.get(row.organisation_id)
        row.coverage = covered.get(row.organisation_id, Coverage(0, 0))


def trend(user: Any, filters: Filters) -> list[tuple[str, dt.date, Counts]]:
    """Sums per period (label, last day, counts) of the chosen plan, in time order.

    The period filter does not apply: the trend is every period. The rows also
    tell which periods exist for the user and give the summary of any one of them.
    """
    every_period = Filters(plan=filters.plan, kind=filters.kind)
    return _per_period(scoped_rollups(user, every_period))


def _per_period(qs: QuerySet[AssignmentRollup]) -> list[tuple[str, dt.date, Counts]]:
    rows = (
        qs.values_list("period", "period_end")
        .annotate(*(Sum(name) for name in COUNTED))
        .order_by("period_end", "period")
    )
    merged: dict[str, tuple[dt.date, Counts]] = {}
    for label, row_end, *sums in rows:
        # One-off tasks ("") have a row per day they end: one entry, at the last of them.
        end, counts = merged.get(label, (row_end, Counts()))
        merged[label] = (max(end, row_end), counts + Counts.of(sums))
    ordered = sorted(merged.items(), key=lambda item: (item[1][0], item[0]))
    return [(label, end, counts) for label, (end, counts) in ordered]


# --- Per task (raw assignments of one plan and period) -------------------------------------------


def _state_counts(day: dt.date) -> dict[str, Count]:
    # The same definitions as `rollups`, so per-task sums equal the rollup totals.
    open_ = Q(completed_on__isnull=True)
    started = ~Q(progress=Assignment.Progress.NOT_STARTED)
    return {
        "total": Count("pk"),
        "done_on_time": Count("pk", filter=Q(completed_on__lte=F("due_on"))),
        "done_late": Count("pk", filter=Q(completed_on__gt=F("due_on"))),
        "overdue": Count("pk", filter=open_ & Q(due_on__lt=day)),
        "in_progress": Count("pk", filter=open_ & Q(due_on__gte=day) & started),
        "not_started": Count("pk", filter=open_ & Q(due_on__gte=day) & ~started),
    }


def state_expression(day: dt.date) -> Case:
    """`Assignment.state_on(day)` computed by the database.

    2,500 heat-map cells converted to dates and classified in Python cost more
    than the query that reads them.
    """
    return Case(
        When(completed_on__isnull=False, completed_on__lte=F("due_on"), then=Value(S.DONE_ON_TIME)),
        When(completed_on__isnull=False, then=Value(S.DONE_LATE)),
        When(due_on__lt=day, then=Value(S.OVERDUE)),
        When(progress=Assignment.Progress.NOT_STARTED, then=Value(S.NOT_STARTED)),
        default=Value(S.IN_PROGRESS),
        output_field=CharField(),
    )


def scoped_assignments(user: Any, filters: Filters) -> QuerySet[Assignment]:
    qs = Assignment.objects.all()
    if not access.can_anywhere(user, Perm.PLAN_VIEW):
        return qs.none()
    scope = access.organisations_for(user, Perm.PLAN_VIEW)
    if scope.query.where:
        qs = qs.filter(organisation__in=scope.values("pk"))
    if filters.plan is not None:
        # task_id IN (…) rather than a join: it lets the (task, period) index lead.
        task_ids = list(Task.objects.filter(plan=filters.plan).values_list("pk", flat=True))
        qs = qs.filter(task_id__in=task_ids)
    if filters.period:
        qs = qs.filter(period=filters.period)
    if filters.kind is not None:
        qs = qs.filter(organisation__in=_of_kind(filters.kind))
    return qs


@dataclass
class TaskRow:
    task: Task
    counts: Counts
    links: dict[str, str] = field(default_factory=dict)


def by_task(
    user: Any, filters: Filters, *, fingerprint: Counts | None = None, day: dt.date | None = None
) -> list[TaskRow]:
    """Completion per task for one plan and period, in the plan's order.

    This is the one province-wide figure the rollups cannot give (they count per
    organisation), and counting ~100,000 assignments takes 100–200 ms on SQLite.
    So the result is cached under a key made of the filters, the user's scope,
    the day and `fingerprint` (the rollup totals of the same selection): any
    change of state recounts a rollup row and so changes the key; the timeout
    bounds what two exactly offsetting changes could hide.
    """
    if filters.plan is None or not filters.period:
        return []
    day = day or timezone.localdate()
    tasks = list(Task.objects.filter(plan=filters.plan).order_by("order", "code"))
    key = None
    if fingerprint is not None:
        scope = sorted(
            (g.path, g.include_subtree)
            for g in access.grants_of(user)
            if Perm.PLAN_VIEW in access.ROLE_PERMS[g.role]
        )
        raw = repr(
            (
                filters.plan.pk,
                filters.period,
                filters.kind.pk if filters.kind else None,
                day,
                fingerprint,
                getattr(user, "is_superuser", False),
                scope,
            )
        )
        key = "dashboard:by_task:" + hashlib.sha256(raw.encode()).hexdigest()
        counted = cache.get(key)
        if counted is not None:
            return [TaskRow(task, counted[task.pk]) for task in tasks if task.pk in counted]
    rows = (
        scoped_assignments(user, filters)
        .values("task_id")
        .annotate(**_state_counts(day))
        .order_by()
    )
    counted = {row["task_id"]: Counts.of([row[n] for n in COUNTED]) for row in rows}
    if key is not None:
        cache.set(key, counted, BY_TASK_CACHE_SECONDS)
    return [TaskRow(task, counted[task.pk]) for task in tasks if task.pk in counted]


def plan_task_counts(
    user: Any, plan: Plan, task_ids: Sequence[int], *, day: dt.date | None = None
) -> dict[int, dict[str, int]]:
    """{task id: {"total": n, state: n, …}} of the assignments `user` sees in these tasks
    of `plan`: the plan page's columns, a page of tasks at a time.

    A provincial plan's 50 tasks have ~500,000 assignments; the page's 20 are still
    ~200,000 to count (0.3–0.4 s on SQLite). Cached like `by_task`: under a key made of
    the tasks, the user's scope, the day and the plan's rollup totals in that scope, so
    any change of state (which recounts a rollup row) changes the key.
    """
    day = day or timezone.localdate()
    scope = sorted(
        (g.path, g.include_subtree)
        for g in access.grants_of(user)
        if Perm.PLAN_VIEW in access.ROLE_PERMS[g.role]
    )
    raw = repr(
        (
            plan.pk,
            sorted(task_ids),
            day,
            summary(user, Filters(plan=plan)),
            getattr(user, "is_superuser", False),
            scope,
        )
    )
    key = "plans:task_counts:" + hashlib.sha256(raw.encode()).hexdigest()
    counted: dict[int, dict[str, int]] | None = cache.get(key)
    if counted is None:
        rows = (
            Assignment.objects.visible_to(user)
            .filter(task_id__in=list(task_ids))
            .values("task_id")
            .annotate(**_state_counts(day))
            .order_by()
        )
        counted = {row["task_id"]: {name: row[name] for name in COUNTED} for row in rows}
        cache.set(key, counted, BY_TASK_CACHE_SECONDS)
    return counted


# --- Overdue list -------------------------------------------------------------------------------


def overdue(user: Any, filters: Filters, *, day: dt.date | None = None) -> QuerySet[Assignment]:
    """Open assignments past their deadline, the longest overdue first (page it)."""
    day = day or timezone.localdate()
    return (
        scoped_assignments(user, filters)
        .filter(completed_on__isnull=True, due_on__lt=day)
        .select_related("task", "organisation")
        .order_by("due_on", "pk")
    )


# --- Heat map -----------------------------------------------------------------------------------


@dataclass
class HeatRow:
    organisation: Organisation
    counts: Counts
    cells: list[str] = field(default_factory=list)  # one state (or '') per task column


def heat_map(
    user: Any,
    filters: Filters,
    rows: Sequence[OrganisationRow],
    *,
    day: dt.date | None = None,
) -> tuple[list[Task], list[HeatRow]]:
    """Organisation × task states for one plan and period, for the given page of organisations."""
    if filters.plan is None or not filters.period or not rows:
        return [], []
    day = day or timezone.localdate()
    tasks = list(Task.objects.filter(plan=filters.plan).order_by("order", "code"))
    column = {task.pk: i for i, task in enumerate(tasks)}
    by_org: dict[int, list[str]] = {row.organisation_id: [""] * len(tasks) for row in rows}
    cells = Assignment.objects.filter(
        task_id__in=list(column),
        period=filters.period,
        organisation_id__in=list(by_org),
    ).values_list("organisation_id", "task_id", state_expression(day))
    for org_id, task_id, state in cells:
        by_org[org_id][column[task_id]] = state
    heat = [
        HeatRow(row.organisation, row.counts, by_org[row.organisation_id])
        for row in rows
        if row.organisation is not None
    ]
    return tasks, heat


# --- One organisation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    rank: int  # 1 = best on-time share among organisations of the same kind
    out_of: int
    counts: Counts


def standing(organisation: Organisation, filters: Filters) -> Standing | None:
    """Rank by on-time share among every organisation of the same kind (same plan/period).

    Only the rank and the number of peers are shown, so it is not scoped: a head
    learns where they stand, not the figures of organisations they cannot see.
    """
    qs = AssignmentRollup.objects.filter(organisation__kind_id=organisation.kind_id)
    if filters.plan is not None:
        qs = qs.filter(plan=filters.plan)
    if filters.period:
        qs = qs.filter(period=filters.period)
    rows = qs.values_list("organisation_id").annotate(Sum("done_on_time"), Sum("total")).order_by()
    shares = {org_id: (on_time / total if total else 0.0) for org_id, on_time, total in rows}
    if organisation.pk not in shares:
        return None
    mine = shares[organisation.pk]
    better = sum(1 for share in shares.values() if share > mine)
    own = Counts.of(
        list(qs.filter(organisation=organisation).aggregate(*(Sum(n) for n in COUNTED)).values())
    )
    return Standing(rank=better + 1, out_of=len(shares), counts=own)


def organisation_summary(
    organisation: Organisation, filters: Filters
) -> list[tuple[str, dt.date, Counts]]:
    """The organisation's counts per period of the chosen plan, in time order."""
    qs = AssignmentRollup.objects.filter(organisation=organisation)
    if filters.plan is not None:
        qs = qs.filter(plan=filters.plan)
    return _per_period(qs)


def organisation_assignments(organisation: Organisation, filters: Filters) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(organisation=organisation).select_related("task", "task__plan")
    if filters.plan is not None:
        qs = qs.filter(task__plan=filters.plan)
    if filters.period:
        qs = qs.filter(period=filters.period)
    return qs.order_by("due_on", "task__order", "pk")


def due_soon(
    organisation: Organisation, *, until: dt.date, day: dt.date | None = None
) -> QuerySet[Assignment]:
    """Open assignments due from today up to `until` (the caller counts working days)."""
    day = day or timezone.localdate()
    return (
        Assignment.objects.filter(
            organisation=organisation, completed_on__isnull=True, due_on__range=(day, until)
        )
        .select_related("task", "task__plan")
        .order_by("due_on", "pk")
    )


def late(organisation: Organisation, *, day: dt.date | None = None) -> QuerySet[Assignment]:
    day = day or timezone.localdate()
    return (
        Assignment.objects.filter(
            organisation=organisation, completed_on__isnull=True, due_on__lt=day
        )
        .select_related("task", "task__plan")
        .order_by("due_on", "pk")
    )


def coverage_of(organisation_ids: Iterable[int]) -> dict[int, Coverage]:
    return coverage_by_organisation(organisation_ids, active_code_version_ids())
