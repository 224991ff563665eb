"""Organisations: the visible part of the dated tree, and creating an organisation."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, StringConstraints, model_validator

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.organisations import conduct_record, selectors, services
from congvu.organisations.models import Organisation, OrganisationKind, OrganisationQuerySet

from .common import (
    NO_NUL,
    NOT_BLANK,
    BodyId,
    Id,
    IsoDate,
    OrganisationRef,
    Pagination,
    SearchText,
    Slug,
)
from .errors import ErrorOut, ValidationErrorOut
from .security import AUTH, user_of

router = Router(tags=["organisations"], auth=AUTH)

_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
# Writes also answer 400 for a body that is not JSON at all.
_WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, **_ERRORS}


class KindOut(Schema):
    code: str
    name: str
    name_en: str


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: KindOut
    parent_id: int | None
    depth: int
    valid_from: dt.date
    valid_to: dt.date | None
    successor_id: int | None
    is_active: bool

    # The list with `as_of` reads the names borne on that day (`selectors.with_names_on`).
    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(getattr(obj, "name_then", None) or obj.name)

    @staticmethod
    def resolve_short_name(obj: Any) -> str:
        if getattr(obj, "name_then", None) is not None:
            return str(obj.short_name_then)
        return str(obj.short_name)


class TreeKindOut(Schema):
    code: str
    name: str


class TreeNodeOut(Schema):
    """One organisation as it stood on the requested day, with its children."""

    id: int = Field(..., validation_alias="organisation_id")
    code: str
    name: str
    short_name: str
    kind_code: str
    kind_name: str
    parent_id: int | None
    valid_from: dt.date
    valid_to: dt.date | None
    successor_id: int | None
    children: list["TreeNodeOut"]


TreeNodeOut.model_rebuild()


class OrganisationFilters(Schema):
    q: SearchText | None = Field(
        None, description="Tìm không dấu theo tên, tên viết tắt, mã / accent-insensitive search"
    )
    kind: Slug | None = Field(None, description="Mã loại cơ quan / kind code")
    parent: Id | None = Field(None, description="Cơ quan cấp trên / parent organisation id")
    as_of: IsoDate | None = Field(
        None,
        description="Chỉ cơ quan có hiệu lực vào ngày này (YYYY-MM-DD), với tên ngày đó / "
        "valid on this day, with the names borne that day",
    )


class TreeFilters(Schema):
    as_of: IsoDate | None = Field(None, description="Ngày (YYYY-MM-DD); mặc định hôm nay / day")


class OrganisationIn(Schema):
    """A new organisation. An unknown key is refused (422): `parent_id` once went unread
    and made a new top of the tree. `parent_id`, the name the API answers with, is taken
    as `parent`."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NOT_BLANK)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NOT_BLANK)]
    short_name: Annotated[str, StringConstraints(max_length=80, pattern=NO_NUL)] = ""
    kind: Slug = Field(..., description="Mã loại cơ quan / kind code, e.g. department")
    parent: BodyId | None = Field(
        None, description="Cơ quan cấp trên / parent id; none = top level"
    )
    parent_id: BodyId | None = Field(
        None, description="Như `parent` (tên trường trong kết quả) / same as `parent`"
    )
    valid_from: IsoDate | None = Field(None, description="Hiệu lực từ / valid from; default today")

    @model_validator(mode="after")
    def _one_parent(self) -> "OrganisationIn":
        if self.parent_id is not None:
            if self.parent is not None and self.parent != self.parent_id:
                raise ValueError(
                    "Hai giá trị khác nhau cho parent và parent_id. / "
                    "parent and parent_id disagree."
                )
            self.parent = self.parent_id
        return self


def _visible(request: HttpRequest) -> OrganisationQuerySet:
    return Organisation.objects.visible_to(user_of(request))


def _get_visible(request: HttpRequest, organisation_id: int) -> Organisation:
    return access.get_for(
        user_of(request),
        Perm.ORG_VIEW,
        Organisation.objects.select_related("kind"),
        organisation_of="",
        pk=organisation_id,
    )


@router.get(
    "",
    response={200: list[OrganisationOut], **_ERRORS},
    summary="Danh sách cơ quan / list organisations",
)
@paginate(Pagination)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilters]) -> Any:
    qs = _visible(request).select_related("kind")
    if filters.q:
        # With `as_of`, also by the names borne that day (renamed since, or to come).
        if filters.as_of is None:
            qs = qs.search(filters.q)
        else:
            qs = qs.search_on(filters.q, filters.as_of)
    if filters.kind:
        qs = qs.filter(kind__code=filters.kind)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.as_of is not None:
        qs = selectors.with_names_on(qs.valid_on(filters.as_of), filters.as_of)
    return qs


