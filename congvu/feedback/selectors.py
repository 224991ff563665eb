"""Reads behind the ratings dashboards, the transparency page and the ratings API.

Every figure of the province, organisation and public pages comes from the
rollup tables (`OrganisationMonthRollup`, `StaffMonthRollup`,
`CriterionMonthRollup`): one row per organisation (or staff member, or
clause) and month, so a page costs organisations × months, never ratings.
Only three reads touch the raw `Rating` table, each bounded by an index:
the flagged ratings waiting for review (the partial `rating_flagged_idx`),
an organisation's latest comments (`rating_org_idx`, a few rows) and one
staff member's own ratings (`rating_staff_idx`, one page; their behaviour
rates tally that one person's ratings only).

Scoping: lists start from `access.organisations_for(user, Perm.RATING_VIEW)`.
The public page (`public=True`) sees every organisation but publishes figures
only where at least `MIN_PUBLIC` ratings were counted, so that no person can be
singled out; it never reads staff-level data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import QuerySet, Sum
from django.utils.translation import get_language

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.conduct.models import Clause
from congvu.organisations.models import Organisation, OrganisationKind, StaffMember

from .models import (
    MAX_LEVELS,
    CriterionMonthRollup,
    OrganisationMonthRollup,
    Rating,
    ScaleLevel,
    StaffMonthRollup,
)
from .stats import wilson

#: The public page shows an organisation's figures only from this many counted ratings.
MIN_PUBLIC: Final = 30
#: Inside the dashboards an index on fewer counted ratings is shown but not ranked
#: ("chưa đủ dữ liệu"): its 95 % interval is wider than ±15 points.
MIN_RANKED: Final = 10
#: A behaviour rate on fewer answers is shown greyed out in the heat table.
MIN_ANSWERS: Final = 10
#: A period longer than this is refused by the filter (the trend would be unreadable).
MAX_MONTHS: Final = 60
#: A staff member's behaviour rates read at most this many of their latest ratings.
STAFF_ANSWERS_LIMIT: Final = 20_000

LEVEL_FIELDS: Final = tuple(f"level_{n}" for n in range(1, MAX_LEVELS + 1))
SUM_FIELDS: Final = ("total", "counted", "satisfied", "flagged", "verified", *LEVEL_FIELDS)


# --- Months ----------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    """The last day of `month`'s month."""
    return add_months(month_start(month), 1) - dt.timedelta(days=1)


