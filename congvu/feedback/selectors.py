"""Reads behind the ratings dashboards, the transparency page and the ratings API.

Every figure of the province, organisation and public pages comes from the
rollup tables (`OrganisationMonthRollup`, `StaffMonthRollup`,
`CriterionMonthRollup`): one row per organisation (or staff member, or
clause) and month, so a page costs organisations × months, never ratings.
Only three reads touch the raw `Rating` table, each bounded by an index:
the flagged ratings waiting for review (the partial `rating_flagged_idx`),
an organisation's latest comments (`rating_org_idx`, a few rows) and one
staff member's own ratings (`rating_staff_idx`, one page; their behaviour
rates tally that one person's ratings only). A comment read from them is shown
through `shown_comment` (contact details masked).

Scoping: lists start from `access.organisations_for(user, Perm.RATING_VIEW)`.
The public page (`public=True`) sees every organisation but publishes figures
only where at least `MIN_PUBLIC` ratings were counted, so that no person can be
singled out; it never reads staff-level data.

Speed (issue 4: the province and public pages under 100 ms with 2,000
organisations and 10 million ratings, and no slower as ratings grow). A page
needs the province's totals per month of its period (`province_period`) and
per organisation (`organisation_sums`): GROUP BYs over the period's
organisation-month rollups (≈ organisations × months rows).

* The current month is read on every request: new ratings land there.
* Earlier ("closed") months change only when a flagged rating is reviewed
  (audited) or, rarely, without an audit event (the nightly jump check, a
  rating stored with an earlier date): their totals are kept in Django's
  cache under the id of the latest audit event, for CLOSED_CACHE_SECONDS.
* What is derived from the period's totals — per-organisation totals, the
  map of weak spots of a page, the ~2,000 built rows of `organisation_rows`
  (these in the process, not pickled) — is keyed by a fingerprint of the
  monthly totals and that id: a rating, a review or a flag changes a monthly
  total, and so the key.

The timeouts bound what this could hide: a closed month changed without an
audit event, or two exactly offsetting changes in the same month. The default
cache is per process (local memory); a deployment with several application
servers should configure a shared cache (Redis) so they share the entries —
correctness does not depend on it, since entries are found only under the
current key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import add
from typing import Any, Final, TypeVar, cast

from django.core.cache import cache
from django.db.models import Count, ExpressionWrapper, IntegerField, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.models import AuditEvent
from congvu.conduct.models import Clause, title_for_reader
from congvu.core.contacts import mask_contacts
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

T = TypeVar("T")

#: How long per-organisation totals stay cached (see the module docstring).
SUMS_CACHE_SECONDS: Final = 300
#: How long the province's totals of past months stay cached (see `province_period`).
CLOSED_CACHE_SECONDS: Final = 300

LEVEL_FIELDS: Final = tuple(f"level_{n}" for n in range(1, MAX_LEVELS + 1))
SUM_FIELDS: Final = ("total", "counted", "satisfied", "flagged", "verified", *LEVEL_FIELDS)
#: Rollup totals in SUM_FIELDS order.
Sums = tuple[int, ...]
ZERO: Final[Sums] = (0,) * len(SUM_FIELDS)


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

    @classmethod
    def of_sums(cls, sums: Sequence[int | None]) -> Index:
        """From rollup totals in SUM_FIELDS order (None counts as 0)."""
        total, counted, satisfied, flagged, verified, *levels = (int(n or 0) for n in sums)
        if not counted:
            return cls(total=total, flagged=flagged, verified=verified, levels=tuple(levels))
        low, high = wilson(satisfied, counted) or (None, None)
        return cls(
            counted,
            satisfied,
            total,
            flagged,
            verified,
            tuple(levels),
            satisfied / counted,
            low,
            high,
        )

    @property
    def sums(self) -> Sums:
        """The totals in SUM_FIELDS order."""
        return (self.total, self.counted, self.satisfied, self.flagged, self.verified, *self.levels)

    def __add__(self, other: Index) -> Index:
        return total_index((self, other))

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


def add_sums(rows: Iterable[Sums]) -> Sums:
    """Column totals of rollup sums."""
    return tuple(map(sum, zip(ZERO, *rows, strict=False)))


def total_index(indexes: Iterable[Index]) -> Index:
    """The index of the ratings of several indexes together (sums, then one interval)."""
    return Index.of_sums(add_sums(index.sums for index in indexes))


def rows_index(rows: Iterable[OrganisationRow]) -> Index:
    """The index of several organisation rows together."""
    return Index.of_sums(add_sums(row.sums for row in rows))


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in SUM_FIELDS}


def _in_months(qs: QuerySet[Any], start: dt.date, end: dt.date) -> QuerySet[Any]:
    first, last = month_range(start, end)
    return qs.filter(month__gte=first, month__lte=last)


def _scoped(qs: QuerySet[Any], user: Any, perm: Perm = Perm.RATING_VIEW) -> QuerySet[Any]:
    return qs.filter(organisation_id__in=access.organisations_for(user, perm).values("pk"))


# --- Organisations ---------------------------------------------------------------------------


class OrganisationRow:
    """One organisation's figures for a period.

    A plain class with slots: a province has ~2,000 of them per page view, and
    the `Index` (with its interval) is only built for the rows someone looks
    at; ranking and totals read `sums` directly.
    """

    __slots__ = (
        "_index",
        "code",
        "kind",
        "kind_code",
        "kind_id",
        "name",
        "organisation_id",
        "parent_id",
        "published",
        "rank",
        "search_text",
        "sums",
    )

    def __init__(
        self,
        *,
        organisation_id: int,
        code: str,
        name: str,
        kind: str,
        kind_code: str,
        kind_id: int,
        parent_id: int | None,
        sums: Sums = ZERO,
        published: bool = True,
        search_text: str = "",
        rank: int | None = None,
    ) -> None:
        self.organisation_id = organisation_id
        self.code = code
        self.name = name
        #: The kind's name in the current language.
        self.kind = kind
        self.kind_code = kind_code
        self.kind_id = kind_id
        self.parent_id = parent_id
        #: Rollup totals in SUM_FIELDS order (zeros when withheld from the public).
        self.sums = sums
        #: Public rows: False when the figures are withheld (fewer than MIN_PUBLIC counted).
        self.published = published
        #: Name and code folded for an accent-insensitive search (`core.text.fold`).
        self.search_text = search_text
        #: 1 = the highest index among organisations with enough ratings; None below that.
        self.rank = rank
        self._index: Index | None = None

    def __repr__(self) -> str:
        return f"OrganisationRow({self.code!r}, rank={self.rank}, sums={self.sums})"

    @property
    def id(self) -> int:
        return self.organisation_id

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index.of_sums(self.sums)
        return self._index

    @property
    def counted(self) -> int:
        return self.sums[1]

    @property
    def share(self) -> float | None:
        return self.sums[2] / self.sums[1] if self.sums[1] else None


def _rank(rows: list[OrganisationRow], minimum: int) -> list[OrganisationRow]:
    """Ranked rows (highest share first; ties: the higher lower bound of the interval, then
    more ratings), then the rest by the number of ratings and name. Ranks are set on the
    rows, which the caller built a moment ago.

    For equal shares the Wilson lower bound grows with the number of ratings (0 % stays
    at 0), so "more ratings first" orders ties exactly as the lower bound does, without
    computing ~2,000 intervals (test_selectors checks both orders agree).
    """
    minimum = max(minimum, 1)
    ranked = [r for r in rows if r.sums[1] >= minimum]
    rest = [r for r in rows if r.sums[1] < minimum]
    ranked.sort(key=lambda r: (-r.sums[2] / r.sums[1], -r.sums[1], r.name))
    rest.sort(key=lambda r: (-r.sums[1], r.name))
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    return [*ranked, *rest]


@dataclass(frozen=True)
class ProvincePeriod:
    """The province's rollup totals per month of a period: its trend and average, and the
    fingerprint under which the period's per-organisation totals are cached."""

    first: dt.date
    last: dt.date
    months: dict[dt.date, Sums]
    #: The latest audit event when the months were read (see `province_period`).
    marker: int = 0
    #: The current month when they were read: the months before it are "closed".
    current: dt.date = dt.date.min

    @cached_property
    def fingerprint(self) -> str:
        return _digest((self.marker, sorted(self.months.items())))

    def trend(self) -> list[tuple[dt.date, Index]]:
        return _trend(self.months, self.first, self.last)

    def index(self) -> Index:
        return Index.of_sums(add_sums(self.months.values()))

    def covers(self, start: dt.date, end: dt.date) -> bool:
        return month_range(start, end) == (self.first, self.last)


