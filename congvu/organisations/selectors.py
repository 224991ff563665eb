"""Reads over the organisation tree and staff that join, scope or rebuild history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery

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
