"""The yearly inspection programme (kế hoạch kiểm tra công vụ hằng năm): drafting it, its
items one at a time or many at once, approval, coverage, and the programme as a Word or
Excel file. Its amendments (quyết định điều chỉnh) are in `programme_amendments`, which
shares this module's helpers and schemas.

Reads start from `InspectionProgramme.objects.visible_to(user)`: the programmes issued in
the caller's INSPECTION_RUN scope, and, for the inspected organisation's people, approved
programmes with an item of theirs they may see (an unannounced item only once its
inspection has started). Drafting and the files need INSPECTION_RUN on the issuing
organisation; approving needs INSPECTION_PROGRAMME_APPROVE there (Home Affairs
leadership). Writes call `inspections.programme_services`.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Strict, StringConstraints, WithJsonSchema

from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.inspections import (
    programme_documents,
    programme_selectors,
    programme_services,
    selectors,
)
from congvu.inspections.models import (
    InspectionProgramme,
    ProgrammeAmendment,
    ProgrammeItem,
)
from congvu.organisations.models import OrganisationKind

from .common import (
    NO_NUL,
    NOT_BLANK,
    BodyId,
    Id,
    IsoDate,
    OrganisationRef,
    Pagination,
    file_responses,
)
from .inspections import InspectionKind, Note, _user
from .plans import READ_ERRORS, WRITE_ERRORS, BodyIn, UserRef, get_organisation, one_of, pick
from .scoring import FILE_ERRORS
from .security import AUTH, user_of

#: Shared with `programme_amendments`: one section of the API documentation.
TAGS = ["Kế hoạch kiểm tra năm / Inspection programmes"]
router = Router(tags=TAGS, auth=AUTH)

ProgrammeStatus = Annotated[
    InspectionProgramme.Status, WithJsonSchema(one_of(InspectionProgramme.Status))
]
CoverageState = Annotated[
    str, WithJsonSchema({"type": "string", "enum": list(programme_selectors.COVERAGE)})
]
Year = Annotated[
    int,
    Strict(),
    Field(ge=programme_services.YEAR_MIN, le=programme_services.YEAR_MAX),
]
Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=programme_services.TITLE_MAX, pattern=NOT_BLANK),
]
Decision = Annotated[
    str, StringConstraints(max_length=programme_services.DECISION_MAX, pattern=NO_NUL)
]


class ProgrammeOut(Schema):
    id: int
    year: int
    organisation: OrganisationRef = Field(..., description="Cơ quan ban hành / issued by")
    title: str
    status: ProgrammeStatus
    decision_number: str
    decision_on: dt.date | None
    approved_at: dt.datetime | None


class ProgrammeItemOut(Schema):
    id: int
    organisation: OrganisationRef
    quarter: int
    month: int | None
    kind: InspectionKind
    lead: UserRef | None
    note: str
    state: CoverageState = Field(
        ...,
        description="planned | inspection_planned | in_progress | concluded | overdue (the "
        "quarter or month is over and no inspection concluded) | cancelled (by an approved "
        "amendment; kept, with its reason)",
    )
    inspections: list[str] = Field(..., description="Mã cuộc kiểm tra / inspection codes")
    cancelled_at: dt.datetime | None
    cancel_reason: str


AmendmentStatus = Annotated[
    ProgrammeAmendment.Status, WithJsonSchema(one_of(ProgrammeAmendment.Status))
]


class AmendmentRef(Schema):
    number: int
    status: AmendmentStatus
    decision_number: str
    decision_on: dt.date | None


class ProgrammeDetailOut(ProgrammeOut):
    items: list[ProgrammeItemOut]
    amendments: list[AmendmentRef] = Field(
        ...,
        description="Các lần điều chỉnh (người được kiểm tra: chỉ bản đã phê duyệt) / "
        "amendments (the inspected organisations: approved ones only)",
    )


class QuarterCoverageOut(Schema):
    quarter: int
    items: int
    counts: dict[str, int] = Field(..., description="Số mục theo tình trạng / items per state")


class CoverageOut(Schema):
    programme: int
    totals: dict[str, int]
    quarters: list[QuarterCoverageOut]
    items: list[ProgrammeItemOut]


class ProgrammeIn(BodyIn):
    organisation: BodyId = Field(..., description="Cơ quan ban hành / issuing organisation id")
    year: Year
    title: Title


class ProgrammeItemIn(BodyIn):
    organisation: BodyId = Field(..., description="Cơ quan được kiểm tra / organisation id")
    quarter: Annotated[int, Strict(), Field(ge=1, le=4)] | None = None
    month: Annotated[int, Strict(), Field(ge=1, le=12)] | None = Field(
        None, description="Tháng (quý suy ra từ tháng) / month (gives the quarter)"
    )
    kind: InspectionKind
    lead: BodyId | None = None
    note: Note = ""


class ApproveIn(BodyIn):
    decision_number: Decision = Field("", description="Ví dụ / e.g. “123/QĐ-SNV”")
    decision_on: IsoDate | None = None


def _item_out(row: programme_selectors.CoverageRow) -> dict[str, Any]:
    item = row.item
    return {
        "id": item.pk,
        "organisation": item.organisation,
        "quarter": item.quarter,
        "month": item.month,
        "kind": item.kind,
        "lead": item.lead,
        "note": item.note,
        "state": row.state,
        "inspections": [inspection.code for inspection in row.inspections],
        "cancelled_at": item.cancelled_at,
        "cancel_reason": item.cancel_reason,
    }


def _programme_detail(user: User, programme: InspectionProgramme) -> dict[str, Any]:
    found = programme_selectors.coverage(user, programme, timezone.localdate())
    manages = programme_selectors.may_manage(user, programme)
    return {
        **{
            name: getattr(programme, name)
            for name in (
                "id",
                "year",
                "organisation",
                "title",
                "status",
                "decision_number",
                "decision_on",
                "approved_at",
            )
        },
        "items": [_item_out(row) for row in found.rows],
        "amendments": [
            a
            for a in programme.amendments.all()
            if manages or a.status == ProgrammeAmendment.Status.APPROVED
        ],
    }


def programme_to_manage(user: User, pk: int) -> InspectionProgramme:
    programme = programme_selectors.get_programme(user, pk)
    if not programme_selectors.may_manage(user, programme):
        raise PermissionDenied
    return programme


@router.get(
    "/inspection-programmes",
    response={200: list[ProgrammeOut], **READ_ERRORS},
    summary="Kế hoạch kiểm tra năm / yearly inspection programmes",
)
@paginate(Pagination)
def list_programmes(request: HttpRequest) -> Any:
    user = user_of(request)
    selectors.require_use(user)
    return (
        InspectionProgramme.objects.visible_to(user)
        .select_related("organisation")
        .order_by("-year", "-pk")
    )


@router.get(
    "/inspection-programmes/{id}",
    response={200: ProgrammeDetailOut, **READ_ERRORS},
    summary="Một kế hoạch kiểm tra năm, với các mục người gọi được xem / one programme",
)
def get_programme(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    return _programme_detail(user, programme_selectors.get_programme(user, id))


@router.post(
    "/inspection-programmes",
    response={201: ProgrammeDetailOut, **WRITE_ERRORS},
    summary="Lập kế hoạch kiểm tra năm (dự thảo) / create a draft programme",
)
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.INSPECTION_RUN, payload.organisation)
    programme = programme_services.create_programme(
        organisation, actor=user, year=payload.year, title=payload.title
    )
    return Status(201, _programme_detail(user, programme))


def new_item(user: User, payload: ProgrammeItemIn) -> dict[str, Any]:
    """A new item's fields for `add_item` and `propose_addition`, references resolved."""
    return {
        "organisation": get_organisation(user, Perm.INSPECTION_RUN, payload.organisation),
        "quarter": payload.quarter,
        "month": payload.month,
        "kind": payload.kind,
        "lead": _user(payload.lead, "lead"),
        "note": payload.note,
    }