def _trend(
    months: Mapping[dt.date, Sums], first: dt.date, last: dt.date
) -> list[tuple[dt.date, Index]]:
    return [
        (month, Index.of_sums(months[month]) if month in months else EMPTY)
        for month in months_between(first, last)
    ]


def _month_sums(qs: QuerySet[Any]) -> dict[dt.date, Sums]:
    return {
        row[0]: row[1:]
        for row in qs.values("month").annotate(**_sums()).values_list("month", *SUM_FIELDS)
    }


def _audit_marker() -> int:
    """The id of the latest audit event: reviews of flagged ratings are audited."""
    return AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0


def province_period(*, start: dt.date, end: dt.date) -> ProvincePeriod:
    """Every organisation's totals per month from `start` to `end`.

    New ratings go into the current month, which is read every time (one
    month: ~organisations rows). Earlier ("closed") months change only when a
    flagged rating is reviewed (audited) or the nightly jump check flags old
    ratings: their totals are cached under the latest audit event's id, for
    CLOSED_CACHE_SECONDS at most (what the nightly check or a rating stored with
    an earlier date changes shows after that time at the latest).
    """
    first, last = month_range(start, end)
    current = month_start(timezone.localdate())
    marker = _audit_marker()
    months: dict[dt.date, Sums] = {}
    if first < current:
        months.update(
            _closed(
                "months",
                first,
                min(last, add_months(current, -1)),
                marker,
                _month_sums,
            )
        )
    if last >= current:
        months.update(_month_sums(_in_months(_rollups(), max(first, current), last)))
    return ProvincePeriod(first=first, last=last, months=months, marker=marker, current=current)


