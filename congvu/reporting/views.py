"""Periodic report pages (thin: fetch and authorise, parse, call one service, render)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import once, stale
from congvu.core import pdf_exports as jobs
from congvu.core.text import search_terms
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.models import OrganisationQuerySet

from . import exporters, indicators, pdf_exports, selectors, services, workflow
from .forms import (
    NarrativeForm,
    PeriodEditForm,
    PeriodForm,
    PeriodRowsForm,
    ReportCreateForm,
    ReviewForm,
    apply_errors,
)
from .models import OrganisationReport, PdfExport, ReportPeriod

RECENT_REPORTS = 200
#: The "draft a report" chooser lists every organisation up to this many; beyond, a search
#: box and this many of its matches (Home Affairs may draft for ~1,900 organisations).
CHOOSER_SHOWN = 30
#: A search box's input is folded into a LIKE query: kept short, NUL characters dropped.
SEARCH_MAX = 100
ROWS_PER_PAGE = 50
#: Names listed under "not submitted"; the rest are a link to the table filtered so.
NOT_SUBMITTED_SHOWN = 20


def _period_for(user: Any, pk: int) -> ReportPeriod:
    period = (
        ReportPeriod.objects.visible_to(user)
        .select_related("issuing_organisation", "compiling_organisation", "plan")
        .filter(pk=pk)
        .first()
    )
    if period is None:
        raise Http404
    return period


def _report_for(user: Any, pk: int) -> OrganisationReport:
    return access.get_for(
        user,
        Perm.PLAN_VIEW,
        OrganisationReport.objects.select_related(
            "period",
            "period__issuing_organisation",
            "period__compiling_organisation",
            "organisation",
            "organisation__parent",
            "submitted_by",
            "reviewed_by",
        ),
        pk=pk,
    )


@dataclass
class ReportChooser:
    """The "draft a report" form and what the page says about its list of organisations."""

    form: ReportCreateForm
    query: str = ""
    #: Too many organisations to list: a search box above, a search's matches in the list.
    searchable: bool = False
    #: More matches than the list shows.
    more: bool = False
    found: int = 0


def _search_query(params: Any) -> str:
    return str(params.get("org_q", "")).replace("\x00", "")[:SEARCH_MAX].strip()


def _report_chooser(reportable: OrganisationQuerySet, query: str) -> ReportChooser | None:
    """None when the user may draft for no organisation. A unit lists its few; Home
    Affairs searches (accents or not) and picks among the first matches; a choice is
    still checked against every organisation the user may draft for."""
    listed = list(reportable.order_by("path")[: CHOOSER_SHOWN + 1])
    if not listed:
        return None
    if len(listed) <= CHOOSER_SHOWN:
        return ReportChooser(ReportCreateForm(organisations=reportable), found=len(listed))
    if search_terms(query):
        listed = list(reportable.best_first(query)[: CHOOSER_SHOWN + 1])
    shown = listed[:CHOOSER_SHOWN]
    return ReportChooser(
        ReportCreateForm(organisations=reportable, shown=shown),
        query=query,
        searchable=True,
        more=len(listed) > CHOOSER_SHOWN,
        found=len(shown),
    )


def _errors_to_messages(request: AuthenticatedHttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The periods the user's organisations report in, and their reports."""
    periods = ReportPeriod.objects.visible_to(request.user).select_related("issuing_organisation")
    reports = (
        OrganisationReport.objects.visible_to(request.user)
        .select_related("period", "organisation")
        .order_by("-updated_at")[:RECENT_REPORTS]
    )
    can_manage = access.can_anywhere(request.user, Perm.PLAN_MANAGE)
    # Before the province's top organisation exists a period has no one to issue it: the
    # buttons would answer 403 and 404, so the page says where to start instead.
    root = services.province_root() if can_manage else None
    no_root = can_manage and root is None
    today = timezone.localdate()
    # This year's period, when already open, is linked rather than offered again.
    yearly = (
        periods.filter(issuing_organisation=root, name=services.yearly_name(today.year)).first()
        if root is not None
        else None
    )
    return render(
        request,
        "reporting/report_list.html",
        {
            "periods": periods,
            "reports": reports,
            "can_manage": can_manage and not no_root,
            "no_root": no_root,
            "year": today.year,
            "yearly_due": services.yearly_due_on(today.year, today),
            "yearly_period": yearly,
        },
    )


