"""The public rankings (`/rankings/`): published scorecards, their criteria and weights
explained, the open data (CSV, JSON) with documented fields, and the ranking as the
PDF document (docs/decisions.md says why the public gets it). No login."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, Final, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from congvu.core import pdf_exports as jobs
from congvu.core.cells import safe_cell

from . import documents, pdf_exports, selectors
from .models import OrganisationScore, RankingPdfExport, Scorecard
from .views import ranking_context

CACHE_SECONDS: Final = 300
_R = TypeVar("_R", bound=HttpResponseBase)

#: The open data's fields, documented on the page (name, meaning).
FIELDS: Final = (
    ("scorecard_id", _("Mã bảng điểm")),
    ("organisation_code", _("Mã định danh của cơ quan")),
    ("organisation_name", _("Tên cơ quan khi chấm điểm")),
    ("kind", _("Mã loại cơ quan (xếp hạng trong cùng loại)")),
    ("rank", _("Thứ hạng trong loại; để trống khi không đủ dữ liệu")),
    ("total", _("Tổng điểm 0–100 (2 chữ số thập phân, dấu chấm); để trống khi không đủ dữ liệu")),
    ("grade", _("Xếp loại")),
    ("criteria_with_data", _("Số tiêu chí có dữ liệu")),
    ("missing", _("Mã các tiêu chí không có dữ liệu, cách nhau bởi dấu “|”")),
    ("<metric>", _("Mỗi tiêu chí một cột (mã chỉ số): giá trị 0–100, trống khi không có dữ liệu")),
)


def _public(response: _R) -> _R:
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    scorecards = list(Scorecard.objects.published().select_related("organisation")[:50])
    return render(request, "scoring/public_index.html", {"scorecards": scorecards})


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scorecard = selectors.get_public(pk)
    context = ranking_context(request, scorecard)
    context["fields"] = FIELDS
    return render(request, "scoring/public_detail.html", context)


def _rows(scorecard: Scorecard) -> Iterator[dict[str, Any]]:
    metrics = [c.metric for c in scorecard.criteria.all()]
    scores = (
        selectors.ranking(scorecard)
        .select_related("kind")
        .only(
            "organisation_code",
            "organisation_name",
            "kind__code",
            "rank",
            "total",
            "grade",
            "with_data",
            "missing",
            "parts",
        )
    )
    for score in scores.iterator(chunk_size=500):
        yield _row(scorecard, score, metrics)


def _row(scorecard: Scorecard, score: OrganisationScore, metrics: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "scorecard_id": scorecard.pk,
        "organisation_code": score.organisation_code,
        "organisation_name": score.organisation_name,
        "kind": score.kind.code,
        "rank": score.rank,
        "total": score.total,
        "grade": score.grade,
        "criteria_with_data": score.with_data,
        "missing": list(score.missing),
    }
    for metric in metrics:
        row[metric] = (score.parts.get(metric) or {}).get("value")
    return row


@require_GET
def csv_download(request: HttpRequest, pk: int) -> HttpResponse:
    scorecard = selectors.get_public(pk)
    metrics = [c.metric for c in scorecard.criteria.all()]
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 correctly only with the BOM
    names = [name for name, _label in FIELDS if name != "<metric>"] + metrics
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    for row in _rows(scorecard):
        row["missing"] = "|".join(row["missing"])
        writer.writerow({k: "" if v is None else safe_cell(v) for k, v in row.items()})
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="xep-hang-{scorecard.pk}.csv"'
    return _public(response)


@require_GET
def json_download(request: HttpRequest, pk: int) -> HttpResponse:
    scorecard = selectors.get_public(pk)
    body = {
        "scorecard": {
            "id": scorecard.pk,
            "name": scorecard.name,
            "period_start": scorecard.period_start.isoformat(),
            "period_end": scorecard.period_end.isoformat(),
            "published_at": scorecard.published_at.isoformat() if scorecard.published_at else None,
            "criteria": [
                {"metric": c.metric, "label": c.display_label, "weight": float(c.weight)}
                for c in scorecard.criteria.all()
            ],
            "grades": scorecard.grades,
        },
        "organisations": list(_rows(scorecard)),
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="xep-hang-{scorecard.pk}.json"'
    return _public(response)


@require_GET
def pdf_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The published ranking as a PDF: made in the request (then cached) when small, on the
    worker when large — then this sends the reader to the page that waits for it."""
    scorecard = selectors.get_public(pk)
    export = pdf_exports.request_pdf(scorecard, actor=request.user)
    if export is None:
        return _public(documents.RankingPdf(scorecard).response())
    if jobs.is_ready(export):
        return _public(pdf_exports.file_response(export))
    return redirect("rankings:pdf_export", pk=scorecard.pk, export=export.pk)


def _export_for(pk: int, export: int) -> RankingPdfExport:
    """Only an export of a published scorecard, through that scorecard's address."""
    found = RankingPdfExport.objects.filter(pk=export, scorecard=selectors.get_public(pk)).first()
    if found is None:
        raise Http404
    return found


@require_GET
def pdf_export(request: HttpRequest, pk: int, export: int) -> HttpResponse:
    """A large published ranking's PDF being made: its progress, then the download link."""
    found = _export_for(pk, export)
    scorecard = found.scorecard
    links = jobs.Links(
        title=str(_("Văn bản xếp hạng (PDF)")),
        back=(reverse("rankings:detail", args=[scorecard.pk]), scorecard.name),
        poll=reverse("rankings:pdf_export", args=[scorecard.pk, found.pk]),
        file=reverse("rankings:pdf_export_file", args=[scorecard.pk, found.pk]),
        retry=reverse("rankings:pdf", args=[scorecard.pk]),
    )
    return jobs.status_page(request, found, links)


@require_GET
def pdf_export_file(request: HttpRequest, pk: int, export: int) -> HttpResponseBase:
    return _public(pdf_exports.file_response(_export_for(pk, export)))
