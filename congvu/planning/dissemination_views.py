"""Pages for dissemination sessions, acknowledgements of the code and coverage.

Seeing sessions and coverage needs `PLAN_VIEW` on the organisation; recording
sessions and other people's acknowledgements needs `ACKNOWLEDGE_RECORD` (heads
and focal points). A staff member acknowledges for themselves from their account.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.conduct.selectors import applicable_versions
from congvu.core import once, stale
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.forms import apply_service_error
from congvu.organisations.models import Organisation, StaffMember

from . import dissemination as services
from .coverage import Coverage, coverage_by_organisation
from .dissemination_forms import (
    AcknowledgeForm,
    AttendanceForm,
    RecordAcknowledgementsForm,
    SessionForm,
    StaffSearchForm,
)
from .models import Dissemination

PER_PAGE = 30
STAFF_PER_PAGE = 50
ORGS_PER_PAGE = 100


def _querystring(params: QueryDict) -> str:
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


def _session(request: AuthenticatedHttpRequest, perm: Perm, pk: int) -> Dissemination:
    return access.get_for(
        request.user,
        perm,
        Dissemination.objects.select_related("organisation", "recorded_by"),
        pk=pk,
    )


def _organisation(request: AuthenticatedHttpRequest, perm: Perm, pk: int) -> Organisation:
    return access.get_for(request.user, perm, Organisation.objects.all(), organisation_of="", pk=pk)


# --- Sessions ------------------------------------------------------------------------------


@login_required
def session_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_anywhere(request.user, Perm.PLAN_VIEW)
    sessions = Dissemination.objects.filter(
        organisation__in=access.organisations_for(request.user, Perm.PLAN_VIEW).values("pk")
    ).select_related("organisation")
    organisation = None
    if request.GET.get("organisation"):
        organisation = _organisation(request, Perm.PLAN_VIEW, _int(request.GET["organisation"]))
        sessions = sessions.filter(organisation=organisation)
    page = Paginator(sessions.order_by("-held_on", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "planning/dissemination_list.html",
        {
            "page": page,
            "organisation": organisation,
            "querystring": _querystring(request.GET),
            "can_record": access.can_anywhere(request.user, Perm.ACKNOWLEDGE_RECORD),
        },
    )


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise Http404 from exc


def _recordable(request: AuthenticatedHttpRequest) -> Any:
    return access.organisations_for(request.user, Perm.ACKNOWLEDGE_RECORD).current()


@login_required
def session_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_anywhere(request.user, Perm.ACKNOWLEDGE_RECORD)
    organisations = _recordable(request)
    initial: dict[str, Any] = {}
    if request.GET.get("organisation"):
        chosen = _organisation(request, Perm.ACKNOWLEDGE_RECORD, _int(request.GET["organisation"]))
        initial["organisation"] = chosen.code
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once.guard(request, form) as sending:
                session = services.record_session(
                    data["organisation"],
                    actor=request.user,
                    held_on=data["held_on"],
                    format=data["format"],
                    content=data["content"],
                    participants=data["participants"],
                )
                sending.leads_to(reverse("dissemination:attendance", args=[session.pk]))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request, _("Đã ghi nhận buổi quán triệt. Hãy đánh dấu danh sách tham dự.")
            )
            return redirect("dissemination:attendance", pk=session.pk)
    return render(
        request,
        "planning/dissemination_form.html",
        {
            "form": form,
            "session": None,
            "codes": organisations.values_list("code", "name").order_by("code"),
        },
    )


@login_required
def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session(request, Perm.PLAN_VIEW, pk)
    attendees = session.attendees.select_related("division").order_by("sort_name", "pk")
    page = Paginator(attendees, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/dissemination_detail.html",
        {
            "session": session,
            "page": page,
            "can_record": access.can(request.user, Perm.ACKNOWLEDGE_RECORD, session.organisation),
        },
    )


@login_required
def session_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session(request, Perm.ACKNOWLEDGE_RECORD, pk)
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        initial={
            "held_on": session.held_on,
            "format": session.format,
            "content": session.content,
            "participants": session.participants,
        },
    )
    stale.add_field(form, session)  # a second tab's save is not silently undone
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with stale.guard(form):
                services.edit_session(
                    session,
                    actor=request.user,
                    held_on=data["held_on"],
                    format=data["format"],
                    content=data["content"],
                    participants=data["participants"],
                )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Đã cập nhật buổi quán triệt."))
            return redirect("dissemination:detail", pk=session.pk)
    return render(request, "planning/dissemination_form.html", {"form": form, "session": session})


@login_required
def session_attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The attendance list, one page of the organisation's staff at a time (no JS needed):
    the page's checkboxes are saved for the staff on that page only."""
    session = _session(request, Perm.ACKNOWLEDGE_RECORD, pk)
    eligible = services.eligible_attendees(session.organisation)
    search = StaffSearchForm(request.GET or None)
    shown_qs = eligible
    if search.is_valid() and search.cleaned_data["q"]:
        shown_qs = shown_qs.search(search.cleaned_data["q"])
    page = Paginator(shown_qs, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    form = AttendanceForm(request.POST if request.method == "POST" else None, staff=eligible)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_attendance(
                session,
                actor=request.user,
                shown=form.cleaned_data["shown"],
                present=form.cleaned_data["present"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Đã lưu danh sách tham dự."))
            if "next_page" in request.POST and page.has_next():
                params = request.GET.copy()
                params["page"] = str(page.next_page_number())
                return redirect(f"{request.path}?{params.urlencode()}")
            return redirect("dissemination:detail", pk=session.pk)
    present = set(session.attendees.values_list("pk", flat=True))
    return render(
        request,
        "planning/dissemination_attendance.html",
        {
            "session": session,
            "search": search,
            "form": form,
            "page": page,
            "present": present,
            "querystring": _querystring(request.GET),
        },
    )


# --- Acknowledgements --------------------------------------------------------------------------


@login_required
def acknowledge(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A staff member confirms the code in force for them: "I have read and will comply"."""
    member = (
        StaffMember.objects.select_related("organisation")
        .filter(user=request.user, is_active=True)
        .first()
    )
    if member is None:
        raise Http404
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.acknowledge(member, actor=request.user)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            if created:
                messages.success(request, _("Cảm ơn bạn đã xác nhận thực hiện quy tắc ứng xử."))
            return redirect("dissemination:acknowledge")
    versions = applicable_versions(member.organisation)
    done = services.acknowledged_versions(member, versions)
    return render(
        request,
        "planning/acknowledgement_confirm.html",
        {
            "member": member,
            "form": form,
            "rows": [(version, done.get(version.pk)) for version in versions],
            "pending": [version for version in versions if version.pk not in done],
        },
    )


@login_required
def acknowledgement_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A focal point ticks the staff without an account who have acknowledged the code."""
    organisation = _organisation(request, Perm.ACKNOWLEDGE_RECORD, pk)
    versions = applicable_versions(organisation)
    ids = [v.pk for v in versions]
    candidates = services.recordable_staff(organisation).exclude(
        acknowledgements__code_version_id__in=ids
    )
    search = StaffSearchForm(request.GET or None)
    shown = candidates
    if search.is_valid() and search.cleaned_data["q"]:
        shown = shown.search(search.cleaned_data["q"])
    page = Paginator(shown, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    form = RecordAcknowledgementsForm(
        request.POST if request.method == "POST" else None, staff=candidates
    )
    if request.method == "POST":
        try:
            # Sent again, the staff ticked are no longer offered: answered before validating.
            once.check_sent(request, form)
        except once.AlreadySent as sent:
            return sent.response(request)
    if request.method == "POST" and form.is_valid():
        here = f"{request.path}?{_querystring(request.GET)}"
        try:
            with once.guard(request, form, leads_to=here):
                created = services.record_acknowledgements(
                    organisation, actor=request.user, staff=form.cleaned_data["staff"]
                )
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            count = len({ack.staff_id for ack in created})
            messages.success(
                request,
                _("Đã ghi nhận %(count)d cán bộ xác nhận quy tắc ứng xử.") % {"count": count},
            )
            return redirect(here)
    ticked = {str(v) for v in form["staff"].value() or []} if form.is_bound else set()
    return render(
        request,
        "planning/acknowledgement_record.html",
        {
            "organisation": organisation,
            "versions": versions,
            "search": search,
            "form": form,
            "page": page,
            "ticked": ticked,
            "querystring": _querystring(request.GET),
        },
    )


# --- Coverage ------------------------------------------------------------------------------


@login_required
def coverage_table(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Coverage of every organisation the user may see, in tree order, with a total."""
    access.require_anywhere(request.user, Perm.PLAN_VIEW)
    organisations = (
        access.organisations_for(request.user, Perm.PLAN_VIEW)
        .current()
        .filter(kind__is_division=False)
        .order_by("path")
    )
    versions = services.active_version_ids()
    page = Paginator(organisations, ORGS_PER_PAGE).get_page(request.GET.get("page"))
    on_page = coverage_by_organisation([o.pk for o in page], versions)
    everything = coverage_by_organisation(organisations.values_list("pk", flat=True), versions)
    total = Coverage(
        sum(c.acknowledged for c in everything.values()),
        sum(c.active for c in everything.values()),
    )
    return render(
        request,
        "planning/coverage_table.html",
        {
            "page": page,
            "rows": [(o, on_page.get(o.pk, Coverage(0, 0))) for o in page],
            "total": total,
            "has_catalogue": bool(versions),
        },
    )


@login_required
def coverage_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, Perm.PLAN_VIEW, pk)
    ids = services.version_ids(organisation)
    missing = services.not_covered(organisation, ids)
    page = Paginator(missing, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/coverage_detail.html",
        {
            "organisation": organisation,
            "versions": applicable_versions(organisation),
            "coverage": services.coverage_of(organisation, ids),
            "page": page,
            "can_record": access.can(request.user, Perm.ACKNOWLEDGE_RECORD, organisation),
        },
    )