def _rollups() -> QuerySet[OrganisationMonthRollup]:
    return OrganisationMonthRollup.objects.order_by()


def _cached(key: str, version: Any, build: Callable[[], T], timeout: int) -> T:
    """`build()`, kept in Django's cache under `key` while `version` is the same.

    One entry per key, replaced when the version changes: new ratings change the
    version all the time, and one entry per version would fill the shared
    cache (and push out, say, the rate limits kept there).
    """
    found = cache.get(key)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == version:
        return cast(T, found[1])
    value = build()
    cache.set(key, (version, value), timeout)
    return value


def _closed(
    what: str,
    first: dt.date,
    last: dt.date,
    marker: int,
    read: Callable[[QuerySet[Any]], dict[Any, Sums]],
) -> dict[Any, Sums]:
    """`read` over the rollups of the closed months `first`..`last`, cached (see above)."""
    return _cached(
        f"feedback:closed-{what}:{first:%Y%m}:{last:%Y%m}",
        marker,
        lambda: read(_in_months(_rollups(), first, last)),
        CLOSED_CACHE_SECONDS,
    )


def _organisation_sums(qs: QuerySet[Any]) -> dict[int, Sums]:
    return {
        row[0]: row[1:]
        for row in qs.values("organisation_id")
        .annotate(**_sums())
        .values_list("organisation_id", *SUM_FIELDS)
    }


def organisation_sums(province: ProvincePeriod) -> dict[int, Sums]:
    """{organisation id: its totals over the period} for every organisation with ratings.

    The closed months' totals per organisation are cached like the province's
    (`province_period`); the current month's (~organisations rows) are added;
    the result is cached under the period's fingerprint.
    """
    first, last, current = province.first, province.last, province.current

    def build() -> dict[int, Sums]:
        found: dict[int, Sums] = {}
        if first < current:
            closed_last = min(last, add_months(current, -1))
            found.update(
                _closed("organisations", first, closed_last, province.marker, _organisation_sums)
            )
        if last >= current:
            for pk, sums in _organisation_sums(
                _in_months(_rollups(), max(first, current), last)
            ).items():
                before = found.get(pk)
                found[pk] = sums if before is None else tuple(map(add, before, sums))
        return found

    return _cached(
        f"feedback:org-sums:{first:%Y%m}:{last:%Y%m}",
        province.fingerprint,
        build,
        SUMS_CACHE_SECONDS,
    )


def scope_ids(user: Any, perm: Perm = Perm.RATING_VIEW) -> frozenset[int] | None:
    """The organisations where `user` holds `perm`; None means every organisation."""
    qs = access.organisations_for(user, perm)
    if not qs.query.has_filters():
        return None
    return frozenset(qs.values_list("pk", flat=True))


def scope_trend(user: Any, province: ProvincePeriod) -> list[tuple[dt.date, Index]]:
    """`monthly_trend(organisation=None, user=user)` for the months of `province`: the same
    as the province's when the user watches every organisation rated in them, else read
    like `province_period` (past months cached, per scope)."""
    scope = scope_ids(user)
    if scope is None or scope.issuperset(organisation_sums(province)):
        return province.trend()
    in_scope = access.organisations_for(user, Perm.RATING_VIEW).values("pk")

    def read(qs: QuerySet[Any]) -> dict[dt.date, Sums]:
        return _month_sums(qs.filter(organisation_id__in=in_scope))

    first, last, current = province.first, province.last, province.current
    months: dict[dt.date, Sums] = {}
    if first < current:
        closed_last = min(last, add_months(current, -1))
        what = f"scope-months:{_digest(sorted(scope))}"
        months.update(_closed(what, first, closed_last, province.marker, read))
    if last >= current:
        months.update(read(_in_months(_rollups(), max(first, current), last)))
    return _trend(months, first, last)