@router.get(
    "/tree",
    response={200: list[TreeNodeOut], **_ERRORS},
    summary="Cây tổ chức tại một ngày / the tree as of a day",
)
def organisation_tree(request: HttpRequest, filters: Query[TreeFilters]) -> Any:
    day = filters.as_of or timezone.localdate()
    return selectors.tree_as_of(day, _visible(request))


class NameClashOut(Schema):
    """Organisations open on the day under one parent whose names differ only in case or
    in the tone mark's place ("Văn phòng" / "VĂN PHÒNG", "Hòa" / "Hoà")."""

    parent: OrganisationRef | None = Field(
        ...,
        description="Cơ quan cấp trên, tên tại ngày đó; null: các cơ quan cấp cao nhất / "
        "the parent, with its name on that day; null: tops of trees",
    )
    members: list[OrganisationRef] = Field(
        ...,
        description="Các đơn vị mang tên trùng, tên như được viết, theo mã / the units "
        "sharing the name, each name as written, by code",
    )


@router.get(
    "/name-clashes",
    response={200: list[NameClashOut], 403: ErrorOut, **_ERRORS},
    summary="Đơn vị cùng cấp trên có tên trùng nhau / siblings sharing a name",
    description="Nhóm các đơn vị có hiệu lực vào ngày `as_of` (mặc định hôm nay), cùng cơ quan "
    "cấp trên, có tên chỉ khác chữ hoa/thường hoặc vị trí dấu thanh (dữ liệu có từ trước quy "
    "tắc tên không trùng), trong phạm vi người gọi được đổi tên cơ quan; xếp theo mã cơ quan "
    "cấp trên. 403 nếu không được đổi tên cơ quan ở đâu. / Groups of organisations open on "
    "`as_of` (default today) under one parent whose names differ only in case or in the tone "
    "mark's place (data from before the rule), among those the caller may rename, by the "
    "parent's code; 403 for a caller who may rename none.",
)
def name_clashes(request: HttpRequest, filters: Query[TreeFilters]) -> Any:
    user = user_of(request)
    access.require_anywhere(user, Perm.ORG_MANAGE)
    day = filters.as_of or timezone.localdate()
    return [
        {
            "parent": None
            if clash.parent_id is None
            else {"id": clash.parent_id, "code": clash.parent_code, "name": clash.parent_name},
            "members": [
                {"id": m.organisation_id, "code": m.code, "name": m.name} for m in clash.members
            ],
        }
        for clash in selectors.name_clashes(access.organisations_for(user, Perm.ORG_MANAGE), on=day)
    ]


@router.get(
    "/{id}",
    response={200: OrganisationOut, **_ERRORS},
    summary="Một cơ quan / one organisation",
)
def get_organisation(request: HttpRequest, id: Id) -> Any:
    return _get_visible(request, id)


@router.get(
    "/{id}/subtree",
    response={200: list[TreeNodeOut], **_ERRORS},
    summary="Cơ quan và các đơn vị trực thuộc / an organisation and everything below it",
)
def organisation_subtree(
    request: HttpRequest,
    id: Id,
    filters: Query[TreeFilters],
) -> Any:
    organisation = _get_visible(request, id)
    day = filters.as_of or timezone.localdate()
    return selectors.tree_as_of(day, selectors.subtree(organisation) & _visible(request))


@router.post(
    "",
    response={201: OrganisationOut, **_WRITE_ERRORS},
    summary="Tạo cơ quan / create an organisation",
)
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Any:
    user = user_of(request)
    parent = None
    if payload.parent is not None:
        # Invisible parent → 404 here; visible without ORG_MANAGE → 403 in the service.
        parent = _get_visible(request, payload.parent)
    kind = OrganisationKind.objects.filter(code=payload.kind).first()
    if kind is None:
        raise ValidationError({"kind": "Loại cơ quan không tồn tại. / Unknown organisation kind."})
    organisation = services.create_organisation(
        actor=user,
        code=payload.code,
        name=payload.name,
        short_name=payload.short_name,
        kind=kind,
        parent=parent,
        valid_from=payload.valid_from,
    )
    return Status(201, organisation)