def month_range(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The first days of the months of `start` and `end` (the rollups' `month` values)."""
    return month_start(start), month_start(end)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    first, last = month_range(start, end)
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def default_period(today: dt.date, months: int = 12) -> tuple[dt.date, dt.date]:
    """The last `months` months, the current one included."""
    current = month_start(today)
    return add_months(current, -(months - 1)), current


# --- The index -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Index:
    """Satisfaction index of a set of ratings: satisfied / counted, with its 95 % interval."""

    counted: int = 0
    satisfied: int = 0
    total: int = 0
    flagged: int = 0
    verified: int = 0
    levels: tuple[int, ...] = (0,) * MAX_LEVELS  # counted per level 1..5
    share: float | None = None
    low: float | None = None
    high: float | None = None

    @classmethod
    def of(cls, sums: Mapping[str, Any]) -> Index:
        """From a mapping holding the rollup sums (missing or NULL sums count as 0)."""
        counted = int(sums.get("counted") or 0)
        satisfied = int(sums.get("satisfied") or 0)
        interval = wilson(satisfied, counted)
        return cls(
            counted=counted,
            satisfied=satisfied,
            total=int(sums.get("total") or 0),
            flagged=int(sums.get("flagged") or 0),
            verified=int(sums.get("verified") or 0),
            levels=tuple(int(sums.get(name) or 0) for name in LEVEL_FIELDS),
            share=satisfied / counted if counted else None,
            low=interval[0] if interval else None,
            high=interval[1] if interval else None,
        )

    def __add__(self, other: Index) -> Index:
        sums: dict[str, int] = {
            "counted": self.counted + other.counted,
            "satisfied": self.satisfied + other.satisfied,
            "total": self.total + other.total,
            "flagged": self.flagged + other.flagged,
            "verified": self.verified + other.verified,
        }
        for n, name in enumerate(LEVEL_FIELDS):
            sums[name] = self.levels[n] + other.levels[n]
        return Index.of(sums)

    def enough(self, minimum: int = MIN_RANKED) -> bool:
        return self.counted >= minimum

    @property
    def share_pct(self) -> float | None:
        return None if self.share is None else 100 * self.share

    @property
    def low_pct(self) -> float | None:
        return None if self.low is None else 100 * self.low

    @property
    def high_pct(self) -> float | None:
        return None if self.high is None else 100 * self.high


EMPTY: Final = Index()


def total_index(indexes: Iterable[Index]) -> Index:
    result = EMPTY
    for index in indexes:
        result = result + index
    return result


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in SUM_FIELDS}


def _in_months(qs: QuerySet[Any], start: dt.date, end: dt.date) -> QuerySet[Any]:
    first, last = month_range(start, end)
    return qs.filter(month__gte=first, month__lte=last)


def _scoped(qs: QuerySet[Any], user: Any, perm: Perm = Perm.RATING_VIEW) -> QuerySet[Any]:
    return qs.filter(organisation_id__in=access.organisations_for(user, perm).values("pk"))


# --- Organisations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationRow:
    organisation_id: int
    code: str
    name: str
    kind: str  # the kind's name in the current language
    kind_code: str
    kind_id: int
    parent_id: int | None
    index: Index
    #: 1 = the highest index among organisations with enough ratings; None below that.
    rank: int | None = None
    #: Public rows: False when the figures are withheld (fewer than MIN_PUBLIC counted).
    published: bool = True

    @property
    def id(self) -> int:
        return self.organisation_id


def _kind_name(name: str, name_en: str) -> str:
    return name_en if name_en and (get_language() or "").startswith("en") else name


def _rank(rows: list[OrganisationRow], minimum: int) -> list[OrganisationRow]:
    """Ranked rows (highest share first; ties: the higher lower bound, then more ratings),
    then the rest by the number of ratings and name. Ranks are set in place: the rows
    were built a moment ago by the caller (2,000 `dataclasses.replace` calls cost ~30 ms)."""
    ranked = sorted(
        (r for r in rows if r.index.counted >= minimum and r.index.share is not None),
        key=lambda r: (-(r.index.share or 0), -(r.index.low or 0), -r.index.counted, r.name),
    )
    rest = sorted(
        (r for r in rows if not (r.index.counted >= minimum and r.index.share is not None)),
        key=lambda r: (-r.index.counted, r.name),
    )
    for position, row in enumerate(ranked, start=1):
        object.__setattr__(row, "rank", position)
    return [*ranked, *rest]


def organisation_rows(
    user: Any,
    *,
    start: dt.date,
    end: dt.date,
    kind: str | None = None,
    public: bool = False,
    parent: Organisation | None = None,
) -> list[OrganisationRow]:
    """One row per organisation in scope for the months from `start` to `end`, ranked.

    In scope: the user's RATING_VIEW organisations (`public=True`: every
    organisation, and only rows with at least MIN_PUBLIC counted ratings carry
    figures). Listed: organisations valid during the period that are not
    divisions, and any organisation with ratings in the period (a merged one
    keeps its history). `kind` is an `OrganisationKind.code`; `parent` keeps
    the direct children of one organisation. Two queries, whatever the number
    of ratings.
    """
    first, last = month_range(start, end)
    orgs = Organisation.objects.all()
    rollups = _in_months(OrganisationMonthRollup.objects.all(), first, last)
    if not public:
        orgs = access.organisations_for(user, Perm.RATING_VIEW, orgs)
        rollups = _scoped(rollups, user)
    if kind:
        orgs = orgs.filter(kind__code=kind)
        rollups = rollups.filter(organisation__kind__code=kind)
    if parent is not None:
        orgs = orgs.filter(parent=parent)
        rollups = rollups.filter(organisation__parent=parent)
    sums = {
        row["organisation_id"]: row
        for row in rollups.values("organisation_id").annotate(**_sums()).order_by()
    }
    period_end = month_end(last)
    rows: list[OrganisationRow] = []
    for org in orgs.values(
        "pk",
        "code",
        "name",
        "kind_id",
        "kind__code",
        "kind__name",
        "kind__name_en",
        "kind__is_division",
        "parent_id",
        "valid_from",
        "valid_to",
    ).order_by():
        data = sums.get(org["pk"])
        if data is None:
            current = org["valid_from"] <= period_end and (
                org["valid_to"] is None or org["valid_to"] >= first
            )
            if not current or org["kind__is_division"]:
                continue
        index = Index.of(data or {})
        published = not public or index.counted >= MIN_PUBLIC
        rows.append(
            OrganisationRow(
                organisation_id=org["pk"],
                code=org["code"],
                name=org["name"],
                kind=_kind_name(org["kind__name"], org["kind__name_en"]),
                kind_code=org["kind__code"],
                kind_id=org["kind_id"],
                parent_id=org["parent_id"],
                index=index if published else EMPTY,
                published=published,
            )
        )
    return _rank(rows, MIN_PUBLIC if public else MIN_RANKED)


@dataclass(frozen=True)
class KindRow:
    kind: str
    kind_code: str
    organisations: int
    index: Index


def by_kind(rows: Sequence[OrganisationRow]) -> list[KindRow]:
    """Totals per kind of organisation, from rows already read (no query)."""
    groups: dict[str, list[OrganisationRow]] = {}
    for row in rows:
        groups.setdefault(row.kind_code, []).append(row)
    result = [
        KindRow(
            kind=group[0].kind,
            kind_code=code,
            organisations=len(group),
            index=total_index(r.index for r in group),
        )
        for code, group in groups.items()
    ]
    return sorted(result, key=lambda k: (-(k.index.share or -1), k.kind))


def province_index(*, start: dt.date, end: dt.date) -> Index:
    """Every organisation of the province (the provincial average, whoever looks)."""
    qs = _in_months(OrganisationMonthRollup.objects.all(), start, end)
    return Index.of(qs.aggregate(**_sums()))


def kind_index(kind: OrganisationKind | int, *, start: dt.date, end: dt.date) -> Index:
    """Every organisation of one kind in the province."""
    kind_id = kind if isinstance(kind, int) else kind.pk
    qs = _in_months(OrganisationMonthRollup.objects.all(), start, end)
    return Index.of(qs.filter(organisation__kind_id=kind_id).aggregate(**_sums()))


def organisation_index(organisation: Organisation, *, start: dt.date, end: dt.date) -> Index:
    """The organisation's own ratings (not its sub-organisations')."""
    qs = _in_months(OrganisationMonthRollup.objects.all(), start, end)
    return Index.of(qs.filter(organisation=organisation).aggregate(**_sums()))


def scope_index(user: Any, *, start: dt.date, end: dt.date) -> Index:
    qs = _scoped(_in_months(OrganisationMonthRollup.objects.all(), start, end), user)
    return Index.of(qs.aggregate(**_sums()))


def monthly_trend(
    *,
    organisation: Organisation | None,
    start: dt.date,
    end: dt.date,
    user: Any = None,
) -> list[tuple[dt.date, Index]]:
    """One Index per month from `start` to `end` (months without ratings included).

    `organisation` None: the whole province, or with `user` the user's
    RATING_VIEW scope.
    """
    qs = _in_months(OrganisationMonthRollup.objects.all(), start, end)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    elif user is not None:
        qs = _scoped(qs, user)
    found = {row["month"]: Index.of(row) for row in qs.values("month").annotate(**_sums())}
    return [(month, found.get(month, EMPTY)) for month in months_between(start, end)]


def staff_trend(
    staff: StaffMember, *, start: dt.date, end: dt.date, user: Any = None
) -> list[tuple[dt.date, Index]]:
    """One staff member's index per month (with `user`: only ratings given in organisations
    the user may watch, e.g. not those of a previous employer)."""
    qs = _in_months(StaffMonthRollup.objects.filter(staff=staff), start, end)
    if user is not None:
        qs = _scoped(qs, user)
    found = {row["month"]: Index.of(row) for row in qs.values("month").annotate(**_sums())}
    return [(month, found.get(month, EMPTY)) for month in months_between(start, end)]


# --- Staff -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    staff_id: int
    full_name: str
    position_title: str
    staff_code: str
    index: Index

    @property
    def ranked(self) -> bool:
        return self.index.enough(MIN_RANKED)


def staff_rows(organisation: Organisation, *, start: dt.date, end: dt.date) -> list[StaffRow]:
    """The staff rated in `organisation` during the period, lowest index first (those with
    too few ratings to judge at the end)."""
    qs = _in_months(StaffMonthRollup.objects.filter(organisation=organisation), start, end)
    rows = [
        StaffRow(
            staff_id=row["staff_id"],
            full_name=row["staff__full_name"],
            position_title=row["staff__position_title"],
            staff_code=row["staff__staff_code"],
            index=Index.of(row),
        )
        for row in qs.values(
            "staff_id", "staff__full_name", "staff__position_title", "staff__staff_code"
        )
        .annotate(**_sums())
        .order_by()
    ]
    return sorted(
        rows,
        key=lambda r: (
            not r.ranked,
            r.index.share if r.index.share is not None else 2.0,
            -r.index.counted,
            r.full_name,
        ),
    )


def staff_index(staff: StaffMember, *, start: dt.date, end: dt.date, user: Any = None) -> Index:
    qs = _in_months(StaffMonthRollup.objects.filter(staff=staff), start, end)
    if user is not None:
        qs = _scoped(qs, user)
    return Index.of(qs.aggregate(**_sums()))


# --- Behaviours ("4 xin, 4 luôn" and II.1.c) -------------------------------------------------


@dataclass(frozen=True)
class CriterionRate:
    """How often one rateable behaviour was kept: kept / (kept + breached)."""

    clause_id: int
    code: str
    title: str
    kept: int
    breached: int
    unknown: int
    rate: float | None
    low: float | None
    high: float | None

    @property
    def answered(self) -> int:
        return self.kept + self.breached

    @property
    def rate_pct(self) -> float | None:
        return None if self.rate is None else 100 * self.rate

    @property
    def low_pct(self) -> float | None:
        return None if self.low is None else 100 * self.low

    @property
    def high_pct(self) -> float | None:
        return None if self.high is None else 100 * self.high

    @property
    def enough(self) -> bool:
        return self.answered >= MIN_ANSWERS


def _rate(clause: Mapping[str, Any], kept: int, breached: int, unknown: int) -> CriterionRate:
    answered = kept + breached
    interval = wilson(kept, answered)
    return CriterionRate(
        clause_id=clause["pk"],
        code=clause["code"],
        title=clause["short_title"],
        kept=kept,
        breached=breached,
        unknown=unknown,
        rate=kept / answered if answered else None,
        low=interval[0] if interval else None,
        high=interval[1] if interval else None,
    )


def _clauses(ids: Iterable[int]) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in Clause.objects.filter(pk__in=list(ids))
        .order_by("section__order", "section_id", "order", "code")
        .values("pk", "code", "short_title")
    ]


