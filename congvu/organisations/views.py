"""Pages for the dated organisation tree, the badge sheet, and the public badge card.

Views only fetch-and-authorize through `access`, parse with a form, call one
service and render. Staff pages live in `staff_views.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.conduct.services import load_seed_catalogue
from congvu.core import my_exports, once, stale
from congvu.core import pdf_exports as jobs
from congvu.core.text import as_id
from congvu.core.types import AuthenticatedHttpRequest
from congvu.feedback import public_views as rating_views

from . import badge_exports, badges, restructuring, selectors, services
from .badge_models import BadgeExport
from .forms import (
    DissolveForm,
    MergeForm,
    MoveForm,
    NameClashFilterForm,
    OrganisationCreateForm,
    RenameForm,
    RootForm,
    SplitForm,
    TreeFilterForm,
    WithdrawRenameForm,
    apply_service_error,
)
from .models import Organisation, StaffMember

STAFF_PER_PAGE = 50
SEARCH_LIMIT = 100


@login_required
def tree(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The visible tree as of a day, with an accent-insensitive search and a kind filter;
    for whoever may start a tree (`services.may_create_root`), a link to its form."""
    access.require_anywhere(request.user, Perm.ORG_VIEW)
    params = request.GET.copy()
    if not params.get("day"):
        params["day"] = timezone.localdate().strftime("%d/%m/%Y")
    form = TreeFilterForm(params)
    form.is_valid()  # invalid fields are reported and fall back to their defaults
    day = form.cleaned_data.get("day") or timezone.localdate()
    data = form.cleaned_data
    query, kind = data.get("q", ""), data.get("kind")
    visible = Organisation.objects.visible_to(request.user)
    if kind is not None:
        visible = visible.filter(kind=kind)
    results = None
    if query:
        # By today's names or those borne on the tree's day (renamed since, or to come).
        results = list(
            selectors.with_names_on(visible.search_on(query, day), day)
            .select_related("kind", "parent")
            .order_by("path")[:SEARCH_LIMIT]
        )
    rows = selectors.flatten(selectors.tree_as_of(day, visible))
    # Siblings sharing a name (data from before the rule): told to whoever may rename them.
    clash_count = 0
    if access.can_anywhere(request.user, Perm.ORG_MANAGE):
        clash_count = selectors.name_clash_count(_manageable_ever(request), on=day)
    # One reverse() instead of one per node: 2,000 of them cost more than the query.
    detail_prefix, detail_suffix = reverse("organisations:detail", args=[0]).rsplit("0", 1)
    return render(
        request,
        "organisations/organisation_tree.html",
        {
            "detail_prefix": detail_prefix,
            "detail_suffix": detail_suffix,
            "form": form,
            "day": day,
            "query": query,
            "rows": rows,
            "empty": not rows and not Organisation.objects.exists(),
            "results": results,
            "search_limit": SEARCH_LIMIT,
            "may_create_root": services.may_create_root(request.user),
            "clash_count": clash_count,
        },
    )


@login_required
@require_GET
def name_clashes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Siblings open on a day that share a name but for case or the tone mark's place
    ("Văn phòng" / "VĂN PHÒNG", "Hòa" / "Hoà"), within the organisations the user may
    rename, each with a link to its rename form. The tree page's banner leads here."""
    access.require_anywhere(request.user, Perm.ORG_MANAGE)
    params = request.GET.copy()
    if not params.get("day"):
        params["day"] = timezone.localdate().strftime("%d/%m/%Y")
    form = NameClashFilterForm(params)
    form.is_valid()  # an invalid day is reported and falls back to today, as on the tree
    day = form.cleaned_data.get("day") or timezone.localdate()
    return render(
        request,
        "organisations/organisation_name_clashes.html",
        {
            "form": form,
            "day": day,
            "clashes": selectors.name_clashes(_manageable_ever(request), on=day),
        },
    )


