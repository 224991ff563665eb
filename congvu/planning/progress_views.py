"""Pages for assignments: the list, one assignment with its progress, extension decisions.

Views fetch-and-authorize, parse with a form, call one service in `progress.py`
and render. A form with errors is shown again with the user's input (files
must be chosen again: browsers never re-send them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import once
from congvu.core.calendar import add_working_days, working_days_between
from congvu.core.types import AuthenticatedHttpRequest
from congvu.core.windowed import LeadOrdered
from congvu.organisations.forms import apply_service_error
from congvu.organisations.models import OrganisationVersion

from . import progress, reminders, states
from .models import Assignment, EvidenceFile, ExtensionRequest, Plan, openable_q
from .progress_forms import (
    AWAITING_CONFIRMATION,
    AssignmentFilterForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ProgressForm,
)

PER_PAGE = 50


@dataclass(frozen=True)
class Row:
    assignment: Assignment
    state: Assignment.State
    organisation_name: str


def _as_of(assignment: Assignment, today: dt.date) -> dt.date:
    return min(assignment.period_end, today)


def _rows(assignments: list[Assignment], today: dt.date) -> list[Row]:
    """Rows with the organisation's name as it was in the period (one query for the page)."""
    versions: dict[int, list[OrganisationVersion]] = defaultdict(list)
    for version in OrganisationVersion.objects.filter(
        organisation_id__in={a.organisation_id for a in assignments}
    ).order_by("valid_from"):
        versions[version.organisation_id].append(version)
    rows = []
    for assignment in assignments:
        day = _as_of(assignment, today)
        name = assignment.organisation.name
        for version in versions[assignment.organisation_id]:
            if version.valid_from <= day and (version.valid_to is None or version.valid_to >= day):
                name = version.name
        rows.append(Row(assignment, assignment.state_on(today), name))
    return rows


def _querystring(request: AuthenticatedHttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def assignment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The assignments the user may see, with the government's statuses, soonest due first."""
    access.require_anywhere(request.user, Perm.PLAN_VIEW)
    today = timezone.localdate()
    scope = Assignment.objects.openable_by(request.user)
    form = AssignmentFilterForm(
        request.GET,
        plans=Plan.objects.filter(pk__in=scope.values("task__plan_id")).order_by(
            "-issued_on", "number"
        ),
        organisations=access.visible_organisations(request.user),
    )
    form.is_valid()  # invalid filters are reported and ignored
    data = form.cleaned_data
    qs = scope
    if data.get("state"):
        qs = qs.filter(states.state_q(data["state"], today))
    if data.get("plan") is not None:
        qs = qs.filter(task__plan=data["plan"])
    if data.get("period"):
        qs = qs.filter(period=data["period"].strip())
    if data.get("organisation") is not None:
        qs = qs.filter(organisation__path__startswith=data["organisation"].path)
    if data.get("kind") is not None:
        qs = qs.filter(organisation__kind=data["kind"])
    if data.get("task"):
        qs = qs.filter(task_id=data["task"])
    if data.get("due") == AssignmentFilterForm.DUE_SOON:
        # The reminder digest's window.
        soon = add_working_days(today, reminders.DUE_SOON_WORKING_DAYS)
        qs = qs.filter(completed_on__isnull=True, due_on__range=(today, soon))
    elif data.get("due") == AssignmentFilterForm.DUE_OVERDUE:
        qs = qs.filter(states.state_q(Assignment.State.OVERDUE, today))
    if data.get("confirm") == AWAITING_CONFIRMATION:
        qs = qs.filter(states.awaiting_confirmation_q())
    if data.get("due_within") is not None:
        qs = qs.filter(
            completed_on__isnull=True,
            due_on__range=(today, today + dt.timedelta(days=data["due_within"])),
        )
    ordered = LeadOrdered(
        qs,
        ("due_on", "task__plan_id", "task__order", "task__code", "organisation__path", "period"),
        prepare=lambda window: window.select_related("task__plan", "organisation"),
    )
    page = Paginator(ordered, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/assignment_list.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(list(page.object_list), today),
            "querystring": _querystring(request),
            "today": today,
            "can_decide": access.can_anywhere(request.user, Perm.PLAN_MANAGE),
        },
    )


def _assignment(request: AuthenticatedHttpRequest, pk: int) -> Assignment:
    """The assignment the user may open; otherwise 403 when its organisation is visible to
    them without PLAN_VIEW, else 404 (the API's `get_assignment` answers the same)."""
    try:
        return (
            Assignment.objects.openable_by(request.user)
            .select_related("task__plan", "organisation")
            .get(pk=pk)
        )
    except Assignment.DoesNotExist as exc:
        other = Assignment.objects.select_related("organisation").filter(pk=pk).first()
        if other is not None:
            access.require(request.user, Perm.PLAN_VIEW, other.organisation)
        raise Http404 from exc


