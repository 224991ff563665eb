"""Reads of the catalogue: which standards apply where (and when), search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.organisations.models import Organisation

from .models import Clause, ClauseQuerySet, CodeVersion, Section

S = CodeVersion.Status


def _in_force(qs: QuerySet[CodeVersion], on: dt.date | None) -> QuerySet[CodeVersion]:
    """Versions in force: active now, or (with `on`) active or since retired on that day."""
    if on is None:
        return qs.filter(status=S.ACTIVE)
    return qs.filter(
        Q(status__in=[S.ACTIVE, S.RETIRED])
        & Q(effective_from__lte=on)
        & (Q(retired_on__isnull=True) | Q(retired_on__gt=on))
    ).order_by("-effective_from", "-pk")


def active_version(scope: Organisation, *, on: dt.date | None = None) -> CodeVersion | None:
    """The version of `scope` itself in force now (or on `on`)."""
    return _in_force(CodeVersion.objects.filter(scope=scope), on).first()


def provincial_version(
    organisation: Organisation | None = None, *, on: dt.date | None = None
) -> CodeVersion | None:
    """The base catalogue that governs `organisation`: its nearest ancestor's, normally the root's.

    Without an organisation: the catalogue of the first root of the tree (the province).
    """
    base = CodeVersion.objects.filter(is_supplement=False).select_related("scope")
    if organisation is None:
        return (
            _in_force(base.filter(scope__parent__isnull=True), on)
            .order_by("scope__path", "-effective_from")
            .first()
        )
    ancestors = organisation.ancestor_ids()
    candidates = list(_in_force(base.filter(scope_id__in=ancestors), on))
    if not candidates:
        return None
    # Deepest scope wins; within one scope the latest effective date (already ordered).
    return max(candidates, key=lambda v: (len(v.scope.path), v.effective_from or dt.date.min))


def supplements(organisation: Organisation, *, on: dt.date | None = None) -> list[CodeVersion]:
    """In-force supplements of `organisation` and of its ancestors, from the top down."""
    qs = _in_force(
        CodeVersion.objects.filter(
            is_supplement=True, scope_id__in=organisation.ancestor_ids()
        ).select_related("scope"),
        on,
    )
    chosen: dict[int, CodeVersion] = {}
    for version in qs:  # newest first per scope: keep the first one seen
        chosen.setdefault(version.scope_id, version)
    return sorted(chosen.values(), key=lambda v: v.scope.path)


def applicable_versions(
    organisation: Organisation, *, on: dt.date | None = None
) -> list[CodeVersion]:
    """The provincial catalogue followed by the supplements that apply to `organisation`."""
    base = provincial_version(organisation, on=on)
    return ([base] if base is not None else []) + supplements(organisation, on=on)


def clauses_of(versions: Iterable[CodeVersion]) -> ClauseQuerySet:
    ids = [v.pk for v in versions]
    return (
        Clause.objects.filter(section__version_id__in=ids)
        .select_related("section", "section__version", "section__version__scope", "parent")
        .order_by(
            "section__version__scope__path",
            "section__order",
            "section__code",
            # Items right after their parent clause, in their own order.
            Coalesce("parent__order", "order"),
            Coalesce("parent__code", "code"),
            F("parent_id").asc(nulls_first=True),
            "order",
            "code",
        )
    )


def applicable_clauses(organisation: Organisation, *, on: dt.date | None = None) -> ClauseQuerySet:
    """Every clause that applies to staff of `organisation` now (or on `on`)."""
    return clauses_of(applicable_versions(organisation, on=on))


def search_clauses(
    query: str | None, versions: Iterable[CodeVersion], *, english: bool | None = None
) -> ClauseQuerySet:
    """Accent-insensitive search: "voi vinh" finds "vòi vĩnh", "ruou bia" finds "rượu bia";
    the English words too ("alcohol") for an English reader (by default: the active
    language), see `ClauseQuerySet.search`."""
    return clauses_of(versions).search(query, english=english)


def rateable_items(
    organisation: Organisation, *, on: dt.date | None = None, leader: bool = True
) -> ClauseQuerySet:
    """The clauses citizens rate for `organisation` (leaders-only ones left out for non-leaders)."""
    qs = applicable_clauses(organisation, on=on).filter(rateable=True)
    if not leader:
        qs = qs.exclude(applies_to=Clause.AppliesTo.LEADERS)
    return qs


# --- Display ---------------------------------------------------------------------------------


@dataclass
class ClauseRow:
    clause: Clause
    items: list[Clause] = field(default_factory=list)


@dataclass
class SectionBlock:
    section: Section
    rows: list[ClauseRow]


@dataclass
class VersionBlock:
    version: CodeVersion
    sections: list[SectionBlock]

    @property
    def clause_count(self) -> int:
        return sum(1 + len(r.items) for s in self.sections for r in s.rows)


def catalogue_blocks(
    versions: Iterable[CodeVersion], *, only: set[int] | None = None
) -> list[VersionBlock]:
    """Versions → sections → clauses with their items, for templates.

    With `only` (clause ids, e.g. search hits) a clause is shown when it or one
    of its items matched, and a section only when something in it is shown.
    """
    blocks: list[VersionBlock] = []
    for version in versions:
        sections = version.sections.prefetch_related(
            Prefetch("clauses", queryset=Clause.objects.order_by("order", "code"))
        ).order_by("order", "code")
        section_blocks: list[SectionBlock] = []
        for section in sections:
            clauses = list(section.clauses.all())
            rows: dict[int, ClauseRow] = {
                c.pk: ClauseRow(c) for c in clauses if c.parent_id is None
            }
            for clause in clauses:
                if clause.parent_id is not None and clause.parent_id in rows:
                    rows[clause.parent_id].items.append(clause)
            if only is not None:
                # Show the items that matched; all of them when only their parent did.
                for row in rows.values():
                    hits = [item for item in row.items if item.pk in only]
                    row.items = hits or (row.items if row.clause.pk in only else [])
            shown = [
                row for row in rows.values() if only is None or row.clause.pk in only or row.items
            ]
            if only is None or shown:
                section_blocks.append(SectionBlock(section, shown))
        if only is None or section_blocks:
            blocks.append(VersionBlock(version, section_blocks))
    return blocks


# --- The catalogue's management: fetch and authorise in one call (pages and API alike) ---
# 404 for what does not exist or lies outside the user's scope, 403 for what they see
# without the right to manage the catalogue.


def managed_version(user: Any, pk: int) -> CodeVersion:
    return access.get_for(
        user,
        Perm.CATALOGUE_MANAGE,
        CodeVersion.objects.select_related("scope"),
        organisation_of="scope",
        pk=pk,
    )


def managed_section(user: Any, pk: int) -> Section:
    section = Section.objects.select_related("version", "version__scope").filter(pk=pk).first()
    if section is None:
        raise Http404
    access.require(user, Perm.CATALOGUE_MANAGE, section.version.scope)
    return section


def managed_clause(user: Any, pk: int) -> Clause:
    clause = (
        Clause.objects.select_related("section", "section__version", "section__version__scope")
        .filter(pk=pk)
        .first()
    )
    if clause is None:
        raise Http404
    access.require(user, Perm.CATALOGUE_MANAGE, clause.section.version.scope)
    return clause
