"""Assigning many cases from the list, and the organisations' default handlers.

The bulk form wraps the list (it works without JavaScript); its action carries the
list's query string, so a refusal shows the same page again with the boxes still
ticked, the person and the reason kept, and each refused case named with its reason.
`case_bulk_filtered` does the same for every case matching the list's filters, after a
confirmation page that states how many and which filters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import slug_re
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.models import Organisation

from . import bulk_assignment, default_handler, selectors, visibility
from .assignment_forms import BulkAssignForm, DefaultHandlerForm, OrganisationSearchForm
from .bulk_assignment import Refusal
from .forms import CaseFilterForm
from .models import Case, DefaultHandler
from .views import _form_errors, filtered_cases, list_page, make_bulk_form, offer_again

CODE_MAX = 20
ORGS_PER_PAGE = 50


def _ticked(request: AuthenticatedHttpRequest) -> list[str]:
    raw = request.POST.getlist("cases")
    if request.POST.get("all_on_page"):
        raw += request.POST.getlist("shown")
    return sorted({code.strip().upper() for code in raw if code.strip()})


@login_required
@require_POST
def case_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Assign (or unassign) the cases ticked on the list, all of them or none."""
    access.require_anywhere(request.user, Perm.CASE_ASSIGN)
    form = make_bulk_form(request.POST, set())
    codes = _ticked(request)
    refusals: list[Refusal] = []
    # A case code is a slug: anything else names no case, as an unknown code does (a NUL
    # would reach the query, and PostgreSQL refuses it in text: a server error).
    if any(len(code) > CODE_MAX or not slug_re.match(code) for code in codes):
        raise Http404
    if form.is_valid():
        try:
            bulk_assignment.check_count(len(codes))
            found = selectors.handler_cases(request.user).filter(code__in=codes)
            cases = list(found.select_related("handling_organisation"))
            if len(cases) != len(codes):
                # A code the user may not see (or that does not exist): as for one case.
                raise Http404
            text = _bulk_apply(request, form, cases)
        except ValidationError as exc:
            _form_errors(form, exc)
        except bulk_assignment.Refused as refused:
            form.add_error(None, refused.message)
            refusals = refused.refusals
        else:
            messages.success(request, text)
            query = request.GET.urlencode()
            return redirect(reverse("cases:list") + (f"?{query}" if query else ""))
    return list_page(
        request, bulk_form=form, ticked=frozenset(codes), refusals=refusals, status=400
    )


# --- every case matching the list's filters -----------------------------------------------


def _filter_summary(form: CaseFilterForm) -> list[tuple[str, str]]:
    """The list's filters in use, as the user chose them: (label, value)."""
    shown = []
    for name, value in getattr(form, "cleaned_data", {}).items():
        if value in (None, ""):
            continue
        field = form.fields[name]
        if isinstance(value, dt.date):
            text = value.strftime("%m/%Y")
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            text = str(dict(cast(Any, field.choices)).get(value, value))
        else:
            text = str(value)
        shown.append((str(field.label), text))
    return shown