def criterion_rates(
    *,
    organisation: Organisation | None,
    start: dt.date,
    end: dt.date,
    user: Any = None,
) -> list[CriterionRate]:
    """Compliance per rateable behaviour, in catalogue order (organisation None: the
    province, or with `user` the user's scope)."""
    qs = _in_months(CriterionMonthRollup.objects.all(), start, end)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    elif user is not None:
        qs = _scoped(qs, user)
    sums = {
        row["clause_id"]: row
        for row in qs.values("clause_id")
        .annotate(kept=Sum("kept"), breached=Sum("breached"), unknown=Sum("unknown"))
        .order_by()
    }
    return [
        _rate(
            clause,
            int(sums[clause["pk"]]["kept"] or 0),
            int(sums[clause["pk"]]["breached"] or 0),
            int(sums[clause["pk"]]["unknown"] or 0),
        )
        for clause in _clauses(sums)
    ]


def weakest(rates: Sequence[CriterionRate], n: int = 3) -> list[CriterionRate]:
    """The behaviours kept least often (among those with enough answers)."""
    judged = [r for r in rates if r.enough and r.rate is not None]
    return sorted(judged, key=lambda r: (r.rate or 0, -r.answered))[:n]


@dataclass(frozen=True)
class HeatTable:
    """Organisations × behaviours: the map of weak spots."""

    clauses: list[dict[str, Any]]
    rows: list[tuple[OrganisationRow, list[CriterionRate | None]]] = field(default_factory=list)


