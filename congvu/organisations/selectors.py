"""Reads over the organisation tree and staff that join, scope or rebuild history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from congvu.core.text import collation_key

from .models import (
    Organisation,
    OrganisationQuerySet,
    OrganisationVersion,
    StaffMember,
    StaffQuerySet,
    valid_on_q,
)


@dataclass
class TreeNode:
    organisation_id: int
    code: str
    name: str
    short_name: str
    kind_code: str
    kind_name: str
    kind_order: int
    parent_id: int | None
    valid_from: dt.date
    valid_to: dt.date | None
    successor_id: int | None
    children: list[TreeNode] = field(default_factory=list)

    def walk(self) -> list[TreeNode]:
        nodes = [self]
        for child in self.children:
            nodes.extend(child.walk())
        return nodes


def tree_as_of(day: dt.date, organisations: OrganisationQuerySet | None = None) -> list[TreeNode]:
    """The tree as it stood on `day`, limited to `organisations` (usually the visible ones).

    Built from `OrganisationVersion`, so renames and moves show as they were on
    that day. An organisation whose parent is outside `organisations` becomes a
    root of the returned forest. Children are ordered by kind, then by name in
    Vietnamese alphabetical order.
    """
    versions = OrganisationVersion.objects.filter(
        valid_on_q(day) & valid_on_q(day, "organisation__")
    )
    if organisations is not None:
        versions = versions.filter(organisation__in=organisations.values("pk"))
    rows = versions.values_list(
        "organisation_id",
        "organisation__code",
        "name",
        "short_name",
        "kind__code",
        "kind__name",
        "kind__order",
        "parent_id",
        "organisation__valid_from",
        "organisation__valid_to",
        "organisation__successor_id",
    )
    nodes = {row[0]: TreeNode(*row) for row in rows}
    roots: list[TreeNode] = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id is not None else None
        (parent.children if parent is not None else roots).append(node)

    def order(items: list[TreeNode]) -> None:
        items.sort(key=lambda n: (n.kind_order, collation_key(n.name)))
        for item in items:
            order(item.children)

    order(roots)
    return roots


def subtree(organisation: Organisation) -> OrganisationQuerySet:
    """The organisation and all organisations below it in the current tree (path-indexed)."""
    return Organisation.objects.subtree_of(organisation)


@dataclass(frozen=True)
class TreeRow:
    """One step of a tree flattened for a template loop: "open", "leaf" or "close".

    Rendering 2,000 nested nodes with a recursive `{% include %}` is slow; a flat
    loop that opens and closes `<details>` is not.
    """

    step: str
    node: TreeNode
    depth: int = 0


def flatten(roots: list[TreeNode]) -> list[TreeRow]:
    rows: list[TreeRow] = []
    stack: list[tuple[TreeNode, int, bool]] = [(node, 0, False) for node in reversed(roots)]
    while stack:
        node, depth, done = stack.pop()
        if done:
            rows.append(TreeRow("close", node, depth))
        elif node.children:
            rows.append(TreeRow("open", node, depth))
            stack.append((node, depth, True))
            stack.extend((child, depth + 1, False) for child in reversed(node.children))
        else:
            rows.append(TreeRow("leaf", node, depth))
    return rows


def with_names_on(organisations: OrganisationQuerySet, day: dt.date) -> OrganisationQuerySet:
    """Annotate `name_then` and `short_name_then`: the names borne on `day` (None where no
    version covers it), in the same query as the list, however long."""
    then = OrganisationVersion.objects.filter(
        valid_on_q(day), organisation=OuterRef("pk")
    ).order_by("-valid_from")
    return organisations.annotate(
        name_then=Subquery(then.values("name")[:1]),
        short_name_then=Subquery(then.values("short_name")[:1]),
    )


def name_on(organisation: Organisation, day: dt.date) -> str:
    """The organisation's name as it was on `day` (its current name if no version covers it)."""
    version = (
        OrganisationVersion.objects.filter(valid_on_q(day), organisation=organisation)
        .order_by("-valid_from")
        .first()
    )
    return version.name if version is not None else organisation.name