@router.post(
    "/inspection-programmes/{id}/items",
    response={201: ProgrammeDetailOut, **WRITE_ERRORS},
    summary="Thêm cơ quan vào kế hoạch (dự thảo) / add an item to a draft programme",
    description="Một cơ quan tối đa một lần mỗi quý. / An organisation at most once a quarter.",
)
def add_programme_item(request: HttpRequest, id: Id, payload: ProgrammeItemIn) -> Any:
    user = user_of(request)
    programme = programme_to_manage(user, id)
    programme_services.add_item(programme, actor=user, **new_item(user, payload))
    return Status(201, _programme_detail(user, programme))


@router.post(
    "/inspection-programmes/{id}/approve",
    response={200: ProgrammeDetailOut, **WRITE_ERRORS},
    summary="Phê duyệt kế hoạch / approve the programme (then changed only by amendments)",
    description="Lãnh đạo Sở Nội vụ (INSPECTION_PROGRAMME_APPROVE). / Home Affairs leadership.",
)
def approve_programme(request: HttpRequest, id: Id, payload: ApproveIn) -> Any:
    user = user_of(request)
    programme = programme_services.approve(
        programme_to_manage(user, id),
        actor=user,
        decision_number=payload.decision_number,
        decision_on=payload.decision_on,
    )
    return _programme_detail(user, programme)