def criterion_heat(rows: Sequence[OrganisationRow], *, start: dt.date, end: dt.date) -> HeatTable:
    """Behaviour rates for a page of organisation rows (one query over their rollups)."""
    ids = [row.organisation_id for row in rows]
    if not ids:
        return HeatTable(clauses=[])
    qs = _in_months(CriterionMonthRollup.objects.filter(organisation_id__in=ids), start, end)
    sums: dict[tuple[int, int], dict[str, Any]] = {
        (row["organisation_id"], row["clause_id"]): row
        for row in qs.values("organisation_id", "clause_id")
        .annotate(kept=Sum("kept"), breached=Sum("breached"), unknown=Sum("unknown"))
        .order_by()
    }
    clauses = _clauses({clause_id for _org, clause_id in sums})
    table = HeatTable(clauses=clauses)
    for row in rows:
        cells: list[CriterionRate | None] = []
        for clause in clauses:
            data = sums.get((row.organisation_id, clause["pk"]))
            cells.append(
                None
                if data is None
                else _rate(
                    clause,
                    int(data["kept"] or 0),
                    int(data["breached"] or 0),
                    int(data["unknown"] or 0),
                )
            )
        table.rows.append((row, cells))
    return table


def staff_criterion_rates(
    staff: StaffMember, *, start: dt.date, end: dt.date, user: Any = None
) -> list[CriterionRate]:
    """One staff member's behaviour rates, tallied from their own counted ratings.

    The criterion rollups are per organisation, not per person; one person's
    ratings are few (hundreds a year) and read through `rating_staff_idx`,
    capped at their STAFF_ANSWERS_LIMIT latest.
    """
    qs = staff_ratings(staff, start=start, end=end, user=user)
    kept: dict[int, int] = {}
    breached: dict[int, int] = {}
    unknown: dict[int, int] = {}
    tallies = {Rating.Answer.KEPT: kept, Rating.Answer.BREACHED: breached}
    for answers in qs.values_list("answers", flat=True)[:STAFF_ANSWERS_LIMIT]:
        if not isinstance(answers, dict):
            continue
        for key, value in answers.items():
            try:
                clause_id = int(key)
            except (TypeError, ValueError):
                continue
            tally = tallies.get(value, unknown)
            tally[clause_id] = tally.get(clause_id, 0) + 1
    ids = set(kept) | set(breached) | set(unknown)
    return [
        _rate(
            clause,
            kept.get(clause["pk"], 0),
            breached.get(clause["pk"], 0),
            unknown.get(clause["pk"], 0),
        )
        for clause in _clauses(ids)
    ]