def _render_detail(
    request: AuthenticatedHttpRequest,
    assignment: Assignment,
    *,
    progress_form: ProgressForm | None = None,
    extension_form: ExtensionRequestForm | None = None,
    decision_forms: dict[int, ExtensionDecisionForm] | None = None,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    perms = access.perms_on(user, assignment.organisation)
    state = assignment.state_on(today)
    is_open = assignment.completed_on is None
    extensions = list(
        assignment.extensions.select_related("requested_by", "decided_by").order_by("-created_at")
    )
    pending = [e for e in extensions if e.status == ExtensionRequest.Status.PENDING]
    can_update = Perm.PROGRESS_UPDATE in perms and assignment.confirmed_at is None
    can_decide = bool(pending) and progress.can_decide(user, pending[0])
    decision_forms = decision_forms or {}
    working_days_left = None
    if assignment.task.due_working_days and is_open:
        working_days_left = working_days_between(today, assignment.due_on)
    return render(
        request,
        "planning/assignment_detail.html",
        {
            "assignment": assignment,
            "row": _rows([assignment], today)[0],
            "state": state,
            "today": today,
            "extended": assignment.due_on != assignment.original_due_on,
            "working_days_left": working_days_left,
            "updates": assignment.updates.select_related("author")
            .prefetch_related("files")
            .order_by("-created_at", "-pk"),
            "extensions": extensions,
            "can_update": can_update,
            "can_confirm": Perm.PROGRESS_CONFIRM in perms
            and assignment.progress == Assignment.Progress.DONE
            and assignment.completed_on is not None
            and assignment.confirmed_at is None,
            "can_request_extension": Perm.PROGRESS_UPDATE in perms and is_open and not pending,
            "can_decide": can_decide,
            "progress_form": progress_form
            or ProgressForm(
                initial={
                    "progress": assignment.progress,
                    "percent": assignment.percent,
                    "completed_on": assignment.completed_on,
                }
            ),
            "extension_form": extension_form or ExtensionRequestForm(),
            "decision_forms": {
                e.pk: decision_forms.get(e.pk) or ExtensionDecisionForm(prefix=f"x{e.pk}")
                for e in pending
            }
            if can_decide
            else {},
        },
    )


@login_required
def assignment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _assignment(request, pk))


@login_required
@require_POST
def assignment_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    access.require(request.user, Perm.PROGRESS_UPDATE, assignment.organisation)
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        detail = reverse("assignments:detail", args=[assignment.pk])
        try:
            with once.guard(request, form, leads_to=detail):
                progress.update_progress(
                    assignment,
                    actor=request.user,
                    progress=data["progress"],
                    percent=data["percent"],
                    note=data["note"],
                    completed_on=data["completed_on"],
                    files=data["evidence"],
                )
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Đã cập nhật tiến độ."))
            return redirect("assignments:detail", pk=assignment.pk)
    return _render_detail(request, assignment, progress_form=form)


@login_required
@require_POST
def assignment_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    access.require(request.user, Perm.PROGRESS_CONFIRM, assignment.organisation)
    try:
        progress.confirm_completion(assignment, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã xác nhận hoàn thành."))
    return redirect("assignments:detail", pk=assignment.pk)


@login_required
@require_POST
def extension_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    access.require(request.user, Perm.PROGRESS_UPDATE, assignment.organisation)
    form = ExtensionRequestForm(request.POST)
    if form.is_valid():
        try:
            detail = reverse("assignments:detail", args=[assignment.pk])
            with once.guard(request, form, leads_to=detail):
                progress.request_extension(
                    assignment,
                    actor=request.user,
                    requested_due_on=form.cleaned_data["requested_due_on"],
                    reason=form.cleaned_data["reason"],
                )
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Đã gửi đề nghị gia hạn."))
            return redirect("assignments:detail", pk=assignment.pk)
    return _render_detail(request, assignment, extension_form=form)


def _render_extensions(
    request: AuthenticatedHttpRequest,
    *,
    bound: dict[int, ExtensionDecisionForm] | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    qs = (
        progress.pending_extensions(request.user)
        .select_related("assignment__task__plan", "assignment__organisation", "requested_by")
        .order_by("created_at", "pk")
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    extensions = list(page.object_list)
    rows = _rows([e.assignment for e in extensions], today)
    bound = bound or {}
    return render(
        request,
        "planning/extension_list.html",
        {
            "page": page,
            "items": [
                (e, row, bound.get(e.pk) or ExtensionDecisionForm(prefix=f"x{e.pk}"))
                for e, row in zip(extensions, rows, strict=True)
            ],
            "today": today,
        },
    )


@login_required
def extension_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_anywhere(request.user, Perm.PLAN_MANAGE)
    return _render_extensions(request)


@login_required
@require_POST
def extension_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        extension = ExtensionRequest.objects.select_related(
            "assignment__task__plan__issuing_organisation", "assignment__organisation"
        ).get(openable_q(request.user, "assignment__"), pk=pk)
    except ExtensionRequest.DoesNotExist as exc:
        raise Http404 from exc
    if not progress.can_decide(request.user, extension):
        # The requesting organisation sees its request but may not decide it.
        raise PermissionDenied
    from_list = request.POST.get("from") == "list"
    form = ExtensionDecisionForm(request.POST, prefix=f"x{extension.pk}")
    if form.is_valid():
        try:
            progress.decide_extension(
                extension,
                actor=request.user,
                approve=form.approve,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request,
                _("Đã chấp thuận đề nghị gia hạn.")
                if form.approve
                else _("Đã không chấp thuận đề nghị gia hạn."),
            )
            if from_list:
                return redirect("assignments:extensions")
            return redirect("assignments:detail", pk=extension.assignment_id)
    if from_list:
        return _render_extensions(request, bound={extension.pk: form})
    return _render_detail(request, extension.assignment, decision_forms={extension.pk: form})


@login_required
def evidence_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """One evidence file, as a download under its original name, to those who see the work."""
    try:
        evidence = EvidenceFile.objects.get(openable_q(request.user, "update__assignment__"), pk=pk)
        handle = evidence.file.open("rb")
    except (EvidenceFile.DoesNotExist, FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
