"""Inspection pages: the list, planning, the inspection file, the checklist, the moves,
findings → cases and corrective actions, the organisation's answers, the evidence files.

Thin: fetch-and-authorize (`selectors.get_inspection`: 404 when invisible, 403
when visible without the permission), parse with a form, call one service,
redirect or render the form again with its errors and the user's input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.cases.selectors import handler_cases
from congvu.core import once, stale
from congvu.core.outcomes import flash_outcome
from congvu.core.types import AuthenticatedHttpRequest

from . import (
    documents,
    programme_selectors,
    selectors,
    services,
    signed_views,
    uploads,
    workflow,
)
from .forms import (
    CancelForm,
    ChecklistForm,
    ConcludeForm,
    CorrectiveActionForm,
    FilterForm,
    PlanForm,
    ReplanForm,
    RespondForm,
)
from .models import CorrectiveAction, Inspection, Observation

PAGE_SIZE = 50
S = Inspection.Status
#: Browsers never fill a file input again: without this, a user would think the files
#: that passed were kept.
FILES_NOT_SAVED = _lazy(
    "Chưa lưu tệp nào; hãy chọn lại các tệp. / No file was saved; select the files again."
)


def _form_errors(
    form: Form, exc: ValidationError, renamed: Mapping[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form's fields (`renamed`: the service's key →
    the form's field), or above the form."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            field = (renamed or {}).get(key, key)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- the list -------------------------------------------------------------------------------


@login_required
@require_GET
def inspection_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.require_use(request.user)
    form = FilterForm(request.GET or None)
    form.is_valid()  # invalid filters are shown on the form and ignored
    data = getattr(form, "cleaned_data", {})
    filters = selectors.Filters(
        status=data.get("status") or "", kind=data.get("kind") or "", q=data.get("q") or ""
    )
    qs = selectors.filter_inspections(Inspection.objects.visible_to(request.user), filters)
    page = Paginator(selectors.list_rows(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "form": form,
            "page": page,
            "querystring": params.urlencode(),
            "may_plan": selectors.may_plan(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.may_plan(request.user):
        raise PermissionDenied
    initial: dict[str, Any] = {"lead": request.user.pk}
    # "Plan the inspection" on a yearly programme's item: the item's organisation, kind
    # and lead, on the first day of its period (or today, when that is past).
    item_pk = request.POST.get("item") or request.GET.get("item")
    item = programme_selectors.get_item_to_plan(request.user, item_pk) if item_pk else None
    if item is not None:
        initial.update(
            {
                "organisation": item.organisation_id,
                "kind": item.kind,
                "lead": item.lead_id or request.user.pk,
                "planned_on": max(item.period_start, timezone.localdate()),
            }
        )
    form = PlanForm(
        request.POST if request.method == "POST" else None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with once.guard(request, form) as sending:
                inspection = services.plan_inspection(
                    d["organisation"],
                    actor=request.user,
                    kind=d["kind"],
                    planned_on=d["planned_on"],
                    lead=d["lead"],
                    members=list(d["members"]),
                    purpose=d["purpose"],
                    item=item,
                )
                sending.leads_to(reverse("inspections:detail", args=[inspection.code]))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Đã lên kế hoạch kiểm tra %(code)s.") % {"code": inspection.code}
            )
            return redirect("inspections:detail", code=inspection.code)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "inspections/inspection_new.html", {"form": form, "item": item}, status=status
    )


# --- the inspection file --------------------------------------------------------------------

Forms = Mapping[str, Form]


def _detail(
    request: AuthenticatedHttpRequest,
    inspection: Inspection,
    bound: Forms | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    bound = dict(bound or {})
    may_run = selectors.may_run(user, inspection)
    findings = selectors.may_see_findings(user, inspection)
    today = timezone.localdate()
    observations: list[Observation] = []
    breaches: list[Observation] = []
    if findings:
        observations = list(
            inspection.observations.select_related("clause", "staff", "case").prefetch_related(
                "corrective_actions__files", "files"
            )
        )
        breaches = [o for o in observations if o.is_breach]
        for o in observations:
            o.evidence = [f for f in o.files.all() if f.corrective_action_id is None]  # type: ignore[attr-defined]
    case_ids = {o.case_id for o in breaches if o.case_id}
    visible_cases = set(handler_cases(user).filter(pk__in=case_ids).values_list("pk", flat=True))
    may_respond = selectors.may_respond(user, inspection)
    for breach in breaches:
        breach.case_visible = breach.case_id in visible_cases  # type: ignore[attr-defined]
        breach.action_form = bound.get(f"action:{breach.pk}") or CorrectiveActionForm(  # type: ignore[attr-defined]
            prefix=f"a{breach.pk}"
        )
        for action in breach.corrective_actions.all():
            action.overdue = action.is_overdue(today)  # type: ignore[attr-defined]
            action.respond_form = bound.get(f"respond:{action.pk}") or RespondForm(  # type: ignore[attr-defined]
                prefix=f"r{action.pk}"
            )
    moves = workflow.allowed_moves(inspection) if may_run else []
    counts = dict.fromkeys(Observation.Result.values, 0)
    for o in observations:
        if o.result:
            counts[o.result] += 1
    context: dict[str, Any] = {
        "inspection": inspection,
        "members": list(inspection.members.all()),
        "may_run": may_run,
        "findings": findings,
        "observations": observations,
        "breaches": breaches,
        "unanswered": sum(1 for o in observations if not o.result),
        "counts": [(label, counts[value]) for value, label in Observation.Result.choices],
        "may_start": S.IN_PROGRESS in moves,
        "may_conclude": S.CONCLUDED in moves,
        "may_cancel": S.CANCELLED in moves,
        "may_add": may_run and inspection.status in (S.IN_PROGRESS, S.CONCLUDED),
        "may_respond": may_respond,
        "conclude_form": bound.get("conclude") or ConcludeForm(prefix="c"),
        "cancel_form": bound.get("cancel") or CancelForm(prefix="x"),
        "errors": bound.get("errors"),
        "documents": documents.available(user, inspection),
        **signed_views.page_context(user, inspection),
    }
    return render(request, "inspections/inspection_detail.html", context, status=status)


@login_required
@require_GET
def inspection_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _detail(request, selectors.get_inspection(request.user, code))


def _to_run(request: AuthenticatedHttpRequest, code: str) -> Inspection:
    inspection = selectors.get_inspection(request.user, code)
    if not selectors.may_run(request.user, inspection):
        raise PermissionDenied
    return inspection


@login_required
@require_http_methods(["GET", "POST"])
def inspection_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Change a planned inspection's day, team or purpose before it starts."""
    inspection = _to_run(request, code)
    if inspection.status != S.PLANNED:
        messages.info(
            request,
            _(
                "Chỉ sửa kế hoạch khi cuộc kiểm tra chưa bắt đầu. / The plan can only be "
                "changed before the inspection starts."
            ),
        )
        return redirect("inspections:detail", code=inspection.code)
    posted = request.method == "POST"
    form = ReplanForm.of(inspection, request.POST if posted else None)
    if posted and form.is_valid():
        d = form.cleaned_data
        try:
            with stale.guard(form):
                services.replan(
                    inspection,
                    actor=request.user,
                    planned_on=d["planned_on"],
                    lead=d["lead"],
                    members=list(d["members"]),
                    purpose=d["purpose"],
                    reason=d["reason"],
                )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu kế hoạch kiểm tra."))
            return redirect("inspections:detail", code=inspection.code)
    return render(
        request,
        "inspections/inspection_edit.html",
        {"form": form, "inspection": inspection},
        status=400 if posted else 200,
    )


