"""The indicators of a periodic report, filled from the system.

Each source of figures is one function registered with `@source(...)`: it
gets the period and a list of organisation ids and returns, per organisation,
a value for each of its indicators. Every source works on many organisations
at once (one or two grouped queries), so the provincial compilation of 2,000
organisations costs a handful of queries, not 2,000.

Sources whose data does not exist yet (other parts of the product) are
registered with `pending(...)`: their indicators are listed in every report and
shown as "chưa có dữ liệu". When the data lands, replace the `pending(...)` call
with a `@source(...)` function (as cases and inspections did). A snapshot taken
while a source was pending keeps it in `missing`, so an old report still says
"chưa có dữ liệu" rather than a zero nobody counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ReportPeriod

NO_DATA: Final = _("chưa có dữ liệu")
SNAPSHOT_VERSION: Final = 1

Value = int | float | None
Computer = Callable[[ReportPeriod, list[int]], Mapping[int, Mapping[str, Value]]]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Any
    short_label: Any
    summable: bool = True
    #: A rate: (numerator key, denominator key) of counts kept in the snapshot; a total of
    #: the rate is the sum of the numerators over the sum of the denominators.
    rate_of: tuple[str, str] | None = None


@dataclass(frozen=True)
class Source:
    name: str
    title: Any
    indicators: tuple[Indicator, ...]
    compute: Computer | None = None

    @property
    def available(self) -> bool:
        return self.compute is not None


REGISTRY: list[Source] = []


def source(
    name: str, title: Any, indicators: Iterable[Indicator]
) -> Callable[[Computer], Computer]:
    """Register a function computing `indicators` for many organisations at once."""

    def register(compute: Computer) -> Computer:
        REGISTRY.append(Source(name, title, tuple(indicators), compute))
        return compute

    return register


def pending(name: str, title: Any, indicators: Iterable[Indicator]) -> None:
    """Register indicators whose data another part of the product will provide."""
    REGISTRY.append(Source(name, title, tuple(indicators), None))


def all_indicators() -> list[Indicator]:
    return [indicator for src in REGISTRY for indicator in src.indicators]


# --- Sources ---------------------------------------------------------------------------------

TASK_INDICATORS = (
    Indicator("tasks_total", _("Tổng số nhiệm vụ được giao"), _("Nhiệm vụ")),
    Indicator("tasks_done_on_time", _("Hoàn thành đúng hạn"), _("Đúng hạn")),
    Indicator("tasks_done_late", _("Hoàn thành trễ hạn"), _("Trễ hạn")),
    Indicator("tasks_overdue", _("Quá hạn, chưa hoàn thành"), _("Quá hạn")),
    Indicator("tasks_in_progress", _("Đang thực hiện trong hạn"), _("Đang thực hiện")),
    Indicator("tasks_not_started", _("Chưa thực hiện (còn hạn)"), _("Chưa thực hiện")),
)


@source("tasks", _("Thực hiện nhiệm vụ theo kế hoạch"), TASK_INDICATORS)
def task_counts(period: ReportPeriod, organisation_ids: list[int]) -> dict[int, dict[str, Value]]:
    """From the assignment rollups (never the raw assignments): the assignments whose period
    ends inside the report period. A recurring task's period is its year, half, quarter or
    month; a one-off task's is its own (it ends on its first deadline, or on the task's end
    day when later; an extension does not move it), and the rollups keep one row per such
    end. Overdue is counted as of the rollup's last refresh (daily)."""
    from congvu.planning.models import AssignmentRollup

    rows = AssignmentRollup.objects.filter(
        organisation_id__in=organisation_ids,
        period_end__gte=period.covers_from,
        period_end__lte=period.covers_to,
    )
    if period.plan_id is not None:
        rows = rows.filter(plan_id=period.plan_id)
    sums = (
        rows.values("organisation_id")
        .annotate(
            tasks_total=Sum("total"),
            tasks_done_on_time=Sum("done_on_time"),
            tasks_done_late=Sum("done_late"),
            tasks_overdue=Sum("overdue"),
            tasks_in_progress=Sum("in_progress"),
            tasks_not_started=Sum("not_started"),
        )
        .order_by()
    )
    keys = [i.key for i in TASK_INDICATORS]
    found: dict[int, dict[str, Value]] = {
        row["organisation_id"]: {k: int(row[k] or 0) for k in keys} for row in sums
    }
    zeros: dict[str, Value] = dict.fromkeys(keys, 0)
    return {pk: found.get(pk, zeros) for pk in organisation_ids}