@login_required
def create_root(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new top of the tree (a province's People's Committee): for the administrator and
    Home Affairs; the first step of an empty installation."""
    if not services.may_create_root(request.user):
        raise PermissionDenied
    form = RootForm(request.POST if request.method == "POST" else None, prefix="root")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with once.guard(request, form) as sending:
                root = services.create_organisation(
                    actor=request.user,
                    code=d["code"],
                    name=d["name"],
                    short_name=d["short_name"],
                    kind=d["kind"],
                    valid_from=d["valid_from"],
                )
                if d["seed_catalogue"]:
                    load_seed_catalogue(scope=root, actor=request.user, activate=True)
                sending.leads_to(reverse("organisations:detail", args=[root.pk]))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("Đã tạo cơ quan gốc."))
            return redirect("organisations:detail", pk=root.pk)
    return render(request, "organisations/root_form.html", {"form": form})


def _organisation(request: AuthenticatedHttpRequest, perm: Perm, pk: int) -> Organisation:
    return access.get_for(
        request.user,
        perm,
        Organisation.objects.select_related("kind", "parent", "successor"),
        organisation_of="",
        pk=pk,
    )


def _manageable(request: AuthenticatedHttpRequest) -> Any:
    return access.organisations_for(request.user, Perm.ORG_MANAGE).current()


def _manageable_ever(request: AuthenticatedHttpRequest) -> Any:
    """Where the user may rename, past and future organisations included: the name
    clashes of a day pick those open on it (`selectors.name_clashes`)."""
    return access.organisations_for(request.user, Perm.ORG_MANAGE)


def _action_forms(
    request: AuthenticatedHttpRequest, organisation: Organisation, bound: dict[str, Any]
) -> dict[str, Any]:
    manageable = _manageable(request)
    unbound: dict[str, Callable[[], Any]] = {
        "child": lambda: OrganisationCreateForm(prefix="child"),
        "rename": lambda: _rename_form(organisation),
        "move": lambda: MoveForm(prefix="move", organisations=manageable),
        "merge": lambda: MergeForm(prefix="merge", organisations=manageable),
        "split": lambda: SplitForm(prefix="split", initial={"kind": organisation.kind_id}),
        "dissolve": lambda: DissolveForm(prefix="dissolve", organisations=manageable),
    }
    return {key: bound.get(key) or make() for key, make in unbound.items()}


def _rename_form(organisation: Organisation, data: Any = None) -> RenameForm:
    form = RenameForm(
        data,
        prefix="rename",
        initial={"name": organisation.name, "short_name": organisation.short_name},
    )
    stale.add_field(form, organisation)  # a second tab's renaming is not silently undone
    return form


def _render_detail(
    request: AuthenticatedHttpRequest,
    organisation: Organisation,
    *,
    bound: dict[str, Any] | None = None,
    withdraw_errors: list[str] | None = None,
    withdraw_form: WithdrawRenameForm | None = None,
) -> HttpResponse:
    user = request.user
    perms = access.perms_on(user, organisation)
    visible = Organisation.objects.visible_to(user)
    can_manage = Perm.ORG_MANAGE in perms
    staff_page = None
    if Perm.STAFF_VIEW in perms:
        staff = organisation.staff.select_related("division").order_by("sort_name", "pk")
        staff_page = Paginator(staff, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    successor = organisation.successor
    context: dict[str, Any] = {
        "organisation": organisation,
        "today": timezone.localdate(),
        "successor": successor,
        "successor_visible": successor is not None and access.can(user, Perm.ORG_VIEW, successor),
        "parent_visible": organisation.parent is not None
        and access.can(user, Perm.ORG_VIEW, organisation.parent),
        "predecessors": visible.filter(successor=organisation).order_by("path"),
        "versions": organisation.versions.select_related("kind", "parent").order_by("valid_from"),
        "children": visible.filter(parent=organisation).select_related("kind").order_by("path"),
        "staff_page": staff_page,
        "can_manage": can_manage,
        "can_manage_staff": Perm.STAFF_MANAGE in perms,
        "can_print": Perm.BADGE_PRINT in perms,
        "can_see_conduct": Perm.STAFF_VIEW_CONTACT in perms,
        # A form opened by the link that leads to it (`?open=rename`: the name clashes).
        "open_form": next(iter(bound), None) if bound else request.GET.get("open"),
        # Renames recorded ahead of their day: shown to whoever sees the organisation,
        # each with a "withdraw" button for those who manage it.
        # Each with its own form's key (`core.once`); the one just sent keeps its key.
        "pending_renames": [
            (version, _withdraw_form(version.valid_from, withdraw_form))
            for version in restructuring.pending_renames(organisation)
        ],
        "withdraw_errors": withdraw_errors or [],
    }
    if can_manage:
        context["forms"] = _action_forms(request, organisation, bound or {})
        context["codes"] = _manageable(request).values_list("code", "name").order_by("code")
    return render(request, "organisations/organisation_detail.html", context)


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _organisation(request, Perm.ORG_VIEW, pk))


def _run(
    request: AuthenticatedHttpRequest,
    organisation: Organisation,
    key: str,
    form: Any,
    call: Callable[[dict[str, Any]], Organisation],
    success: str,
) -> HttpResponse:
    """Call the service with the cleaned data; on any error show the same page, input kept."""
    if form.is_valid():
        try:
            # A form that creates a unit carries a key (`core.once`): sent twice, once.
            # An edit form carries its version (`core.stale`): not over someone's change.
            with once.guard(request, form) as sending, stale.guard(form):
                result = call(form.cleaned_data)
                sending.leads_to(reverse("organisations:detail", args=[result.pk]))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, success)
            return redirect("organisations:detail", pk=result.pk)
    return _render_detail(request, organisation, bound={key: form})


@login_required
@require_POST
def create_child(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    parent = _organisation(request, Perm.ORG_MANAGE, pk)
    return _run(
        request,
        parent,
        "child",
        OrganisationCreateForm(request.POST, prefix="child"),
        lambda d: services.create_organisation(
            actor=request.user,
            code=d["code"],
            name=d["name"],
            short_name=d["short_name"],
            kind=d["kind"],
            parent=parent,
            valid_from=d["valid_from"],
        ),
        _("Đã tạo đơn vị trực thuộc."),
    )


@login_required
@require_POST
def rename(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, Perm.ORG_MANAGE, pk)
    return _run(
        request,
        organisation,
        "rename",
        _rename_form(organisation, request.POST),
        lambda d: restructuring.rename_organisation(
            organisation,
            actor=request.user,
            name=d["name"],
            short_name=d["short_name"],
            effective=d["effective"],
        ),
        _("Đã đổi tên cơ quan."),
    )


def _withdraw_form(day: dt.date, sent: WithdrawRenameForm | None) -> WithdrawRenameForm:
    """The withdraw form of the rename pending from `day`: the one just sent (with its key)
    when it named that day, else a new one with a new key."""
    if sent is not None and sent.is_bound and sent.cleaned_data.get("effective") == day:
        return sent
    return WithdrawRenameForm(initial={"effective": day})


@login_required
@require_POST
def withdraw_rename(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Withdraw a rename recorded ahead of its day (named by that day). Sent twice (a
    double tap, Back then send), it withdraws once and the second sending says so."""
    organisation = _organisation(request, Perm.ORG_MANAGE, pk)
    form = WithdrawRenameForm(request.POST)
    if form.is_valid():
        detail = reverse("organisations:detail", args=[organisation.pk])
        try:
            with once.guard(request, form, leads_to=detail):
                restructuring.withdraw_rename(
                    organisation, actor=request.user, effective=form.cleaned_data["effective"]
                )
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as error:
            return _render_detail(
                request, organisation, withdraw_errors=error.messages, withdraw_form=form
            )
        messages.success(request, _("Đã rút lại việc đổi tên."))
        return redirect(detail)
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    return _render_detail(request, organisation, withdraw_errors=errors)


@login_required
@require_POST
def move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, Perm.ORG_MANAGE, pk)
    return _run(
        request,
        organisation,
        "move",
        MoveForm(request.POST, prefix="move", organisations=_manageable(request)),
        lambda d: restructuring.move_organisation(
            organisation, actor=request.user, parent=d["parent"], effective=d["effective"]
        ),
        _("Đã chuyển cơ quan."),
    )


