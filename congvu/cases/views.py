"""Back-office case pages: the list, the case file with its actions, internal intake,
file downloads, the subject's own view, the dashboard and the export.

Thin: fetch-and-authorize, parse with a form, call one service, render. A case
nobody may see in the user's scope is a 404; a case whose organisation the user
sees without CASE_VIEW is a 403. The subject of a case never reaches its case
file (404): they read it through `cases:subject_view`, which shows only what is
addressed to them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.core import my_exports, once, stale
from congvu.core import pdf_exports as jobs
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.models import Organisation, StaffMember

from . import (
    assignment,
    bulk_assignment,
    discipline,
    documents,
    export_jobs,
    exports,
    selectors,
    services,
    signed_views,
    tags,
    unattended,
    visibility,
    workflow,
)
from . import identity as reporter_identity
from .assignment_forms import BulkAssignForm
from .forms import (
    AssignForm,
    CaseFilterForm,
    CaseTagsForm,
    DecideForm,
    ExtendForm,
    IntakeForm,
    LinkDuplicateForm,
    NoteForm,
    ProposeForm,
    ReporterMessageForm,
    RevealIdentityForm,
    StatementForm,
    StatementRequestForm,
    TransitionForm,
    UnassignForm,
    list_filters,
)
from .models import Case, CaseEvent, CaseExport, CaseFile, DisciplineDecision

PAGE_SIZE = 50
# The receipt of a report an officer has just recorded, until its page is drawn.
INTAKE_RECEIPT = "cases.intake_receipt"
S = Case.Status
A = CaseEvent.Audience
K = CaseEvent.Kind


#: A service's error keys that name a form field differently.
FIELD_FOR_ERROR = {"files": "attachments", "main": "main_code", "file": "file"}


def _form_errors(form: Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form's fields, or above the form."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            name = FIELD_FOR_ERROR.get(key, key)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _file_list(form: Form) -> list[Any]:
    return list(form.cleaned_data.get("attachments") or [])


# --- fetching with access -------------------------------------------------------------------


def _case_for_handlers(request: AuthenticatedHttpRequest, code: str) -> Case:
    """The case as a handler or supervisor sees it: 404 if invisible, 403 if its handling
    organisation is visible but the user lacks CASE_VIEW there; 404 for the subject of the
    case. (Not the organisation it is about: a case about a department's leader is handled
    above it, kept from that department, and must not be confirmed to exist there.) The
    API's `get_case` answers the same."""
    user = request.user
    case = (
        selectors.handler_cases(user)
        .select_related(
            "organisation",
            "handling_organisation",
            "subject_staff",
            "subject_staff__organisation",
            "main_case",
            "created_by",
        )
        .filter(code=code)
        .first()
    )
    if case is not None:
        return case
    other = Case.objects.select_related("organisation", "handling_organisation").filter(code=code)
    found = other.first()
    if found is None or visibility.is_subject(user, found):
        raise Http404
    access.require(user, Perm.CASE_VIEW, found.handling_organisation)
    raise Http404


def _case_to_handle(request: AuthenticatedHttpRequest, code: str) -> Case:
    case = _case_for_handlers(request, code)
    if not visibility.can_handle(request.user, case):
        raise PermissionDenied
    return case


# --- the list -------------------------------------------------------------------------------


def _filters(request: AuthenticatedHttpRequest) -> tuple[CaseFilterForm, selectors.CaseFilters]:
    return list_filters(request.user, request.GET)


def filtered_cases(request: AuthenticatedHttpRequest) -> tuple[CaseFilterForm, Any, Any]:
    """The filter form, the cases matching every filter but the status, and all of them."""
    form, filters = _filters(request)
    base = selectors.filter_cases(
        selectors.handler_cases(request.user), filters, today=timezone.localdate()
    )
    cases = base.filter(status=filters.status) if filters.status else base
    return form, base, cases


@login_required
@require_GET
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return list_page(request)


