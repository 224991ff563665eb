"""The daily digest of corrective actions, and the inspections app's daily jobs.

Once a day, each of an inspected organisation's own people (INSPECTION_RESPOND as a duty:
heads and focal points, never the Department of Home Affairs' oversight) who has open
corrective actions overdue or due within `DUE_SOON_DAYS` days gets one in-app
notification and one e-mail (`core.digests.deliver`): the same actions as the work list
shows. A digest names each action by its inspection's code, the organisation and the
deadline only — not its words, which may name a staff member (a mail can be forwarded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Q, QuerySet

from congvu.accounts.access import ROLE_PERMS, Perm
from congvu.accounts.models import User
from congvu.core import daily, worklist
from congvu.core.digests import Notice, deliver

from .models import CorrectiveAction, Inspection
from .notices import DIGEST

#: An open corrective action is "due soon" this many days before its deadline.
DUE_SOON_DAYS: Final = 7
KIND: Final = "inspections_digest"
_SCOPE_PREFIX: Final = "observation__inspection__organisation__"


def open_actions(scope: Q) -> QuerySet[CorrectiveAction]:
    """Open corrective actions of concluded inspections within `scope`, by deadline."""
    return (
        CorrectiveAction.objects.filter(scope)
        .filter(
            status=CorrectiveAction.Status.OPEN,
            observation__inspection__status=Inspection.Status.CONCLUDED,
        )
        .select_related("observation__inspection__organisation")
        .order_by("due_on", "pk")
    )


def duty_scope(user: Any) -> Q | None:
    """Where `user` answers corrective actions as a duty (None: nowhere)."""
    return worklist.duty_q(user, Perm.INSPECTION_RESPOND, prefix=_SCOPE_PREFIX)


@dataclass
class Digest:
    user: Any
    day: dt.date
    overdue: list[CorrectiveAction] = field(default_factory=list)
    due_soon: list[CorrectiveAction] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.overdue and not self.due_soon

    def params(self) -> dict[str, Any]:
        return {
            "name": str(self.user),
            "day": self.day,
            "overdue": [_row(action) for action in self.overdue],
            "due_soon": [_row(action) for action in self.due_soon],
        }


def _row(action: CorrectiveAction) -> dict[str, Any]:
    inspection = action.observation.inspection
    return {
        "code": inspection.code,
        "organisation": inspection.organisation.name,
        "due": action.due_on,
    }


def build_digest(user: Any, today: dt.date) -> Digest:
    digest = Digest(user=user, day=today)
    scope = duty_scope(user)
    if scope is None:
        return digest
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    for action in open_actions(scope).filter(due_on__lte=horizon):
        (digest.overdue if action.due_on < today else digest.due_soon).append(action)
    return digest


def _duty_roles() -> list[str]:
    everything = frozenset(Perm)
    return [
        role.value
        for role, perms in ROLE_PERMS.items()
        if Perm.INSPECTION_RESPOND in perms and perms != everything
    ]


def send_digests(today: dt.date) -> dict[str, int]:
    """One notification and one e-mail per person with corrective actions overdue or due
    soon; a second call on the same day sends nothing."""

    def notice_for(user: Any) -> Notice | None:
        digest = build_digest(user, today)
        if digest.is_empty:
            return None
        return Notice(DIGEST.key, digest.params(), "/")

    users = (
        User.objects.filter(is_active=True, grants__role__in=_duty_roles())
        .distinct()
        .order_by("pk")
    )
    return deliver(
        kind=KIND,
        title_start=f"Biện pháp khắc phục ngày {today:%d/%m/%Y}:",
        recipients=users,
        notice_for=notice_for,
    )


daily.register("inspections.corrective_digest", send_digests)
