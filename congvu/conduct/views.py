"""The public standards page and the catalogue's management pages (thin: parse, call, render)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import once, stale
from congvu.core.text import search_terms
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.models import Organisation

from . import selectors, services
from .forms import ClauseForm, DraftCreateForm, SectionForm, VersionForm, apply_errors
from .models import Clause, CodeVersion

MAX_QUERY = 200


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:MAX_QUERY]


def _blocks(versions: list[CodeVersion], query: str) -> tuple[list[Any], int | None]:
    """Catalogue blocks, filtered to the search hits when there is a query."""
    if not search_terms(query):
        return selectors.catalogue_blocks(versions), None
    hits = set(selectors.search_clauses(query, versions).values_list("pk", flat=True))
    return selectors.catalogue_blocks(versions, only=hits), len(hits)


# --- Public ----------------------------------------------------------------------------------


def public(request: HttpRequest) -> HttpResponse:
    """The standards in force, for everyone; ?scope=<code> adds an organisation's supplements."""
    query = _query(request)
    scope_code = request.GET.get("scope", "").strip()
    organisation = None
    if scope_code:
        organisation = Organisation.objects.filter(code=scope_code).first()
        if organisation is None:
            raise Http404
        versions = selectors.applicable_versions(organisation)
    else:
        base = selectors.provincial_version()
        versions = [base] if base is not None else []
    blocks, hit_count = _blocks(versions, query)
    return render(
        request,
        "conduct/catalogue_public.html",
        {
            "blocks": blocks,
            "query": query,
            "hit_count": hit_count,
            "organisation": organisation,
            "scope_code": scope_code,
        },
    )


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Read-only view of one version: public when active or retired, drafts for managers only."""
    version = CodeVersion.objects.select_related("scope", "based_on").filter(pk=pk).first()
    if version is None:
        raise Http404
    if version.status == CodeVersion.Status.DRAFT:
        if not request.user.is_authenticated:
            raise Http404
        access.require(request.user, Perm.CATALOGUE_MANAGE, version.scope)
    query = _query(request)
    blocks, hit_count = _blocks([version], query)
    can_manage = request.user.is_authenticated and access.can(
        request.user, Perm.CATALOGUE_MANAGE, version.scope
    )
    return render(
        request,
        "conduct/codeversion_detail.html",
        {
            "version": version,
            "blocks": blocks,
            "query": query,
            "hit_count": hit_count,
            "can_manage": can_manage,
        },
    )


def _refuse_unless_draft(request: HttpRequest, version: CodeVersion) -> HttpResponse | None:
    if version.is_editable:
        return None
    messages.error(
        request,
        _(
            "Chỉ sửa được bộ quy tắc ở trạng thái dự thảo; hãy tạo dự thảo mới từ phiên bản "
            "này. / Only draft versions can be edited; create a new draft from this version."
        ),
    )
    return redirect("conduct:version", pk=version.pk)


def _message_error(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


# --- Management pages ----------------------------------------------------------------------


@login_required
def manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Versions in the user's catalogue scope, and the form that starts a new draft."""
    access.require_anywhere(request.user, Perm.CATALOGUE_MANAGE)
    form = DraftCreateForm(request.POST if request.method == "POST" else None, user=request.user)
    once.add_field(form)  # sent twice (a double tap, Back), one draft
    if request.method == "POST" and form.is_valid():
        try:
            with once.guard(request, form) as sending:
                version = services.create_draft(
                    form.cleaned_data["scope"],
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    version=form.cleaned_data["version"],
                    based_on=form.cleaned_data["based_on"],
                )
                sending.leads_to(reverse("conduct:edit", args=[version.pk]))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã tạo dự thảo."))
            return redirect("conduct:edit", pk=version.pk)
    versions = (
        CodeVersion.objects.managed_by(request.user)
        .select_related("scope")
        .order_by("scope__path", "-created_at")
    )
    return render(
        request,
        "conduct/codeversion_manage.html",
        {"versions": versions, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A draft's details, its sections and clauses, and the actions on it."""
    version = selectors.managed_version(request.user, pk)
    refused = _refuse_unless_draft(request, version)
    if refused is not None:
        return refused
    form = VersionForm(
        request.POST if request.method == "POST" else None, initial=VersionForm.initial_for(version)
    )
    stale.add_field(form, version, VersionForm.initial_for)  # a second tab's save is not undone
    if request.method == "POST" and form.is_valid():
        try:
            with stale.guard(form):
                services.edit_version(version, actor=request.user, **_values(form))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("conduct:edit", pk=version.pk)
    return render(
        request,
        "conduct/codeversion_edit.html",
        {
            "version": version,
            "form": form,
            "blocks": selectors.catalogue_blocks([version]),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def activate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = selectors.managed_version(request.user, pk)
    try:
        services.activate(version, actor=request.user)
    except ValidationError as error:
        _message_error(request, error)
        return redirect("conduct:edit" if version.is_editable else "conduct:version", pk=pk)
    messages.success(request, _("Đã đưa bộ quy tắc vào áp dụng."))
    return redirect("conduct:version", pk=pk)


@login_required
@require_POST
def retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = selectors.managed_version(request.user, pk)
    try:
        services.retire(version, actor=request.user)
    except ValidationError as error:
        _message_error(request, error)
    else:
        messages.success(request, _("Đã bãi bỏ phiên bản."))
    return redirect("conduct:version", pk=pk)


@login_required
@require_POST
def delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = selectors.managed_version(request.user, pk)
    try:
        services.delete_draft(version, actor=request.user)
    except ValidationError as error:
        _message_error(request, error)
        return redirect("conduct:version", pk=pk)
    messages.success(request, _("Đã xóa dự thảo."))
    return redirect("conduct:manage")


def _values(form: Form) -> dict[str, Any]:
    """What the form says, without its key (`core.once`) or version (`core.stale`)."""
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if name not in (once.FIELD, stale.FIELD)
    }


@login_required
def section_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = selectors.managed_version(request.user, pk)
    refused = _refuse_unless_draft(request, version)
    if refused is not None:
        return refused
    form = SectionForm(request.POST if request.method == "POST" else None)
    once.add_field(form)  # sent twice (a double tap, Back), one section
    if request.method == "POST" and form.is_valid():
        try:
            with once.guard(request, form, leads_to=reverse("conduct:edit", args=[version.pk])):
                services.add_section(version, actor=request.user, **_values(form))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã thêm mục."))
            return redirect("conduct:edit", pk=version.pk)
    return render(
        request,
        "conduct/section_form.html",
        {"version": version, "form": form, "section": None},
        status=400 if form.errors else 200,
    )


@login_required
def section_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    section = selectors.managed_section(request.user, pk)
    version = section.version
    refused = _refuse_unless_draft(request, version)
    if refused is not None:
        return refused
    form = SectionForm(
        request.POST if request.method == "POST" else None, initial=SectionForm.initial_for(section)
    )
    stale.add_field(form, section, SectionForm.initial_for)  # a second tab's save is not undone
    if request.method == "POST" and form.is_valid():
        try:
            with stale.guard(form):
                services.edit_section(section, actor=request.user, **_values(form))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã lưu mục."))
            return redirect("conduct:edit", pk=version.pk)
    return render(
        request,
        "conduct/section_form.html",
        {"version": version, "form": form, "section": section},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def section_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    section = selectors.managed_section(request.user, pk)
    try:
        services.delete_section(section, actor=request.user)
    except ValidationError as error:
        _message_error(request, error)
        return redirect("conduct:version", pk=section.version_id)
    messages.success(request, _("Đã xóa mục."))
    return redirect("conduct:edit", pk=section.version_id)


@login_required
def clause_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    section = selectors.managed_section(request.user, pk)
    version = section.version
    refused = _refuse_unless_draft(request, version)
    if refused is not None:
        return refused
    form = ClauseForm(
        request.POST if request.method == "POST" else None,
        section=section,
        initial={"applies_to": Clause.AppliesTo.ALL, "default_severity": Clause.Severity.MINOR},
    )
    once.add_field(form)  # sent twice (a double tap, Back), one clause
    if request.method == "POST" and form.is_valid():
        try:
            with once.guard(request, form, leads_to=reverse("conduct:edit", args=[version.pk])):
                services.add_clause(section, actor=request.user, **_values(form))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã thêm chuẩn mực."))
            return redirect("conduct:edit", pk=version.pk)
    return render(
        request,
        "conduct/clause_form.html",
        {"version": version, "section": section, "form": form, "clause": None},
        status=400 if form.errors else 200,
    )


@login_required
def clause_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    clause = selectors.managed_clause(request.user, pk)
    section = clause.section
    version = section.version
    refused = _refuse_unless_draft(request, version)
    if refused is not None:
        return refused
    form = ClauseForm(
        request.POST if request.method == "POST" else None,
        section=section,
        exclude_pk=clause.pk,
        initial=ClauseForm.initial_for(clause),
    )
    stale.add_field(form, clause, ClauseForm.initial_for)  # a second tab's save is not undone
    if request.method == "POST" and form.is_valid():
        try:
            with stale.guard(form):
                services.edit_clause(clause, actor=request.user, **_values(form))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã lưu chuẩn mực."))
            return redirect("conduct:edit", pk=version.pk)
    return render(
        request,
        "conduct/clause_form.html",
        {"version": version, "section": section, "form": form, "clause": clause},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def clause_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    clause = selectors.managed_clause(request.user, pk)
    version_id = clause.section.version_id
    try:
        services.delete_clause(clause, actor=request.user)
    except ValidationError as error:
        _message_error(request, error)
        return redirect("conduct:version", pk=version_id)
    messages.success(request, _("Đã xóa chuẩn mực."))
    return redirect("conduct:edit", pk=version_id)
