"""Satisfaction aggregates from the rollup tables (`feedback.selectors`): by
organisation and for one organisation (index, trend, behaviours), scoped by
RATING_VIEW, and a public one that shows an organisation only from `MIN_PUBLIC`
counted ratings in the period.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.feedback import selectors

from ..common import (
    Id,
    IsoDate,
    OrganisationRef,
    Slug,
)
from ..errors import ValidationErrorOut
from ..plans import READ_ERRORS, get_organisation
from ..security import user_of
from .schemas import PUBLIC_TAGS

router = Router()


class IndexOut(Schema):
    counted: int = Field(..., description="Lượt được tính / counted ratings")
    satisfied: int
    total: int = Field(..., description="Mọi lượt, kể cả bị gắn cờ / every rating")
    flagged: int = Field(..., description="Chờ xem xét / waiting for review")
    verified: int = Field(..., description="Qua hồ sơ / through a dossier")
    levels: list[int] = Field(..., description="Lượt được tính theo mức 1..5 / counted per level")
    share: float | None = Field(..., description="Tỷ lệ hài lòng / satisfied ÷ counted")
    low: float | None = Field(
        ...,
        description="Cận dưới khoảng tin cậy 95 % (Wilson) / "
        "lower bound of the 95 % Wilson interval",
    )
    high: float | None = Field(
        ...,
        description="Cận trên khoảng tin cậy 95 % (Wilson) / "
        "upper bound of the 95 % Wilson interval",
    )


class PublicIndexOut(Schema):
    counted: int
    satisfied: int
    verified: int
    share: float | None
    low: float | None
    high: float | None


class OrganisationSatisfactionOut(Schema):
    id: int
    code: str
    name: str
    kind: str = Field(..., description="Mã loại cơ quan / kind code")
    kind_name: str
    rank: int | None = Field(
        ..., description="Thứ hạng; null khi chưa đủ lượt / rank; null with too few ratings"
    )
    index: IndexOut


class PublicOrganisationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_name: str
    rank: int | None
    index: PublicIndexOut


class SatisfactionPageOut(Schema):
    start: dt.date
    end: dt.date
    count: int
    items: list[OrganisationSatisfactionOut]


class PublicSatisfactionOut(Schema):
    start: dt.date
    end: dt.date
    min_ratings: int = Field(
        ..., description="Chỉ công bố cơ quan có từ số lượt này / published from this many"
    )
    withheld: int = Field(
        ..., description="Số cơ quan chưa đủ lượt, không công bố / organisations withheld"
    )
    province: PublicIndexOut
    organisations: list[PublicOrganisationOut]


class TrendPointOut(Schema):
    month: dt.date
    index: IndexOut


class BehaviourOut(Schema):
    clause_id: int
    code: str
    title: str
    kept: int
    breached: int
    unknown: int
    rate: float | None = Field(..., description="kept ÷ (kept + breached)")
    low: float | None
    high: float | None


class OrganisationDetailOut(Schema):
    start: dt.date
    end: dt.date
    organisation: OrganisationRef
    index: IndexOut
    province: IndexOut = Field(..., description="Toàn tỉnh / the whole province")
    same_kind: IndexOut = Field(..., description="Các cơ quan cùng loại / same kind")
    trend: list[TrendPointOut]
    behaviours: list[BehaviourOut]


class PeriodFilters(Schema):
    start: IsoDate | None = Field(None, description="Mặc định: 11 tháng trước / default")
    end: IsoDate | None = Field(None, description="Mặc định: tháng này / default: this month")


class SatisfactionFilters(PeriodFilters):
    kind: Slug | None = Field(None, description="Mã loại cơ quan / organisation kind code")
    limit: int = Field(100, ge=1, le=5000, description="Số dòng mỗi trang / page size")
    offset: int = Field(0, ge=0, le=10**9, description="Bỏ qua bao nhiêu dòng / rows to skip")


class PublicSatisfactionFilters(PeriodFilters):
    kind: Slug | None = Field(None, description="Mã loại cơ quan / organisation kind code")


#: Ratings began long after 2000; the bounds keep month arithmetic in range.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _period(filters: PeriodFilters) -> tuple[dt.date, dt.date]:
    for name in ("start", "end"):
        value = getattr(filters, name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise NinjaValidationError(
                [
                    {
                        "loc": ["query", name],
                        "msg": "Ngày phải trong khoảng 2000–2100. / "
                        "The date must be between 2000 and 2100.",
                        "type": "value_error",
                    }
                ]
            )
    default_start, default_end = selectors.default_period(timezone.localdate())
    start = filters.start or (
        selectors.add_months(selectors.month_start(filters.end), -11)
        if filters.end
        else default_start
    )
    end = filters.end or max(default_end, selectors.month_start(start))
    if end < start:
        raise NinjaValidationError(
            [
                {
                    "loc": ["query", "end"],
                    "msg": "Ngày kết thúc trước ngày bắt đầu. / The end is before the start.",
                    "type": "value_error",
                }
            ]
        )
    if len(selectors.months_between(start, end)) > selectors.MAX_MONTHS:
        raise NinjaValidationError(
            [
                {
                    "loc": ["query", "end"],
                    "msg": f"Tối đa {selectors.MAX_MONTHS} tháng. / At most "
                    f"{selectors.MAX_MONTHS} months.",
                    "type": "value_error",
                }
            ]
        )
    return selectors.month_start(start), selectors.month_start(end)


def _index(index: selectors.Index) -> dict[str, Any]:
    return {
        "counted": index.counted,
        "satisfied": index.satisfied,
        "total": index.total,
        "flagged": index.flagged,
        "verified": index.verified,
        "levels": list(index.levels),
        "share": index.share,
        "low": index.low,
        "high": index.high,
    }


def _row(row: selectors.OrganisationRow) -> dict[str, Any]:
    return {
        "id": row.organisation_id,
        "code": row.code,
        "name": row.name,
        "kind": row.kind_code,
        "kind_name": row.kind,
        "rank": row.rank,
        "index": _index(row.index),
    }


@router.get(
    "/ratings/organisations",
    response={200: SatisfactionPageOut, **READ_ERRORS},
    summary="Chỉ số hài lòng theo cơ quan / satisfaction by organisation (RATING_VIEW scope)",
    description="Từ bảng tổng hợp theo tháng; xếp hạng theo tỷ lệ hài lòng khi đủ lượt. / From "
    "the monthly rollups; ranked by share when there are enough ratings.",
)
def satisfaction_by_organisation(request: HttpRequest, filters: Query[SatisfactionFilters]) -> Any:
    user = user_of(request)
    access.require_anywhere(user, Perm.RATING_VIEW)
    start, end = _period(filters)
    rows = selectors.organisation_rows(user, start=start, end=end, kind=filters.kind)
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"start": start, "end": end, "count": len(rows), "items": [_row(r) for r in page]}


@router.get(
    "/ratings/organisations/{id}",
    response={200: OrganisationDetailOut, **READ_ERRORS},
    summary="Chỉ số, xu hướng, hành vi của một cơ quan / one organisation's index, trend and "
    "behaviours (RATING_VIEW)",
)
def satisfaction_of_organisation(
    request: HttpRequest, id: Id, filters: Query[PeriodFilters]
) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.RATING_VIEW, id)
    start, end = _period(filters)
    return {
        "start": start,
        "end": end,
        "organisation": organisation,
        "index": _index(selectors.organisation_index(organisation, start=start, end=end)),
        "province": _index(selectors.province_index(start=start, end=end)),
        "same_kind": _index(selectors.kind_index(organisation.kind_id, start=start, end=end)),
        "trend": [
            {"month": month, "index": _index(index)}
            for month, index in selectors.monthly_trend(
                organisation=organisation, start=start, end=end
            )
        ],
        "behaviours": selectors.criterion_rates(organisation=organisation, start=start, end=end),
    }


@router.get(
    "/public/satisfaction",
    auth=None,
    tags=PUBLIC_TAGS,
    response={200: PublicSatisfactionOut, 422: ValidationErrorOut},
    summary="Mức độ hài lòng công khai / public satisfaction by organisation",
    description=f"Chỉ cơ quan có từ {selectors.MIN_PUBLIC} lượt được tính trong kỳ, để không "
    "ai bị nhận diện. / Only organisations with at least "
    f"{selectors.MIN_PUBLIC} counted ratings in the period, so no person can be singled out.",
)
def public_satisfaction(request: HttpRequest, filters: Query[PublicSatisfactionFilters]) -> Any:
    start, end = _period(filters)
    rows = selectors.organisation_rows(None, start=start, end=end, kind=filters.kind, public=True)
    published = [row for row in rows if row.published]
    return {
        "start": start,
        "end": end,
        "min_ratings": selectors.MIN_PUBLIC,
        "withheld": len(rows) - len(published),
        "province": _index(selectors.province_index(start=start, end=end)),
        "organisations": [_row(row) for row in published],
    }
