"""Pages for staff members: list, detail, create, edit, leave, badge rotation, own profile."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.cases.selectors import discipline_record_by_year
from congvu.core import once, stale
from congvu.core.types import AuthenticatedHttpRequest

from . import badges, conduct_record, selectors, services
from .forms import StaffFilterForm, StaffForm, StaffLeaveForm, apply_service_error
from .models import Organisation, StaffMember

PER_PAGE = 50


@login_required
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Visible staff, searchable without accents, in Vietnamese name order (given name first)."""
    access.require_anywhere(request.user, Perm.STAFF_VIEW)
    form = StaffFilterForm(
        request.GET or None, organisations=Organisation.objects.visible_to(request.user)
    )
    form.is_valid()  # invalid filters are reported and ignored
    data = getattr(form, "cleaned_data", {})
    active = {"1": True, "0": False}.get(data.get("active") or "")
    staff = selectors.staff_search(
        StaffMember.objects.visible_to(request.user),
        query=data.get("q", ""),
        organisation=data.get("organisation"),
        category=data.get("category", ""),
        active=active,
    )
    page = Paginator(staff, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "organisations/staff_list.html",
        {"form": form, "page": page, "querystring": params.urlencode()},
    )


def _staff(request: AuthenticatedHttpRequest, perm: Perm, pk: int) -> StaffMember:
    try:
        member = StaffMember.objects.select_related("organisation", "division").get(pk=pk)
    except StaffMember.DoesNotExist as exc:
        raise Http404 from exc
    access.require_staff(request.user, perm, member)
    return member


def _render_staff(
    request: AuthenticatedHttpRequest,
    member: StaffMember,
    *,
    leave_form: StaffLeaveForm | None = None,
    is_me: bool = False,
) -> HttpResponse:
    perms = access.staff_perms(request.user, member)
    url = badges.badge_url(member, settings.SITE_URL)
    # The annual rating reads the decided discipline (Decree 90/2020): shown to those who
    # see the staff member's contact or the cases of their organisation, and to themselves.
    show_discipline = Perm.STAFF_VIEW_CONTACT in perms or Perm.CASE_VIEW in perms
    period = conduct_record.Period(timezone.localdate().year, timezone.localdate())
    return render(
        request,
        "organisations/staff_detail.html",
        {
            "member": member,
            "is_me": is_me,
            "show_contact": Perm.STAFF_VIEW_CONTACT in perms,
            "can_manage": Perm.STAFF_MANAGE in perms,
            "organisation_visible": Perm.ORG_VIEW in perms,
            "can_view_ratings": Perm.RATING_VIEW in perms,
            "assignments": member.assignments.select_related("organisation", "division").order_by(
                "-valid_from", "-pk"
            ),
            "badge_url": url,
            "badge_qr": badges.qr_data_uri(url) if member.is_active else "",
            "leave_form": leave_form or StaffLeaveForm(prefix="leave"),
            "discipline_by_year": discipline_record_by_year(member) if show_discipline else None,
            # The year's conduct record: the member's own box on their page; a link to
            # their organisation's record for those who may read it (not to themselves).
            "own_conduct": conduct_record.own_row(member, period) if is_me else None,
            "conduct_year": period.year,
            # Someone who left in an earlier year is found in that year's record.
            "conduct_link_year": member.left_on.year
            if member.left_on is not None and member.left_on.year >= conduct_record.FIRST_YEAR
            else period.year,
            "conduct_record_visible": access.can(
                request.user, Perm.STAFF_VIEW_CONTACT, member.organisation
            ),
        },
    )


@login_required
def staff_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_staff(request, _staff(request, Perm.STAFF_VIEW, pk))


@login_required
def my_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        member = StaffMember.objects.select_related("organisation", "division").get(
            user=request.user
        )
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    return _render_staff(request, member, is_me=True)


