"""The planning app's part of the home page's work list (`core.worklist`).

* heads and focal points: the assignments of the organisations they answer for that
  are overdue, or due within the reminder digest's window (the same scope and window
  as the daily digest, so the page and the e-mail agree);
* heads (PROGRESS_CONFIRM as a duty: `core.worklist.duty_q`): completions reported and
  waiting for their confirmation;
* the assigning side (plan managers): extension requests waiting for a decision;
* a staff member: the code of conduct in force that they have not confirmed yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import worklist
from congvu.core.calendar import add_working_days
from congvu.core.worklist import Entry, Item
from congvu.organisations.models import Organisation, StaffMember

from . import dissemination, progress, reminders, states
from .models import Assignment, Task


def _assignment_entry(assignment: Assignment) -> Entry:
    task = assignment.task
    text = f"{task.code}. {worklist.shorten(task.content, 90)} · {assignment.organisation.name}"
    return Entry(text, reminders.assignment_path(assignment), assignment.due_on)


def _open_answered(user: Any) -> QuerySet[Assignment] | None:
    scope = reminders.scope_q(user)
    if scope is None:
        return None
    return (
        Assignment.objects.filter(scope, completed_on__isnull=True)
        .filter(task__status=Task.Status.ACTIVE)
        .select_related("task", "organisation")
        .order_by("due_on", "organisation__path", "task__order", "task__code", "pk")
    )


def _overdue_count(user: Any, today: dt.date) -> int:
    """How many open assignments of the user's organisations are overdue, counted
    organisation by organisation (in one query) on the partial index of open work
    (`assignment_open_org_due_idx`).

    Counted over the join instead, SQLite walks every open overdue assignment of the
    province (tens of thousands at scale) through the (completed_on, due_on) index: its
    statistics average the rows per completion date, so "completed_on IS NULL" looks
    selective. A department head's count at scale: ~250 ms → ~1 ms on SQLite, ~20 ms
    → ~3 ms on PostgreSQL (docs/benchmarks.md)."""
    scope = reminders.scope_q(user, prefix="")
    if scope is None:
        return 0
    per_organisation = (
        Assignment.objects.filter(
            organisation=OuterRef("pk"),
            completed_on__isnull=True,
            due_on__lt=today,
            task__status=Task.Status.ACTIVE,
        )
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counted = (
        Organisation.objects.filter(scope)
        .annotate(n=Coalesce(Subquery(per_organisation), 0))
        .aggregate(total=Sum("n"))
    )
    return int(counted["total"] or 0)


def _assignments(user: Any, today: dt.date) -> list[Item]:
    answered = _open_answered(user)
    if answered is None:
        return []
    listed = reverse("assignments:list")
    horizon = add_working_days(today, reminders.DUE_SOON_WORKING_DAYS)
    overdue = worklist.first(
        answered.filter(due_on__lt=today), _assignment_entry, count=_overdue_count(user, today)
    )
    soon = worklist.first(answered.filter(due_on__range=(today, horizon)), _assignment_entry)
    return [
        Item(
            "planning.assignments_overdue",
            _("Nhiệm vụ quá hạn"),
            overdue[0],
            f"{listed}?due=overdue",
            worklist.OVERDUE,
            overdue[1],
        ),
        Item(
            "planning.assignments_due_soon",
            _("Nhiệm vụ đến hạn trong %(days)d ngày làm việc")
            % {"days": reminders.DUE_SOON_WORKING_DAYS},
            soon[0],
            f"{listed}?due=soon",
            worklist.DUE_SOON,
            soon[1],
        ),
    ]


def _confirmations(user: Any) -> list[Item]:
    scope = worklist.duty_q(user, Perm.PROGRESS_CONFIRM, prefix="organisation__")
    if scope is None:
        return []
    waiting = (
        Assignment.objects.filter(scope)
        .filter(states.awaiting_confirmation_q())
        .select_related("task", "organisation")
        .order_by("completed_on", "pk")
    )
    count, entries = worklist.first(waiting, _assignment_entry)
    return [
        Item(
            "planning.completions_to_confirm",
            _("Báo cáo hoàn thành chờ bạn xác nhận"),
            count,
            f"{reverse('assignments:list')}?confirm=waiting",
            worklist.WAITING,
            entries,
        )
    ]


def _extensions(user: Any) -> list[Item]:
    if not access.can_anywhere(user, Perm.PLAN_MANAGE):
        return []
    pending = (
        progress.pending_extensions(user)
        .select_related("assignment__task", "assignment__organisation")
        .order_by("created_at", "pk")
    )
    url = reverse("assignments:extensions")

    def entry(extension: Any) -> Entry:
        assignment = extension.assignment
        text = _("%(task)s · %(organisation)s: gia hạn đến %(day)s") % {
            "task": assignment.task.code,
            "organisation": assignment.organisation.name,
            "day": worklist.day_text(extension.requested_due_on),
        }
        return Entry(text, url, assignment.due_on)

    count, entries = worklist.first(pending, entry)
    return [
        Item(
            "planning.extensions_to_decide",
            _("Đề nghị gia hạn chờ quyết định"),
            count,
            url,
            worklist.WAITING,
            entries,
        )
    ]


def _acknowledgement(user: Any) -> list[Item]:
    member = (
        StaffMember.objects.select_related("organisation")
        .filter(user_id=user.pk, is_active=True)
        .first()
    )
    if member is None:
        return []
    pending = dissemination.pending_versions(member)
    url = reverse("dissemination:acknowledge")
    return [
        Item(
            "planning.code_to_acknowledge",
            _("Quy tắc ứng xử bạn chưa xác nhận thực hiện"),
            len(pending),
            url,
            worklist.WAITING,
            tuple(Entry(str(version), url) for version in pending[: worklist.ENTRIES]),
        )
    ]


def items(user: Any, today: dt.date) -> list[Item]:
    return [
        *_assignments(user, today),
        *_confirmations(user),
        *_extensions(user),
        *_acknowledgement(user),
    ]


worklist.register("planning", items)