def warn_if_past_due(request: AuthenticatedHttpRequest, period: ReportPeriod) -> None:
    """A period may be opened or kept with a due date already past (back-filling an old
    period is allowed): say what that means rather than refuse it."""
    if period.is_open and period.due_on < timezone.localdate():
        messages.warning(
            request,
            _(
                "Hạn nộp %(day)s đã qua: báo cáo nộp từ nay được ghi là nộp muộn. Nếu cần, "
                "hãy sửa kỳ báo cáo để gia hạn. / The due date %(day)s has passed: reports "
                "submitted from now on are marked late. Edit the period to extend it if "
                "needed."
            )
            % {"day": f"{period.due_on:%d/%m/%Y}"},
        )


@login_required
@require_POST
def period_yearly(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open this year's period with the defaults (due 15/11, or ten working days from
    today once that has passed)."""
    access.require_anywhere(request.user, Perm.PLAN_MANAGE)
    root = services.province_root()
    if root is None:
        raise Http404
    try:
        today = timezone.localdate()
        period = services.ensure_yearly_period(
            today.year, actor=request.user, issuing_organisation=root, today=today
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
        return redirect("reporting:index")
    warn_if_past_due(request, period)
    return redirect("reporting:period", pk=period.pk)


@login_required
def period_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_anywhere(request.user, Perm.PLAN_MANAGE)
    form = PeriodForm(request.POST if request.method == "POST" else None, user=request.user)
    if not form.fields["issuing_organisation"].queryset.exists():  # type: ignore[attr-defined]
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != once.FIELD}
        try:
            with once.guard(request, form) as sending:
                period = services.create_period(actor=request.user, **values)
                sending.leads_to(reverse("reporting:period", args=[period.pk]))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã tạo kỳ báo cáo."))
            warn_if_past_due(request, period)
            return redirect("reporting:period", pk=period.pk)
    return render(
        request,
        "reporting/reportperiod_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def period_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """ "Sửa kỳ báo cáo": the name, dates, document details and reporting kinds of a period
    already opened (the issuing side: PLAN_MANAGE on its issuer; others who see it, 403)."""
    period = _period_for(request.user, pk)
    if not selectors.can_compile(request.user, period):
        raise PermissionDenied
    posted = request.method == "POST"
    form = PeriodEditForm.of(period, request.POST if posted else None)
    if posted and form.is_valid():
        try:
            with stale.guard(form):
                period = services.update_period(
                    period,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    **form.changes(),
                )
        except ValidationError as error:
            apply_errors(form, error)
            period.refresh_from_db()
        else:
            messages.success(request, _("Đã lưu kỳ báo cáo."))
            warn_if_past_due(request, period)
            return redirect("reporting:period", pk=period.pk)
    return render(
        request,
        "reporting/reportperiod_edit.html",
        {"form": form, "period": period},
        status=400 if posted else 200,
    )


@login_required
@require_POST
def period_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Close a period (no more drafts or submissions) or open it again."""
    period = _period_for(request.user, pk)
    if not selectors.can_compile(request.user, period):
        raise PermissionDenied
    try:
        services.set_period_status(
            period, actor=request.user, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("Đã cập nhật trạng thái kỳ báo cáo."))
    return redirect("reporting:period", pk=period.pk)


