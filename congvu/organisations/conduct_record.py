"""Each staff member's conduct record for a year, side by side (the year-end rating).

The annual quality rating (đánh giá, xếp loại chất lượng hằng năm, Decree 90/2020
amended by Decree 48/2023) reads compliance with the code of conduct (Plan 86). This
module gathers, for the staff assigned to an organisation (optionally with its units)
at some time during a calendar year:

* citizens' ratings counted and the satisfaction index, from the per-staff monthly
  rollups (`feedback.StaffMonthRollup`), never from the raw ratings; an index on fewer
  than `min_ratings()` counted ratings is not shown (the dashboards' `MIN_RANKED`);
* cases about them concluded in the year as substantiated or partly so (counts only:
  nothing of the report or the reporter is read);
* discipline decided in the year (form, number, date; `cases.discipline.record_for`'s
  rule, read for many staff at once);
* breaches naming them on inspections concluded in the year;
* whether they confirmed the code of conduct in force (the work list's rule:
  every applicable version, provincial catalogue and supplements) and when.

Every figure is read with one query per kind for a whole page of staff, so the page
costs the same few queries for 5 or 500 staff members. The "Cần lưu ý" filter finds the
staff who need attention set-based (`attention_ids`: the rule of `ConductRow.reasons`,
in SQL but for the index), so only the page shown is computed. Who may read it is
decided by `accounts.access` (STAFF_VIEW_CONTACT, the permission that shows discipline on the
staff page); the scoping of the organisations and of the ratings goes through it too.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.cases.models import Case, DisciplineDecision
from congvu.conduct.models import CodeVersion
from congvu.feedback.models import StaffMonthRollup
from congvu.feedback.selectors import MIN_RANKED, SUM_FIELDS, Index
from congvu.inspections.models import Inspection, Observation
from congvu.planning.models import Acknowledgement

from .models import Organisation, OrganisationQuerySet, StaffAssignment, StaffMember, StaffQuerySet

#: The first year the record can be asked for (the platform holds nothing earlier).
FIRST_YEAR: Final = 2000
#: Defaults of the "Cần lưu ý" rule; `settings.CONDUCT_RECORD_*` override them.
DEFAULT_INDEX_THRESHOLD: Final = 70
SORTS: Final = ("name", "index")
#: Staff ids per query when all of them are read (SQLite's default bound on parameters
#: was 999 before 3.32).
ID_BATCH: Final = 900
#: The reasons a row is flagged, in the order they are shown.
REASONS: Final = ("discipline", "case", "breach", "low_index", "unconfirmed")


def index_threshold() -> float:
    """Percent: an index below it, on enough ratings, flags the row."""
    return float(getattr(settings, "CONDUCT_RECORD_INDEX_THRESHOLD", DEFAULT_INDEX_THRESHOLD))


def min_ratings() -> int:
    """Counted ratings under which the index is not shown (nor judged)."""
    return int(getattr(settings, "CONDUCT_RECORD_MIN_RATINGS", MIN_RANKED))


def shown_share(index: Index) -> float | None:
    """The index in percent, or None when too few ratings were counted to show it."""
    return index.share_pct if index.counted >= min_ratings() else None


def is_low(index: Index) -> bool:
    """A shown index under the threshold (the "low_index" reason)."""
    share = shown_share(index)
    return share is not None and share < index_threshold()


# --- The year ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    year: int
    today: dt.date

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    @property
    def is_current(self) -> bool:
        return self.year == self.today.year

    @property
    def as_of(self) -> dt.date:
        """The day the code "in force" is read on: today, or the year's last day."""
        return min(self.today, self.end)

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) of the year in local time, for the datetime columns."""
        tz = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(dt.date(self.year + 1, 1, 1), dt.time.min, tzinfo=tz),
        )


def year_error(today: dt.date) -> ValidationError:
    return ValidationError(
        _("Năm phải từ %(first)d đến %(last)d. / The year must be between %(first)d and %(last)d.")
        % {"first": FIRST_YEAR, "last": today.year},
        code="year",
    )


def parse_year(value: Any, *, today: dt.date | None = None) -> Period:
    """The period of `value` (a year as text or a number; empty: the current year)."""
    today = today or timezone.localdate()
    if value is None or (isinstance(value, str) and not value.strip()):
        return Period(today.year, today)
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 4:
        raise year_error(today)
    year = int(text)
    if not FIRST_YEAR <= year <= today.year:
        raise year_error(today)
    return Period(year, today)


# --- Who ---------------------------------------------------------------------------------------


def scope(user: Any, organisation: Organisation, *, subtree: bool) -> OrganisationQuerySet:
    """The organisations whose staff are listed: `organisation`, and with `subtree` the
    units under it where `user` may see staff contacts (a grant without the subtree
    does not reach them)."""
    if not subtree:
        return Organisation.objects.filter(pk=organisation.pk)
    return access.organisations_for(
        user, Perm.STAFF_VIEW_CONTACT, Organisation.objects.subtree_of(organisation)
    )


def staff_in_year(organisations: OrganisationQuerySet, period: Period) -> StaffQuerySet:
    """Staff assigned to one of `organisations` (or one of their divisions) at some time
    during the year, those who left or moved during it included."""
    ids = organisations.values("pk")
    assigned = (
        StaffAssignment.objects.filter(Q(organisation__in=ids) | Q(division__in=ids))
        .filter(valid_from__lte=period.end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start))
        .values("staff_id")
    )
    return StaffMember.objects.filter(pk__in=assigned)


# --- The rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisciplineItem:
    form: str
    rank: int
    number: str
    decided_on: dt.date


@dataclass
class ConductRow:
    staff_id: int
    full_name: str
    staff_code: str
    position_title: str
    organisation_name: str
    division_name: str
    is_active: bool
    left_on: dt.date | None
    #: Assigned elsewhere now (moved out of the organisations listed during or after the year).
    moved: bool
    index: Index
    substantiated: int
    breaches: int
    discipline: list[DisciplineItem] = field(default_factory=list)
    #: None: no code of conduct was in force for them.
    acknowledged: bool | None = None
    acknowledged_on: dt.date | None = None
    #: May the reader open the staff member's page (their organisation in the reader's scope)?
    linked: bool = False

    @property
    def enough(self) -> bool:
        return self.index.counted >= min_ratings()

    @property
    def share_pct(self) -> float | None:
        """The index in percent, or None when too few ratings were counted to show it."""
        return shown_share(self.index)

    @property
    def left_in_year(self) -> bool:
        return not self.is_active

    @property
    def reasons(self) -> list[str]:
        """Why the row needs attention ("Cần lưu ý"), as codes of `REASONS`."""
        found = []
        if self.discipline:
            found.append("discipline")
        if self.substantiated:
            found.append("case")
        if self.breaches:
            found.append("breach")
        if is_low(self.index):
            found.append("low_index")
        # Only of someone still working here: who left or moved can no longer be asked.
        # (`attention_ids` holds the same rule in SQL: change both together.)
        if self.acknowledged is False and self.is_active and not self.moved:
            found.append("unconfirmed")
        return found

    @property
    def attention(self) -> bool:
        return bool(self.reasons)

    @property
    def reason_texts(self) -> list[str]:
        labels = reason_labels()
        return [labels[code] for code in self.reasons]


def reason_labels() -> dict[str, str]:
    return {
        "discipline": _("Bị kỷ luật trong năm"),
        "case": _("Có phản ánh được kết luận đúng"),
        "breach": _("Có vi phạm được ghi nhận khi kiểm tra"),
        "low_index": _("Chỉ số hài lòng dưới %(pct)s %%") % {"pct": f"{index_threshold():g}"},
        "unconfirmed": _("Chưa xác nhận quy tắc ứng xử"),
    }


def _rollup_rows(ids: Sequence[int], period: Period, fields: Sequence[str]) -> list[dict[str, Any]]:
    """The year's rollup sums of `ids` per (staff member, organisation rated in)."""
    return list(
        StaffMonthRollup.objects.filter(
            staff_id__in=list(ids), month__gte=period.start, month__lte=dt.date(period.year, 12, 1)
        )
        .values("staff_id", "organisation_id")
        .annotate(**{name: Sum(name) for name in fields})
        .order_by()
    )