# --- Raw ratings, bounded --------------------------------------------------------------------


def staff_ratings(
    staff: StaffMember, *, start: dt.date, end: dt.date, user: Any = None
) -> QuerySet[Rating]:
    """One staff member's counted ratings in the period, newest first (paginate it).

    With `user`, only those given in organisations the user may watch.
    """
    first, last = month_range(start, end)
    qs: QuerySet[Rating] = Rating.objects.filter(
        staff=staff,
        state__in=Rating.COUNTED_STATES,
        rated_on__gte=first,
        rated_on__lte=month_end(last),
    ).order_by("-created_at")
    if user is not None:
        qs = _scoped(qs, user)
    return qs


def flagged_ratings(user: Any, *, organisation: Organisation | None = None) -> QuerySet[Rating]:
    """Flagged ratings waiting for review where `user` may review, oldest first."""
    qs: QuerySet[Rating] = _scoped(
        Rating.objects.filter(state=Rating.State.FLAGGED), user, Perm.RATING_REVIEW
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation", "staff").order_by("created_at", "pk")


def recent_comments(
    organisation: Organisation, *, start: dt.date, end: dt.date, limit: int = 10
) -> list[dict[str, Any]]:
    """The organisation's latest counted comments: date, level, staff member and text only."""
    first, last = month_range(start, end)
    return [
        dict(row)
        for row in Rating.objects.filter(
            organisation=organisation,
            state__in=Rating.COUNTED_STATES,
            rated_on__gte=first,
            rated_on__lte=month_end(last),
        )
        .exclude(comment="")
        .order_by("-created_at")
        .values("rated_on", "scale_id", "level", "comment", "staff__full_name")[:limit]
    ]


def level_labels() -> dict[tuple[int, int], str]:
    """{(scale id, level): label} in the current language, for showing stored ratings."""
    english = (get_language() or "").startswith("en")
    return {
        (level.scale_id, level.value): level.label_en if english and level.label_en else level.label
        for level in ScaleLevel.objects.all()
    }


def kinds() -> list[OrganisationKind]:
    """Kinds of organisations that are rated (divisions are parts of an organisation)."""
    return list(OrganisationKind.objects.filter(is_division=False))