# --- The conduct record for the year-end rating --------------------------------------------


class ConductRecordFilters(Schema):
    year: int | None = Field(
        None,
        ge=conduct_record.FIRST_YEAR,
        le=9999,
        description="Năm (mặc định năm nay; không quá năm nay) / calendar year, default this year",
    )
    subtree: bool = Field(False, description="Gồm đơn vị trực thuộc / include the units below")
    attention: bool = Field(
        False, description="Chỉ người cần lưu ý / only the rows needing attention"
    )
    q: SearchText | None = Field(None, description="Tìm không dấu theo tên, mã / search")
    sort: Literal["name", "index"] = Field(
        "name", description="name: theo tên; index: chỉ số thấp trước / lowest index first"
    )
    limit: int = Field(100, ge=1, le=500, description="Số dòng / page size")
    offset: int = Field(0, ge=0, le=10**9, description="Bỏ qua / rows to skip")


class DisciplineOut(Schema):
    form: str
    decision_number: str
    decided_on: dt.date


class ConductRowOut(Schema):
    staff_id: int
    full_name: str
    staff_code: str
    position_title: str
    organisation: str
    division: str
    is_active: bool
    left_on: dt.date | None
    moved: bool = Field(..., description="Đã chuyển công tác / now assigned elsewhere")
    ratings_counted: int
    ratings_satisfied: int
    satisfaction_index: float | None = Field(
        ..., description="% hài lòng và rất hài lòng; null khi chưa đủ lượt / null: too few"
    )
    substantiated_cases: int
    discipline: list[DisciplineOut]
    inspection_breaches: int
    code_acknowledged: bool | None = Field(
        ..., description="null: chưa có quy tắc áp dụng / no code in force"
    )
    acknowledged_on: dt.date | None
    needs_attention: bool
    reasons: list[str] = Field(..., description="discipline, case, breach, low_index, unconfirmed")
    reasons_text: list[str]


class ConductRecordOut(Schema):
    organisation: OrganisationRef
    year: int
    subtree: bool
    min_ratings: int
    index_threshold: float
    count: int
    items: list[ConductRowOut]


def _conduct_row(row: conduct_record.ConductRow) -> dict[str, Any]:
    return {
        "staff_id": row.staff_id,
        "full_name": row.full_name,
        "staff_code": row.staff_code,
        "position_title": row.position_title,
        "organisation": row.organisation_name,
        "division": row.division_name,
        "is_active": row.is_active,
        "left_on": row.left_on,
        "moved": row.moved,
        "ratings_counted": row.index.counted,
        "ratings_satisfied": row.index.satisfied,
        "satisfaction_index": None if row.share_pct is None else round(row.share_pct, 2),
        "substantiated_cases": row.substantiated,
        "discipline": [
            {"form": d.form, "decision_number": d.number, "decided_on": d.decided_on}
            for d in row.discipline
        ],
        "inspection_breaches": row.breaches,
        "code_acknowledged": row.acknowledged,
        "acknowledged_on": row.acknowledged_on,
        "needs_attention": row.attention,
        "reasons": row.reasons,
        "reasons_text": row.reason_texts,
    }


@router.get(
    "/{id}/conduct-record",
    response={200: ConductRecordOut, 403: ErrorOut, **_ERRORS},
    summary="Hồ sơ văn hóa công vụ của cán bộ trong năm / each staff member's conduct "
    "record for the year-end rating",
)
def organisation_conduct_record(
    request: HttpRequest, id: Id, filters: Query[ConductRecordFilters]
) -> Any:
    user = user_of(request)
    organisation = access.get_for(
        user, Perm.STAFF_VIEW_CONTACT, Organisation.objects.all(), organisation_of="", pk=id
    )
    try:
        period = conduct_record.parse_year(filters.year)
    except ValidationError as error:
        raise ValidationError({"year": error.messages}) from error
    record = conduct_record.record(
        user,
        organisation,
        period,
        subtree=filters.subtree,
        query=(filters.q or "").strip(),
        sort=filters.sort,
        attention=filters.attention,
    )
    ids = record.order[filters.offset : filters.offset + filters.limit]
    return {
        "organisation": organisation,
        "year": period.year,
        "subtree": filters.subtree,
        "min_ratings": conduct_record.min_ratings(),
        "index_threshold": conduct_record.index_threshold(),
        "count": record.count,
        "items": [_conduct_row(row) for row in record.rows(ids)],
    }