def _digest(value: Any) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


#: Organisation rows built in this process, most recently used last (see `organisation_rows`).
_ROWS: OrderedDict[tuple[Any, ...], list[OrganisationRow]] = OrderedDict()
_ROWS_LOCK = threading.Lock()  # threaded servers (runserver, gthread workers)
ROWS_KEPT: Final = 32
ROWS_GENERATION_KEY: Final = "feedback:rows-generation"


def _rows_generation() -> str:
    """A token kept in Django's cache: clearing the cache (tests do, between tests whose
    data reuse ids and timestamps) also drops the rows kept in this process."""
    token: str | None = cache.get(ROWS_GENERATION_KEY)
    if token is None:
        token = uuid.uuid4().hex
        cache.set(ROWS_GENERATION_KEY, token, None)
    return token


def _organisations_marker() -> tuple[Any, ...]:
    """Changes whenever an organisation is added, renamed, moved or closed (`updated_at`)."""
    found = Organisation.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
    return (found["n"], found["changed"])


def organisation_rows(
    user: Any,
    *,
    start: dt.date,
    end: dt.date,
    kind: str | None = None,
    public: bool = False,
    parent: Organisation | None = None,
    province: ProvincePeriod | None = None,
) -> list[OrganisationRow]:
    """One row per organisation in scope for the months from `start` to `end`, ranked.

    In scope: the user's RATING_VIEW organisations (`public=True`: every
    organisation, and only rows with at least MIN_PUBLIC counted ratings carry
    figures). Listed: organisations valid during the period that are not
    divisions, and any organisation with ratings in the period (a merged one
    keeps its history). `kind` is an `OrganisationKind.code`; `parent` keeps
    the direct children of one organisation. `province` is the period's
    `province_period` when the caller has it already.

    A handful of queries whatever the number of ratings. The ~2,000 rows of a
    province are built once per process for a given scope, filter, period,
    state of the rollups (`ProvincePeriod.fingerprint`) and of the
    organisations, and shared by later calls: treat them as read-only.
    """
    first, last = month_range(start, end)
    english = (get_language() or "").startswith("en")
    kinds = {
        row[0]: row[1:]
        for row in OrganisationKind.objects.order_by().values_list(
            "pk", "code", "name", "name_en", "is_division"
        )
    }
    orgs = Organisation.objects.all()
    if not public:
        orgs = access.organisations_for(user, Perm.RATING_VIEW, orgs)
    if kind:
        orgs = orgs.filter(kind__code=kind)
    key: tuple[Any, ...] | None = None
    if parent is not None:
        orgs = orgs.filter(parent=parent)
        # A handful of children: read their rollups directly.
        qs = _in_months(OrganisationMonthRollup.objects.all(), first, last).filter(
            organisation_id__in=orgs.values("pk")
        )
        sums = {
            row[0]: row[1:]
            for row in qs.values("organisation_id")
            .annotate(**_sums())
            .order_by()
            .values_list("organisation_id", *SUM_FIELDS)
        }
    else:
        if province is None or not province.covers(first, last):
            province = province_period(start=first, end=last)
        scope = None if public else scope_ids(user)
        key = (
            scope,
            kind,
            public,
            english,
            province.first,
            province.last,
            province.fingerprint,
            tuple(sorted(kinds.items())),
            _organisations_marker(),
            _rows_generation(),
        )
        with _ROWS_LOCK:
            kept = _ROWS.get(key)
            if kept is not None:
                _ROWS.move_to_end(key)
                return list(kept)
        sums = organisation_sums(province)
    period_end = month_end(last)
    # Listed without ratings: valid during the period (and not a division, below).
    current = ExpressionWrapper(
        Q(valid_from__lte=period_end) & (Q(valid_to__isnull=True) | Q(valid_to__gte=first)),
        output_field=IntegerField(),  # not a boolean: no per-row converter on SQLite
    )
    rows: list[OrganisationRow] = []
    for pk, code, name, kind_id, parent_id, search_text, is_current in (
        orgs.annotate(current=current)
        .values_list("pk", "code", "name", "kind_id", "parent_id", "search_text", "current")
        .order_by()
    ):
        data = sums.get(pk)
        kind_code, kind_name, kind_name_en, is_division = kinds[kind_id]
        if data is None and (is_division or not is_current):
            continue
        published = not public or (data is not None and data[1] >= MIN_PUBLIC)
        rows.append(
            OrganisationRow(
                organisation_id=pk,
                code=code,
                name=name,
                kind=kind_name_en if english and kind_name_en else kind_name,
                kind_code=kind_code,
                kind_id=kind_id,
                parent_id=parent_id,
                sums=data if data is not None and published else ZERO,
                published=published,
                search_text=search_text,
            )
        )
    rows = _rank(rows, MIN_PUBLIC if public else MIN_RANKED)
    if key is not None:
        with _ROWS_LOCK:
            _ROWS[key] = rows
            while len(_ROWS) > ROWS_KEPT:
                _ROWS.popitem(last=False)
        return list(rows)
    return rows


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
            index=rows_index(group),
        )
        for code, group in groups.items()
    ]
    return sorted(result, key=lambda k: (-(k.index.share or -1), k.kind))


