"""Scorecard pages (login required): the list, create/edit with the criteria formset,
compute, the ranking, publish, a new version, delete, the ranking's files (DOCX, PDF,
XLSX) and one organisation's breakdown.

Thin: fetch-and-authorize (`selectors.get_managed`: 404 when the scorecard's
organisation is invisible, 403 without SCORE_MANAGE; `selectors.get_scorecard`
for reading), parse with a form, call one service, redirect or render again
with the user's input and the errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import pdf_exports as jobs
from congvu.core import stale
from congvu.core.outcomes import flash_outcome
from congvu.core.types import AuthenticatedHttpRequest

from . import documents, pdf_exports, selectors, services
from .forms import (
    CriterionFormSet,
    RankingFilterForm,
    ScorecardForm,
    criteria_initial,
    grades_text,
    initial_for_new,
)
from .models import RankingPdfExport, Scorecard

PAGE_SIZE = 100


def _form_errors(form: Form, exc: ValidationError) -> list[str]:
    """Put a service's errors on the form's fields; return those of the criteria."""
    criteria: list[str] = []
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            if key == "criteria":
                criteria.extend(errors)
            else:
                form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
    return criteria


@login_required
@require_GET
def scorecard_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    may_create = selectors.may_create(request.user)
    # Anyone working in an organisation may read the published rankings from here.
    if not may_create and not access.can_anywhere(request.user, Perm.ORG_VIEW):
        raise PermissionDenied
    qs = selectors.scorecards(request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "scoring/scorecard_list.html",
        {"page": page, "may_create": may_create},
    )


def _scorecard_initial(scorecard: Scorecard) -> dict[str, Any]:
    return {
        "name": scorecard.name,
        "period_start": scorecard.period_start,
        "period_end": scorecard.period_end,
        "kinds": set(scorecard.kinds.all()),
        "min_criteria": scorecard.min_criteria,
        "grades": grades_text(scorecard.grades),
        "description": scorecard.description,
    }


def _scorecard_version(scorecard: Scorecard) -> dict[str, Any]:
    """What the page shows: the form's fields and the criteria (a formset of their own)."""
    return {**_scorecard_initial(scorecard), "criteria": criteria_initial(scorecard)}