@login_required
def period_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The compilation: every expected organisation for Home Affairs, one's own for others.

    The summary and the totals count every row; the table lists a page of them, filtered
    by state: ~1,900 rows at provincial scale made an 880 KB page. The exports stay whole.
    Only the listed rows' organisations and figures are loaded (`selectors.PeriodPage`).
    """
    period = _period_for(request.user, pk)
    can_compile = selectors.can_compile(request.user, period)
    compilation = selectors.PeriodPage(period, user=None if can_compile else request.user)
    reportable = selectors.reportable_organisations(request.user, period)
    chooser = _report_chooser(reportable, _search_query(request.GET))
    form = PeriodRowsForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    page: Any = Paginator(compilation.rows_in(state), ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    # The organisations and figures of the listed rows only (one batch of queries).
    listed = list(page.object_list)
    rows = compilation.rows_for([*listed, *compilation.not_submitted[:NOT_SUBMITTED_SHOWN]])
    page.object_list = rows[: len(listed)]
    return render(
        request,
        "reporting/reportperiod_detail.html",
        {
            "period": period,
            "compilation": compilation,
            "can_compile": can_compile,
            "chooser": chooser,
            "create_form": chooser.form if chooser else None,
            "state": state,
            "total_groups": indicators.grouped({"values": compilation.totals}),
            "derived": compilation.derived,
            "form": form,
            "page": page,
            "querystring": urlencode({"state": state} if state else {}),
            "not_submitted_shown": rows[len(listed) :],
            "due_changes": period.due_changes.select_related("changed_by"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def report_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    period = _period_for(request.user, pk)
    reportable = selectors.reportable_organisations(request.user, period)
    form = ReportCreateForm(request.POST, organisations=reportable)
    # Back to the chooser as it was (its search kept) when the choice is refused.
    back = reverse("reporting:period", args=[period.pk])
    query = _search_query(request.POST)
    back += (f"?{urlencode({'org_q': query})}" if query else "") + "#report-create"
    if not form.is_valid():
        if not reportable.exists():
            raise PermissionDenied
        for text in form.errors.get("organisation", []):
            messages.error(request, str(text))
        return redirect(back)
    try:
        report = services.create_report(
            period, organisation=form.cleaned_data["organisation"], actor=request.user
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
        return redirect(back)
    return redirect("reporting:report", pk=report.pk)


def _detail(
    request: AuthenticatedHttpRequest,
    report: OrganisationReport,
    *,
    form: NarrativeForm | None = None,
    review_form: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_edit = report.is_editable and access.can(
        request.user, Perm.REPORT_SUBMIT, report.organisation
    )
    if form is None:
        form = _narrative_form(report)
    moves = workflow.next_states(request.user, report)
    return render(
        request,
        "reporting/organisationreport_detail.html",
        {
            "report": report,
            "period": report.period,
            "groups": indicators.grouped(report.indicators),
            "derived": indicators.derived(indicators.values_of(report.indicators)),
            "form": form,
            "review_form": review_form or ReviewForm(),
            "can_edit": can_edit and report.period.is_open,
            "can_submit": OrganisationReport.Status.SUBMITTED in moves and report.period.is_open,
            "can_review": OrganisationReport.Status.ACCEPTED in moves,
        },
        status=status,
    )


def _narrative_form(report: OrganisationReport, data: Any = None) -> NarrativeForm:
    form = NarrativeForm(
        data, initial={name: getattr(report, name) for name in services.NARRATIVE_FIELDS}
    )
    stale.add_field(form, report)  # a second tab's save is not silently undone
    return form


@login_required
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One organisation's report: its indicators, the narrative form, the decisions."""
    report = _report_for(request.user, pk)
    if request.method != "POST":
        return _detail(request, report)
    workflow.require_reporter(request.user, report)
    form = _narrative_form(report, request.POST)
    if form.is_valid():
        try:
            with stale.guard(form):
                report = services.edit_report(report, actor=request.user, **_narrative(form))
        except ValidationError as error:
            apply_errors(form, error)
            report.refresh_from_db()
        else:
            messages.success(request, _("Đã lưu báo cáo."))
            return redirect("reporting:report", pk=report.pk)
    return _detail(request, report, form=form, status=400)


def _narrative(form: NarrativeForm) -> dict[str, str]:
    return {name: form.cleaned_data[name] for name in services.NARRATIVE_FIELDS}