@login_required
@require_http_methods(["GET", "POST"])
def case_bulk_filtered(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Assign (or unassign) every case matching the list's filters, all or none, after a
    confirmation that states how many and which filters. The filters come from the query
    string through the list's own filter form and scope, never from posted codes; the
    count confirmed is posted back and must still hold."""
    access.require_anywhere(request.user, Perm.CASE_ASSIGN)
    filters, _base, matched = filtered_cases(request)
    if "organisation" in filters.errors:
        # An organisation the user does not see: as for one case.
        raise Http404
    count = matched.count()
    query = request.GET.urlencode()
    posted = request.method == "POST"
    form = make_bulk_form(request.POST if posted else None, set())
    refusals: list[Refusal] = []
    problem = ""
    if filters.errors:
        problem = _(
            "Bộ lọc không hợp lệ: hãy sửa bộ lọc trên danh sách trước. / The filters are not "
            "valid: correct them on the list first."
        )
    else:
        try:
            bulk_assignment.check_matching_count(count)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
    cases = [] if problem else list(matched.select_related("handling_organisation"))
    if posted and not problem and form.is_valid():
        if request.POST.get("expected") != str(count):
            form.add_error(
                None,
                _(
                    "Số vụ việc khớp bộ lọc đã thay đổi (nay là %(count)d): hãy xem lại rồi "
                    "xác nhận. / The number of matching cases has changed (now %(count)d): "
                    "check again, then confirm."
                )
                % {"count": count},
            )
        else:
            try:
                text = _bulk_apply(request, form, cases, whole_list=True)
            except ValidationError as exc:
                _form_errors(form, exc)
            except bulk_assignment.Refused as refused:
                form.add_error(None, refused.message)
                refusals = refused.refusals
            else:
                messages.success(request, text)
                return redirect(reverse("cases:list") + (f"?{query}" if query else ""))
    assignable_at = {
        case.handling_organisation for case in cases if visibility.can_assign(request.user, case)
    }
    if posted:
        offer_again(form, assignable_at)
    else:
        form = make_bulk_form(None, assignable_at)
    return render(
        request,
        "cases/case_bulk_filtered.html",
        {
            "filters": _filter_summary(filters) if not filters.errors else [],
            "filter_form": filters,
            "count": count,
            "codes": sorted(case.code for case in cases),
            "problem": problem,
            "bulk_form": form,
            "bulk_posted": form if form.is_bound else None,
            "refusals": refusals,
            "querystring": query,
            "bulk_max": bulk_assignment.MANY_MAX,
        },
        status=400 if posted or problem else 200,
    )


def _bulk_apply(
    request: AuthenticatedHttpRequest,
    form: BulkAssignForm,
    cases: list[Case],
    *,
    whole_list: bool = False,
) -> str:
    """Call the bulk service the form asks for; the message to show when done."""
    data = form.cleaned_data
    if data["action"] == "assign":
        done = bulk_assignment.assign_many(
            cases,
            assignee=data["assignee"],
            actor=request.user,
            reason=data["reason"],
            whole_list=whole_list,
        )
        return ngettext(
            "Đã giao %(count)d vụ việc cho %(name)s. / %(count)d case assigned to %(name)s.",
            "Đã giao %(count)d vụ việc cho %(name)s. / %(count)d cases assigned to %(name)s.",
            len(done),
        ) % {"count": len(done), "name": data["assignee"]}
    done = bulk_assignment.unassign_many(
        cases, actor=request.user, reason=data["reason"], whole_list=whole_list
    )
    return ngettext(
        "Đã thôi giao %(count)d vụ việc. / %(count)d case unassigned.",
        "Đã thôi giao %(count)d vụ việc. / %(count)d cases unassigned.",
        len(done),
    ) % {"count": len(done)}


# --- default handlers -------------------------------------------------------------------------


@login_required
def default_handlers(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organisations where the user names the default handler, searchable without
    accents, with the one named (or flagged to replace)."""
    access.require_anywhere(request.user, Perm.CASE_ASSIGN)
    search = OrganisationSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    organisations = access.organisations_for(
        request.user, Perm.CASE_ASSIGN, Organisation.objects.current()
    ).filter(kind__is_division=False)
    if query:
        organisations = organisations.search(query)
    page = Paginator(organisations.order_by("path"), ORGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows: dict[int, dict[str, DefaultHandler]] = {}
    for row in DefaultHandler.objects.select_related("handler", "lost_handler").filter(
        organisation__in=list(page)
    ):
        rows.setdefault(row.organisation_id, {})[row.track] = row
    items = []
    for org in page:
        mine = rows.get(org.pk, {})
        wide = mine.get("")
        tracks = [
            (default_handler.track_label(track), one, default_handler.needs_replacement(one))
            for track in default_handler.TRACKS[1:]
            if default_handler.is_set(one := mine.get(track))
        ]
        items.append((org, wide, default_handler.needs_replacement(wide), tracks))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "cases/default_handlers.html",
        {"search": search, "page": page, "items": items, "querystring": params.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def default_handler_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One form per row: the organisation-wide default and one per track. A post sets
    the row its `track` names (none: the organisation-wide one, as before tracks)."""
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise Http404
    access.require(request.user, Perm.CASE_ASSIGN, organisation)
    current = default_handler.all_of(organisation)
    eligible = default_handler.eligible(organisation)
    posted: DefaultHandlerForm | None = None
    if request.method == "POST":
        track = request.POST.get("track", "")
        if track not in default_handler.TRACKS:
            raise Http404
        posted = DefaultHandlerForm(request.POST, eligible=eligible, track=track)
        if posted.is_valid():
            try:
                default_handler.set_default(
                    organisation,
                    handler=posted.cleaned_data["handler"],
                    actor=request.user,
                    track=track,
                )
            except ValidationError as exc:
                _form_errors(posted, exc)
            else:
                messages.success(
                    request,
                    _("Đã lưu người nhận vụ việc mặc định. / The default handler was saved."),
                )
                return redirect("cases:default_handler_edit", pk=organisation.pk)
    sections = []
    for track in default_handler.TRACKS:
        row = current.get(track)
        form = (
            posted
            if posted is not None and posted.for_track == track
            else DefaultHandlerForm(
                initial={"handler": row.handler if row is not None else None, "track": track},
                eligible=eligible,
                track=track,
            )
        )
        sections.append(
            {
                "track": track,
                "label": default_handler.track_label(track),
                "row": row,
                "needs_replacement": default_handler.needs_replacement(row),
                "form": form,
            }
        )
    return render(
        request,
        "cases/default_handler_form.html",
        {"organisation": organisation, "sections": sections},
        status=400 if posted is not None and posted.errors else 200,
    )