def _edit(request: AuthenticatedHttpRequest, scorecard: Scorecard | None) -> HttpResponse:
    user = request.user
    issuers = selectors.issuers(user)
    editing = scorecard is not None
    if scorecard is None:
        initial: dict[str, Any] = initial_for_new()
        first = issuers.first()
        if first is not None:
            initial["organisation"] = first.pk
    else:
        initial = _scorecard_initial(scorecard)
    data = request.POST if request.method == "POST" else None
    form = ScorecardForm(data, initial=initial, issuers=issuers, editing=editing)
    if scorecard is not None:
        stale.add_field(form, scorecard, _scorecard_version)  # a second tab's save stays
    formset = CriterionFormSet(data, initial=criteria_initial(scorecard), prefix="criteria")
    criteria_errors: list[str] = []
    if request.method == "POST":
        form_ok = form.is_valid()
        formset_ok = formset.is_valid()
        if form_ok and formset_ok:
            d = form.cleaned_data
            criteria = [c for c in (f.criterion() for f in formset.forms) if c is not None]
            fields: dict[str, Any] = {
                "actor": user,
                "name": d["name"],
                "period_start": d["period_start"],
                "period_end": d["period_end"],
                "kinds": list(d["kinds"]),
                "criteria": criteria,
                "grades": d["grades"],
                "min_criteria": d["min_criteria"],
                "description": d["description"],
            }
            try:
                if scorecard is None:
                    saved = services.create_scorecard(d["organisation"], **fields)
                else:
                    with stale.guard(form):
                        saved = services.update_scorecard(scorecard, **fields)
            except ValidationError as exc:
                criteria_errors = _form_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu bảng điểm “%(name)s”.") % {"name": saved.name})
                return redirect("scoring:detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "scoring/scorecard_form.html",
        {
            "form": form,
            "formset": formset,
            "criteria_errors": criteria_errors,
            "scorecard": scorecard,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.may_create(request.user):
        raise PermissionDenied
    return _edit(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scorecard = selectors.get_managed(request.user, pk)
    if not scorecard.is_editable:
        messages.error(
            request,
            _(
                "Bảng điểm đã công bố không thể sửa; hãy tạo phiên bản mới. / A published "
                "scorecard cannot be edited; make a new version."
            ),
        )
        return redirect("scoring:detail", pk=scorecard.pk)
    return _edit(request, scorecard)


def ranking_context(request: Any, scorecard: Scorecard) -> dict[str, Any]:
    """The filter form and one page of the ranking (shared with the public page)."""
    kinds = selectors.kinds_of(scorecard)
    form = RankingFilterForm(request.GET or None, kinds=kinds)
    form.is_valid()  # invalid filters are shown on the form and ignored
    data = getattr(form, "cleaned_data", {})
    qs = selectors.ranking(
        scorecard, kind=data.get("kind"), q=data.get("q") or "", sort=data.get("sort") or "rank"
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.missing_labels(scorecard, page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    criteria = selectors.criteria_of(scorecard)
    return {
        "scorecard": scorecard,
        "filter_form": form,
        "page": page,
        "querystring": params.urlencode(),
        "criteria": criteria,
        "needed": scorecard.needed_criteria(len(criteria)),
        "kinds": kinds,
    }


@login_required
@require_GET
def scorecard_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scorecard = selectors.get_scorecard(request.user, pk)
    may_manage = selectors.may_manage(request.user, scorecard)
    context = ranking_context(request, scorecard)
    context.update(
        {
            "may_manage": may_manage,
            # Managers read every organisation from the ranking itself.
            "own": [] if may_manage else selectors.own_scores(request.user, scorecard),
            "S": Scorecard.Status,
            # A new province's first scorecard ranks no one (too few criteria with data):
            # publishing it would show citizens only "not enough data".
            "nobody_ranked": scorecard.status == Scorecard.Status.COMPUTED
            and not scorecard.scores.filter(rank__isnull=False).exists(),
        }
    )
    return render(request, "scoring/scorecard_detail.html", context)


@login_required
@require_POST
def scorecard_compute(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scorecard = selectors.get_managed(request.user, pk)
    flash_outcome(
        request,
        lambda: services.compute(scorecard, actor=request.user),
        lambda count: _("Đã tính điểm %(n)d cơ quan.") % {"n": count},
    )
    return redirect("scoring:detail", pk=scorecard.pk)


@login_required
@require_POST
def scorecard_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scorecard = selectors.get_managed(request.user, pk)
    flash_outcome(
        request,
        lambda: services.publish(scorecard, actor=request.user),
        lambda _published: _("Đã công bố xếp hạng."),
    )
    return redirect("scoring:detail", pk=scorecard.pk)


@login_required
@require_POST
def scorecard_new_version(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scorecard = selectors.get_managed(request.user, pk)
    copy = services.new_version(scorecard, actor=request.user)
    messages.success(request, _("Đã tạo phiên bản mới (dự thảo)."))
    return redirect("scoring:edit", pk=copy.pk)


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A confirmation page (GET), then the deletion (POST); refused once published."""
    scorecard = selectors.get_managed(request.user, pk)
    if scorecard.is_published:
        messages.error(
            request,
            _("Bảng điểm đã công bố không thể xóa. / A published scorecard cannot be deleted."),
        )
        return redirect("scoring:detail", pk=scorecard.pk)
    if request.method == "POST":
        name = scorecard.name
        try:
            services.delete_scorecard(scorecard, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("scoring:detail", pk=scorecard.pk)
        messages.success(request, _("Đã xóa bảng điểm “%(name)s”.") % {"name": name})
        return redirect("scoring:list")
    return render(
        request,
        "scoring/scorecard_confirm_delete.html",
        {"scorecard": scorecard, "scores": scorecard.scores.count()},
    )


@login_required
@require_GET
def scorecard_document(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    scorecard = selectors.get_for_documents(request.user, pk)
    try:
        export = pdf_exports.request_pdf(scorecard, actor=request.user) if fmt == "pdf" else None
        if export is not None:
            # Too long to lay out in the request: made on the worker, kept while current.
            if jobs.is_ready(export):
                return pdf_exports.file_response(export)
            return redirect("scoring:pdf_export", pk=export.pk)
        exporter = documents.exporter(scorecard, fmt)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("scoring:detail", pk=scorecard.pk)
    return exporter.response()


def _export_for(user: Any, pk: int) -> RankingPdfExport:
    """404 when there is no such export or its scorecard is invisible, 403 when an
    unpublished one is visible without SCORE_MANAGE (as for the ranking's files)."""
    export = RankingPdfExport.objects.filter(pk=pk).first()
    if export is None:
        raise Http404
    export.scorecard = selectors.get_for_documents(user, export.scorecard_id)
    return export


@login_required
@require_GET
def pdf_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A large ranking's PDF being made: its progress, then the download link."""
    export = _export_for(request.user, pk)
    scorecard = export.scorecard
    links = jobs.Links(
        title=_("Văn bản xếp hạng (PDF)"),
        back=(reverse("scoring:detail", args=[scorecard.pk]), scorecard.name),
        poll=reverse("scoring:pdf_export", args=[export.pk]),
        file=reverse("scoring:pdf_export_file", args=[export.pk]),
        retry=reverse("scoring:pdf", args=[scorecard.pk]),
        alternatives=[
            (reverse("scoring:docx", args=[scorecard.pk]), _("Tải Word (.docx)")),
        ],
    )
    return jobs.status_page(request, export, links)


@login_required
@require_GET
def pdf_export_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    return pdf_exports.file_response(_export_for(request.user, pk))


@login_required
@require_GET
def organisation_score(
    request: AuthenticatedHttpRequest, pk: int, organisation: int
) -> HttpResponse:
    scorecard = selectors.get_scorecard(request.user, pk)
    score = selectors.get_score(request.user, scorecard, organisation)
    return render(
        request,
        "scoring/organisation_score.html",
        {
            "scorecard": scorecard,
            "b": selectors.breakdown(scorecard, score),
            "may_manage": selectors.may_manage(request.user, scorecard),
        },
    )