@router.get(
    "/inspection-programmes/{id}/coverage",
    response={200: CoverageOut, **READ_ERRORS},
    summary="Tiến độ thực hiện kế hoạch / coverage: each item's state, counts per quarter",
)
def programme_coverage(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    programme = programme_to_manage(user, id)
    found = programme_selectors.coverage(user, programme, timezone.localdate())
    return {
        "programme": programme.pk,
        "totals": found.totals,
        "quarters": [
            {
                "quarter": q,
                "items": counts["all"],
                "counts": {state: counts[state] for state in programme_selectors.COVERAGE},
            }
            for q, counts in found.quarters.items()
        ],
        "items": [_item_out(row) for row in found.rows],
    }


# --- a draft's items ------------------------------------------------------------------------


class ProgrammeItemPatchIn(BodyIn):
    organisation: BodyId | None = None
    quarter: Annotated[int, Strict(), Field(ge=1, le=4)] | None = None
    month: Annotated[int, Strict(), Field(ge=1, le=12)] | None = Field(
        None, description="Tháng (quý suy ra từ tháng) / month (gives the quarter)"
    )
    kind: InspectionKind | None = None
    lead: BodyId | None = None
    note: Note | None = None


def item_to_manage(user: User, pk: int) -> ProgrammeItem:
    return programme_selectors.get_item_to_manage(user, pk)


@router.patch(
    "/inspection-programme-items/{id}",
    response={200: ProgrammeDetailOut, **WRITE_ERRORS},
    summary="Sửa một mục của kế hoạch dự thảo / change an item of a draft programme",
    description="Trường không gửi giữ nguyên; gửi quarter hoặc month thay thời gian. / "
    "Fields left out stay; a quarter or a month replaces the period.",
)
def update_programme_item(request: HttpRequest, id: Id, payload: ProgrammeItemPatchIn) -> Any:
    user = user_of(request)
    item = item_to_manage(user, id)
    sent = payload.model_fields_set
    organisation = (
        get_organisation(user, Perm.INSPECTION_RUN, payload.organisation)
        if payload.organisation is not None
        else item.organisation
    )
    period = (
        {"quarter": payload.quarter, "month": payload.month}
        if {"quarter", "month"} & sent
        else {"quarter": item.quarter, "month": item.month}
    )
    programme_services.update_item(
        item,
        actor=user,
        organisation=organisation,
        kind=payload.kind if payload.kind is not None else item.kind,
        lead=_user(payload.lead, "lead") if "lead" in sent else item.lead,
        note=payload.note if payload.note is not None else item.note,
        **period,
    )
    return _programme_detail(user, item.programme)


@router.delete(
    "/inspection-programme-items/{id}",
    response={204: None, **WRITE_ERRORS},
    summary="Xóa một mục của kế hoạch dự thảo / remove an item of a draft programme",
    description="Kế hoạch đã phê duyệt: hủy mục bằng điều chỉnh. / Approved: cancel it "
    "through an amendment.",
)
def delete_programme_item(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    programme_services.remove_item(item_to_manage(user, id), actor=user)
    return Status(204, None)


class BulkIn(BodyIn):
    organisations: list[BodyId] = Field(
        [], max_length=programme_services.BULK_MAX, description="Cơ quan chọn / ticked ids"
    )
    organisation_kind: BodyId | None = Field(
        None, description="Mọi cơ quan thuộc loại này / every organisation of this kind"
    )
    never_years: Annotated[int, Strict(), Field(ge=1, le=programme_selectors.YEARS_MAX)] | None = (
        Field(
            None,
            description="Mọi cơ quan chưa được kiểm tra trong N năm qua / every organisation "
            "not inspected in the last N years",
        )
    )
    quarter: Annotated[int, Strict(), Field(ge=1, le=4)] | None = None
    month: Annotated[int, Strict(), Field(ge=1, le=12)] | None = None
    kind: InspectionKind
    lead: BodyId | None = None
    note: Note = ""


@router.post(
    "/inspection-programmes/{id}/items/bulk",
    response={201: ProgrammeDetailOut, **WRITE_ERRORS},
    summary="Thêm nhiều cơ quan một lần (dự thảo) / add many organisations at once",
    description="Cả ba cách chọn cộng lại; tất cả hoặc không: cơ quan đã có trong quý bị từ "
    "chối, nêu tên. / The three ways add up; all or nothing: organisations already in the "
    "quarter are refused by name.",
)
def add_programme_items(request: HttpRequest, id: Id, payload: BulkIn) -> Any:
    user = user_of(request)
    programme = programme_to_manage(user, id)
    programme_services.add_items(programme, actor=user, **bulk_fields(user, programme, payload))
    return Status(201, _programme_detail(user, programme))


def bulk_fields(user: User, programme: InspectionProgramme, payload: BulkIn) -> dict[str, Any]:
    """The organisations a bulk entry names (ticked, of a kind, not inspected for N years)
    and its period, kind, lead and note: for a draft programme or an amendment."""
    scope = programme_selectors.item_organisations(user, programme.year)
    picked = pick(scope, payload.organisations, field="organisations", what="cơ quan")
    kind = None
    if payload.organisation_kind is not None:
        kind = OrganisationKind.objects.filter(pk=payload.organisation_kind).first()
        if kind is None:
            raise ValidationError(
                {"organisation_kind": "Không tìm thấy loại cơ quan. / No such kind."}
            )
    chosen = programme_selectors.bulk_organisations(
        user,
        programme,
        picked=[o.pk for o in picked],
        kind=kind,
        never_years=payload.never_years,
    )
    return {
        "organisations": list(chosen),
        "quarter": payload.quarter,
        "month": payload.month,
        "kind": payload.kind,
        "lead": _user(payload.lead, "lead"),
        "note": payload.note,
    }


# --- the programme's files ----------------------------------------------------------------


def _document(request: HttpRequest, id: int, fmt: str) -> HttpResponse:
    user = user_of(request)
    programme = programme_to_manage(user, id)
    return programme_documents.exporter(programme, fmt, user).response()


@router.get(
    "/inspection-programmes/{id}/programme.docx",
    response=FILE_ERRORS,
    summary="Kế hoạch kiểm tra (Word, Nghị định 30) / the programme as a Word document",
    openapi_extra=file_responses(programme_documents.ProgrammeDocx.content_type),
)
def get_programme_docx(request: HttpRequest, id: Id) -> Any:
    return _document(request, id, "docx")


@router.get(
    "/inspection-programmes/{id}/programme.xlsx",
    response=FILE_ERRORS,
    summary="Danh sách mục kế hoạch (Excel) / the programme's items as a workbook",
    openapi_extra=file_responses(programme_documents.ProgrammeXlsx.content_type),
)
def get_programme_xlsx(request: HttpRequest, id: Id) -> Any:
    return _document(request, id, "xlsx")
