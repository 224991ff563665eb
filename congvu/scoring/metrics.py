"""The metrics a scorecard's criteria can use: each gives every organisation a value 0–100.

A metric reads the app that owns its data (through that app's selectors where
they exist) for all the scored organisations at once: a few GROUP BY queries
whatever the number of organisations, never one query per organisation
(2,000 organisations must compute in seconds). An organisation missing from a
metric's answer has *no data* for it — not 0: the scorecard then renormalises
the weights of the criteria it has data for (see `services.compute`).

Formulas (also shown on the public page, `Metric.formula`):

* tasks_on_time — assignments done on time / assignments due in the period
  (due date in the period and not after the day of computation), × 100. The
  government's four statuses are kept in the detail.
* satisfaction — the satisfaction index (satisfied / counted ratings of the
  period's months, from the monthly rollups) × 100; only with at least
  `feedback.selectors.MIN_RANKED` counted ratings, else no data.
* acknowledgement — active staff who acknowledged the code of conduct in force
  / active staff, × 100 (the coverage the dissemination page shows, as of the
  computation).
* misconduct — substantiated (or partly substantiated) cases concluded in the
  period per 100 active staff, r; score = max(0, 100 − 10·r): no case gives
  100, one case for every ten staff gives 0. Lower is better.
* inspections_kept — clauses found kept / clauses observed (kept or breached)
  in inspections concluded in the period, × 100.
* corrective_actions — corrective actions due in the period (before the day
  of computation) done by that day / those due, × 100: an overdue action
  lowers the score.
* reports_on_time — periodic reports whose due date falls in the period,
  filed on time / expected of the organisation, × 100.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from congvu.organisations.models import Organisation


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    #: The day the figures are read for: the period's end, or today if that is earlier.
    as_of: dt.date

    def aware_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, as_of + 1 day 00:00) in the site's time zone."""
        tz = timezone.get_current_timezone()
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        last = dt.datetime.combine(self.as_of + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return first, last


@dataclass(frozen=True)
class Value:
    value: float
    #: The counts behind the value, shown on the breakdown (numbers only).
    detail: dict[str, float] = field(default_factory=dict)


Values = dict[int, Value]
Compute = Callable[[Period, "QuerySet[Organisation]"], Values]


@dataclass(frozen=True)
class Metric:
    code: str
    label: Promise
    formula: Promise
    compute: Compute
    #: Which app's data the metric reads (for the page explaining the criteria).
    source: str = ""


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2)


def _ids(orgs: QuerySet[Organisation]) -> QuerySet[Any]:
    return orgs.values("pk")


def tasks_on_time(period: Period, orgs: QuerySet[Organisation]) -> Values:
    from congvu.planning.models import Assignment
    from congvu.planning.states import state_q

    S = Assignment.State
    day = period.as_of
    rows = (
        Assignment.objects.filter(
            organisation__in=_ids(orgs), due_on__gte=period.start, due_on__lte=day
        )
        .values("organisation_id")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=state_q(S.DONE_ON_TIME, day)),
            late=Count("pk", filter=state_q(S.DONE_LATE, day)),
            overdue=Count("pk", filter=state_q(S.OVERDUE, day)),
        )
        .order_by()
    )
    return {
        row["organisation_id"]: Value(
            _share(row["on_time"], row["due"]),
            {
                "due": row["due"],
                "on_time": row["on_time"],
                "late": row["late"],
                "overdue": row["overdue"],
            },
        )
        for row in rows
        if row["due"]
    }


def satisfaction(period: Period, orgs: QuerySet[Organisation]) -> Values:
    from congvu.feedback import selectors as feedback

    # The province's per-organisation sums over the period's months (cached rollups);
    # filtering to the scored organisations happens on the ids.
    wanted = set(_ids(orgs).values_list("pk", flat=True))
    sums = feedback.organisation_sums(
        feedback.province_period(start=period.start, end=period.as_of)
    )
    found: Values = {}
    for pk, row in sums.items():
        if pk not in wanted:
            continue
        index = feedback.Index.of_sums(row)
        if index.enough(feedback.MIN_RANKED) and index.share is not None:
            found[pk] = Value(
                round(100.0 * index.share, 2),
                {"counted": index.counted, "satisfied": index.satisfied},
            )
    return found