def _totals(rows: list[dict[str, Any]], user: Any, fields: Sequence[str]) -> dict[int, Index]:
    """The rows' sums per staff member. With `user`, only the ratings given in
    organisations the reader may watch (as the staff pages do: not those of a previous
    employer outside their scope) — decided on the few organisations found, in one more
    query: filtering the rollups by the reader's whole scope in SQL made SQLite probe
    every (staff, organisation) pair (1.5 s for 1,750 staff of a Home Affairs reader)."""
    if user is not None and rows:
        found = {row["organisation_id"] for row in rows}
        allowed = set(
            access.organisations_for(user, Perm.RATING_VIEW)
            .filter(pk__in=found)
            .values_list("pk", flat=True)
        )
        rows = [row for row in rows if row["organisation_id"] in allowed]
    totals: dict[int, dict[str, int]] = {}
    for row in rows:
        total = totals.setdefault(row["staff_id"], dict.fromkeys(fields, 0))
        for name in fields:
            total[name] += int(row[name] or 0)
    return {staff_id: Index.of(total) for staff_id, total in totals.items()}


def _rating_sums(
    ids: Sequence[int], period: Period, user: Any, fields: Sequence[str] = SUM_FIELDS
) -> dict[int, Index]:
    """The year's rollup sums per staff member (scoped to `user`'s ratings, `_totals`)."""
    return _totals(_rollup_rows(ids, period, fields), user, fields)