def _staff_form(request: AuthenticatedHttpRequest, **kwargs: Any) -> StaffForm:
    return StaffForm(
        request.POST if request.method == "POST" else None,
        organisations=access.organisations_for(request.user, Perm.STAFF_MANAGE).current(),
        **kwargs,
    )


def _save_staff(
    request: AuthenticatedHttpRequest, form: StaffForm, member: StaffMember | None
) -> StaffMember | None:
    """Call the create or update service; on a refusal put its message on the form."""
    if not form.is_valid():
        return None
    d = form.cleaned_data
    fields = {
        "full_name": d["full_name"],
        "staff_code": d["staff_code"],
        "category": d["category"],
        "position_title": d["position_title"],
        "is_leader": d["is_leader"],
        "organisation": d["organisation"],
        "division": d["division"],
        "email": d["email"],
        "phone": d["phone"],
    }
    try:
        if member is None:
            with once.guard(request, form) as sending:
                created = services.create_staff(
                    actor=request.user, valid_from=d["effective"], **fields
                )
                sending.leads_to(reverse("organisations:staff_detail", args=[created.pk]))
            return created
        with stale.guard(form):
            return services.update_staff(
                member, actor=request.user, effective=d["effective"], **fields
            )
    except ValidationError as error:
        apply_service_error(form, error)
        return None


def _staff_form_page(
    request: AuthenticatedHttpRequest,
    *,
    organisation: Organisation,
    member: StaffMember | None,
    initial: dict[str, Any],
    success: str,
) -> HttpResponse:
    """The create (no `member`) and edit pages: save a valid POST, else show the form."""
    form = _staff_form(request, initial=initial)
    if member is None:
        once.add_field(form)  # adding: sent twice (a double tap, Back), added once
    else:
        stale.add_field(form, member, _staff_initial)  # a second tab's save is not undone
    if request.method == "POST":
        try:
            saved = _save_staff(request, form, member)
        except once.AlreadySent as sent:
            return sent.response(request)
        if saved is not None:
            messages.success(request, success)
            return redirect("organisations:staff_detail", pk=saved.pk)
    return render(
        request,
        "organisations/staff_form.html",
        {"form": form, "organisation": organisation, "member": member},
    )


@login_required
def staff_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = access.get_for(
        request.user, Perm.STAFF_MANAGE, Organisation.objects.all(), organisation_of="", pk=pk
    )
    return _staff_form_page(
        request,
        organisation=organisation,
        member=None,
        initial={"organisation": organisation.code},
        success=_("Đã thêm cán bộ."),
    )


def _staff_initial(member: StaffMember) -> dict[str, Any]:
    return {
        "full_name": member.full_name,
        "staff_code": member.staff_code,
        "category": member.category,
        "position_title": member.position_title,
        "is_leader": member.is_leader,
        "organisation": member.organisation.code,
        "division": member.division.code if member.division else "",
        "email": member.email,
        "phone": member.phone,
    }


@login_required
def staff_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = _staff(request, Perm.STAFF_MANAGE, pk)
    return _staff_form_page(
        request,
        organisation=member.organisation,
        member=member,
        initial=_staff_initial(member),
        success=_("Đã cập nhật thông tin cán bộ."),
    )


@login_required
@require_POST
def staff_leave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = _staff(request, Perm.STAFF_MANAGE, pk)
    form = StaffLeaveForm(request.POST, prefix="leave")
    if form.is_valid():
        try:
            services.mark_staff_left(
                member,
                actor=request.user,
                left_on=form.cleaned_data["left_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Đã ghi nhận cán bộ thôi công tác."))
            return redirect("organisations:staff_detail", pk=member.pk)
    return _render_staff(request, member, leave_form=form)


@login_required
@require_POST
def staff_rotate_badge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = _staff(request, Perm.STAFF_MANAGE, pk)
    services.rotate_badge(member, actor=request.user)
    messages.success(request, _("Đã cấp mã thẻ mới; mã QR cũ không còn hiệu lực."))
    return redirect("organisations:staff_detail", pk=member.pk)
