"""Reads over the organisation tree and staff that join, scope or rebuild history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from congvu.core.text import collation_key

from .models import Organisation, OrganisationQuerySet, OrganisationVersion


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
    valid = Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    org_valid = Q(organisation__valid_from__lte=day) & (
        Q(organisation__valid_to__isnull=True) | Q(organisation__valid_to__gte=day)
    )
    versions = OrganisationVersion.objects.filter(valid & org_valid)
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