DISSEMINATION_INDICATORS = (
    Indicator("dissemination_sessions", _("Số buổi quán triệt, tuyên truyền"), _("Số buổi")),
    Indicator("dissemination_participants", _("Lượt người tham dự"), _("Lượt tham dự")),
    Indicator("staff_active", _("Số cán bộ, công chức, viên chức đang công tác"), _("CBCCVC")),
    Indicator("staff_acknowledged", _("Số người đã xác nhận quy tắc ứng xử"), _("Đã xác nhận")),
)


@source("dissemination", _("Quán triệt, tuyên truyền"), DISSEMINATION_INDICATORS)
def dissemination(period: ReportPeriod, organisation_ids: list[int]) -> dict[int, dict[str, Value]]:
    from congvu.conduct.models import CodeVersion
    from congvu.planning.coverage import coverage_by_organisation
    from congvu.planning.models import Dissemination

    sessions = {
        row["organisation_id"]: row
        for row in Dissemination.objects.filter(
            organisation_id__in=organisation_ids,
            held_on__gte=period.covers_from,
            held_on__lte=period.covers_to,
        )
        .values("organisation_id")
        .annotate(n=Count("pk"), people=Sum("participants"))
        .order_by()
    }
    versions = CodeVersion.objects.filter(status=CodeVersion.Status.ACTIVE).values_list(
        "pk", flat=True
    )
    coverage = coverage_by_organisation(organisation_ids, list(versions))
    result: dict[int, dict[str, Value]] = {}
    for pk in organisation_ids:
        row = sessions.get(pk, {})
        cov = coverage.get(pk)
        result[pk] = {
            "dissemination_sessions": int(row.get("n") or 0),
            "dissemination_participants": int(row.get("people") or 0),
            "staff_active": cov.active if cov else 0,
            "staff_acknowledged": cov.acknowledged if cov else 0,
        }
    return result


#: Kept in the snapshot next to the indicators (not shown as a line): the provincial rate is
#: the summed satisfied over the summed counted, not an average of the organisations' rates.
RATINGS_SATISFIED: Final = "ratings_satisfied"

RATING_INDICATORS = (
    Indicator("ratings_count", _("Số lượt đánh giá"), _("Lượt đánh giá")),
    Indicator(
        "satisfaction_percent",
        _("Tỷ lệ hài lòng (%)"),
        _("Hài lòng (%)"),
        summable=False,
        rate_of=(RATINGS_SATISFIED, "ratings_count"),
    ),
)


def whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and the last month (first days) lying wholly inside [start, end], or None."""
    from congvu.feedback.selectors import add_months, month_end, month_start

    first = start if start.day == 1 else add_months(month_start(start), 1)
    last = month_start(end) if end == month_end(end) else add_months(month_start(end), -1)
    return (first, last) if first <= last else None


def partial_days(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The day ranges of [start, end] outside its whole months: the head and tail of the
    period (or the whole period when no month fits in it)."""
    from congvu.feedback.selectors import month_end

    months = whole_months(start, end)
    if months is None:
        return [(start, end)]
    first, last = months
    edges = [(start, first - dt.timedelta(days=1)), (month_end(last) + dt.timedelta(days=1), end)]
    return [(a, b) for a, b in edges if a <= b]