# The year's facts a row counts, one queryset each, so that the rows and the attention
# filter (`attention_ids`) read them by the same rule.


def _decided_in(period: Period) -> QuerySet[DisciplineDecision]:
    return DisciplineDecision.objects.filter(
        stage=DisciplineDecision.Stage.DECIDED,
        decided_on__gte=period.start,
        decided_on__lte=period.end,
    )


def _substantiated_in(period: Period) -> QuerySet[Case]:
    start, end = period.moments()
    return Case.objects.filter(
        status__in=(Case.Status.CONCLUDED, Case.Status.CLOSED),
        outcome__in=(Case.Outcome.SUBSTANTIATED, Case.Outcome.PARTLY),
        concluded_at__gte=start,
        concluded_at__lt=end,
    )


def _breached_in(period: Period) -> QuerySet[Observation]:
    start, end = period.moments()
    return Observation.objects.filter(
        result=Observation.Result.BREACHED,
        inspection__status=Inspection.Status.CONCLUDED,
        inspection__concluded_at__gte=start,
        inspection__concluded_at__lt=end,
    )


def _substantiated(ids: Sequence[int], period: Period) -> dict[int, int]:
    rows = (
        _substantiated_in(period)
        .filter(subject_staff_id__in=ids)
        .values("subject_staff_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["subject_staff_id"]: row["n"] for row in rows}


def _discipline(ids: Sequence[int], period: Period) -> dict[int, list[DisciplineItem]]:
    found: dict[int, list[DisciplineItem]] = defaultdict(list)
    rows = (
        _decided_in(period)
        .filter(staff_id__in=ids)
        .select_related("form")
        .order_by("-form__rank", "-decided_on", "-pk")
    )
    for decision in rows:
        assert decision.decided_on is not None  # a decided decision has its date
        found[decision.staff_id].append(
            DisciplineItem(
                form=str(decision.form),
                rank=decision.form.rank,
                number=decision.decision_number,
                decided_on=decision.decided_on,
            )
        )
    return found


def _breaches(ids: Sequence[int], period: Period) -> dict[int, int]:
    rows = (
        _breached_in(period)
        .filter(staff_id__in=ids)
        .values("staff_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["staff_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class _Version:
    pk: int
    scope_path: str
    is_supplement: bool
    effective_from: dt.date | None


def _versions_in_force(period: Period) -> list[_Version]:
    """Every version in force (this year: active now, as the work list reads it; an
    earlier year: in force on its last day), newest first."""
    S = CodeVersion.Status
    if period.is_current:
        qs = CodeVersion.objects.filter(status=S.ACTIVE)
    else:
        day = period.end
        qs = CodeVersion.objects.filter(
            Q(status__in=[S.ACTIVE, S.RETIRED])
            & (Q(effective_from__isnull=True) | Q(effective_from__lte=day))
            & (Q(retired_on__isnull=True) | Q(retired_on__gt=day))
        )
    rows = qs.order_by("-effective_from", "-pk").values_list(
        "pk", "scope__path", "is_supplement", "effective_from"
    )
    return [_Version(*row) for row in rows]


def _applicable(path: str, versions: Iterable[_Version]) -> list[int]:
    """`conduct.selectors.applicable_versions` for an organisation at `path`, from an
    already read list: the deepest provincial catalogue above it and the newest
    supplement of each organisation above it."""
    above = [v for v in versions if path.startswith(v.scope_path)]
    bases = [v for v in above if not v.is_supplement]
    chosen: list[int] = []
    if bases:
        base = max(bases, key=lambda v: (len(v.scope_path), v.effective_from or dt.date.min))
        chosen.append(base.pk)
    seen: set[str] = set()
    for version in above:  # newest first: keep the first one of each scope
        if version.is_supplement and version.scope_path not in seen:
            seen.add(version.scope_path)
            chosen.append(version.pk)
    return chosen


def _acknowledgements(
    members: Sequence[StaffMember], period: Period
) -> dict[int, tuple[bool | None, dt.date | None]]:
    versions = _versions_in_force(period)
    needed = {m.pk: _applicable(m.organisation.path, versions) for m in members}
    _start, end = period.moments()
    done: dict[int, dict[int, dt.datetime]] = defaultdict(dict)
    rows = Acknowledgement.objects.filter(
        staff_id__in=list(needed),
        code_version_id__in={pk for pks in needed.values() for pk in pks},
        acknowledged_at__lt=end,
    ).values_list("staff_id", "code_version_id", "acknowledged_at")
    for staff_id, version_id, at in rows:
        done[staff_id][version_id] = at
    out: dict[int, tuple[bool | None, dt.date | None]] = {}
    for staff_id, pks in needed.items():
        if not pks:
            out[staff_id] = (None, None)
        elif all(pk in done[staff_id] for pk in pks):
            latest = max(done[staff_id][pk] for pk in pks)
            out[staff_id] = (True, timezone.localdate(latest))
        else:
            out[staff_id] = (False, None)
    return out


def rows_for(
    members: Sequence[StaffMember],
    period: Period,
    *,
    user: Any = None,
    listed: Iterable[int] = (),
) -> list[ConductRow]:
    """The rows of `members` (with `organisation` and `division` selected), in their
    order. `user` scopes the ratings and the links; `listed` are the organisations of
    the page (a member assigned elsewhere now is marked as moved)."""
    ids = [m.pk for m in members]
    if not ids:
        return []
    listed_ids = set(listed)
    indexes = _rating_sums(ids, period, user)
    cases = _substantiated(ids, period)
    decided = _discipline(ids, period)
    breaches = _breaches(ids, period)
    acks = _acknowledgements(members, period)
    empty = Index()
    rows = []
    for m in members:
        acknowledged, acknowledged_on = acks[m.pk]
        rows.append(
            ConductRow(
                staff_id=m.pk,
                full_name=m.full_name,
                staff_code=m.staff_code,
                position_title=m.position_title,
                organisation_name=m.organisation.name,
                division_name=m.division.name if m.division else "",
                is_active=m.is_active,
                left_on=m.left_on,
                moved=bool(listed_ids)
                and m.is_active
                and m.organisation_id not in listed_ids
                and (m.division_id is None or m.division_id not in listed_ids),
                index=indexes.get(m.pk, empty),
                substantiated=cases.get(m.pk, 0),
                breaches=breaches.get(m.pk, 0),
                discipline=decided.get(m.pk, []),
                acknowledged=acknowledged,
                acknowledged_on=acknowledged_on,
                linked=user is not None and access.can(user, Perm.STAFF_VIEW, m.organisation),
            )
        )
    return rows


# --- Who needs attention, set-based ------------------------------------------------------------


def _index_sums(ids: Sequence[int], period: Period, user: Any) -> dict[int, Index]:
    """Counted and satisfied per staff member: GROUP BYs over the year's rollups a batch of
    ids at a time (a subquery of the staff made SQLite scan the rollups: 1.5 s for 1,750
    staff), the reader's scope checked once on all the organisations found."""
    fields = ("counted", "satisfied")
    rows: list[dict[str, Any]] = []
    for n in range(0, len(ids), ID_BATCH):
        rows += _rollup_rows(ids[n : n + ID_BATCH], period, fields)
    return _totals(rows, user, fields)


def _unconfirmed(organisations: OrganisationQuerySet, period: Period) -> set[int]:
    """The "unconfirmed" reason in SQL: staff still working in one of `organisations` (not
    left, placed there or in one of its divisions: not moved) for whom some version in
    force (`_applicable`) was not confirmed by the end of the year. Who of them is listed
    for the year is the caller's to check (they are placed there now).

    What applies to an organisation depends only on which versions' scopes are above it
    (prefixes of its path): the deepest of them decides, so there is one group per scope,
    one condition on the organisation's path per group and one NOT EXISTS per version of
    the group.
    """
    versions = _versions_in_force(period)
    if not versions:
        return set()
    scopes = sorted({v.scope_path for v in versions})
    _start, end = period.moments()
    wanted: list[Q] = []
    for deepest in scopes:
        above = {path for path in scopes if deepest.startswith(path)}
        needed = _applicable(deepest, versions)
        if not needed:  # cannot happen (a scope's own version applies under it): safe
            continue
        where = Q()
        for path in scopes:
            on_path = Q(organisation__path__startswith=path)
            where &= on_path if path in above else ~on_path
        missing = [
            Q(
                ~Exists(
                    Acknowledgement.objects.filter(
                        staff_id=OuterRef("pk"), code_version_id=version_id, acknowledged_at__lt=end
                    )
                )
            )
            for version_id in needed
        ]
        wanted.append(where & reduce(operator.or_, missing))
    if not wanted:
        return set()
    ids = organisations.values("pk")
    here = StaffMember.objects.filter(is_active=True).filter(
        Q(organisation__in=ids) | Q(division__in=ids)
    )
    return set(here.filter(reduce(operator.or_, wanted)).values_list("pk", flat=True))


def attention_ids(
    staff: StaffQuerySet,
    organisations: OrganisationQuerySet,
    period: Period,
    user: Any,
    *,
    ids: Sequence[int] | None = None,
    sums: dict[int, Index] | None = None,
) -> set[int]:
    """The ids of `staff` whose row needs attention ("Cần lưu ý"), without computing rows:
    the rule of `ConductRow.reasons`, a few queries for any number of staff. Discipline,
    cases, breaches and confirmations are found in SQL; the index on the GROUP BYs the
    sort by index reads (`sums`, read here when not given), judged by `is_low` in Python
    so that a share on the threshold is judged exactly as on the row. `ids` are the
    staff's ids when already read."""
    if ids is None:
        ids = list(staff.values_list("pk", flat=True))
    if not ids:
        return set()
    # The year's decisions, cases and breaches are few: read for the whole year and kept
    # for the staff listed here (a subquery of the staff cost SQLite ~0.5 s a query).
    found: set[int] = set()
    found.update(_decided_in(period).values_list("staff_id", flat=True))
    found.update(
        _substantiated_in(period)
        .filter(subject_staff_id__isnull=False)
        .values_list("subject_staff_id", flat=True)
    )
    found.update(
        _breached_in(period).filter(staff_id__isnull=False).values_list("staff_id", flat=True)
    )
    if sums is None:
        sums = _index_sums(ids, period, user)
    found.update(pk for pk, index in sums.items() if is_low(index))
    found.update(_unconfirmed(organisations, period))
    return found.intersection(ids)


# --- The page ----------------------------------------------------------------------------------


@dataclass
class Record:
    """One organisation's record for a year: the staff in order, and the rows asked for."""

    organisation: Organisation
    period: Period
    subtree: bool
    query: str
    sort: str
    listed: list[int]
    #: Staff ids in display order.
    order: list[int]
    user: Any = None

    @property
    def count(self) -> int:
        return len(self.order)

    def rows(self, ids: Sequence[int]) -> list[ConductRow]:
        members = {
            m.pk: m
            for m in StaffMember.objects.filter(pk__in=list(ids)).select_related(
                "organisation", "division"
            )
        }
        ordered = [members[pk] for pk in ids if pk in members]
        return rows_for(ordered, self.period, user=self.user, listed=self.listed)

    def all_rows(self, batch: int = ID_BATCH) -> Iterable[ConductRow]:
        """Every row, a batch of staff at a time (about eight queries a batch)."""
        for n in range(0, len(self.order), batch):
            yield from self.rows(self.order[n : n + batch])


def record(
    user: Any,
    organisation: Organisation,
    period: Period,
    *,
    subtree: bool = False,
    query: str = "",
    sort: str = "name",
    attention: bool = False,
) -> Record:
    """The staff of the record in display order: Vietnamese name order, or the lowest
    shown index first (those with too few ratings to judge after them, by name); with
    `attention`, only those whose row needs it ("Cần lưu ý", found set-based by
    `attention_ids`: only the rows asked for are computed)."""
    organisations = scope(user, organisation, subtree=subtree)
    listed = list(organisations.values_list("pk", flat=True))
    staff = staff_in_year(organisations, period)
    if query:
        staff = staff.search(query)
    named = list(staff.order_by("sort_name", "pk").values_list("pk", flat=True))
    sums: dict[int, Index] | None = None
    if sort == "index" and named:
        sums = ranked = _index_sums(named, period, user)
        minimum = min_ratings()
        position = {pk: n for n, pk in enumerate(named)}

        def key(pk: int) -> tuple[bool, float, int]:
            index = ranked.get(pk)
            if index is None or index.counted < minimum or index.share is None:
                return (True, 0.0, position[pk])
            return (False, index.share, position[pk])

        named.sort(key=key)
    found = Record(
        organisation=organisation,
        period=period,
        subtree=subtree,
        query=query,
        sort=sort,
        listed=listed,
        order=named,
        user=user,
    )
    if attention:
        flagged = attention_ids(staff, organisations, period, user, ids=named, sums=sums)
        found.order = [pk for pk in named if pk in flagged]
    return found


def own_row(member: StaffMember, period: Period) -> ConductRow:
    """A staff member's own row (their page): every rating given to them, wherever."""
    return rows_for([member], period)[0]
