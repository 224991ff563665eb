"""The reporting app's part of the home page's work list (`core.worklist`).

* heads and focal points: each open period's reports their organisations owe and
  have not filed (none yet, a draft, or returned for completion), overdue once the
  period's deadline has passed;
* the compiling side (Home Affairs): reports submitted and waiting to be accepted or
  returned.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.urls import reverse
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import worklist
from congvu.core.worklist import Entry, Item
from congvu.planning import reminders

from . import selectors
from .models import OrganisationReport, ReportPeriod

#: A report falls due "soon" this many days before the period's deadline.
DUE_SOON_DAYS: Final = 14

S = OrganisationReport.Status
FILED: Final = (S.SUBMITTED, S.ACCEPTED)  # a returned report is owed again


def _owed(user: Any, today: dt.date) -> list[Item]:
    answered = reminders.scope_q(user, prefix="")
    if answered is None:
        return []
    overdue: list[Entry] = []
    due: list[Entry] = []
    for period in ReportPeriod.objects.visible_to(user).open().order_by("due_on", "pk"):
        url = reverse("reporting:period", args=[period.pk])
        filed = OrganisationReport.objects.filter(period=period, status__in=FILED)
        owing = (
            selectors.reportable_organisations(user, period)
            .filter(answered)
            .exclude(pk__in=filed.values("organisation_id"))
        )
        for name in owing.values_list("name", flat=True):
            entry = Entry(f"{period.name} · {name}", url, period.due_on)
            (overdue if period.due_on < today else due).append(entry)
    listed = reverse("reporting:index")
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    soon = [entry for entry in due if entry.due_on and entry.due_on <= horizon]
    later = due[len(soon) :]  # periods come by deadline
    return [
        Item(
            "reporting.reports_overdue",
            _("Báo cáo định kỳ quá hạn nộp"),
            len(overdue),
            listed,
            worklist.OVERDUE,
            tuple(overdue[: worklist.ENTRIES]),
        ),
        Item(
            "reporting.reports_due_soon",
            _("Báo cáo định kỳ đến hạn nộp trong %(days)d ngày") % {"days": DUE_SOON_DAYS},
            len(soon),
            listed,
            worklist.DUE_SOON,
            tuple(soon[: worklist.ENTRIES]),
        ),
        Item(
            "reporting.reports_to_submit",
            _("Báo cáo định kỳ phải nộp"),
            len(later),
            listed,
            worklist.WAITING,
            tuple(later[: worklist.ENTRIES]),
        ),
    ]


def _to_review(user: Any) -> list[Item]:
    if not access.can_anywhere(user, Perm.PLAN_MANAGE):
        return []
    periods = [
        period
        for period in ReportPeriod.objects.visible_to(user)
        .open()
        .select_related("issuing_organisation")
        if selectors.can_compile(user, period)
    ]
    submitted = (
        OrganisationReport.objects.filter(period__in=periods, status=S.SUBMITTED)
        .select_related("period")
        .order_by("submitted_at", "pk")
    )

    def entry(report: OrganisationReport) -> Entry:
        url = reverse("reporting:report", args=[report.pk])
        return Entry(f"{report.period.name} · {report.organisation_name}", url)

    count, entries = worklist.first(submitted, entry)
    return [
        Item(
            "reporting.reports_to_review",
            _("Báo cáo đã nộp chờ tiếp nhận"),
            count,
            reverse("reporting:index"),
            worklist.WAITING,
            entries,
        )
    ]


def items(user: Any, today: dt.date) -> list[Item]:
    return [*_owed(user, today), *_to_review(user)]


worklist.register("reporting", items)