@login_required
@require_POST
def merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, Perm.ORG_MANAGE, pk)

    def call(d: dict[str, Any]) -> Organisation:
        new = None
        if not d["into"]:
            new = restructuring.NewOrganisation(
                code=d["new_code"], name=d["new_name"], kind=d["new_kind"]
            )
        return restructuring.merge_organisations(
            [organisation, *d["partners"]],
            actor=request.user,
            effective=d["effective"],
            into=d["into"],
            new=new,
        )

    return _run(
        request,
        organisation,
        "merge",
        MergeForm(request.POST, prefix="merge", organisations=_manageable(request)),
        call,
        _("Đã hợp nhất cơ quan."),
    )


@login_required
@require_POST
def split(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, Perm.ORG_MANAGE, pk)

    def call(d: dict[str, Any]) -> Organisation:
        parts = [
            restructuring.NewOrganisation(code=code, name=name, kind=d["kind"])
            for code, name in d["parts"]
        ]
        created = restructuring.split_organisation(
            organisation,
            actor=request.user,
            effective=d["effective"],
            parts=parts,
            successor_index=d["successor"] - 1,
            staff_to=d["staff_map"],
        )
        return created[d["successor"] - 1]

    form = SplitForm(
        request.POST,
        prefix="split",
        staff=StaffMember.objects.filter(organisation=organisation, is_active=True),
    )
    return _run(request, organisation, "split", form, call, _("Đã chia tách cơ quan."))


@login_required
@require_POST
def dissolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, Perm.ORG_MANAGE, pk)
    return _run(
        request,
        organisation,
        "dissolve",
        DissolveForm(request.POST, prefix="dissolve", organisations=_manageable(request)),
        lambda d: restructuring.dissolve_organisation(
            organisation,
            actor=request.user,
            effective=d["effective"],
            successor=d["successor"],
            move_staff_to=d["move_staff_to"],
            move_children_to=d["move_children_to"],
        ),
        _("Đã giải thể cơ quan."),
    )


