"""The public transparency page: citizens' satisfaction by organisation, and its open data.

No login. Figures of an organisation are published only when at least
`selectors.MIN_PUBLIC` (30) ratings were counted in the period, so that no
person can be singled out; nothing below the organisation (no staff member)
is ever shown. The same rule holds for the provincial monthly trend.

The pages render no user-specific content (no session, no CSRF token, no
navigation of a logged-in user): they are rendered without the request's
context processors and sent with `Cache-Control: public` for a few minutes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Final

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congvu.core.cells import safe_cell

from . import selectors
from .review_forms import Period, period_from
from .selectors import Index, OrganisationRow
from .views import page_of, querystring, trend_chart

CACHE_SECONDS: Final = 300
PER_PAGE: Final = 50
DECIMALS: Final = 4


def _public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _filters(request: HttpRequest) -> tuple[Period, str, list[tuple[str, str, bool]]]:
    period = period_from(request.GET, timezone.localdate())
    kinds = selectors.kinds()
    kind_code = str(request.GET.get("kind", ""))
    if kind_code not in {k.code for k in kinds}:
        kind_code = ""
    return period, kind_code, [(k.code, str(k), k.code == kind_code) for k in kinds]


def _rows(
    period: Period, kind_code: str, province: selectors.ProvincePeriod | None = None
) -> list[OrganisationRow]:
    return selectors.organisation_rows(
        None,
        start=period.start,
        end=period.end,
        kind=kind_code or None,
        public=True,
        province=province,
    )


def _published(trend: list[tuple[Any, Index]]) -> list[tuple[Any, Index]]:
    """The province per month; a month with fewer than MIN_PUBLIC counted ratings is blank
    (early on, one organisation's ratings could be the whole month)."""
    return [
        (month, index if index.counted >= selectors.MIN_PUBLIC else selectors.EMPTY)
        for month, index in trend
    ]


def index(request: HttpRequest) -> HttpResponse:
    period, kind_code, kind_choices = _filters(request)
    province_data = selectors.province_period(start=period.start, end=period.end)
    rows = _rows(period, kind_code, province_data)
    full_trend = province_data.trend()
    province = province_data.index()
    if province.counted < selectors.MIN_PUBLIC:
        province = selectors.EMPTY
    trend = _published(full_trend)
    page = page_of(rows, PER_PAGE, request.GET.get("page"))
    downloads = querystring(request.GET, "page")
    html = render_to_string(
        "feedback/transparency/index.html",
        {
            "period": period,
            "kind_choices": kind_choices,
            "province": province,
            "published": sum(1 for row in rows if row.published),
            "page": page,
            "min_public": selectors.MIN_PUBLIC,
            "trend": trend,
            "chart_data": trend_chart(trend, label=_("Toàn tỉnh")),
            "qs_page": downloads,
            "downloads": f"?{downloads}" if downloads else "",
            "here": request.get_full_path(),
        },
    )
    return _public(HttpResponse(html))


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    vi: Any
    en: str


FIELDS: Final = (
    Field(
        "organisation_code",
        "string",
        gettext_lazy("Mã định danh của cơ quan, đơn vị."),
        "Electronic identifier of the organisation.",
    ),
    Field(
        "organisation_name",
        "string",
        gettext_lazy("Tên cơ quan, đơn vị."),
        "Name of the organisation.",
    ),
    Field(
        "kind",
        "string",
        gettext_lazy("Loại cơ quan (sở, UBND xã, đơn vị sự nghiệp…)."),
        "Kind of organisation (department, commune, public service unit…).",
    ),
    Field(
        "period_start",
        "date (YYYY-MM-DD)",
        gettext_lazy("Ngày đầu của khoảng thời gian."),
        "First day of the period.",
    ),
    Field(
        "period_end",
        "date (YYYY-MM-DD)",
        gettext_lazy("Ngày cuối của khoảng thời gian."),
        "Last day of the period.",
    ),
    Field(
        "counted",
        "integer",
        gettext_lazy(
            "Số lượt đánh giá được tính (không gồm lượt bị gắn cờ chưa xem xét hoặc đã bị loại)."
        ),
        "Ratings counted (flagged ratings not yet reviewed, or excluded, are left out).",
    ),
    Field(
        "satisfied",
        "integer",
        gettext_lazy("Số lượt “hài lòng” hoặc “rất hài lòng” trong số lượt được tính."),
        "Counted ratings that were “satisfied” or “very satisfied”.",
    ),
    Field(
        "share",
        "number 0–1",
        gettext_lazy("Chỉ số hài lòng = satisfied / counted."),
        "Satisfaction index = satisfied / counted.",
    ),
    Field(
        "wilson_low",
        "number 0–1",
        gettext_lazy("Cận dưới khoảng tin cậy 95 % của chỉ số (khoảng Wilson)."),
        "Lower bound of the 95 % Wilson score interval of the index.",
    ),
    Field(
        "wilson_high",
        "number 0–1",
        gettext_lazy("Cận trên khoảng tin cậy 95 % của chỉ số (khoảng Wilson)."),
        "Upper bound of the 95 % Wilson score interval of the index.",
    ),
)
FIELD_NAMES: Final = tuple(f.name for f in FIELDS)


def _record(row: OrganisationRow, period: Period) -> dict[str, Any]:
    def num(value: float | None) -> float | None:
        return None if value is None else round(value, DECIMALS)

    return {
        "organisation_code": row.code,
        "organisation_name": row.name,
        "kind": row.kind,
        "period_start": period.start.isoformat(),
        "period_end": period.last_day.isoformat(),
        "counted": row.index.counted,
        "satisfied": row.index.satisfied,
        "share": num(row.index.share),
        "wilson_low": num(row.index.low),
        "wilson_high": num(row.index.high),
    }


def _records(request: HttpRequest) -> tuple[Period, list[dict[str, Any]]]:
    """The published rows (at least MIN_PUBLIC counted), best index first."""
    period, kind_code, _choices = _filters(request)
    rows = [row for row in _rows(period, kind_code) if row.published]
    return period, [_record(row, period) for row in rows]


def _filename(period: Period, ext: str) -> str:
    return f"hai-long-{period.start:%Y-%m}-{period.end:%Y-%m}.{ext}"


def csv_download(request: HttpRequest) -> HttpResponse:
    period, records = _records(request)
    buffer = io.StringIO()
    # The byte-order mark lets spreadsheet programs read Vietnamese as UTF-8.
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=FIELD_NAMES, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "" if v is None else safe_cell(v) for k, v in record.items()})
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(period, "csv")}"'
    return _public(response)


def json_download(request: HttpRequest) -> HttpResponse:
    period, records = _records(request)
    response = JsonResponse(
        {
            "period_start": period.start.isoformat(),
            "period_end": period.last_day.isoformat(),
            "min_counted": selectors.MIN_PUBLIC,
            "fields": request.build_absolute_uri(reverse("transparency:fields")),
            "rows": records,
        },
        json_dumps_params={"ensure_ascii": False},
    )
    return _public(response)


def fields(request: HttpRequest) -> HttpResponse:
    html = render_to_string(
        "feedback/transparency/fields.html",
        {
            "fields": FIELDS,
            "min_public": selectors.MIN_PUBLIC,
            "period": None,
            "here": request.get_full_path(),
        },
    )
    return _public(HttpResponse(html))
