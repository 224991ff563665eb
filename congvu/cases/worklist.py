"""The cases app's part of the home page's work list (`core.worklist`).

* handlers (CASE_HANDLE): the cases handled in their organisations whose running
  deadline has passed or falls within the track's warning days (the handlers'
  daily digest's scope), and the open cases given to them;
* heads (CASE_ASSIGN, as a duty: `core.worklist.duty_q`): open cases handled in their
  organisations that nobody is handling (never assigned, or assigned to someone who
  may no longer handle them);
* heads (DISCIPLINE_DECIDE, as a duty): the discipline proposed in cases handled in
  their organisations and not yet decided nor withdrawn;
* the staff member concerned: the cases where a handler asked them for a statement
  that they have not given yet;
* those overseeing (CASE_HANDLE through a role holding every permission: Home Affairs,
  the administrator): the open cases nobody would see as their work (`unattended`).
Never a case about the user, the statements aside (`selectors.handler_cases`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import worklist
from congvu.core.worklist import Entry, Item

from . import clocks, selectors, unattended
from .models import Case, CaseEvent, DisciplineDecision

K = CaseEvent.Kind


def _handled(user: Any) -> QuerySet[Case]:
    """Open cases the user sees, handled in an organisation where they may handle cases."""
    return selectors.handler_cases(user).filter(
        status__in=selectors.OPEN_STATUSES,
        handling_organisation__in=access.organisations_for(user, Perm.CASE_HANDLE).values("pk"),
    )


def _entry(case: Case) -> Entry:
    text = f"{case.code} · {case.get_track_display()} · {case.get_status_display()}"
    return Entry(text, reverse("cases:detail", args=[case.code]), clocks.current_due(case))


def _deadlines(user: Any, today: dt.date) -> list[Item]:
    if not access.can_anywhere(user, Perm.CASE_HANDLE):
        return []
    handled = _handled(user).order_by(selectors.running_due().asc(nulls_last=True), "pk")
    listed = reverse("cases:list")
    late, near = selectors.overdue_q(today), selectors.due_soon_q(today)
    # Both counts in one pass over the open cases (a province's Home Affairs sees all).
    counts = handled.order_by().aggregate(
        overdue=Count("pk", filter=late), soon=Count("pk", filter=near)
    )
    overdue = worklist.first(handled.filter(late), _entry, count=counts["overdue"])
    soon = worklist.first(handled.filter(near), _entry, count=counts["soon"])
    mine = worklist.first(
        selectors.filter_cases(handled, selectors.CaseFilters(assignee_id=user.pk), today=today),
        _entry,
    )
    return [
        Item(
            "cases.overdue",
            _("Vụ việc quá hạn"),
            overdue[0],
            f"{listed}?due=overdue",
            worklist.OVERDUE,
            overdue[1],
        ),
        Item(
            "cases.due_soon",
            _("Vụ việc sắp đến hạn"),
            soon[0],
            f"{listed}?due=due_soon",
            worklist.DUE_SOON,
            soon[1],
        ),
        Item(
            "cases.assigned_to_me",
            _("Vụ việc đang xử lý được giao cho bạn"),
            mine[0],
            f"{listed}?assigned=me",
            worklist.WAITING,
            mine[1],
        ),
    ]


def _unassigned(user: Any, today: dt.date) -> list[Item]:
    scope = worklist.duty_q(user, Perm.CASE_ASSIGN, prefix="handling_organisation__")
    if scope is None:
        return []
    handled = (
        selectors.handler_cases(user)
        .filter(scope)
        .filter(status__in=selectors.OPEN_STATUSES)
        .order_by("received_at", "pk")
    )
    nobody = selectors.filter_cases(handled, selectors.CaseFilters(unassigned=True), today=today)
    count, entries = worklist.first(nobody, _entry)
    return [
        Item(
            "cases.unassigned",
            _("Vụ việc chưa giao người xử lý"),
            count,
            f"{reverse('cases:list')}?assigned=none",
            worklist.WAITING,
            entries,
        )
    ]


def _proposals(user: Any) -> list[Item]:
    scope = worklist.duty_q(user, Perm.DISCIPLINE_DECIDE, prefix="case__handling_organisation__")
    if scope is None:
        return []
    waiting = (
        DisciplineDecision.objects.filter(scope, stage=DisciplineDecision.Stage.PROPOSED)
        # Never the user's own case (`handler_cases`: they may not decide it).
        .filter(case__in=selectors.handler_cases(user).values("pk"))
        .select_related("case", "form")
        .order_by("created_at", "pk")
    )

    def entry(decision: DisciplineDecision) -> Entry:
        code = decision.case.code
        url = reverse("cases:detail", args=[code]) + "#h-discipline"
        return Entry(f"{code} · {decision.form}", url)

    count, entries = worklist.first(waiting, entry)
    return [
        Item(
            "cases.discipline_proposed",
            _("Đề xuất kỷ luật chờ quyết định"),
            count,
            f"{reverse('cases:list')}?discipline=proposed",
            worklist.WAITING,
            entries,
        )
    ]


def _statements(user: Any) -> list[Item]:
    events = CaseEvent.objects.filter(case=OuterRef("pk"))
    asked = (
        selectors.subject_cases(user)
        .exclude(status__in=(Case.Status.CLOSED, Case.Status.REJECTED))
        .annotate(
            asked_at=Subquery(
                events.filter(kind=K.TO_SUBJECT)
                .values("case")
                .annotate(last=Max("created_at"))
                .values("last")
            )
        )
        .filter(asked_at__isnull=False)
        .filter(~Exists(events.filter(kind=K.FROM_SUBJECT, created_at__gt=OuterRef("asked_at"))))
        .order_by("asked_at", "pk")
    )

    def entry(case: Case) -> Entry:
        return Entry(case.code, reverse("cases:subject_view", args=[case.code]))

    count, entries = worklist.first(asked, entry)
    return [
        Item(
            "cases.statement_requested",
            _("Yêu cầu giải trình chờ bạn trả lời"),
            count,
            reverse("cases:mine"),
            worklist.WAITING,
            entries,
        )
    ]


def _unattended(user: Any) -> list[Item]:
    scope = unattended.oversight_q(user)
    if scope is None:
        return []
    nobody = unattended.only(selectors.handler_cases(user).filter(scope)).order_by(
        "received_at", "pk"
    )
    count, entries = worklist.first(nobody, _entry)
    return [
        Item(
            "cases.unattended",
            _("Vụ việc chưa có người xử lý"),
            count,
            f"{reverse('cases:list')}?unattended=yes",
            worklist.WAITING,
            entries,
        )
    ]


def items(user: Any, today: dt.date) -> list[Item]:
    return [
        *_unattended(user),
        *_deadlines(user, today),
        *_unassigned(user, today),
        *_proposals(user),
        *_statements(user),
    ]


worklist.register("cases", items)