@login_required
@require_GET
def badges_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """An A4 sheet of badge QR codes for the organisation (and, with ?subtree=1, below it):
    made in the request when small, else on the background worker (`badge_exports`)."""
    organisation = _organisation(request, Perm.BADGE_PRINT, pk)
    include_subtree = request.GET.get("subtree") == "1"
    staff = badge_exports.printable_staff(request.user, organisation, subtree=include_subtree)
    part = 0
    if len(staff) > badges.SHEET_MAX:
        # One file per part of SHEET_MAX cards, in the list's order (?part=1, 2, …).
        parts = range(1, badge_exports.part_count(len(staff)) + 1)
        asked = request.GET.get("part", "")
        if as_id(asked) not in parts:
            return render(
                request,
                "organisations/badges_parts.html",
                {
                    "organisation": organisation,
                    "count": len(staff),
                    "max": badges.SHEET_MAX,
                    "subtree": include_subtree,
                    "parts": [
                        (n, (n - 1) * badges.SHEET_MAX + 1, min(n * badges.SHEET_MAX, len(staff)))
                        for n in parts
                    ],
                },
                status=400 if asked else 200,
            )
        part = int(asked)
    cards = badge_exports.cards_of(staff, part)
    title = badge_exports.title_of(organisation, part, badge_exports.part_count(len(staff)))
    if not badge_exports.wanted_inline(len(cards)):
        export = badge_exports.request_pdf(
            organisation,
            user=request.user,
            subtree=include_subtree,
            part=part,
            cards=cards,
            title=title,
            source="web",
        )
        if jobs.is_ready(export):
            return jobs.file_response(export, badge_exports.download_name(export.sheet))
        return redirect("organisations:badge_export", pk=export.pk)
    pdf = badges.render_sheet(cards, title=title, site_url=settings.SITE_URL)
    badge_exports.audit_sheet(
        request.user,
        organisation,
        subtree=include_subtree,
        part=part,
        rows=len(cards),
        source="web",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"the-{slugify(organisation.code) or organisation.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _badge_export(request: AuthenticatedHttpRequest, pk: int) -> BadgeExport:
    """The user's own badge export, while they may still print for its organisation."""
    export = (
        BadgeExport.objects.select_related("sheet", "sheet__organisation")
        .filter(pk=pk, sheet__user=request.user)
        .first()
    )
    if export is None:
        raise Http404
    _organisation(request, Perm.BADGE_PRINT, export.sheet.organisation_id)
    return export


@login_required
@require_GET
def badge_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A large badge sheet being made: its progress, then the download link."""
    export = _badge_export(request, pk)
    sheet = export.sheet
    organisation = sheet.organisation
    query = {"subtree": "1"} if sheet.subtree else {}
    if sheet.part:
        query["part"] = str(sheet.part)
    retry = reverse("organisations:badges_pdf", args=[organisation.pk])
    links = jobs.Links(
        title=_("In thẻ (PDF)"),
        back=(reverse("organisations:detail", args=[organisation.pk]), organisation.name),
        poll=reverse("organisations:badge_export", args=[export.pk]),
        file=reverse("organisations:badge_export_file", args=[export.pk]),
        retry=f"{retry}?{urlencode(query)}" if query else retry,
        listed=True,
        delete=my_exports.delete_url("badges", export),
    )
    wording = jobs.Wording(
        running=_(
            "Đang tạo tệp thẻ gồm %(n)s thẻ; có thể mất khoảng một phút. "
            "Bạn có thể rời trang này và quay lại sau."
        )
        % {"n": intcomma(export.rows)}
    )
    return jobs.status_page(request, export, links, wording)


@login_required
@require_GET
def badge_export_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    export = _badge_export(request, pk)
    response = jobs.finished_file(export, badge_exports.download_name(export.sheet))
    badge_exports.audit_download(request.user, export, source="web")  # served, not a 404
    return response


@never_cache
def badge_card(request: HttpRequest, token: str) -> HttpResponse:
    """The public page behind a badge's QR code; no login.

    A rotated token or a staff member who left must stop working at once, so the
    page is never cached and answers 404 with a friendly explanation.
    """
    member = (
        StaffMember.objects.select_related("organisation", "division")
        .filter(badge_token=token, is_active=True)
        .first()
    )
    if member is None:
        return render(request, "organisations/badge_invalid.html", status=404)
    today = timezone.localdate()
    # The citizen's rating form sits under the card and posts back here.
    return rating_views.badge(
        request,
        member,
        {
            "member": member,
            "organisation_name": selectors.name_on(member.organisation, today),
            "division_name": selectors.name_on(member.division, today) if member.division else "",
        },
    )