@login_required
@require_POST
def inspection_start(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    inspection = _to_run(request, code)
    try:
        workflow.transition(inspection, S.IN_PROGRESS, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("inspections:detail", code=inspection.code)
    messages.success(request, _("Cuộc kiểm tra đã bắt đầu."))
    return redirect("inspections:checklist", code=inspection.code)


@login_required
@require_POST
def inspection_conclude(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    inspection = _to_run(request, code)
    form = ConcludeForm(request.POST, prefix="c")
    if form.is_valid():
        try:
            workflow.transition(
                inspection,
                S.CONCLUDED,
                actor=request.user,
                conclusion=form.cleaned_data["conclusion"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã kết luận cuộc kiểm tra."))
            return redirect("inspections:detail", code=inspection.code)
    return _detail(request, inspection, {"conclude": form}, status=400)


@login_required
@require_POST
def inspection_cancel(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    inspection = _to_run(request, code)
    form = CancelForm(request.POST, prefix="x")
    if form.is_valid():
        try:
            workflow.transition(
                inspection, S.CANCELLED, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã hủy cuộc kiểm tra."))
            return redirect("inspections:detail", code=inspection.code)
    return _detail(request, inspection, {"cancel": form}, status=400)


# --- the checklist --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checklist(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    inspection = _to_run(request, code)
    if inspection.status != S.IN_PROGRESS:
        messages.info(
            request,
            _("Chỉ ghi kết quả khi cuộc kiểm tra đang diễn ra."),
        )
        return redirect("inspections:detail", code=inspection.code)
    observations = list(
        inspection.observations.select_related("clause", "clause__section", "staff")
    )
    form = ChecklistForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        observations=observations,
        staff=selectors.organisation_staff(inspection.organisation).only(
            "pk", "full_name", "staff_code", "position_title"
        ),
        files=selectors.team_evidence(inspection),
        user=request.user,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.record_observations(
                    inspection,
                    form.answers(),
                    actor=request.user,
                    files=form.uploads(),
                    remove=form.removals(),
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu kết quả kiểm tra."))
                return redirect("inspections:checklist", code=inspection.code)
        if not form.non_field_errors():
            form.add_error(
                None,
                _(
                    "Chưa lưu: hãy sửa các mục được đánh dấu. / Not saved: correct the marked "
                    "items."
                ),
            )
        if request.FILES:
            form.add_error(
                None,
                FILES_NOT_SAVED,
            )
    answered = sum(1 for o in observations if o.result)
    return render(
        request,
        "inspections/checklist.html",
        {
            "inspection": inspection,
            "form": form,
            "answered": answered,
            "total": len(observations),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- findings -------------------------------------------------------------------------------


def _detail_url(inspection: Inspection) -> str:
    return reverse("inspections:detail", args=[inspection.code])


def _breach(
    request: AuthenticatedHttpRequest, code: str, pk: int
) -> tuple[Inspection, Observation]:
    inspection = _to_run(request, code)
    return inspection, selectors.get_observation(inspection, pk)


@login_required
@require_POST
def open_case(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    inspection, observation = _breach(request, code, pk)
    flash_outcome(
        request,
        lambda: services.open_case(observation, actor=request.user),
        lambda case: _("Đã mở vụ việc %(code)s.") % {"code": case.code},
    )
    return redirect("inspections:detail", code=inspection.code)


@login_required
@require_POST
def add_action(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    inspection, observation = _breach(request, code, pk)
    form = CorrectiveActionForm(request.POST, prefix=f"a{observation.pk}")
    if form.is_valid():
        try:
            with once.guard(request, form, leads_to=_detail_url(inspection)):
                services.add_corrective_action(
                    observation,
                    actor=request.user,
                    description=form.cleaned_data["description"],
                    days=form.cleaned_data["days"],
                )
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã giao biện pháp khắc phục."))
            return redirect("inspections:detail", code=inspection.code)
    return _detail(request, inspection, {f"action:{observation.pk}": form}, status=400)


@login_required
@require_POST
def respond(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    inspection = selectors.get_inspection(request.user, code)
    if not selectors.may_respond(request.user, inspection):
        raise PermissionDenied
    action = CorrectiveAction.objects.filter(observation__inspection=inspection, pk=pk).first()
    if action is None:
        raise Http404
    form = RespondForm(request.POST, request.FILES, prefix=f"r{action.pk}")
    if form.is_valid():
        try:
            with once.guard(request, form, leads_to=_detail_url(inspection)):
                services.respond(
                    action,
                    actor=request.user,
                    response=form.cleaned_data["response"],
                    done=form.cleaned_data["done"],
                    files=form.cleaned_data["proof"],
                )
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc, {"files": "proof"})
        else:
            messages.success(request, _("Đã gửi báo cáo khắc phục."))
            return redirect("inspections:detail", code=inspection.code)
    if request.FILES:
        form.add_error(
            "proof",
            FILES_NOT_SAVED,
        )
    return _detail(request, inspection, {f"respond:{action.pk}": form}, status=400)


# --- evidence files -------------------------------------------------------------------------


@login_required
@require_GET
def evidence_file(request: AuthenticatedHttpRequest, code: str, pk: int) -> FileResponse:
    """One evidence file, to those who see the findings: the team, and the inspected
    organisation once the inspection is concluded (before that a 404, as the findings are
    hidden); a photo is shown in the browser, anything else downloaded."""
    inspection = selectors.get_inspection(request.user, code)
    item = selectors.get_file(request.user, inspection, pk)
    return uploads.response(item)


# --- documents ------------------------------------------------------------------------------


def _document(
    request: AuthenticatedHttpRequest, code: str, document: str, fmt: str
) -> HttpResponse:
    """A paper of the inspection to whoever sees the inspection (404/403 as the page); one
    its state does not give yet is a message on the inspection's page."""
    if fmt not in documents.FORMATS:
        raise Http404
    inspection = selectors.get_inspection(request.user, code)
    try:
        exporter = documents.exporter(request.user, inspection, document, fmt)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("inspections:detail", code=inspection.code)
    return exporter.response()


@login_required
@require_GET
def minutes(request: AuthenticatedHttpRequest, code: str, fmt: str) -> HttpResponse:
    """Biên bản kiểm tra (DOCX or PDF): a draft while in progress, final once concluded."""
    return _document(request, code, documents.MINUTES, fmt)


@login_required
@require_GET
def conclusion_notice(request: AuthenticatedHttpRequest, code: str, fmt: str) -> HttpResponse:
    """Thông báo kết luận kiểm tra (DOCX or PDF), once concluded."""
    return _document(request, code, documents.NOTICE, fmt)