@login_required
@require_POST
def report_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request.user, pk)
    workflow.require_reporter(request.user, report)
    done = (OrganisationReport.Status.SUBMITTED, OrganisationReport.Status.ACCEPTED)
    if report.status in done:
        # Sent twice (a double click, the back button, a second tab): it is in already.
        messages.info(
            request,
            _("Báo cáo đã được nộp lúc %(at)s; không cần nộp lại.")
            % {"at": f"{timezone.localtime(report.submitted_at):%d/%m/%Y %H:%M}"}
            if report.submitted_at
            else _("Báo cáo đã được nộp; không cần nộp lại."),
        )
        return redirect("reporting:report", pk=report.pk)
    form = _narrative_form(report, request.POST)
    if form.is_valid():
        try:
            # What is on the screen is what gets submitted: save it, then submit. From a
            # page someone else's save has overtaken, neither (`core.stale`).
            with stale.guard(form):
                if report.is_editable:
                    report = services.edit_report(report, actor=request.user, **_narrative(form))
            report = services.submit_report(report, actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if report.is_late:
                messages.warning(request, _("Đã nộp báo cáo (sau hạn nộp)."))
            else:
                messages.success(request, _("Đã nộp báo cáo."))
            return redirect("reporting:report", pk=report.pk)
    report.refresh_from_db()
    return _detail(request, report, form=form, status=400)


@login_required
@require_POST
def report_refresh(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request.user, pk)
    try:
        services.refresh_indicators(report, actor=request.user)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(request, _("Đã cập nhật số liệu từ hệ thống."))
    return redirect("reporting:report", pk=report.pk)


@login_required
@require_POST
def report_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Home Affairs: return the report with comments, or accept it."""
    report = _report_for(request.user, pk)
    workflow.require_reviewer(request.user, report)
    review_form = ReviewForm(request.POST)
    if review_form.is_valid():
        comments = review_form.cleaned_data["comments"]
        try:
            if review_form.cleaned_data["decision"] == "return":
                services.return_report(report, actor=request.user, comments=comments)
                messages.success(request, _("Đã trả lại báo cáo để bổ sung."))
            else:
                services.accept_report(report, actor=request.user, comments=comments)
                messages.success(request, _("Đã tiếp nhận báo cáo."))
        except ValidationError as error:
            apply_errors(review_form, error)
        else:
            return redirect("reporting:report", pk=report.pk)
    return _detail(request, report, review_form=review_form, status=400)


@login_required
def report_export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    report = _report_for(request.user, pk)
    exporter: exporters.Exporter
    if fmt == "docx":
        exporter = exporters.OrganisationReportDocx(report)
    elif fmt == "pdf":
        exporter = exporters.OrganisationReportPdf(report)
    else:
        raise Http404
    return exporter.response()


@login_required
def period_export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """The provincial report: the issuing side's document (PLAN_MANAGE on the province)."""
    period = _period_for(request.user, pk)
    if not selectors.can_compile(request.user, period):
        raise PermissionDenied
    compilation = selectors.compile_period(period)
    classes: dict[str, type[exporters.Exporter]] = {
        "docx": exporters.ProvincialReportDocx,
        "xlsx": exporters.ProvincialReportXlsx,
        "pdf": exporters.ProvincialReportPdf,
    }
    if fmt not in classes:
        raise Http404
    if fmt == "pdf" and len(compilation.rows) > pdf_exports.inline_max_rows():
        # Too long to lay out in the request: made on the worker, kept while current.
        export = pdf_exports.request_pdf(period, compilation, actor=request.user)
        if export.status == PdfExport.Status.DONE:
            return _pdf_file(export)
        return redirect("reporting:pdf_export", pk=export.pk)
    return classes[fmt](compilation).response()  # type: ignore[call-arg]


def _export_for(user: Any, pk: int) -> PdfExport:
    export = (
        PdfExport.objects.select_related("period")
        .filter(pk=pk, period__in=ReportPeriod.objects.visible_to(user))
        .first()
    )
    if export is None:
        raise Http404
    if not selectors.can_compile(user, export.period):
        raise PermissionDenied
    return export


def _pdf_file(export: PdfExport) -> FileResponse:
    return jobs.file_response(export, pdf_exports.download_name(export.period))


@login_required
@require_GET
def pdf_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A provincial PDF being made: its progress, then the download link."""
    export = _export_for(request.user, pk)
    period = export.period
    links = jobs.Links(
        title=_("Báo cáo tổng hợp (.pdf)"),
        back=(reverse("reporting:period", args=[period.pk]), str(period)),
        poll=reverse("reporting:pdf_export", args=[export.pk]),
        file=reverse("reporting:pdf_export_file", args=[export.pk]),
        retry=reverse("reporting:period_export", args=[period.pk, "pdf"]),
        alternatives=[
            (
                reverse("reporting:period_export", args=[period.pk, "docx"]),
                _("Báo cáo tổng hợp (.docx)"),
            )
        ],
    )
    return jobs.status_page(request, export, links)


@login_required
@require_GET
def pdf_export_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    export = _export_for(request.user, pk)
    return jobs.finished_file(export, pdf_exports.download_name(export.period))
