"""Reads of the back office: the case list and its filters, deadlines, the case file,
the subject's own cases, and the dashboard's aggregates.

Every list starts from `Case.objects.visible_to(user)`. A user never sees, in the
handlers' pages, a case about themselves: the subject reads their own cases through
`subject_cases` (only what is addressed to them), never the case file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Case as Case_
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from congvu.conduct.models import title_for_reader
from congvu.core.calendar import add_working_days
from congvu.core.text import search_terms
from congvu.organisations.models import Organisation, StaffMember

from . import assignment, clocks, discipline, unattended, visibility
from .models import (
    CODE_ALPHABET,
    Case,
    CaseEvent,
    CaseFile,
    CaseTag,
    DisciplineDecision,
    Track,
    TrackClock,
)

S = Case.Status
#: Statuses on the acknowledgement clock and on the settlement clock.
AWAITING_ACCEPTANCE: Final = tuple(clocks.ACKNOWLEDGING)
BEING_SETTLED: Final = tuple(clocks.SETTLING)
OPEN_STATUSES: Final = (S.RECEIVED, S.ACCEPTED, S.INVESTIGATING)
#: "Substantiated breaches" counts cases found fully or partly substantiated.
BREACH_OUTCOMES: Final = (Case.Outcome.SUBSTANTIATED, Case.Outcome.PARTLY)
SUBJECT_AUDIENCES: Final = visibility.SUBJECT_AUDIENCES
#: A tracking code (`models.new_tracking_code`).
CODE_RE: Final = re.compile("PA-[" + CODE_ALPHABET + "]{10}")


def handler_cases(user: Any) -> QuerySet[Case]:
    """Cases the user sees as a handler or supervisor, never those about the user."""
    qs = Case.objects.visible_to(user)
    if getattr(user, "is_authenticated", False):
        qs = qs.exclude(subject_staff__user=user)
    return qs


# --- deadlines --------------------------------------------------------------------------------


def track_clocks() -> dict[str, TrackClock]:
    """Each track's clock (the saved row, or the legal default when it is missing)."""
    return clocks.clocks_by_track()


def due_soon_days(by_track: dict[str, TrackClock] | None = None) -> dict[str, int]:
    """Working days of warning before a deadline, per track."""
    by_track = by_track if by_track is not None else track_clocks()
    return {track: clock.due_soon_days for track, clock in by_track.items()}


def running_due() -> Case_:
    """`current_due` as an SQL expression (to sort by the deadline running now)."""
    return Case_(
        When(status__in=AWAITING_ACCEPTANCE, then=F("acknowledge_due")),
        When(status__in=BEING_SETTLED, then=F("settle_due")),
        default=Value(None),
        output_field=DateField(),
    )


def overdue_q(today: dt.date) -> Q:
    return Q(status__in=AWAITING_ACCEPTANCE, acknowledge_due__lt=today) | Q(
        status__in=BEING_SETTLED, settle_due__lt=today
    )


def due_soon_q(today: dt.date, warn_days: dict[str, int] | None = None) -> Q:
    """Open cases whose running deadline falls between today and the track's warning date."""
    warn_days = warn_days if warn_days is not None else due_soon_days()
    q = Q(pk__in=[])
    untils: dict[int, dt.date] = {}  # tracks mostly share their warning days
    for track, days in warn_days.items():
        if days not in untils:
            untils[days] = add_working_days(today, days)
        until = untils[days]
        q |= Q(track=track) & (
            Q(
                status__in=AWAITING_ACCEPTANCE,
                acknowledge_due__gte=today,
                acknowledge_due__lte=until,
            )
            | Q(status__in=BEING_SETTLED, settle_due__gte=today, settle_due__lte=until)
        )
    return q


@dataclass(frozen=True)
class Deadline:
    due: dt.date | None
    state: str  # clocks.DueState: "none", "on_time", "due_soon", "overdue"


def deadline_of(
    case: Case,
    today: dt.date,
    by_track: dict[str, TrackClock],
    warn: dict[str, dt.date] | None = None,
) -> Deadline:
    """`warn` is `clocks.warning_dates(today, by_track)`, for a list of cases."""
    due = clocks.current_due(case)
    state = clocks.due_state(
        case,
        today,
        clock=by_track.get(case.track),
        warn_until=(warn or {}).get(case.track),
    )
    return Deadline(due, str(state))


# --- the case list ----------------------------------------------------------------------------


