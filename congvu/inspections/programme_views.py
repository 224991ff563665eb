"""The yearly programme pages: the list, a new programme, its detail with the coverage
and the organisations not inspected for years, adding, changing and removing items,
approval. "Plan the inspection" on an item opens the inspection planning page pre-filled
(`views.inspection_new`).

Thin: fetch-and-authorize (`programme_selectors.get_programme`: 404 when invisible, 403
when visible without the permission), parse with a form, call one service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import once, stale
from congvu.core.outcomes import flash_outcome
from congvu.core.types import AuthenticatedHttpRequest

from . import (
    programme_amendment_bulk,
    programme_amendments,
    programme_documents,
    programme_services,
    selectors,
)
from . import programme_selectors as ps
from .models import InspectionProgramme, ProgrammeItem
from .programme_forms import (
    ApproveForm,
    BulkChangeForm,
    BulkForm,
    ItemForm,
    ProgrammeForm,
    ReasonForm,
    RescheduleForm,
    SearchForm,
    parse_period,
)
from .views import _form_errors

PAGE_SIZE = 50
NEVER_SHOWN = 100


@login_required
@require_GET
def programme_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.require_use(request.user)
    qs = InspectionProgramme.objects.visible_to(request.user).select_related("organisation")
    page = Paginator(qs.order_by("-year", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/programme_list.html",
        {"page": page, "querystring": "", "may_create": ps.may_create(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not ps.may_create(request.user):
        raise PermissionDenied
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        initial={"year": timezone.localdate().year + 1},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with once.guard(request, form) as sending:
                programme = programme_services.create_programme(
                    d["organisation"], actor=request.user, year=d["year"], title=d["title"]
                )
                sending.leads_to(reverse("inspections:programme", args=[programme.pk]))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo kế hoạch kiểm tra năm."))
            return redirect("inspections:programme", pk=programme.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "inspections/programme_new.html", {"form": form}, status=status)


def _detail(
    request: AuthenticatedHttpRequest,
    programme: InspectionProgramme,
    *,
    approve_form: ApproveForm | None = None,
    amendment_form: ReasonForm | None = None,
    amendment_approve_form: ApproveForm | None = None,
    abandon_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    manage = ps.may_manage(user, programme)
    today = timezone.localdate()
    found = ps.coverage(user, programme, today)
    history = ps.histories([row.item for row in found.rows])
    for row in found.rows:
        row.may_plan = access.can(user, Perm.INSPECTION_RUN, row.item.organisation)
        row.history = history.get(row.item.pk, [])
    amendments = list(ps.amendments_of(programme))
    # A draft amendment is its editors' alone; the others see the approved version.
    draft = next((a for a in amendments if a.is_draft), None) if manage else None
    pending = {c.item_id: c for c in draft.changes.all()} if draft is not None else {}
    for row in found.rows:
        row.pending = pending.get(row.item.pk)
    context: dict[str, Any] = {
        "programme": programme,
        "may_manage": manage,
        "may_approve": ps.may_approve(user, programme),
        "coverage": found,
        "states": ps.COVERAGE,
        "may_plan": selectors.may_plan(user),
        # The inspected organisations see which decisions amended the programme, not the
        # reasons, the drafts or the abandoned drafts (a reason may name another
        # organisation's surprise visit).
        "amendments": amendments
        if manage
        else [a for a in amendments if a.status == a.Status.APPROVED],
        "draft": draft,
    }
    if manage:
        search = SearchForm(request.GET or None)
        search.is_valid()
        data = getattr(search, "cleaned_data", {})
        years = data.get("years") or ps.YEARS_DEFAULT
        never = ps.never_inspected(
            user,
            year=programme.year,
            years=years,
            exclude_programme=programme,
            q=data.get("q") or "",
        )
        context.update(
            {
                "search": search,
                "years": years,
                "never": list(never[:NEVER_SHOWN]),
                "never_count": never.count(),
                "approve_form": approve_form or ApproveForm(prefix="a"),
                "amendment_form": amendment_form or ReasonForm(prefix="m"),
                "amendment_approve_form": amendment_approve_form or ApproveForm(prefix="d"),
                "abandon_form": abandon_form or ReasonForm(prefix="x"),
            }
        )
    return render(request, "inspections/programme_detail.html", context, status=status)


@login_required
@require_GET
def programme_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, ps.get_programme(request.user, pk))


def _to_manage(request: AuthenticatedHttpRequest, pk: int) -> InspectionProgramme:
    programme = ps.get_programme(request.user, pk)
    if not ps.may_manage(request.user, programme):
        raise PermissionDenied
    return programme


@login_required
@require_POST
def programme_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = _to_manage(request, pk)
    return _approve(
        request,
        programme,
        lambda **decision: programme_services.approve(programme, **decision),
        amendment=False,
        done=_("Đã phê duyệt kế hoạch kiểm tra năm."),
    )


def _approve(
    request: AuthenticatedHttpRequest,
    programme: InspectionProgramme,
    approve: Callable[..., object],
    *,
    amendment: bool,
    done: str,
) -> HttpResponse:
    """Approve the programme or its amendment with the decision's number and date, or
    show the programme again with the form's errors."""
    if not ps.may_approve(request.user, programme):
        raise PermissionDenied
    form = ApproveForm(request.POST, prefix="d" if amendment else "a")
    if form.is_valid():
        try:
            approve(
                actor=request.user,
                decision_number=form.cleaned_data["decision_number"],
                decision_on=form.cleaned_data["decision_on"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("inspections:programme", pk=programme.pk)
    if amendment:
        return _detail(request, programme, amendment_approve_form=form, status=400)
    return _detail(request, programme, approve_form=form, status=400)


def _item_initial(item: ProgrammeItem) -> dict[str, Any]:
    return {
        "organisation": item.organisation_id,
        "period": f"m{item.month}" if item.month else f"q{item.quarter}",
        "kind": item.kind,
        "lead": item.lead_id,
        "note": item.note,
    }


def _item_form(
    request: AuthenticatedHttpRequest,
    programme: InspectionProgramme,
    item: ProgrammeItem | None,
    *,
    amending: bool = False,
) -> HttpResponse:
    q = str(request.GET.get("q") or "")[:200]
    initial: dict[str, Any] = {"kind": "scheduled"}
    if item is not None:
        initial = _item_initial(item)
    elif request.GET.get("organisation"):
        initial["organisation"] = request.GET.get("organisation")
    form = ItemForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        programme=programme,
        q=q,
        initial=initial,
    )
    page = reverse("inspections:programme", args=[programme.pk])
    if item is not None:
        stale.add_field(form, item, _item_initial)  # a second tab's save is not undone
    else:
        # Adding (or proposing to add): sent twice, once; and answered before validating,
        # since the organisation added may no longer be offered.
        once.add_field(form)
        if request.method == "POST":
            try:
                once.check_sent(request, form)
            except once.AlreadySent as sent:
                return sent.response(request)
    if request.method == "POST" and form.is_valid():
        try:
            with once.guard(request, form, leads_to=page), stale.guard(form):
                if amending:
                    programme_amendments.propose_addition(
                        programme, actor=request.user, **form.service_kwargs()
                    )
                elif item is None:
                    programme_services.add_item(
                        programme, actor=request.user, **form.service_kwargs()
                    )
                else:
                    programme_services.update_item(
                        item, actor=request.user, **form.service_kwargs()
                    )
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc, {"quarter": "period", "month": "period"})
        else:
            messages.success(request, _("Đã lưu mục kế hoạch."))
            return redirect("inspections:programme", pk=programme.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "programme": programme,
        "item": item,
        "amending": amending,
        "form": form,
        "search": SearchForm({"q": q}),
    }
    return render(request, "inspections/programme_item_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = _to_manage(request, pk)
    if not programme.is_draft:
        messages.error(request, _("Kế hoạch đã được phê duyệt, không sửa được nữa."))
        return redirect("inspections:programme", pk=programme.pk)
    return _item_form(request, programme, None)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = ps.get_item_to_manage(request.user, pk)
    if not item.programme.is_draft:
        messages.error(request, _("Kế hoạch đã được phê duyệt, không sửa được nữa."))
        return redirect("inspections:programme", pk=item.programme_id)
    return _item_form(request, item.programme, item)


@login_required
@require_POST
def item_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = ps.get_item_to_manage(request.user, pk)
    flash_outcome(
        request,
        lambda: programme_services.remove_item(item, actor=request.user),
        lambda _removed: _("Đã xóa mục kế hoạch."),
    )
    return redirect("inspections:programme", pk=item.programme_id)


# --- documents ----------------------------------------------------------------------------


@login_required
@require_GET
def programme_document(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The whole programme (every organisation, unannounced visits included): its managers'."""
    if fmt not in programme_documents.FORMATS:
        raise Http404
    programme = _to_manage(request, pk)
    return programme_documents.exporter(programme, fmt, request.user).response()


# --- many items at once -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def items_bulk(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = _to_manage(request, pk)
    if not programme.is_draft:
        messages.error(request, _("Kế hoạch đã được phê duyệt, không sửa được nữa."))
        return redirect("inspections:programme", pk=programme.pk)
    return _bulk(request, programme, amending=False)


def _bulk(
    request: AuthenticatedHttpRequest, programme: InspectionProgramme, *, amending: bool
) -> HttpResponse:
    """Many organisations at once: into a draft programme, or proposed as additions in the
    amendment in preparation of an approved one. The same form, choice and checks."""
    q = str(request.GET.get("q") or "")[:200]
    form = BulkForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        programme=programme,
        q=q,
        initial={"kind": "scheduled"},
    )
    if request.method == "POST":
        try:
            once.check_sent(request, form)  # the organisations added are no longer offered
        except once.AlreadySent as sent:
            return sent.response(request)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = list(
            ps.bulk_organisations(
                request.user,
                programme,
                picked=[o.pk for o in d["organisations"]],
                kind=d["organisation_kind"],
                never_years=d["never_years"],
            )
        )
        add = (
            programme_amendment_bulk.propose_additions if amending else programme_services.add_items
        )
        try:
            page = reverse("inspections:programme", args=[programme.pk])
            with once.guard(request, form, leads_to=page):
                added = add(
                    programme, actor=request.user, organisations=chosen, **form.service_kwargs()
                )
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc, {"quarter": "period", "month": "period"})
        else:
            done = (
                _("Đã đề xuất bổ sung %(n)d cơ quan vào điều chỉnh.")
                if amending
                else _("Đã thêm %(n)d cơ quan vào kế hoạch.")
            )
            messages.success(request, done % {"n": len(added)})
            return redirect("inspections:programme", pk=programme.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "programme": programme,
        "form": form,
        "search": SearchForm({"q": q}),
        "q": q,
        "amending": amending,
    }
    return render(request, "inspections/programme_bulk.html", context, status=status)


