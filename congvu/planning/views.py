"""Plan and task pages: the plan tree, a plan with its task table, a task with its
assignments, the forms, and the task-table import. Thin: the services write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import once, stale
from congvu.core.text import as_id, fold, search_terms
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.importing.reading import ImportFileError, check_upload

from . import dashboard_selectors, services, states
from . import task_import as table_import
from .forms import AssignmentFilterForm, ImportUploadForm, PlanFilterForm, PlanForm, TaskForm
from .models import Assignment, Plan, Task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_SALT = "congvu.planning.task_import"
IMPORT_MAX_AGE = 6 * 3600
PAGE_SIZE = 50
TASKS_PER_PAGE = 20
S = Assignment.State


def _visible_plan(request: AuthenticatedHttpRequest, pk: int) -> Plan:
    plan = (
        Plan.objects.visible_to(request.user)
        .select_related("issuing_organisation", "parent")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def _visible_task(request: AuthenticatedHttpRequest, pk: int) -> Task:
    task = (
        Task.objects.visible_to(request.user)
        .select_related("plan", "plan__issuing_organisation", "lead_organisation")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


def _form_errors(form: Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form's fields, or above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- plans --------------------------------------------------------------------------------


def _plan_rows(plans: list[Plan]) -> list[tuple[Plan, int]]:
    """Plans as a depth-first list (plan, depth): derived plans under their parent.

    A plan whose parent the user cannot see starts a tree of its own.
    """
    by_pk = {plan.pk: plan for plan in plans}
    children: dict[int | None, list[Plan]] = {}
    for plan in plans:
        parent = plan.parent_id if plan.parent_id in by_pk else None
        children.setdefault(parent, []).append(plan)
    rows: list[tuple[Plan, int]] = []
    stack = [(plan, 0) for plan in reversed(children.get(None, []))]
    while stack:
        plan, depth = stack.pop()
        rows.append((plan, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(plan.pk, [])))
    return rows


@login_required
@require_GET
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PlanFilterForm(request.GET or None)
    plans = list(
        Plan.objects.visible_to(request.user)
        .select_related("issuing_organisation")
        .order_by("issued_on", "number")
    )
    searching = False
    if form.is_valid():
        terms = search_terms(form.cleaned_data["q"])
        year = form.cleaned_data["year"]
        if terms or year:
            searching = True
            # A few hundred plans at most per user: folding in Python beats a folded column.
            plans = [
                plan
                for plan in plans
                if all(term in fold(f"{plan.number} {plan.title}") for term in terms)
                and (not year or plan.issued_on.year == year)
            ]
    return render(
        request,
        "planning/plan_list.html",
        {
            "form": form,
            "rows": [(plan, 0) for plan in plans] if searching else _plan_rows(plans),
            "searching": searching,
            "may_create": access.can_anywhere(request.user, Perm.PLAN_MANAGE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_anywhere(request.user, Perm.PLAN_MANAGE)
    initial: dict[str, Any] = {"issued_on": timezone.localdate()}
    parent_pk = as_id(request.GET.get("parent"))
    if parent_pk is not None:
        initial["parent"] = Plan.objects.visible_to(request.user).filter(pk=parent_pk).first()
    form = PlanForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        user=request.user,
        initial=initial,
    )
    once.add_field(form)  # sent twice (a double tap, Back), created once
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once.guard(request, form) as sending:
                plan = services.create_plan(
                    actor=request.user,
                    number=data["number"],
                    title=data["title"],
                    issuing_organisation=data["issuing_organisation"],
                    issued_on=data["issued_on"],
                    basis=data["basis"],
                    parent=data["parent"],
                    document=data["document"],
                )
                sending.leads_to(reverse("planning:plan_detail", args=[plan.pk]))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo kế hoạch. / Plan created."))
            return redirect("planning:plan_detail", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "planning/plan_form.html", {"form": form, "plan": None}, status=status)


@login_required
@require_GET
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _visible_plan(request, pk)
    tasks = (
        Task.objects.filter(plan=plan)
        .select_related("lead_organisation")
        .prefetch_related("assignee_kinds")
    )
    # A page of tasks, their assignments counted in one grouped query (and cached): a
    # plan's 50 tasks over 2,000 organisations and 5 years are 500,000 rows to count.
    page = Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    counts = dashboard_selectors.plan_task_counts(request.user, plan, [t.pk for t in page])
    rows = [(task, counts.get(task.pk)) for task in page]
    children = Plan.objects.visible_to(request.user).filter(parent=plan).order_by("issued_on")
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "rows": rows,
            "page": page,
            "states": S.choices,
            "children": children,
            "may_manage": services.may_manage(request.user, plan),
            "may_derive": access.can_anywhere(request.user, Perm.PLAN_MANAGE),
        },
    )


@login_required
@require_GET
def plan_document(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    plan = _visible_plan(request, pk)
    if not plan.document:
        raise Http404
    try:
        handle = plan.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=Path(plan.document.name).name)


def _plan_initial(plan: Plan) -> dict[str, Any]:
    return {
        "number": plan.number,
        "title": plan.title,
        "issuing_organisation": plan.issuing_organisation,
        "issued_on": plan.issued_on,
        "basis": plan.basis,
        "parent": plan.parent,
    }


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _visible_plan(request, pk)
    services.require_manage_visible(request.user, plan)
    form = PlanForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        user=request.user,
        plan=plan,
        initial=_plan_initial(plan),
    )
    stale.add_field(form, plan, _plan_initial)  # a second tab's save is not silently undone
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        document = data.pop("document")
        data.pop(stale.FIELD)
        try:
            with stale.guard(form):
                services.update_plan(plan, actor=request.user, document=document or None, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu kế hoạch. / Plan saved."))
            return redirect("planning:plan_detail", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "planning/plan_form.html", {"form": form, "plan": plan}, status=status)


# --- tasks --------------------------------------------------------------------------------


def _task_values(form: TaskForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["deliverable"] = data.get("deliverable") or ""
    return data


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _visible_plan(request, pk)
    services.require_manage_visible(request.user, plan)
    initial = {
        "code": str(Task.objects.filter(plan=plan).count() + 1),
        "assign_to": Task.AssignTo.NAMED,
        "starts_on": max(plan.issued_on, timezone.localdate()),
        "status": Task.Status.ACTIVE,
    }
    form = TaskForm(request.POST if request.method == "POST" else None, plan=plan, initial=initial)
    once.add_field(form)  # sent twice (a double tap, Back), added once
    if request.method == "POST" and form.is_valid():
        values = _task_values(form)
        values.pop(once.FIELD)
        try:
            with once.guard(request, form) as sending:
                task = services.create_task(plan, actor=request.user, **values)
                sending.leads_to(reverse("planning:task_detail", args=[task.pk]))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm nhiệm vụ. / Task added."))
            return redirect("planning:task_detail", pk=task.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "planning/task_form.html",
        {"form": form, "plan": plan, "task": None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    services.require_manage_visible(request.user, task.plan)
    form = TaskForm(
        request.POST if request.method == "POST" else None,
        plan=task.plan,
        initial=TaskForm.initial_for(task),
    )
    stale.add_field(form, task, TaskForm.initial_for)  # a second tab's save is not undone
    if request.method == "POST" and form.is_valid():
        values = _task_values(form)
        values.pop(stale.FIELD)
        try:
            with stale.guard(form):
                services.update_task(task, actor=request.user, **values)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu nhiệm vụ. / Task saved."))
            return redirect("planning:task_detail", pk=task.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "planning/task_form.html",
        {"form": form, "plan": task.plan, "task": task},
        status=status,
    )


@login_required
@require_POST
def task_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    services.require_manage_visible(request.user, task.plan)
    services.close_task(task, actor=request.user)
    messages.success(request, _("Đã kết thúc nhiệm vụ. / Task closed."))
    return redirect("planning:task_detail", pk=task.pk)


@login_required
@require_GET
def task_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = _visible_task(request, pk)
    today = timezone.localdate()
    assignments = Assignment.objects.visible_to(request.user).filter(task=task)
    periods = sorted(set(assignments.values_list("period", flat=True)))
    form = AssignmentFilterForm(request.GET or None, periods=periods)
    if form.is_valid():
        if form.cleaned_data["state"]:
            assignments = assignments.filter(states.state_q(form.cleaned_data["state"], today))
        if form.cleaned_data["period"]:
            assignments = assignments.filter(period=form.cleaned_data["period"])
        if form.cleaned_data["kind"] is not None:
            assignments = assignments.filter(organisation__kind=form.cleaned_data["kind"])
    assignments = assignments.select_related("organisation", "organisation__kind").order_by(
        "period_start", "organisation__path"
    )
    page = Paginator(assignments, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(assignment, assignment.state_on(today)) for assignment in page]
    filters = {k: str(v) for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "planning/task_detail.html",
        {
            "task": task,
            "plan": task.plan,
            "form": form,
            "page": page,
            "rows": rows,
            "querystring": urlencode(filters),
            "coordinating": task.coordinating_organisations.all(),
            "assignees": task.assignees.all(),
            "kinds": task.assignee_kinds.all(),
            "may_manage": services.may_manage(request.user, task.plan),
        },
    )


# --- task-table import --------------------------------------------------------------------


def _preview_page(
    request: AuthenticatedHttpRequest,
    plan: Plan,
    preview: table_import.Preview,
    payload: str,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "planning/task_import_preview.html",
        {"plan": plan, "preview": preview, "payload": payload},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _visible_plan(request, pk)
    services.require_manage_visible(request.user, plan)
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_upload(upload)
            rows = table_import.rows_for_storage(table_import.read_rows(upload.file))
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            preview = table_import.validate(plan, rows)
            payload = signing.dumps(
                {"plan": plan.pk, "rows": rows}, salt=IMPORT_SALT, compress=True
            )
            return _preview_page(request, plan, preview, payload)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "planning/task_import.html",
        {"plan": plan, "form": form, "help": table_import.TIME_FRAME_HELP},
        status=status,
    )


@login_required
@require_GET
def task_import_template(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _visible_plan(request, pk)
    response = HttpResponse(table_import.build_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-bang-nhiem-vu.xlsx"'
    return response


@login_required
@require_POST
def task_import_commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _visible_plan(request, pk)
    services.require_manage_visible(request.user, plan)
    payload = request.POST.get("payload", "")
    try:
        data = signing.loads(payload, salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
        if data.get("plan") != plan.pk:
            raise signing.BadSignature
        rows = data["rows"]
    except (signing.BadSignature, KeyError, TypeError, AttributeError):
        messages.error(
            request,
            _(
                "Bản xem trước đã hết hạn hoặc không hợp lệ; hãy tải tệp lên lại. / "
                "The preview expired or is invalid; upload the file again."
            ),
        )
        return redirect("planning:task_import", pk=plan.pk)
    try:
        preview = table_import.commit(plan, rows, actor=request.user)
    except ValidationError as exc:
        preview = table_import.validate(plan, rows)
        messages.error(request, " ".join(exc.messages))
        return _preview_page(request, plan, preview, payload, status=400)
    if preview.error_count:
        return _preview_page(request, plan, preview, payload, status=400)
    messages.success(
        request,
        _("Đã ghi %(created)s nhiệm vụ mới, cập nhật %(updated)s nhiệm vụ. / Tasks imported.")
        % {"created": preview.to_create, "updated": preview.to_update},
    )
    return redirect("planning:plan_detail", pk=plan.pk)