def province_index(*, start: dt.date, end: dt.date) -> Index:
    """Every organisation of the province (the provincial average, whoever looks)."""
    return province_period(start=start, end=end).index()


def kind_index(
    kind: OrganisationKind | int,
    *,
    start: dt.date,
    end: dt.date,
    province: ProvincePeriod | None = None,
) -> Index:
    """Every organisation of one kind in the province (from `organisation_sums`)."""
    kind_id = kind if isinstance(kind, int) else kind.pk
    if province is None or not province.covers(start, end):
        province = province_period(start=start, end=end)
    sums = organisation_sums(province)
    ids = Organisation.objects.filter(kind_id=kind_id).order_by().values_list("pk", flat=True)
    return Index.of_sums(add_sums(sums[pk] for pk in ids if pk in sums))


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
    if organisation is None and user is None:
        return province_period(start=start, end=end).trend()
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
        title=title_for_reader(clause["short_title"], clause["short_title_en"]),
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
        .values("pk", "code", "short_title", "short_title_en")
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


def criterion_heat(
    rows: Sequence[OrganisationRow],
    *,
    start: dt.date,
    end: dt.date,
    province: ProvincePeriod | None = None,
) -> HeatTable:
    """Behaviour rates for a page of organisation rows (one query over their rollups).

    With `province` (the same months), the sums are cached under its fingerprint:
    a behaviour answer is only counted with a counted rating, which changes the
    organisation rollups too.
    """
    ids = [row.organisation_id for row in rows]
    if not ids:
        return HeatTable(clauses=[])

    def build() -> tuple[list[dict[str, Any]], dict[tuple[int, int], tuple[int, int, int]]]:
        qs = _in_months(CriterionMonthRollup.objects.filter(organisation_id__in=ids), start, end)
        sums = {
            (org_id, clause_id): (int(kept or 0), int(breached or 0), int(unknown or 0))
            for org_id, clause_id, kept, breached, unknown in qs.values(
                "organisation_id", "clause_id"
            )
            .annotate(kept=Sum("kept"), breached=Sum("breached"), unknown=Sum("unknown"))
            .order_by()
            .values_list("organisation_id", "clause_id", "kept", "breached", "unknown")
        }
        return _clauses({clause_id for _org, clause_id in sums}), sums

    if province is not None and province.covers(start, end):
        key = f"feedback:heat:{province.first:%Y%m}:{province.last:%Y%m}:{_digest(sorted(ids))}"
        found = _cached(key, province.fingerprint, build, SUMS_CACHE_SECONDS)
    else:
        found = build()
    clauses, sums = found
    table = HeatTable(clauses=clauses)
    for row in rows:
        cells: list[CriterionRate | None] = []
        for clause in clauses:
            data = sums.get((row.organisation_id, clause["pk"]))
            cells.append(None if data is None else _rate(clause, *data))
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


def shown_comment(comment: str) -> str:
    """A rating's comment as every reader sees it — the staff member rated, their head,
    Home Affairs, a reviewer, the API, a case quoting it: a phone number, e-mail address
    or ID number the citizen typed in masked (`core.contacts`). The rating keeps it as
    written; nobody reads that through the site (docs/decisions.md, "commentmask")."""
    return mask_contacts(comment)


def recent_comments(
    organisation: Organisation, *, start: dt.date, end: dt.date, limit: int = 10
) -> list[dict[str, Any]]:
    """The organisation's latest counted comments: date, level, staff member and text only
    (contact details masked)."""
    first, last = month_range(start, end)
    return [
        {**row, "comment": shown_comment(row["comment"])}
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
