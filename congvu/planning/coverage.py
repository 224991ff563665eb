"""Dissemination coverage: acknowledged active staff / active staff (seed I.2.a)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from congvu.organisations.models import StaffMember


@dataclass(frozen=True)
class Coverage:
    acknowledged: int
    active: int

    @property
    def share(self) -> float | None:
        return self.acknowledged / self.active if self.active else None


def coverage_by_organisation(
    organisation_ids: Iterable[int], code_version_ids: Iterable[int]
) -> dict[int, Coverage]:
    """Per organisation (staff employed directly there): how many active staff have
    acknowledged one of `code_version_ids` (the active provincial catalogue and any
    supplement), out of all active staff."""
    versions = list(code_version_ids)
    rows = (
        StaffMember.objects.filter(organisation_id__in=list(organisation_ids), is_active=True)
        .values("organisation_id")
        .annotate(
            active=Count("pk", distinct=True),
            acknowledged=Count(
                "pk",
                filter=Q(acknowledgements__code_version_id__in=versions),
                distinct=True,
            ),
        )
        .order_by()
    )
    return {row["organisation_id"]: Coverage(row["acknowledged"], row["active"]) for row in rows}