@dataclass
class CaseFilters:
    status: str = ""
    track: str = ""
    organisation: Organisation | None = None
    due: str = ""  # "overdue" or "due_soon"
    clause_id: int | None = None
    month: dt.date | None = None  # first day of the month received
    outcome: str = ""
    q: str = ""
    #: Cases given to this user (and that they still may handle).
    assignee_id: int | None = None
    #: Cases given to nobody, or to someone who may no longer handle them.
    unassigned: bool = False
    #: Words of a tag's name, accents aside.
    tag: str = ""
    #: Cases with a discipline proposal awaiting its decision.
    discipline_proposed: bool = False
    #: Open cases nobody would see as their work (`unattended`).
    unattended: bool = False


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as aware datetimes in the local time zone: [start, end)."""
    start = dt.date(month.year, month.month, 1)
    end = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end, dt.time.min, tzinfo=tz),
    )


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local days [first, last] as aware datetimes [start, end)."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def filter_cases(qs: QuerySet[Case], filters: CaseFilters, *, today: dt.date) -> QuerySet[Case]:
    """`qs` narrowed by the list's filters (the status filter is left to the caller, so the
    per-status counts can be taken over everything else)."""
    if filters.track:
        qs = qs.filter(track=filters.track)
    if filters.organisation is not None:
        path = filters.organisation.path
        qs = qs.filter(
            Q(organisation__path__startswith=path) | Q(handling_organisation__path__startswith=path)
        )
    if filters.due == "overdue":
        qs = qs.filter(overdue_q(today))
    elif filters.due == "due_soon":
        qs = qs.filter(due_soon_q(today))
    if filters.clause_id is not None:
        qs = qs.filter(
            pk__in=Case.clauses.through.objects.filter(clause_id=filters.clause_id).values(
                "case_id"
            )
        )
    if filters.month is not None:
        start, end = month_bounds(filters.month)
        qs = qs.filter(received_at__gte=start, received_at__lt=end)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    qs = search(qs, filters.q)
    if filters.assignee_id is not None:
        mine = qs.filter(assignee_id=filters.assignee_id)
        qs = mine.exclude(assignment.stale_q(assignment.stale_pairs(mine)))
    elif filters.unassigned:
        qs = qs.filter(Q(assignee__isnull=True) | assignment.stale_q(assignment.stale_pairs(qs)))
    if filters.unattended:
        qs = unattended.only(qs)
    if filters.discipline_proposed:
        qs = qs.filter(
            pk__in=DisciplineDecision.objects.filter(
                stage=DisciplineDecision.Stage.PROPOSED
            ).values("case_id")
        )
    terms = search_terms(filters.tag)
    if terms:
        tagged = CaseTag.objects.all()
        for term in terms:
            tagged = tagged.filter(name_folded__contains=term)
        qs = qs.filter(
            pk__in=Case.tags.through.objects.filter(casetag__in=tagged).values("case_id")
        )
    return qs


def exact_code(query: str) -> str | None:
    """The tracking code `query` is, typed in any case or spacing ("pa-quq ag3xpnr",
    "PAQUQAG3XPNR"), or None when it is not one."""
    compact = "".join(query.split()).upper()
    if compact.startswith("PA") and not compact.startswith("PA-"):
        compact = "PA-" + compact[2:]
    return compact if CODE_RE.fullmatch(compact) else None


def search(qs: QuerySet[Case], query: str) -> QuerySet[Case]:
    """Cases of `qs` where every word of `query` occurs (accents aside) in the code, the
    subject's name or the texts handlers read (`Case.search_text`, the reporter's
    identity masked).

    A query that is a whole code (`exact_code`) finds that case alone when `qs` holds it:
    a code is unique, and whoever types one wants that case, not the others whose texts
    happen to name it (a duplicate's report). One lookup through the code's unique index
    settles it, where scanning every case's texts cost three times as much at a province's
    scale (docs/benchmarks.md). The texts are scanned only when `qs` does not hold it (out
    of the user's scope, or another filter leaves it out): the cases that name it."""
    words = search_terms(query)
    if not words:
        return qs
    code = exact_code(query)
    if code is not None:
        alone = qs.filter(code=code)
        if alone.exists():
            return alone
    matches = Q()
    for term in words:
        # Codes are upper case ASCII; a folded search term is lower case. The staff whose
        # name holds the word are a subquery, not a join: a join of the 40,000 staff to
        # every case cost more than the search itself (docs/benchmarks.md).
        named = StaffMember.objects.filter(search_name__contains=term).values("pk")
        matches &= (
            Q(code__icontains=term) | Q(subject_staff__in=named) | Q(search_text__contains=term)
        )
    return qs.filter(matches)


def newest_first(qs: QuerySet[Case]) -> QuerySet[Case]:
    """`qs` newest first (a searched code's case is alone: `search`)."""
    return qs.order_by("-received_at", "-pk")


def status_counts(qs: QuerySet[Case]) -> dict[str, int]:
    """How many cases of `qs` per status (every status present, zeros included)."""
    counts = dict.fromkeys(S.values, 0)
    for row in qs.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def list_rows(qs: QuerySet[Case]) -> QuerySet[Case]:
    """The list's rows newest first."""
    return newest_first(
        qs.select_related(
            "organisation", "handling_organisation", "subject_staff", "assignee"
        ).prefetch_related(Prefetch("tags", queryset=CaseTag.objects.order_by("name_folded")))
    )


# --- the case file ----------------------------------------------------------------------------


def timeline(case: Case, *, audiences: Sequence[str] | None = None) -> list[CaseEvent]:
    """The case's events, oldest first, with their actors and files (of the same audience)."""
    events = case.events.select_related("actor")
    if audiences is not None:
        events = events.filter(audience__in=audiences)
    return list(
        events.prefetch_related(Prefetch("files", queryset=CaseFile.objects.order_by("pk")))
    )


def loose_files(case: Case) -> QuerySet[CaseFile]:
    """Files not attached to an event (attached at intake by some channels)."""
    return case.files.filter(event__isnull=True)


def duplicates(case: Case) -> QuerySet[Case]:
    return case.duplicates.order_by("received_at")


def discipline_of(case: Case) -> QuerySet[DisciplineDecision]:
    return case.discipline.select_related("form", "staff", "proposed_by", "decided_by").order_by(
        "created_at", "pk"
    )


# --- the subject's own cases ------------------------------------------------------------------


def subject_cases(user: Any) -> QuerySet[Case]:
    """Cases about `user` (as a staff member) with something addressed to them."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    told = CaseEvent.objects.filter(case=OuterRef("pk"), audience__in=SUBJECT_AUDIENCES)
    return (
        Case.objects.filter(subject_staff__user=user)
        .filter(Exists(told))
        .select_related("organisation", "handling_organisation")
        .order_by("-received_at", "-pk")
    )


def discipline_record_by_year(staff: StaffMember) -> list[tuple[int, list[DisciplineDecision]]]:
    """Decided discipline of `staff` grouped by the year decided, newest first (what the
    annual rating of Decree 90/2020 reads)."""
    years: dict[int, list[DisciplineDecision]] = {}
    for decision in discipline.record_for(staff):
        assert decision.decided_on is not None  # a decided decision has its date
        years.setdefault(decision.decided_on.year, []).append(decision)
    return sorted(years.items(), reverse=True)


# --- the dashboard ----------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0–100) with linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Durations:
    count: int
    median: float | None
    p90: float | None


def durations(pairs: Iterable[tuple[dt.datetime, dt.datetime | None]]) -> Durations:
    days = [(end - start).total_seconds() / 86400 for start, end in pairs if end is not None]
    return Durations(len(days), percentile(days, 50), percentile(days, 90))


@dataclass
class OrganisationRow:
    organisation_id: int
    name: str
    total: int = 0
    open: int = 0
    overdue: int = 0
    breaches: int = 0
    staff: int = 0

    @property
    def per_100_staff(self) -> float | None:
        return None if not self.staff else self.breaches * 100 / self.staff


@dataclass
class Dashboard:
    total: int
    by_status: dict[str, int]
    by_track: dict[str, int]
    by_outcome: dict[str, int]
    by_month: list[tuple[dt.date, int, int]]  # month, received, concluded as breaches
    by_clause: list[tuple[str, str, int, int]]  # code, title, cases, breaches
    organisations: list[OrganisationRow]
    first_response: Durations
    to_close: Durations
    overdue: Sequence[Case] = field(default_factory=list)
    overdue_count: int = 0


def _counts(qs: QuerySet[Case], column: str, keys: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(keys, 0)
    for row in qs.order_by().values(column).annotate(n=Count("pk")):
        if row[column] in counts:
            counts[row[column]] = row["n"]
    return counts


def dashboard(
    qs: QuerySet[Case], *, first: dt.date, last: dt.date, today: dt.date, overdue_limit: int = 50
) -> Dashboard:
    """The aggregates of `qs` (already scoped) for cases received in [first, last].

    Every figure is one GROUP BY: the cost follows organisations × months, not cases.
    Durations are read as (start, end) pairs of the period's finished cases only.
    """
    start, end = day_bounds(first, last)
    period = qs.filter(received_at__gte=start, received_at__lt=end)
    breach = Q(outcome__in=BREACH_OUTCOMES)

    months = [
        (
            timezone.localtime(row["month"]).date()
            if isinstance(row["month"], dt.datetime)
            else row["month"],
            row["n"],
            row["breaches"],
        )
        for row in period.order_by()
        .annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(n=Count("pk"), breaches=Count("pk", filter=breach))
        .order_by("month")
    ]

    through = Case.clauses.through.objects.filter(case__in=period.values("pk"))
    clauses = [
        (
            row["clause__code"],
            title_for_reader(row["clause__short_title"], row["clause__short_title_en"]),
            row["n"],
            row["breaches"],
        )
        for row in through.values("clause__code", "clause__short_title", "clause__short_title_en")
        .annotate(
            n=Count("case_id", distinct=True),
            breaches=Count("case_id", distinct=True, filter=Q(case__outcome__in=BREACH_OUTCOMES)),
        )
        .order_by("-n", "clause__code")
    ]
    with_other = period.exclude(other_standard="").count()
    if with_other:
        clauses.append(
            ("", "", with_other, period.exclude(other_standard="").filter(breach).count())
        )

    org_rows: dict[int, OrganisationRow] = {}
    for row in (
        period.order_by()
        .values("organisation_id", "organisation__name")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=overdue_q(today)),
            breaches=Count("pk", filter=breach),
        )
    ):
        org_rows[row["organisation_id"]] = OrganisationRow(
            organisation_id=row["organisation_id"],
            name=row["organisation__name"],
            total=row["total"],
            open=row["open"],
            overdue=row["overdue"],
            breaches=row["breaches"],
        )
    for row in (
        StaffMember.objects.active()
        .filter(organisation_id__in=list(org_rows))
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
    ):
        org_rows[row["organisation_id"]].staff = row["n"]
    organisations = sorted(
        org_rows.values(),
        key=lambda r: (-(r.per_100_staff or 0), -r.breaches, -r.total, r.name),
    )

    overdue_qs = qs.filter(overdue_q(today))
    overdue_list = list(
        overdue_qs.select_related("organisation", "handling_organisation")
        .annotate(due=running_due())
        .order_by("due", "pk")[:overdue_limit]
    )

    return Dashboard(
        total=period.count(),
        by_status=status_counts(period),
        by_track=_counts(period, "track", Track.values),
        by_outcome=_counts(period.exclude(outcome=""), "outcome", Case.Outcome.values),
        by_month=months,
        by_clause=clauses,
        organisations=organisations,
        first_response=durations(
            period.filter(first_response_at__isnull=False).values_list(
                "received_at", "first_response_at"
            )
        ),
        to_close=durations(
            period.filter(closed_at__isnull=False).values_list("received_at", "closed_at")
        ),
        overdue=overdue_list,
        overdue_count=overdue_qs.count(),
    )


@dataclass
class HandlerRow:
    """One handler's open cases on the dashboard (`user_id` None: given to nobody)."""

    user_id: int | None
    name: str
    open: int = 0
    overdue: int = 0
    #: Open cases given to this person although they may no longer handle them.
    to_reassign: int = 0


def workload(qs: QuerySet[Case], *, today: dt.date) -> list[HandlerRow]:
    """Open cases of `qs` (already scoped) per assignee, and the ones given to nobody:
    one GROUP BY over (assignee, handling organisation), whatever the period."""
    open_cases = qs.filter(status__in=OPEN_STATUSES)
    stale = assignment.stale_pairs(open_cases)
    rows: dict[int | None, HandlerRow] = {}
    for row in (
        open_cases.order_by()
        .values(
            "assignee_id", "assignee__full_name", "assignee__username", "handling_organisation_id"
        )
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue_q(today)))
    ):
        user_id = row["assignee_id"]
        name = row["assignee__full_name"] or row["assignee__username"] or ""
        item = rows.setdefault(user_id, HandlerRow(user_id, name))
        item.open += row["n"]
        item.overdue += row["overdue"]
        if (user_id, row["handling_organisation_id"]) in stale:
            item.to_reassign += row["n"]
    unassigned = rows.pop(None, None)
    ordered = sorted(rows.values(), key=lambda r: (-r.overdue, -r.open, r.name))
    return ([unassigned] if unassigned is not None else []) + ordered
