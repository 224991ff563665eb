"""The inspections app's part of the home page's work list (`core.worklist`).

* the inspection team (lead or member): their inspections under way, and those
  planned up to `PLANNED_AHEAD_DAYS` days ahead (or already past their planned day
  without being started);
* the inspected organisation (INSPECTION_RESPOND as a duty: `core.worklist.duty_q`):
  corrective actions still open, overdue or due within `DUE_SOON_DAYS` days, each
  linked to its inspection.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import worklist
from congvu.core.worklist import Entry, Item

from . import digest
from .models import CorrectiveAction, Inspection

PLANNED_AHEAD_DAYS: Final = 14
DUE_SOON_DAYS: Final = digest.DUE_SOON_DAYS

S = Inspection.Status


def _inspection_entry(inspection: Inspection) -> Entry:
    return Entry(
        f"{inspection.code} · {inspection.organisation.name}",
        reverse("inspections:detail", args=[inspection.code]),
        inspection.planned_on,
    )


def _team(user: Any, today: dt.date) -> list[Item]:
    if not access.can_anywhere(user, Perm.INSPECTION_RUN):
        return []
    mine = (
        Inspection.objects.visible_to(user)
        .filter(Q(lead_id=user.pk) | Q(members__pk=user.pk))
        .distinct()
        .select_related("organisation")
        .order_by("planned_on", "pk")
    )
    listed = reverse("inspections:list")
    running = worklist.first(mine.filter(status=S.IN_PROGRESS), _inspection_entry)
    ahead = today + dt.timedelta(days=PLANNED_AHEAD_DAYS)
    planned = worklist.first(
        mine.filter(status=S.PLANNED, planned_on__lte=ahead), _inspection_entry
    )
    return [
        Item(
            "inspections.in_progress",
            _("Cuộc kiểm tra bạn đang thực hiện"),
            running[0],
            f"{listed}?status={S.IN_PROGRESS}",
            worklist.WAITING,
            running[1],
        ),
        Item(
            "inspections.planned",
            _("Cuộc kiểm tra sắp tiến hành (trong %(days)d ngày)") % {"days": PLANNED_AHEAD_DAYS},
            planned[0],
            f"{listed}?status={S.PLANNED}",
            worklist.DUE_SOON,
            planned[1],
        ),
    ]


def _actions(user: Any, today: dt.date) -> list[Item]:
    scope = digest.duty_scope(user)
    if scope is None:
        return []
    # The same actions as the morning's digest of corrective actions.
    owed = digest.open_actions(scope)

    def entry(action: CorrectiveAction) -> Entry:
        inspection = action.observation.inspection
        text = f"{inspection.code} · {worklist.shorten(action.description)}"
        return Entry(text, reverse("inspections:detail", args=[inspection.code]), action.due_on)

    listed = reverse("inspections:list")
    overdue = worklist.first(owed.filter(due_on__lt=today), entry)
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    soon = worklist.first(owed.filter(due_on__range=(today, horizon)), entry)
    return [
        Item(
            "inspections.actions_overdue",
            _("Biện pháp khắc phục quá hạn"),
            overdue[0],
            f"{listed}?status={S.CONCLUDED}",
            worklist.OVERDUE,
            overdue[1],
        ),
        Item(
            "inspections.actions_due_soon",
            _("Biện pháp khắc phục đến hạn trong %(days)d ngày") % {"days": DUE_SOON_DAYS},
            soon[0],
            f"{listed}?status={S.CONCLUDED}",
            worklist.DUE_SOON,
            soon[1],
        ),
    ]


def items(user: Any, today: dt.date) -> list[Item]:
    return [*_team(user, today), *_actions(user, today)]


worklist.register("inspections", items)