def list_page(
    request: AuthenticatedHttpRequest,
    *,
    bulk_form: Form | None = None,
    ticked: frozenset[str] = frozenset(),
    refusals: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case list (its filters and page from the query string), with the bulk
    assignment form when the user may assign some of the cases shown."""
    access.require_anywhere(request.user, Perm.CASE_VIEW)
    form, base, cases = filtered_cases(request)
    page = Paginator(selectors.list_rows(cases), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    by_track = selectors.track_clocks()
    warn = selectors.clocks.warning_dates(today, by_track)
    rows = [
        (
            case,
            selectors.deadline_of(case, today, by_track, warn),
            visibility.masked_for(request.user, case)(case.subject_description),
        )
        for case in page
    ]
    stale = assignment.stale_pairs(Case.objects.filter(pk__in=[case.pk for case in page]))
    params = request.GET.copy()
    params.pop("page", None)
    status_params = params.copy()
    status_params.pop("status", None)
    counts = selectors.status_counts(base)
    assignable = {case.code for case in page if visibility.can_assign(request.user, case)}
    assignable_at = {case.handling_organisation for case in page if case.code in assignable}
    if assignable and bulk_form is None:
        bulk_form = make_bulk_form(None, assignable_at)
    elif isinstance(bulk_form, BulkAssignForm):
        offer_again(bulk_form, assignable_at)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "querystring": params.urlencode(),
            "status_querystring": status_params.urlencode(),
            "status_counts": [(value, label, counts[value]) for value, label in S.choices],
            "status_total": sum(counts.values()),
            "current_status": form.cleaned_data.get("status", "") if form.is_bound else "",
            "may_create": access.can_anywhere(request.user, Perm.CASE_HANDLE),
            "may_set_defaults": access.can_anywhere(request.user, Perm.CASE_ASSIGN),
            "to_reassign": {
                case.pk
                for case in page
                if (case.assignee_id, case.handling_organisation_id) in stale
            },
            "assignable": assignable,
            "bulk_form": bulk_form if assignable else None,
            "bulk_posted": bulk_form if bulk_form is not None and bulk_form.is_bound else None,
            "bulk_max": bulk_assignment.MANY_MAX,
            "ticked": ticked,
            "refusals": refusals or [],
        },
        status=status,
    )


def _handlers_of(organisations: set[Organisation], *, also: User | None = None) -> QuerySet[User]:
    offered = User.objects.none()
    for organisation in organisations:
        offered = offered | access.holders(Perm.CASE_HANDLE, organisation)
    if also is not None:
        offered = offered | User.objects.filter(pk=also.pk)
    return offered.distinct().order_by("full_name", "username")


def make_bulk_form(data: Any, organisations: set[Organisation]) -> BulkAssignForm:
    """The bulk form offering whoever may handle cases in `organisations` (those of the
    page's cases the user may assign); posted, any active user (the service decides)."""
    if data is not None:
        offered = User.objects.filter(is_active=True)
    else:
        offered = _handlers_of(organisations)
    return BulkAssignForm(data, prefix="bulk", offered=offered)


def offer_again(form: BulkAssignForm, organisations: set[Organisation]) -> None:
    """A refused bulk form is shown again: its list offers whoever may handle the cases
    shown, and the person chosen — not every active user of the province, whom the
    posted form accepted only so that the service could name each refusal."""
    chosen = getattr(form, "cleaned_data", {}).get("assignee")
    field = form.fields["assignee"]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = _handlers_of(organisations, also=chosen)


@login_required
@require_GET
def case_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered cases as a workbook (or CSV, `?format=csv`): written here up to
    `export_jobs.inline_max_rows()` rows, else made on the worker while the user watches
    its page."""
    access.require_anywhere(request.user, Perm.CASE_VIEW)
    query = export_jobs.web_query(request.GET)
    file_format = export_jobs.file_format_of(request.GET.get("format"))
    if file_format is None:
        # Said, with the filter kept: the same export in either format is one click away.
        return render(
            request,
            "cases/export_bad_format.html",
            {"message": export_jobs.BAD_FORMAT, "querystring": query},
            status=400,
        )
    cases = export_jobs.web_cases(request.user, query)
    rows = cases.count()
    if rows > export_jobs.inline_max_rows():
        export = export_jobs.request_export(
            request.user, source="web", query=query, rows=rows, file_format=file_format
        )
        return redirect("cases:export_status", pk=export.pk)
    content = exports.write(file_format, request.user, cases)
    export_jobs.audit_export(
        request.user, source="web", query=query, rows=rows, file_format=file_format
    )
    response = HttpResponse(content, content_type=exports.FORMATS[file_format])
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="vu-viec-{stamp}.{file_format}"'
    return response


def own_export(user: User, pk: int) -> CaseExport:
    """The user's own export: anyone else's, or none, is a 404; one whose user lost a
    right it was made with is deleted and a 403; an expired one is a 410."""
    export = CaseExport.objects.select_related("user").filter(pk=pk, user=user).first()
    if export is None:
        raise Http404
    if not export_jobs.still_allowed(export):
        export_jobs.void(export, right_lost=True)
        raise PermissionDenied(export_jobs.RIGHT_LOST)
    if export_jobs.is_expired(export):
        export_jobs.void(export, right_lost=False)
        raise Gone
    return export


class Gone(Exception):
    """An expired export (answered 410 by the views below)."""


def _gone(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "cases/export_gone.html", status=410)


@login_required
@require_GET
@never_cache
def export_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A large export being made: its progress, then the download link."""
    try:
        export = own_export(request.user, pk)
    except Gone:
        return _gone(request)
    back = reverse("cases:list") + (f"?{export.query}" if export.source == "web" else "")
    asked = [export.query] if export.source == "web" and export.query else []
    if export.file_format != exports.DEFAULT_FORMAT:
        asked.append(f"format={export.file_format}")
    retry = reverse("cases:export") + (f"?{'&'.join(asked)}" if asked else "")
    is_csv = export.file_format == "csv"
    links = jobs.Links(
        title=_("Xuất danh sách vụ việc (.csv)") if is_csv else _("Xuất danh sách vụ việc (.xlsx)"),
        back=(back, _("Danh sách vụ việc")),
        poll=reverse("cases:export_status", args=[export.pk]),
        file=reverse("cases:export_file", args=[export.pk]),
        retry=retry,
        listed=True,
        delete=my_exports.delete_url("cases", export),
    )
    until = timezone.localtime(export.expires_at)
    wording = jobs.Wording(
        running=(
            _(
                "Đang tạo tệp CSV gồm %(n)s vụ việc; có thể mất khoảng một phút. Bạn có thể "
                "rời trang này và quay lại sau."
            )
            if is_csv
            else _(
                "Đang tạo tệp Excel gồm %(n)s vụ việc; có thể mất khoảng một phút. Bạn có thể "
                "rời trang này và quay lại sau."
            )
        )
        % {"n": intcomma(export.rows)},
        late=_(
            "Việc tạo tệp lâu hơn bình thường: có thể tiến trình chạy nền đang dừng. Hãy "
            "quay lại sau ít phút."
        ),
        ready=(
            _(
                "Tệp CSV đã sẵn sàng (tạo lúc %(made)s). Tệp chứa thông tin cá nhân của người "
                "phản ánh: chỉ bạn tải được, đến %(until)s; sau đó tệp bị xóa."
            )
            if is_csv
            else _(
                "Tệp Excel đã sẵn sàng (tạo lúc %(made)s). Tệp chứa thông tin cá nhân của người "
                "phản ánh: chỉ bạn tải được, đến %(until)s; sau đó tệp bị xóa."
            )
        )
        % {
            "made": timezone.localtime(export.finished_at).strftime("%d/%m/%Y %H:%M")
            if export.finished_at
            else "",
            "until": until.strftime("%d/%m/%Y %H:%M"),
        },
        download=_("Tải về tệp CSV") if is_csv else _("Tải về tệp Excel"),
    )
    return jobs.status_page(request, export, links, wording)


@login_required
@require_GET
@never_cache
def export_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    try:
        export = own_export(request.user, pk)
    except Gone:
        return _gone(request)
    response = jobs.finished_file(
        export, export_jobs.download_name(export), export_jobs.content_type(export)
    )
    export_jobs.audit_download(request.user, export)
    return response


# --- the case file --------------------------------------------------------------------------

Forms = Mapping[str, Form]


def _allowed_transitions(case: Case) -> list[str]:
    return [str(status.value) for status in workflow.allowed_moves(case)]


def _detail(
    request: AuthenticatedHttpRequest,
    case: Case,
    bound: Forms | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    bound = dict(bound or {})
    today = timezone.localdate()
    may_handle = visibility.can_handle(user, case)
    clock = selectors.clocks.clock_for(case.track)
    deadline = selectors.deadline_of(case, today, {case.track: clock})
    decisions = list(selectors.discipline_of(case))
    subject = case.subject_staff
    transitions: list[tuple[str, str, Form, bool]] = []
    if may_handle:
        allowed = _allowed_transitions(case)
        for key, form in bound.items():
            # A move chosen on a page drawn before the case moved on, no longer possible:
            # shown with why and with its note, but no button.
            value = key.removeprefix("transition:")
            if key.startswith("transition:") and value not in allowed and value in S.values:
                transitions.append((value, str(S(value).label), form, False))
        for value in allowed:
            form = bound.get(f"transition:{value}") or TransitionForm(
                initial={"to": value}, case=case, allowed=allowed, auto_id=f"id_t_{value}_%s"
            )
            transitions.append((value, str(S(value).label), form, True))
    breach = case.outcome in selectors.BREACH_OUTCOMES
    may_propose = (
        may_handle and subject is not None and breach and case.status in (S.CONCLUDED, S.CLOSED)
    )
    proposed = [d for d in decisions if d.stage == DisciplineDecision.Stage.PROPOSED]
    may_decide = (
        may_handle
        and bool(proposed)
        and access.can(user, Perm.DISCIPLINE_DECIDE, case.handling_organisation)
    )
    # Directly (the handling organisation's own), or revealed by an overseer for this
    # case in this session (`cases.identity`).
    directly = visibility.can_see_identity(user, case)
    revealed = not directly and reporter_identity.revealed(request, case)
    identity = directly or revealed
    mask = visibility.masked_for(user, case, identity=identity)
    events = selectors.timeline(case)
    for event in events:
        # Read, never saved: the reporter's name typed into a message, masked for this reader.
        event.body = mask(event.body)
    loose = list(selectors.loose_files(case))
    for item in [f for e in events for f in e.files.all()] + loose:
        item.shown_name = visibility.shown_file_name(item, identity=identity)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "case": case,
        "texts": {
            name: mask(getattr(case, name))
            for name in (
                "subject_description",
                "other_standard",
                "occurred_place",
                "description",
                "conclusion",
            )
        },
        "clauses": list(case.clauses.all()),
        "deadline": deadline,
        "clock": clock,
        "extensions_left": max(0, clock.max_extensions - case.extensions),
        "identity": visibility.reporter_identity(user, case, revealed=revealed),
        "may_see_identity": identity,
        "identity_revealed": revealed,
        "reveal_minutes": reporter_identity.REVEAL_MINUTES,
        "may_reveal": not revealed and visibility.may_reveal_identity(user, case),
        "reveal_form": bound.get("identity") or RevealIdentityForm(prefix="idn"),
        "events": events,
        "loose_files": loose,
        "duplicates": list(selectors.duplicates(case)),
        "decisions": decisions,
        "may_handle": may_handle,
        "transitions": transitions,
        "note_form": bound.get("note") or NoteForm(prefix="note"),
        "message_form": bound.get("message") or ReporterMessageForm(prefix="msg"),
        "statement_form": bound.get("statement") or StatementRequestForm(prefix="req"),
        "may_extend": may_handle
        and case.status in selectors.BEING_SETTLED
        and case.extensions < clock.max_extensions,
        "extend_form": bound.get("extend") or ExtendForm(prefix="ext"),
        "may_link": may_handle and case.main_case_id is None and case.status != S.CLOSED,
        "link_form": bound.get("link") or LinkDuplicateForm(prefix="link"),
        "may_request_statement": may_handle
        and subject is not None
        and case.status not in (S.REJECTED, S.CLOSED),
        "may_propose": may_propose,
        "propose_form": bound.get("propose")
        or (
            ProposeForm(
                prefix="disc",
                forms_allowed=discipline.allowed_forms(subject),
                initial={"conduct_date": case.occurred_on},
            )
            if may_propose and subject is not None
            else None
        ),
        "may_decide": may_decide,
        "decide_forms": [
            (
                d,
                bound.get(f"decide:{d.pk}")
                or DecideForm(
                    prefix=f"dec-{d.pk}",
                    decisions=DisciplineDecision.objects.filter(pk=d.pk),
                    initial={"decision": d.pk, "decided_on": today},
                ),
            )
            for d in proposed
        ]
        if may_decide
        else [],
        "source": _source_inspection(user, case),
        "has_paper": documents.has_paper(case),
        **signed_views.page_context(case, as_subject=False, may_handle=may_handle),
        **_handling_context(user, case, bound, may_handle=may_handle),
    }
    return render(request, "cases/case_detail.html", context, status=status)


def _handling_context(user: Any, case: Case, bound: Forms, *, may_handle: bool) -> dict[str, Any]:
    """Who handles the case and its tags (handlers only), with the forms to change them."""
    may_assign = may_handle and visibility.can_assign(user, case)
    nobody = unattended.is_unattended(case)
    organisation = case.handling_organisation
    return {
        # Nobody would see it as their work: say so, and where it is fixed (for who may).
        "unattended": nobody,
        "may_grant": nobody and access.can(user, Perm.GRANT_MANAGE, organisation),
        "may_set_default": nobody and access.can(user, Perm.CASE_ASSIGN, organisation),
        "tags": list(case.tags.order_by("name_folded")),
        "needs_reassignment": assignment.needs_reassignment(case),
        "may_assign": may_assign,
        "assign_form": (
            bound.get("assign") or AssignForm(prefix="asg", eligible=assignment.eligible(case))
        )
        if may_assign
        else None,
        "unassign_form": bound.get("unassign") or UnassignForm(prefix="unasg"),
        "tags_form": (
            bound.get("tags")
            or CaseTagsForm(
                prefix="tags", offered=tags.offered(case), initial={"tags": list(case.tags.all())}
            )
        )
        if may_handle
        else None,
    }


def _source_inspection(user: Any, case: Case) -> Any:
    """The inspection a case came from, when the user may open it (else no link is shown),
    with its finding when the user sees the findings."""
    # Imported here: inspections depends on cases (it opens cases from its findings).
    from congvu.inspections.selectors import case_source

    return case_source(user, case)


@login_required
@require_GET
def case_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _detail(request, _case_for_handlers(request, code))


def _act(
    request: AuthenticatedHttpRequest,
    code: str,
    key: str,
    make_form: Callable[[Case], Form],
    call: Callable[[Case, Form], Any],
    done: str,
    *,
    perm: Perm = Perm.CASE_HANDLE,
) -> HttpResponse:
    """One action on a case: parse, call one service, redirect or show the errors."""
    case = _case_to_handle(request, code)
    visibility.require_handler(request.user, case, perm)
    form = make_form(case)
    status = 400
    if form.is_valid():
        try:
            # A form that adds something carries a key (`core.once`): sent twice, once.
            with once.guard(request, form, leads_to=reverse("cases:detail", args=[case.code])):
                call(case, form)
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc)
            # Someone else changed the case since the page was drawn (`core.stale`).
            status = 409 if isinstance(exc, stale.Changed) else status
        else:
            messages.success(request, done)
            return redirect("cases:detail", code=case.code)
    else:
        try:
            # Not valid, and from a page drawn before the case changed: say that first.
            stale.check(form, case)
        except stale.Changed as exc:
            _form_errors(form, exc)
            status = 409
    # Re-read: a failed service call may have changed nothing, but the page shows the truth.
    case = _case_for_handlers(request, code)
    return _detail(request, case, {key: form}, status=status)


@login_required
@require_POST
def case_transition(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    to = request.POST.get("to", "")[:20]

    def make(case: Case) -> Form:
        return TransitionForm(
            request.POST, case=case, allowed=_allowed_transitions(case), auto_id=f"id_t_{to}_%s"
        )

    def call(case: Case, form: Form) -> Any:
        d = form.cleaned_data
        # Not from a page drawn for another status: the move chosen there may not be
        # the one wanted now (another handler accepted, rejected or moved the case on).
        with stale.guard(form):
            return workflow.transition(
                case,
                S(d["to"]),
                actor=request.user,
                note=d["note"],
                outcome=d["outcome"] if d["to"] == S.CONCLUDED else "",
                reject_reason=d["reject_reason"] if d["to"] == S.REJECTED else "",
                conclusion=d["conclusion"] if d["to"] == S.CONCLUDED else "",
            )

    return _act(
        request,
        code,
        f"transition:{to}",
        make,
        call,
        _("Đã chuyển trạng thái vụ việc. / The case's status was changed."),
    )


@login_required
@require_POST
def case_assign(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    def make(case: Case) -> Form:
        return AssignForm(request.POST, prefix="asg", eligible=assignment.eligible(case))

    def call(case: Case, form: Form) -> Any:
        d = form.cleaned_data
        return assignment.assign(
            case, assignee=d["assignee"], actor=request.user, reason=d["reason"]
        )

    return _act(
        request,
        code,
        "assign",
        make,
        call,
        _("Đã giao xử lý vụ việc. / The case was assigned."),
        perm=Perm.CASE_ASSIGN,
    )


@login_required
@require_POST
def case_unassign(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    def call(case: Case, form: Form) -> Any:
        return assignment.unassign(case, actor=request.user, reason=form.cleaned_data["reason"])

    return _act(
        request,
        code,
        "unassign",
        lambda case: UnassignForm(request.POST, prefix="unasg"),
        call,
        _("Đã thôi giao xử lý. / The case is no longer assigned."),
        perm=Perm.CASE_ASSIGN,
    )


@login_required
@require_POST
def case_identity(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """An overseer reveals the reporter's identity for this case, giving a reason
    (`cases.identity`): recorded, then shown on the case page for this session."""
    case = _case_for_handlers(request, code)
    if not access.can(request.user, Perm.CASE_IDENTITY, case.handling_organisation):
        raise PermissionDenied
    form = RevealIdentityForm(request.POST, prefix="idn")
    status = 400
    if form.is_valid():
        try:
            with once.guard(request, form, leads_to=reverse("cases:detail", args=[case.code])):
                reporter_identity.reveal(
                    case, actor=request.user, reason=form.cleaned_data["reason"]
                )
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc)
        except reporter_identity.NothingToReveal as exc:
            form.add_error(None, exc.message())
            status = 409
        else:
            reporter_identity.remember(request, case)
            messages.success(
                request,
                _(
                    "Danh tính người phản ánh được hiện trong %(n)d phút; việc xem đã được ghi "
                    "lại và báo cho người xử lý. / The reporter's identity is shown for %(n)d "
                    "minutes; this was recorded and the handlers were told."
                )
                % {"n": reporter_identity.REVEAL_MINUTES},
            )
            return redirect(reverse("cases:detail", args=[case.code]) + "#h-reporter")
    return _detail(request, _case_for_handlers(request, code), {"identity": form}, status=status)


@login_required
@require_POST
def case_tags(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    def make(case: Case) -> Form:
        return CaseTagsForm(request.POST, prefix="tags", offered=tags.offered(case))

    def call(case: Case, form: Form) -> Any:
        chosen = form.cleaned_data["tags"]
        return tags.set_tags(case, tag_ids=[tag.pk for tag in chosen], actor=request.user)

    return _act(request, code, "tags", make, call, _("Đã lưu nhãn. / Tags saved."))


def _event_action(
    request: AuthenticatedHttpRequest,
    code: str,
    *,
    key: str,
    form_class: type[Form],
    prefix: str,
    kind: str,
    audience: str,
    done: str,
) -> HttpResponse:
    def make(case: Case) -> Form:
        return form_class(request.POST, request.FILES, prefix=prefix)

    def call(case: Case, form: Form) -> Any:
        return services.add_event(
            case,
            actor=request.user,
            kind=K(kind),
            body=form.cleaned_data["body"],
            audience=A(audience),
            files=_file_list(form),
        )

    return _act(request, code, key, make, call, done)


@login_required
@require_POST
def case_note(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _event_action(
        request,
        code,
        key="note",
        form_class=NoteForm,
        prefix="note",
        kind=K.NOTE,
        audience=A.INTERNAL,
        done=_("Đã ghi chú. / Note added."),
    )


@login_required
@require_POST
def case_message(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _event_action(
        request,
        code,
        key="message",
        form_class=ReporterMessageForm,
        prefix="msg",
        kind=K.TO_REPORTER,
        audience=A.REPORTER,
        done=_("Đã gửi người phản ánh. / Message sent to the reporter."),
    )


@login_required
@require_POST
def case_request_statement(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _event_action(
        request,
        code,
        key="statement",
        form_class=StatementRequestForm,
        prefix="req",
        kind=K.TO_SUBJECT,
        audience=A.SUBJECT,
        done=_(
            "Đã gửi yêu cầu giải trình đến người bị phản ánh. / "
            "The request for a statement was sent."
        ),
    )


@login_required
@require_POST
def case_extend(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    def make(case: Case) -> Form:
        return ExtendForm(request.POST, prefix="ext")

    def call(case: Case, form: Form) -> Any:
        return services.extend(case, actor=request.user, reason=form.cleaned_data["reason"])

    return _act(
        request, code, "extend", make, call, _("Đã gia hạn giải quyết. / Deadline extended.")
    )


@login_required
@require_POST
def case_link(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    def make(case: Case) -> Form:
        return LinkDuplicateForm(request.POST, prefix="link")

    def call(case: Case, form: Form) -> Any:
        main_code = form.cleaned_data["main_code"]
        main = selectors.handler_cases(request.user).filter(code=main_code).first()
        if main is None:
            raise ValidationError(
                {"main_code": _("Không tìm thấy vụ việc có mã này. / No case with this code.")}
            )
        return services.link_duplicate(case, main=main, actor=request.user)

    return _act(
        request,
        code,
        "link",
        make,
        call,
        _("Đã gộp vào vụ việc chính. / Linked to the main case."),
    )


@login_required
@require_POST
def case_propose(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    def make(case: Case) -> Form:
        if case.subject_staff is None:
            raise PermissionDenied
        return ProposeForm(
            request.POST,
            prefix="disc",
            forms_allowed=discipline.allowed_forms(case.subject_staff),
        )

    def call(case: Case, form: Form) -> Any:
        d = form.cleaned_data
        return discipline.propose(
            case,
            form=d["form"],
            conduct_date=d["conduct_date"],
            note=d["note"],
            actor=request.user,
        )

    return _act(
        request,
        code,
        "propose",
        make,
        call,
        _("Đã đề xuất hình thức kỷ luật. / Discipline proposed."),
    )


@login_required
@require_POST
def case_decide(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    def make(case: Case) -> Form:
        decisions = DisciplineDecision.objects.filter(
            case=case, pk=pk, stage=DisciplineDecision.Stage.PROPOSED
        )
        if not decisions.exists():
            raise Http404
        return DecideForm(request.POST, request.FILES, prefix=f"dec-{pk}", decisions=decisions)

    def call(case: Case, form: Form) -> Any:
        d = form.cleaned_data
        return discipline.decide(
            d["decision"],
            number=d["number"],
            decided_on=d["decided_on"],
            file=d["file"],
            actor=request.user,
        )

    return _act(
        request,
        code,
        f"decide:{pk}",
        make,
        call,
        _("Đã ghi nhận quyết định kỷ luật. / Discipline decision recorded."),
    )


# --- files ----------------------------------------------------------------------------------


def _send(field: Any, name: str, content_type: str = "") -> FileResponse:
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=name or "tep")
    if content_type:
        response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _case_for_reader(request: AuthenticatedHttpRequest, code: str) -> tuple[Case, bool]:
    """(case, as_subject): the subject reads only what is addressed to them."""
    case = (
        Case.objects.select_related("handling_organisation", "organisation")
        .filter(code=code)
        .first()
    )
    if case is not None and visibility.is_subject(request.user, case):
        return case, True
    return _case_for_handlers(request, code), False


@login_required
@require_GET
def case_file(request: AuthenticatedHttpRequest, code: str, pk: int) -> FileResponse:
    case, as_subject = _case_for_reader(request, code)
    files = CaseFile.objects.filter(case=case, pk=pk)
    if as_subject:
        files = files.filter(audience__in=visibility.SUBJECT_AUDIENCES)
    item = files.first()
    if item is None:
        raise Http404
    name = visibility.shown_file_name(
        item, identity=not as_subject and reporter_identity.sees(request, case)
    )
    return _send(item.file, name, item.content_type)


@login_required
@require_GET
def decision_file(request: AuthenticatedHttpRequest, code: str, pk: int) -> FileResponse:
    case, as_subject = _case_for_reader(request, code)
    decisions = DisciplineDecision.objects.filter(case=case, pk=pk).exclude(decision_file="")
    if as_subject:
        decisions = decisions.filter(stage=DisciplineDecision.Stage.DECIDED)
    decision = decisions.first()
    if decision is None:
        raise Http404
    return _send(decision.decision_file, decision.decision_file.name.rsplit("/", 1)[-1])


# --- internal intake ------------------------------------------------------------------------


def _intake_form(request: AuthenticatedHttpRequest) -> IntakeForm:
    organisations = access.organisations_for(request.user, Perm.CASE_HANDLE).current()
    staff = StaffMember.objects.visible_to(request.user).filter(
        organisation__in=organisations.values("pk")
    )
    return IntakeForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        organisations=organisations.filter(kind__is_division=False),
        staff=staff,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_anywhere(request.user, Perm.CASE_HANDLE)
    form = _intake_form(request)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member: StaffMember | None = d["staff_code"]
        anonymous = bool(d["is_anonymous"])
        data = services.ReportInput(
            track=d["track"],
            channel=d["channel"],
            subject_staff=member,
            organisation=member.organisation if member is not None else d["organisation"],
            subject_description=d["subject_description"],
            clause_ids=[c.pk for c in d["clauses"]],
            other_standard=d["other_standard"],
            occurred_on=d["occurred_on"],
            occurred_place=d["occurred_place"],
            description=d["description"],
            is_anonymous=anonymous,
            reporter_name="" if anonymous else d["reporter_name"],
            reporter_phone="" if anonymous else d["reporter_phone"],
            reporter_email="" if anonymous else d["reporter_email"],
        )
        try:
            with once.guard(request, form, leads_to=reverse("cases:new_receipt")):
                receipt = services.submit_report(data, files=_file_list(form), actor=request.user)
        except once.AlreadySent as sent:
            # A double tap: the first sending left its receipt in the session (below),
            # and this answer, the one the browser shows, leads to it.
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            request.session[INTAKE_RECEIPT] = {
                "code": receipt.code,
                "passphrase": receipt.passphrase,
            }
            return redirect("cases:new_receipt")
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/case_new.html", {"form": form}, status=status)


@never_cache
@login_required
@require_GET
def case_new_receipt(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The code and passphrase of the report just recorded, to hand to the reporter: shown
    once (only the passphrase's hash is kept), so the session forgets them as it is drawn."""
    access.require_anywhere(request.user, Perm.CASE_HANDLE)
    shown = request.session.pop(INTAKE_RECEIPT, None)
    case = (
        Case.objects.select_related("handling_organisation").filter(code=shown["code"]).first()
        if isinstance(shown, dict)
        else None
    )
    if case is None:  # shown already (a reload): the case is in the list
        return redirect("cases:list")
    assert isinstance(shown, dict)
    receipt = services.Receipt(case=case, code=case.code, passphrase=str(shown["passphrase"]))
    return render(request, "cases/case_receipt.html", {"receipt": receipt, "case": case})


# --- the subject's own view -----------------------------------------------------------------


@login_required
@require_GET
def my_cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    cases = selectors.subject_cases(request.user)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/subject_list.html", {"page": page})


def _subject_case(request: AuthenticatedHttpRequest, code: str) -> Case:
    case = selectors.subject_cases(request.user).filter(code=code).first()
    if case is None:
        raise Http404
    return case


def _subject_page(
    request: AuthenticatedHttpRequest, case: Case, form: StatementForm, *, status: int = 200
) -> HttpResponse:
    events = selectors.timeline(case, audiences=visibility.SUBJECT_AUDIENCES)
    for event in events:
        # Only files addressed to the subject, even on an event they may read.
        event.subject_files = [  # type: ignore[attr-defined]
            f for f in event.files.all() if f.audience in visibility.SUBJECT_AUDIENCES
        ]
    decisions = [
        d for d in selectors.discipline_of(case) if d.stage == DisciplineDecision.Stage.DECIDED
    ]
    return render(
        request,
        "cases/subject_detail.html",
        {
            "case": case,
            "events": events,
            "decisions": decisions,
            "form": form,
            "may_answer": case.status not in (S.CLOSED, S.REJECTED),
            "has_paper": documents.has_paper(case),
            **signed_views.page_context(case, as_subject=True),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def subject_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case = _subject_case(request, code)
    if request.method == "POST":
        form = StatementForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                page = reverse("cases:subject_view", args=[case.code])
                with once.guard(request, form, leads_to=page):
                    services.add_subject_statement(
                        case,
                        actor=request.user,
                        body=form.cleaned_data["body"],
                        files=_file_list(form),
                    )
            except once.AlreadySent as sent:
                return sent.response(request)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Đã gửi giải trình. / Statement sent."))
                return redirect("cases:subject_view", code=case.code)
        return _subject_page(request, case, form, status=400)
    return _subject_page(request, case, StatementForm())
