"""The public rankings (`/rankings/`): published scorecards, their criteria and weights
explained, the open data (CSV, JSON) with documented fields, and the ranking as the
PDF document (docs/decisions.md says why the public gets it). No login."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, Final

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from . import documents, selectors
from .models import OrganisationScore, Scorecard
from .views import ranking_context

CACHE_SECONDS: Final = 300

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


def _public(response: HttpResponse) -> HttpResponse:
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
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
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
def pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The published ranking as a PDF (from the cache after the first request)."""
    return _public(documents.RankingPdf(selectors.get_public(pk)).response())
