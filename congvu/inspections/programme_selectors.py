"""Reads of the yearly inspection programme: fetching with access, the items a user sees,
the coverage (what became of each item), and the organisations not inspected for years.

Set-based: the coverage annotates every item with its inspections' states in one query,
and "never inspected" is one query over the organisations, whatever their number.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.organisations.models import Organisation, OrganisationKind, OrganisationQuerySet

from .models import (
    Inspection,
    InspectionProgramme,
    ProgrammeAmendment,
    ProgrammeChange,
    ProgrammeItem,
)

S = Inspection.Status

#: What became of an item, from the worst to the best news, with its label.
COVERAGE: Final = {
    "overdue": _("Quá hạn"),
    # Cancelled by an approved amendment: counted apart, never as overdue.
    "cancelled": _("Đã hủy"),
    "planned": _("Chưa lên kế hoạch kiểm tra"),
    "inspection_planned": _("Đã lên kế hoạch kiểm tra"),
    "in_progress": pgettext_lazy("inspection status", "Đang kiểm tra"),
    "concluded": _("Đã kết luận"),
}
#: "Never inspected in the last N years": the default N, and its bounds.
YEARS_DEFAULT: Final = 3
YEARS_MAX: Final = 20


def may_manage(user: Any, programme: InspectionProgramme) -> bool:
    return access.can(user, Perm.INSPECTION_RUN, programme.organisation)


def may_approve(user: Any, programme: InspectionProgramme) -> bool:
    """Approving the programme or an amendment: Home Affairs leadership."""
    return access.can(user, Perm.INSPECTION_PROGRAMME_APPROVE, programme.organisation)


def get_programme(user: Any, pk: Any) -> InspectionProgramme:
    """The programme `pk` as `user` may see it: 404 when unknown or invisible, 403 when its
    issuing organisation is visible to the user but they hold no inspection permission."""
    base = InspectionProgramme.objects.select_related("organisation", "approved_by")
    try:
        found = base.visible_to(user).filter(pk=pk).first()
        if found is not None:
            return found
        other = base.filter(pk=pk).first()
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    if other is None:
        raise Http404
    access.require(user, Perm.INSPECTION_RUN, other.organisation)
    raise Http404  # not reached: require raised 404 or 403


def get_item_to_manage(user: Any, pk: Any) -> ProgrammeItem:
    """An item whose programme the user manages (INSPECTION_RUN on the issuing organisation)."""
    try:
        item = (
            ProgrammeItem.objects.visible_to(user)
            .select_related("programme__organisation", "organisation", "lead")
            .filter(pk=pk)
            .first()
        )
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    if item is None:
        # A programme's item is reached through its programme: same answers.
        other = ProgrammeItem.objects.select_related("programme__organisation").filter(pk=pk)
        found = other.first()
        if found is None:
            raise Http404
        access.require(user, Perm.INSPECTION_RUN, found.programme.organisation)
        raise Http404
    if not may_manage(user, item.programme):
        raise PermissionDenied
    return item


def items_for(user: Any, programme: InspectionProgramme) -> QuerySet[ProgrammeItem]:
    """Every item for the programme's managers; the inspected organisation's own, announced
    (or started) items for its people."""
    qs = programme.items.select_related("organisation", "lead", "programme")
    if may_manage(user, programme):
        return qs
    return qs.filter(pk__in=ProgrammeItem.objects.respondent_items(user).values("pk"))


@dataclass
class CoverageRow:
    item: ProgrammeItem
    state: str
    inspections: list[Inspection] = field(default_factory=list)
    #: Set by the page: may the user plan this item's inspection?
    may_plan: bool = False
    #: Set by the page: the approved amendments' changes of the item, and its change in
    #: the amendment being prepared.
    history: list[ProgrammeChange] = field(default_factory=list)
    pending: ProgrammeChange | None = None

    @property
    def label(self) -> Any:
        return COVERAGE[self.state]


@dataclass
class Coverage:
    rows: list[CoverageRow]
    #: Per state, the number of items.
    totals: dict[str, int]
    #: Per quarter 1–4, the number of items per state (and "all").
    quarters: dict[int, dict[str, int]]

    @property
    def table(self) -> list[tuple[int, int, list[int]]]:
        """(quarter, items, counts in `COVERAGE`'s order) per quarter, for the page."""
        return [(q, c["all"], [c[state] for state in COVERAGE]) for q, c in self.quarters.items()]

    @property
    def total_counts(self) -> list[int]:
        return [self.totals[state] for state in COVERAGE]


def with_states(
    qs: QuerySet[ProgrammeItem], inspections: QuerySet[Inspection]
) -> QuerySet[ProgrammeItem]:
    def has(status: str) -> Exists:
        return Exists(inspections.filter(programme_item=OuterRef("pk"), status=status))

    return qs.annotate(
        has_concluded=has(S.CONCLUDED),
        has_in_progress=has(S.IN_PROGRESS),
        has_planned=has(S.PLANNED),
    )


def item_state(item: Any, today: dt.date) -> str:
    """Cancelled; concluded; else overdue once its month or quarter is over; else how far it
    got."""
    if item.cancelled_at is not None:
        return "cancelled"
    if item.has_concluded:
        return "concluded"
    if item.period_end < today:
        return "overdue"
    if item.has_in_progress:
        return "in_progress"
    if item.has_planned:
        return "inspection_planned"
    return "planned"


def coverage(user: Any, programme: InspectionProgramme, today: dt.date) -> Coverage:
    """Each item the user sees, its state and the counts per state and per quarter (two
    queries). Only the inspections the user sees count: an unannounced visit planned
    again after a cancelled one must not show through its item's state."""
    seen = Inspection.objects.visible_to(user)
    qs = with_states(items_for(user, programme), seen)
    listed = list(qs)
    inspections: dict[int, list[Inspection]] = {}
    for inspection in (
        seen.filter(programme_item__in=[i.pk for i in listed])
        .order_by("planned_on", "pk")
        .only("code", "status", "planned_on", "programme_item_id", "kind")
    ):
        assert inspection.programme_item_id is not None
        inspections.setdefault(inspection.programme_item_id, []).append(inspection)
    rows = [CoverageRow(i, item_state(i, today), inspections.get(i.pk, [])) for i in listed]
    totals = Counter(row.state for row in rows)
    quarters: dict[int, dict[str, int]] = {
        q: dict.fromkeys([*COVERAGE, "all"], 0) for q in (1, 2, 3, 4)
    }
    for row in rows:
        quarters[row.item.quarter][row.state] += 1
        quarters[row.item.quarter]["all"] += 1
    return Coverage(rows, {state: totals.get(state, 0) for state in COVERAGE}, quarters)


def never_inspected(
    user: Any,
    *,
    year: int,
    years: int = YEARS_DEFAULT,
    exclude_programme: InspectionProgramme | None = None,
    q: str = "",
) -> OrganisationQuerySet:
    """Organisations in the user's INSPECTION_RUN scope, valid at the start of `year`, that
    no inspection concluded in the `years` years before `year` (nor in it so far), and that
    are not in `exclude_programme` yet — the candidates for next year's programme. One
    query: the inspected ones are a subquery, not a loop."""
    since = dt.date(year - years, 1, 1)
    inspected = Inspection.objects.filter(status=S.CONCLUDED, concluded_at__date__gte=since).values(
        "organisation_id"
    )
    qs = item_organisations(user, year, q).exclude(pk__in=inspected)
    if exclude_programme is not None:
        qs = qs.exclude(pk__in=exclude_programme.items.values("organisation_id"))
        # Nor those its amendment in preparation adds already.
        proposed = ProgrammeChange.objects.filter(
            amendment__programme=exclude_programme,
            amendment__status=ProgrammeAmendment.Status.DRAFT,
            action=ProgrammeChange.Action.ADD,
        )
        qs = qs.exclude(pk__in=proposed.values("organisation_id"))
    return qs


def item_organisations(user: Any, year: int, q: str = "") -> OrganisationQuerySet:
    """What an item may name: organisations in the user's INSPECTION_RUN scope existing in
    `year`, searched with or without accents (`Organisation.objects.search`)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    qs = Organisation.objects.search(q) if q else Organisation.objects.all()
    return (
        access.organisations_for(user, Perm.INSPECTION_RUN, qs)
        .filter(Q(valid_from__lte=last) & (Q(valid_to__isnull=True) | Q(valid_to__gte=first)))
        .filter(kind__is_division=False)
        .order_by("path")
    )


def get_item_to_plan(user: Any, pk: Any) -> ProgrammeItem:
    """An item of an approved programme, for planning its inspection (INSPECTION_RUN on the
    item's organisation): 404 when invisible, 403 without the permission."""
    try:
        item = (
            ProgrammeItem.objects.visible_to(user)
            .select_related("programme", "organisation", "lead")
            .filter(pk=pk)
            .first()
        )
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    if item is None:
        raise Http404
    access.require(user, Perm.INSPECTION_RUN, item.organisation)
    return item


def may_create(user: Any) -> bool:
    return access.can_anywhere(user, Perm.INSPECTION_RUN)


def amendments_of(programme: InspectionProgramme) -> QuerySet[ProgrammeAmendment]:
    """The programme's amendments with their changes (for its managers), abandoned drafts
    included: they are kept with who gave them up, when and why."""
    return programme.amendments.select_related(
        "approved_by", "abandoned_by", "created_by"
    ).prefetch_related(
        Prefetch(
            "changes",
            queryset=ProgrammeChange.objects.select_related("organisation", "item", "lead"),
        )
    )


def histories(items: list[ProgrammeItem]) -> dict[int, list[ProgrammeChange]]:
    """Per item, the changes approved amendments made to it, oldest first (one query)."""
    found: dict[int, list[ProgrammeChange]] = {}
    for change in (
        ProgrammeChange.objects.filter(
            item__in=[i.pk for i in items],
            amendment__status=ProgrammeAmendment.Status.APPROVED,
        )
        .select_related("amendment")
        .order_by("amendment__number", "pk")
    ):
        assert change.item_id is not None
        found.setdefault(change.item_id, []).append(change)
    return found


def _amendment(pk: Any) -> ProgrammeAmendment | None:
    try:
        return (
            ProgrammeAmendment.objects.select_related("programme__organisation")
            .filter(pk=pk)
            .first()
        )
    except (ValueError, TypeError) as exc:
        raise Http404 from exc


def get_amendment_to_manage(user: Any, pk: Any) -> ProgrammeAmendment:
    """An amendment of a programme the user manages: 404 when invisible, 403 without
    INSPECTION_RUN on the issuing organisation."""
    amendment = _amendment(pk)
    if amendment is None:
        raise Http404
    programme = get_programme(user, amendment.programme_id)
    if not may_manage(user, programme):
        raise PermissionDenied
    amendment.programme = programme
    return amendment


def get_amendment_to_abandon(user: Any, pk: Any) -> ProgrammeAmendment:
    """An amendment its drafter, or anyone who may edit its programme, may abandon (404 /
    403 as `get_amendment_to_manage` for the others)."""
    amendment = _amendment(pk)
    if amendment is not None and amendment.created_by_id == getattr(user, "pk", None):
        return amendment
    return get_amendment_to_manage(user, pk)


def get_change_to_manage(user: Any, pk: Any) -> ProgrammeChange:
    """A change of an amendment of a programme the user manages (404 / 403 as above)."""
    try:
        change = ProgrammeChange.objects.select_related("organisation").filter(pk=pk).first()
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    if change is None:
        raise Http404
    change.amendment = get_amendment_to_manage(user, change.amendment_id)
    return change


def bulk_organisations(
    user: Any,
    programme: InspectionProgramme,
    *,
    picked: list[int] | tuple[int, ...] = (),
    kind: OrganisationKind | None = None,
    never_years: int | None = None,
) -> OrganisationQuerySet:
    """The organisations a bulk addition names: those ticked, those of a kind, and those not
    inspected in the last `never_years` years (and not in the programme yet) — each within
    the user's INSPECTION_RUN scope and existing in the programme's year. One query."""
    scope = item_organisations(user, programme.year)
    wanted = Q(pk__in=list(picked))
    if kind is not None:
        wanted |= Q(kind=kind)
    if never_years:
        never = never_inspected(
            user, year=programme.year, years=never_years, exclude_programme=programme
        )
        wanted |= Q(pk__in=never.values("pk"))
    return scope.filter(wanted)