@source("ratings", _("Đánh giá, mức độ hài lòng của người dân"), RATING_INDICATORS)
def ratings(period: ReportPeriod, organisation_ids: list[int]) -> dict[int, dict[str, Value]]:
    """The ratings given from `covers_from` to `covers_to`, both included. The months wholly
    inside come from the monthly rollups; the days of a first or last month the period only
    partly covers (a yearly period runs 16/11 to 15/11) from the raw ratings of those days,
    counted by the rollups' own rule (`rollups.aggregates`: counted and included ratings;
    flagged ones wait for review). At most two partial months: the cost stays with the
    number of organisations, not of ratings."""
    from congvu.cases.selectors import day_bounds
    from congvu.feedback import rollups
    from congvu.feedback.models import OrganisationMonthRollup, Rating

    sums: dict[int, dict[str, int]] = {
        pk: {"counted": 0, "satisfied": 0} for pk in organisation_ids
    }

    def add(rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            target = sums[row["organisation_id"]]
            for column in ("counted", "satisfied"):
                target[column] += int(row[column] or 0)

    months = whole_months(period.covers_from, period.covers_to)
    if months is not None:
        add(
            OrganisationMonthRollup.objects.filter(
                organisation_id__in=organisation_ids, month__gte=months[0], month__lte=months[1]
            )
            .values("organisation_id")
            .annotate(counted=Sum("counted"), satisfied=Sum("satisfied"))
            .order_by()
        )
    for first, last in partial_days(period.covers_from, period.covers_to):
        # `rated_on` is the local day of `created_at`; the `created_at` bounds (a day wider,
        # for safety) let the (organisation, created_at) index find the rows.
        start, end = day_bounds(first - dt.timedelta(days=1), last + dt.timedelta(days=1))
        add(
            Rating.objects.filter(
                organisation_id__in=organisation_ids,
                created_at__gte=start,
                created_at__lt=end,
                rated_on__gte=first,
                rated_on__lte=last,
            )
            .order_by()
            .values("organisation_id")
            .annotate(**rollups.aggregates("counted", "satisfied"))
        )
    return {
        pk: {
            "ratings_count": row["counted"],
            RATINGS_SATISFIED: row["satisfied"],
            "satisfaction_percent": share(row["satisfied"], row["counted"]),
        }
        for pk, row in sums.items()
    }


CASE_INDICATORS = (
    Indicator("cases_received", _("Số phản ánh tiếp nhận"), _("Phản ánh")),
    Indicator("cases_substantiated", _("Số vụ việc có vi phạm"), _("Có vi phạm")),
    Indicator("cases_disciplined", _("Số người bị xử lý kỷ luật"), _("Kỷ luật")),
)


@source("cases", _("Phản ánh, vụ việc vi phạm"), CASE_INDICATORS)
def case_counts(period: ReportPeriod, organisation_ids: list[int]) -> dict[int, dict[str, Value]]:
    """Per organisation the cases are about: reports received in the period, cases concluded
    in it as (partly) substantiated, and staff whose discipline was decided in it."""
    from congvu.cases.models import Case, DisciplineDecision
    from congvu.cases.selectors import BREACH_OUTCOMES, day_bounds

    start, end = day_bounds(period.covers_from, period.covers_to)
    in_scope = Case.objects.filter(organisation_id__in=organisation_ids).order_by()
    received = dict(
        in_scope.filter(received_at__gte=start, received_at__lt=end)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values_list("organisation_id", "n")
    )
    substantiated = dict(
        in_scope.filter(concluded_at__gte=start, concluded_at__lt=end, outcome__in=BREACH_OUTCOMES)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values_list("organisation_id", "n")
    )
    disciplined = dict(
        DisciplineDecision.objects.filter(
            case__organisation_id__in=organisation_ids,
            stage=DisciplineDecision.Stage.DECIDED,
            decided_on__gte=period.covers_from,
            decided_on__lte=period.covers_to,
        )
        .order_by()
        .values("case__organisation_id")
        .annotate(n=Count("staff_id", distinct=True))
        .values_list("case__organisation_id", "n")
    )
    return {
        pk: {
            "cases_received": int(received.get(pk, 0)),
            "cases_substantiated": int(substantiated.get(pk, 0)),
            "cases_disciplined": int(disciplined.get(pk, 0)),
        }
        for pk in organisation_ids
    }


INSPECTION_INDICATORS = (Indicator("inspections", _("Số cuộc kiểm tra công vụ"), _("Kiểm tra")),)


@source("inspections", _("Kiểm tra công vụ"), INSPECTION_INDICATORS)
def inspection_counts(
    period: ReportPeriod, organisation_ids: list[int]
) -> dict[int, dict[str, Value]]:
    """Per inspected organisation: the inspections concluded in the period (a cancelled or
    unfinished one is not an inspection carried out)."""
    from congvu.cases.selectors import day_bounds
    from congvu.inspections.models import Inspection

    start, end = day_bounds(period.covers_from, period.covers_to)
    concluded = dict(
        Inspection.objects.filter(
            organisation_id__in=organisation_ids,
            status=Inspection.Status.CONCLUDED,
            concluded_at__gte=start,
            concluded_at__lt=end,
        )
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values_list("organisation_id", "n")
    )
    return {pk: {"inspections": int(concluded.get(pk, 0))} for pk in organisation_ids}


# --- Computing and reading snapshots -----------------------------------------------------------


def compute(period: ReportPeriod, organisation_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Snapshots (JSON-ready) for each organisation: values, and which sources had no data."""
    ids = list(organisation_ids)
    values: dict[int, dict[str, Value]] = {pk: {} for pk in ids}
    missing = [src.name for src in REGISTRY if not src.available]
    for src in REGISTRY:
        if src.compute is None:
            for pk in ids:
                values[pk].update(dict.fromkeys((i.key for i in src.indicators), None))
            continue
        computed = src.compute(period, ids)
        for pk in ids:
            values[pk].update(computed.get(pk, {}))
    at = timezone.now().isoformat()
    return {
        pk: {
            "version": SNAPSHOT_VERSION,
            "computed_at": at,
            "values": values[pk],
            "missing": missing,
        }
        for pk in ids
    }


def compute_one(period: ReportPeriod, organisation_id: int) -> dict[str, Any]:
    return compute(period, [organisation_id])[organisation_id]


def values_of(snapshot: Mapping[str, Any] | None) -> dict[str, Value]:
    return dict((snapshot or {}).get("values", {}))


def rate_parts(values: Mapping[str, Value], indicator: Indicator) -> tuple[int, int] | None:
    """A rate indicator's numerator and denominator in one snapshot. A snapshot taken before
    the numerator was kept has only the rate (one decimal): the numerator is recovered from
    it, exactly while the denominator is under a thousand."""
    assert indicator.rate_of is not None
    numerator_key, denominator_key = indicator.rate_of
    denominator = values.get(denominator_key)
    if denominator is None:
        return None
    numerator = values.get(numerator_key)
    if numerator is None:
        rate = values.get(indicator.key)
        if rate is None:
            return (0, 0) if not denominator else None
        numerator = round(rate * denominator / 100)
    return int(numerator), int(denominator)


def totals(snapshots: Iterable[Mapping[str, Any] | None]) -> dict[str, Value]:
    """Sums of the summable indicators, and each rate over the summed counts (the province's
    satisfaction rate is all satisfied ratings over all counted ones); None where no
    organisation had data."""
    result: dict[str, Value] = {}
    indicators = all_indicators()
    rates = [indicator for indicator in indicators if indicator.rate_of is not None]
    parts: dict[str, tuple[int, int] | None] = {}
    for snapshot in snapshots:
        values = values_of(snapshot)
        for indicator in indicators:
            value = values.get(indicator.key)
            if not indicator.summable or value is None:
                result.setdefault(indicator.key, None)
                continue
            result[indicator.key] = (result.get(indicator.key) or 0) + value
        for indicator in rates:
            found = rate_parts(values, indicator)
            if found is not None:
                before = parts.get(indicator.key) or (0, 0)
                parts[indicator.key] = (before[0] + found[0], before[1] + found[1])
    for indicator in rates:
        summed = parts.get(indicator.key)
        if summed is not None:
            assert indicator.rate_of is not None
            result[indicator.rate_of[0]] = summed[0]
            result[indicator.key] = share(*summed)
    for indicator in indicators:
        result.setdefault(indicator.key, None)
    return result


def share(part: Value, whole: Value) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if part is None or not whole:
        return None
    return round(100 * part / whole, 1)


@dataclass
class Line:
    indicator: Indicator
    value: Value

    @property
    def display(self) -> str:
        if self.value is None:
            return str(NO_DATA)
        if isinstance(self.value, float):
            return f"{self.value:.1f}".replace(".", ",")
        return f"{self.value:,}".replace(",", ".")


@dataclass
class Group:
    title: Any
    available: bool
    lines: list[Line] = field(default_factory=list)


def grouped(snapshot: Mapping[str, Any] | None) -> list[Group]:
    """The snapshot laid out by source, in registry order, for pages and documents."""
    values = values_of(snapshot)
    missing = set((snapshot or {}).get("missing", []))
    groups = []
    for src in REGISTRY:
        available = src.available and src.name not in missing
        lines = [Line(i, values.get(i.key) if available else None) for i in src.indicators]
        groups.append(Group(src.title, available, lines))
    return groups


def derived(values: Mapping[str, Value]) -> dict[str, float | None]:
    """Rates shown next to the counts; never stored (they would not add up)."""
    done = (values.get("tasks_done_on_time") or 0) + (values.get("tasks_done_late") or 0)
    return {
        "tasks_done_share": share(done, values.get("tasks_total")),
        "tasks_on_time_share": share(values.get("tasks_done_on_time"), values.get("tasks_total")),
        "coverage_share": share(values.get("staff_acknowledged"), values.get("staff_active")),
    }