# --- amendments ---------------------------------------------------------------------------


@login_required
@require_POST
def amendment_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = _to_manage(request, pk)
    form = ReasonForm(request.POST, prefix="m")
    if form.is_valid():
        try:
            programme_amendments.open_amendment(
                programme, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã mở điều chỉnh kế hoạch."))
            return redirect("inspections:programme", pk=programme.pk)
    return _detail(request, programme, amendment_form=form, status=400)


def _without_draft(
    request: AuthenticatedHttpRequest, programme: InspectionProgramme
) -> HttpResponse | None:
    """Back to the programme with a message when no amendment is open to record a change in."""
    if programme_amendments.draft_amendment(programme) is not None:
        return None
    messages.error(request, _("Hãy mở một điều chỉnh kế hoạch (kèm lý do) trước."))
    return redirect("inspections:programme", pk=programme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_item_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = _to_manage(request, pk)
    if (refused := _without_draft(request, programme)) is not None:
        return refused
    return _item_form(request, programme, None, amending=True)


def _change_form(request: AuthenticatedHttpRequest, pk: int, *, reschedule: bool) -> HttpResponse:
    item = ps.get_item_to_manage(request.user, pk)
    programme = item.programme
    if (refused := _without_draft(request, programme)) is not None:
        return refused
    form: ReasonForm | RescheduleForm
    # Bound on every POST, even an empty one: it must come back with its errors.
    data = request.POST if request.method == "POST" else None
    if reschedule:
        initial = {"period": f"m{item.month}" if item.month else f"q{item.quarter}"}
        form = RescheduleForm(data, initial=initial)
    else:
        form = ReasonForm(data)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if isinstance(form, RescheduleForm):
                quarter, month = parse_period(d["period"])
                programme_amendments.propose_reschedule(
                    item, actor=request.user, quarter=quarter, month=month, reason=d["reason"]
                )
            else:
                programme_amendments.propose_cancellation(
                    item, actor=request.user, reason=d["reason"]
                )
        except ValidationError as exc:
            _form_errors(form, exc, {"quarter": "period", "month": "period"})
        else:
            messages.success(request, _("Đã ghi thay đổi vào điều chỉnh đang soạn."))
            return redirect("inspections:programme", pk=programme.pk)
    status = 400 if request.method == "POST" else 200
    context = {"programme": programme, "item": item, "form": form, "reschedule": reschedule}
    return render(request, "inspections/programme_change_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _change_form(request, pk, reschedule=False)


@login_required
@require_http_methods(["GET", "POST"])
def item_reschedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _change_form(request, pk, reschedule=True)


@login_required
@require_POST
def change_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    change = ps.get_change_to_manage(request.user, pk)
    flash_outcome(
        request,
        lambda: programme_amendments.withdraw_change(change, actor=request.user),
        lambda _withdrawn: _("Đã bỏ thay đổi khỏi điều chỉnh."),
    )
    return redirect("inspections:programme", pk=change.amendment.programme_id)


@login_required
@require_POST
def amendment_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    amendment = ps.get_amendment_to_manage(request.user, pk)
    return _approve(
        request,
        amendment.programme,
        lambda **decision: programme_amendments.approve_amendment(amendment, **decision),
        amendment=True,
        done=_("Đã phê duyệt điều chỉnh kế hoạch."),
    )


@login_required
@require_POST
def amendment_abandon(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Give up the amendment in preparation, with the reason (kept, shown in the history)."""
    amendment = ps.get_amendment_to_abandon(request.user, pk)
    back = (
        redirect("inspections:programme", pk=amendment.programme_id)
        if ps.may_manage(request.user, amendment.programme)
        else redirect("inspections:programmes")  # its drafter, without the programme now
    )
    form = ReasonForm(request.POST, prefix="x")
    if form.is_valid():
        try:
            programme_amendments.abandon_amendment(
                amendment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict") or not amendment.is_draft:
                # Approved or abandoned already: there is no form to show it on.
                messages.error(request, " ".join(exc.messages))
                return back
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã hủy bỏ dự thảo điều chỉnh kế hoạch."))
            return back
    if not ps.may_manage(request.user, amendment.programme):
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back
    return _detail(request, amendment.programme, abandon_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_items_bulk(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = _to_manage(request, pk)
    if (refused := _without_draft(request, programme)) is not None:
        return refused
    return _bulk(request, programme, amending=True)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_changes_bulk(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ticked items of the approved programme cancelled or rescheduled at once through the
    amendment in preparation, with one reason: all or nothing."""
    programme = _to_manage(request, pk)
    if (refused := _without_draft(request, programme)) is not None:
        return refused
    q = str(request.GET.get("q") or "")[:200]
    form = BulkChangeForm(
        request.POST if request.method == "POST" else None,
        programme=programme,
        q=q,
        initial={"action": "cancel"},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        items = list(d["items"])
        try:
            if d["action"] == "reschedule":
                quarter, month = parse_period(d["period"])
                changes = programme_amendment_bulk.propose_reschedules(
                    programme,
                    actor=request.user,
                    items=items,
                    quarter=quarter,
                    month=month,
                    reason=d["reason"],
                )
            else:
                changes = programme_amendment_bulk.propose_cancellations(
                    programme, actor=request.user, items=items, reason=d["reason"]
                )
        except ValidationError as exc:
            _form_errors(form, exc, {"quarter": "period", "month": "period"})
        else:
            messages.success(
                request,
                _("Đã ghi %(n)d thay đổi vào điều chỉnh đang soạn.") % {"n": len(changes)},
            )
            return redirect("inspections:programme", pk=programme.pk)
    status = 400 if request.method == "POST" else 200
    context = {"programme": programme, "form": form, "search": SearchForm({"q": q}), "q": q}
    return render(request, "inspections/programme_changes_bulk.html", context, status=status)


@login_required
@require_GET
def amendment_document(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The amending decision (DOCX, Decree 30): a draft's for signing, or an approved one's."""
    amendment = ps.get_amendment_to_manage(request.user, pk)
    if amendment.is_abandoned:
        raise Http404
    return programme_documents.AmendmentDocx(amendment).response()