def acknowledgement(period: Period, orgs: QuerySet[Organisation]) -> Values:
    from congvu.planning.coverage import coverage_by_organisation
    from congvu.planning.dashboard_selectors import active_code_version_ids

    ids = list(_ids(orgs).values_list("pk", flat=True))
    return {
        pk: Value(
            _share(cov.acknowledged, cov.active),
            {"acknowledged": cov.acknowledged, "active": cov.active},
        )
        for pk, cov in coverage_by_organisation(ids, active_code_version_ids()).items()
        if cov.active
    }


#: Points lost per substantiated case per 100 staff (misconduct metric).
MISCONDUCT_SLOPE: Final = 10.0


def misconduct(period: Period, orgs: QuerySet[Organisation]) -> Values:
    from congvu.cases.models import Case
    from congvu.organisations.models import StaffMember

    first, last = period.aware_bounds()
    staff = dict(
        StaffMember.objects.filter(organisation__in=_ids(orgs), is_active=True)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organisation_id", "n")
    )
    cases = dict(
        Case.objects.filter(
            organisation__in=_ids(orgs),
            outcome__in=[Case.Outcome.SUBSTANTIATED, Case.Outcome.PARTLY],
            concluded_at__gte=first,
            concluded_at__lt=last,
            main_case__isnull=True,
        )
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organisation_id", "n")
    )
    found: Values = {}
    for pk, count in staff.items():
        if not count:
            continue
        n = cases.get(pk, 0)
        rate = 100.0 * n / count
        found[pk] = Value(
            round(max(0.0, 100.0 - MISCONDUCT_SLOPE * rate), 2),
            {"cases": n, "staff": count, "per_100_staff": round(rate, 2)},
        )
    return found


def inspections_kept(period: Period, orgs: QuerySet[Organisation]) -> Values:
    from congvu.inspections.models import Inspection, Observation

    first, last = period.aware_bounds()
    R = Observation.Result
    rows = (
        Observation.objects.filter(
            inspection__organisation__in=_ids(orgs),
            inspection__status=Inspection.Status.CONCLUDED,
            inspection__concluded_at__gte=first,
            inspection__concluded_at__lt=last,
        )
        .values("inspection__organisation_id")
        .annotate(
            kept=Count("pk", filter=Q(result=R.KEPT)),
            breached=Count("pk", filter=Q(result=R.BREACHED)),
        )
        .order_by()
    )
    return {
        row["inspection__organisation_id"]: Value(
            _share(row["kept"], row["kept"] + row["breached"]),
            {"kept": row["kept"], "breached": row["breached"]},
        )
        for row in rows
        if row["kept"] + row["breached"]
    }


def corrective_actions(period: Period, orgs: QuerySet[Organisation]) -> Values:
    from congvu.inspections.models import CorrectiveAction

    _first, last = period.aware_bounds()
    # Overdue on the day of computation: due in the period and not done by then.
    done = Q(status=CorrectiveAction.Status.DONE, done_at__lt=last)
    rows = (
        CorrectiveAction.objects.filter(
            observation__inspection__organisation__in=_ids(orgs),
            due_on__gte=period.start,
            due_on__lt=period.as_of,
        )
        .values("observation__inspection__organisation_id")
        .annotate(due=Count("pk"), done=Count("pk", filter=done))
        .order_by()
    )
    return {
        row["observation__inspection__organisation_id"]: Value(
            _share(row["done"], row["due"]),
            {"due": row["due"], "done": row["done"], "overdue": row["due"] - row["done"]},
        )
        for row in rows
        if row["due"]
    }


def reports_on_time(period: Period, orgs: QuerySet[Organisation]) -> Values:
    from congvu.reporting.models import OrganisationReport, ReportPeriod
    from congvu.reporting.selectors import expected_organisations

    report_periods = list(
        ReportPeriod.objects.filter(due_on__gte=period.start, due_on__lte=period.as_of)
    )
    wanted = _ids(orgs)
    expected: dict[int, int] = {}
    # One query per reporting period (a few a year), never per organisation.
    for report_period in report_periods:
        for pk in (
            expected_organisations(report_period).filter(pk__in=wanted).values_list("pk", flat=True)
        ):
            expected[pk] = expected.get(pk, 0) + 1
    if not expected:
        return {}
    S = OrganisationReport.Status
    on_time = dict(
        OrganisationReport.objects.filter(
            period__in=report_periods,
            organisation__in=wanted,
            status__in=[S.SUBMITTED, S.ACCEPTED],
            is_late=False,
        )
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organisation_id", "n")
    )
    return {
        pk: Value(
            _share(min(on_time.get(pk, 0), n), n),
            {"expected": n, "on_time": min(on_time.get(pk, 0), n)},
        )
        for pk, n in expected.items()
    }