def staff_search(
    staff: StaffQuerySet,
    *,
    query: str = "",
    organisation: Organisation | None = None,
    category: str = "",
    active: bool | None = None,
) -> StaffQuerySet:
    """Filter `staff` (already scoped to the user) for the staff list, in Vietnamese name order."""
    if query:
        staff = staff.search(query)
    if organisation is not None:
        staff = staff.filter(organisation__path__startswith=organisation.path)
    if category:
        staff = staff.filter(category=category)
    if active is not None:
        staff = staff.filter(is_active=active)
    return staff.select_related("organisation", "division").order_by("sort_name", "pk")


def badge_staff(organisation: Organisation, *, include_subtree: bool) -> StaffQuerySet:
    """Active staff whose badges are printed for `organisation` (optionally with its subtree)."""
    staff = StaffMember.objects.filter(is_active=True)
    if include_subtree:
        staff = staff.filter(organisation__path__startswith=organisation.path)
    else:
        staff = staff.filter(organisation=organisation)
    return staff.select_related("organisation", "division").order_by(
        "organisation__path", "sort_name", "pk"
    )


# --- Siblings that already share a name ----------------------------------------------------


@dataclass(frozen=True)
class ClashMember:
    organisation_id: int
    code: str
    name: str


@dataclass(frozen=True)
class NameClash:
    """Organisations open on one day under one parent whose names give one `name_key`:
    "Văn phòng" / "VĂN PHÒNG", "Hòa" / "Hoà". `parent_id` None: tops of trees."""

    parent_id: int | None
    parent_code: str
    parent_name: str
    members: list[ClashMember]


def _clash_groups(
    scope: OrganisationQuerySet, on: dt.date
) -> tuple[QuerySet[OrganisationVersion], QuerySet[Any, dict[str, Any]]]:
    """The versions open on `on` of organisations in `scope`, and their (parent, key)
    groups of more than one organisation (GROUP BY parent, name_key HAVING count > 1)."""
    versions = OrganisationVersion.objects.filter(
        valid_on_q(on) & valid_on_q(on, "organisation__"),
        organisation__in=scope.values("pk"),
    )
    groups = (
        versions.order_by()
        .values("parent_id", "name_key")
        .annotate(members=Count("organisation_id", distinct=True))
        .filter(members__gt=1)
    )
    return versions, groups


def name_clash_count(scope: OrganisationQuerySet, *, on: dt.date) -> int:
    """How many groups `name_clashes` would list (one query: the tree page's banner)."""
    return _clash_groups(scope, on)[1].count()


def name_clashes(scope: OrganisationQuerySet, *, on: dt.date) -> list[NameClash]:
    """Siblings open on `on` that share a name but for case or the tone mark's place.

    The rule (`services.check_name_free`) is checked whenever a name is given, but data
    from before migration 0008 or an earlier import may hold such pairs. Only
    organisations in `scope` count (the user's, `access.organisations_for`): a pair with
    one member outside it is left to whoever holds both. Ordered by the parent's code,
    the members of a group by their codes, each with its name as written on that day.
    Three queries whatever the number of groups."""
    versions, groups = _clash_groups(scope, on)
    pairs = {(row["parent_id"], row["name_key"]) for row in groups}
    if not pairs:
        return []
    parent_ids = [pk for pk, _key in pairs if pk is not None]
    under = Q(parent_id__in=parent_ids)
    if any(pk is None for pk, _key in pairs):
        under |= Q(parent__isnull=True)
    members: dict[tuple[int | None, str], list[ClashMember]] = {pair: [] for pair in pairs}
    rows = (
        versions.filter(under, name_key__in={key for _pk, key in pairs})
        .order_by("organisation__code", "-valid_from")
        .values_list("parent_id", "name_key", "organisation_id", "organisation__code", "name")
    )
    for parent_id, key, organisation_id, code, name in rows:
        group = members.get((parent_id, key))  # None: a name under another of the parents
        if group is not None and all(m.organisation_id != organisation_id for m in group):
            group.append(ClashMember(organisation_id, code, name))
    parents = {
        parent.pk: parent
        for parent in with_names_on(Organisation.objects.filter(pk__in=parent_ids), on)
    }
    clashes = []
    for (above, _key), group in members.items():
        parent = parents.get(above) if above is not None else None
        clashes.append(
            NameClash(
                parent_id=above,
                parent_code=parent.code if parent is not None else "",
                parent_name=""
                if parent is None
                else getattr(parent, "name_then", None) or parent.name,
                members=group,
            )
        )
    return sorted(
        clashes, key=lambda c: (c.parent_code, collation_key(c.members[0].name), c.members[0].code)
    )