REGISTRY: Final[Mapping[str, Metric]] = {
    metric.code: metric
    for metric in (
        Metric(
            "tasks_on_time",
            _("Nhiệm vụ hoàn thành đúng hạn"),
            _(
                "Số nhiệm vụ hoàn thành đúng hạn / số nhiệm vụ đến hạn trong kỳ × 100 "
                "(trễ hạn, quá hạn đều không được tính)."
            ),
            tasks_on_time,
            "planning",
        ),
        Metric(
            "satisfaction",
            _("Mức độ hài lòng của người dân"),
            _(
                "Tỷ lệ lượt đánh giá hài lòng / số lượt được tính trong kỳ × 100; chỉ khi cơ "
                "quan có đủ số lượt đánh giá tối thiểu, nếu không là “chưa có dữ liệu”."
            ),
            satisfaction,
            "feedback",
        ),
        Metric(
            "acknowledgement",
            _("Quán triệt quy tắc ứng xử"),
            _(
                "Số cán bộ đang công tác đã xác nhận quy tắc ứng xử đang áp dụng / số cán bộ "
                "đang công tác × 100."
            ),
            acknowledgement,
            "planning",
        ),
        Metric(
            "misconduct",
            _("Vi phạm được kết luận"),
            _(
                "r = số vụ việc kết luận đúng hoặc đúng một phần trong kỳ trên 100 cán bộ; "
                "điểm = max(0; 100 − 10 × r). Không có vụ việc: 100 điểm."
            ),
            misconduct,
            "cases",
        ),
        Metric(
            "inspections_kept",
            _("Kết quả kiểm tra công vụ"),
            _(
                "Số chuẩn mực thực hiện đúng / số chuẩn mực quan sát được (đúng hoặc vi phạm) "
                "trong các cuộc kiểm tra kết luận trong kỳ × 100."
            ),
            inspections_kept,
            "inspections",
        ),
        Metric(
            "corrective_actions",
            _("Khắc phục sau kiểm tra"),
            _(
                "Số biện pháp khắc phục đến hạn trong kỳ đã hoàn thành / số biện pháp đến "
                "hạn × 100 (biện pháp quá hạn chưa khắc phục làm giảm điểm)."
            ),
            corrective_actions,
            "inspections",
        ),
        Metric(
            "reports_on_time",
            _("Báo cáo định kỳ đúng hạn"),
            _("Số báo cáo định kỳ (hạn nộp trong kỳ) nộp đúng hạn / số báo cáo phải nộp × 100."),
            reports_on_time,
            "reporting",
        ),
    )
}

#: How the counts behind a value are named on the breakdown page.
DETAIL_LABELS: Final[Mapping[str, Promise]] = {
    "due": _("đến hạn"),
    "on_time": _("đúng hạn"),
    "late": _("trễ hạn"),
    "overdue": _("quá hạn"),
    "counted": _("lượt được tính"),
    "satisfied": _("lượt hài lòng"),
    "acknowledged": _("đã xác nhận"),
    "active": _("cán bộ đang công tác"),
    "cases": _("vụ việc"),
    "staff": _("cán bộ"),
    "per_100_staff": _("trên 100 cán bộ"),
    "kept": _("thực hiện đúng"),
    "breached": _("vi phạm"),
    "done": _("đã khắc phục"),
    "expected": _("phải nộp"),
}

#: The criteria of a new scorecard, with their default weights.
DEFAULT_WEIGHTS: Final[tuple[tuple[str, int], ...]] = (
    ("tasks_on_time", 30),
    ("satisfaction", 25),
    ("acknowledgement", 10),
    ("misconduct", 15),
    ("inspections_kept", 10),
    ("corrective_actions", 5),
    ("reports_on_time", 5),
)


def metric_choices() -> list[tuple[str, str]]:
    return [(code, str(metric.label)) for code, metric in REGISTRY.items()]
