"""The yearly inspection programme (kế hoạch kiểm tra công vụ hằng năm), its amendments
(quyết định điều chỉnh), many items at once, and the programme as a Word or Excel file.

Reads start from `InspectionProgramme.objects.visible_to(user)`: the programmes issued in
the caller's INSPECTION_RUN scope, and, for the inspected organisation's people, approved
programmes with an item of theirs they may see (an unannounced item only once its
inspection has started). Drafting, amending and the files need INSPECTION_RUN on the
issuing organisation; approving a programme or an amendment needs
INSPECTION_PROGRAMME_APPROVE there (Home Affairs leadership); abandoning a draft amendment,
its drafter or INSPECTION_RUN there. Writes call `inspections.programme_services`,
`inspections.programme_amendments` and `inspections.programme_amendment_bulk`.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Strict, StringConstraints, WithJsonSchema

from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.inspections import (
    programme_amendment_bulk,
    programme_amendments,
    programme_documents,
    programme_selectors,
    programme_services,
    selectors,
)
from congvu.inspections.models import (
    InspectionProgramme,
    ProgrammeAmendment,
    ProgrammeChange,
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

router = Router(tags=["Kế hoạch kiểm tra năm / Inspection programmes"], auth=AUTH)

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


ChangeAction = Annotated[ProgrammeChange.Action, WithJsonSchema(one_of(ProgrammeChange.Action))]
AmendmentStatus = Annotated[
    ProgrammeAmendment.Status, WithJsonSchema(one_of(ProgrammeAmendment.Status))
]


class ChangeOut(Schema):
    id: int
    action: ChangeAction
    item: int | None = Field(
        ..., description="Mục bị hủy/đổi; mục được tạo khi phê duyệt / the item changed or created"
    )
    organisation: OrganisationRef
    quarter: int | None = Field(..., description="Quý mới / new quarter (add, reschedule)")
    month: int | None
    old_quarter: int | None
    old_month: int | None
    kind: str
    reason: str

    @staticmethod
    def resolve_item(obj: ProgrammeChange) -> int | None:
        return obj.item_id


class AmendmentOut(Schema):
    id: int
    programme: int
    number: int = Field(
        ...,
        description="Lần điều chỉnh / 1, 2, … (một dự thảo bị hủy bỏ nhường số của nó / an "
        "abandoned draft gives its number up)",
    )
    reason: str
    status: AmendmentStatus
    decision_number: str
    decision_on: dt.date | None
    approved_at: dt.datetime | None
    abandoned_at: dt.datetime | None
    abandoned_by: UserRef | None = Field(..., description="Người hủy bỏ / who abandoned it")
    abandon_reason: str
    changes: list[ChangeOut]

    @staticmethod
    def resolve_programme(obj: ProgrammeAmendment) -> int:
        return obj.programme_id

    @staticmethod
    def resolve_changes(obj: ProgrammeAmendment) -> list[ProgrammeChange]:
        return list(obj.changes.all())


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
    decision_number: Decision = Field("", description="Ví dụ / e.g. 123/QĐ-SNV")
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


def _programme_to_manage(user: User, pk: int) -> InspectionProgramme:
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


def _new_item(user: User, payload: ProgrammeItemIn) -> dict[str, Any]:
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
    programme = _programme_to_manage(user, id)
    programme_services.add_item(programme, actor=user, **_new_item(user, payload))
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
        _programme_to_manage(user, id),
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
    programme = _programme_to_manage(user, id)
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


def _item_to_manage(user: User, pk: int) -> ProgrammeItem:
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
    item = _item_to_manage(user, id)
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
    programme_services.remove_item(_item_to_manage(user, id), actor=user)
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
    programme = _programme_to_manage(user, id)
    programme_services.add_items(programme, actor=user, **_bulk_fields(user, programme, payload))
    return Status(201, _programme_detail(user, programme))


def _bulk_fields(user: User, programme: InspectionProgramme, payload: BulkIn) -> dict[str, Any]:
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


# --- amendments ---------------------------------------------------------------------------

Reason = Annotated[str, StringConstraints(max_length=programme_services.REASON_MAX, pattern=NO_NUL)]
RequiredReason = Annotated[
    str,
    StringConstraints(min_length=1, max_length=programme_services.REASON_MAX, pattern=NOT_BLANK),
]


class AmendmentIn(BodyIn):
    reason: RequiredReason = Field(..., description="Lý do điều chỉnh / why")


class CancelIn(BodyIn):
    reason: RequiredReason = Field(..., description="Lý do hủy (được giữ) / kept with the item")


class RescheduleIn(BodyIn):
    quarter: Annotated[int, Strict(), Field(ge=1, le=4)] | None = None
    month: Annotated[int, Strict(), Field(ge=1, le=12)] | None = None
    reason: Reason = ""


def _amendment_out(amendment: ProgrammeAmendment) -> ProgrammeAmendment:
    """The amendment with its changes, read again (as the list reads them)."""
    return (
        programme_selectors.amendments_of(amendment.programme)
        .select_related("programme")
        .get(pk=amendment.pk)
    )


def _draft_out(programme: InspectionProgramme) -> Any:
    draft = programme_amendments.draft_amendment(programme)
    assert draft is not None
    return Status(201, _amendment_out(draft))


@router.get(
    "/inspection-programmes/{id}/amendments",
    response={200: list[AmendmentOut], **READ_ERRORS},
    summary="Các lần điều chỉnh kế hoạch, với thay đổi / the amendments and their changes",
)
def list_amendments(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    return list(programme_selectors.amendments_of(_programme_to_manage(user, id)))


@router.post(
    "/inspection-programmes/{id}/amendments",
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Mở điều chỉnh kế hoạch đã phê duyệt / open an amendment of an approved programme",
    description="Một điều chỉnh đang soạn mỗi lúc. / One amendment in preparation at a time.",
)
def open_amendment(request: HttpRequest, id: Id, payload: AmendmentIn) -> Any:
    user = user_of(request)
    amendment = programme_amendments.open_amendment(
        _programme_to_manage(user, id), actor=user, reason=payload.reason
    )
    return Status(201, _amendment_out(amendment))


@router.post(
    "/inspection-programmes/{id}/amendment/items",
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Bổ sung cơ quan qua điều chỉnh đang soạn / add an organisation by the amendment",
    description="Mục được tạo khi điều chỉnh được phê duyệt. / The item exists once approved.",
)
def propose_addition(request: HttpRequest, id: Id, payload: ProgrammeItemIn) -> Any:
    user = user_of(request)
    programme = _programme_to_manage(user, id)
    programme_amendments.propose_addition(programme, actor=user, **_new_item(user, payload))
    return _draft_out(programme)


@router.post(
    "/inspection-programme-items/{id}/cancel",
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Hủy một mục qua điều chỉnh đang soạn / cancel an item by the amendment",
    description="Không hủy được mục đã có cuộc kiểm tra bắt đầu. / Not an item whose "
    "inspection has started.",
)
def propose_cancellation(request: HttpRequest, id: Id, payload: CancelIn) -> Any:
    user = user_of(request)
    item = _item_to_manage(user, id)
    programme_amendments.propose_cancellation(item, actor=user, reason=payload.reason)
    return _draft_out(item.programme)


@router.post(
    "/inspection-programme-items/{id}/reschedule",
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Đổi thời gian một mục qua điều chỉnh đang soạn / reschedule an item",
    description="Không đổi được mục đã có cuộc kiểm tra bắt đầu. / Not an item whose "
    "inspection has started.",
)
def propose_reschedule(request: HttpRequest, id: Id, payload: RescheduleIn) -> Any:
    user = user_of(request)
    item = _item_to_manage(user, id)
    programme_amendments.propose_reschedule(
        item, actor=user, quarter=payload.quarter, month=payload.month, reason=payload.reason
    )
    return _draft_out(item.programme)


@router.delete(
    "/inspection-programme-changes/{id}",
    response={204: None, **WRITE_ERRORS},
    summary="Bỏ một thay đổi khỏi điều chỉnh đang soạn / withdraw a proposed change",
)
def withdraw_change(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    change = programme_selectors.get_change_to_manage(user, id)
    programme_amendments.withdraw_change(change, actor=user)
    return Status(204, None)


@router.post(
    "/inspection-programme-amendments/{id}/approve",
    response={200: AmendmentOut, **WRITE_ERRORS},
    summary="Phê duyệt điều chỉnh với quyết định / approve the amendment with its decision",
    description="Lãnh đạo Sở Nội vụ (INSPECTION_PROGRAMME_APPROVE); số và ngày quyết định "
    "bắt buộc. / Home Affairs leadership; the decision's number and date are required.",
)
def approve_amendment(request: HttpRequest, id: Id, payload: ApproveIn) -> Any:
    user = user_of(request)
    amendment = programme_selectors.get_amendment_to_manage(user, id)
    if not programme_selectors.may_approve(user, amendment.programme):
        raise PermissionDenied
    programme_amendments.approve_amendment(
        amendment,
        actor=user,
        decision_number=payload.decision_number,
        decision_on=payload.decision_on,
    )
    return _amendment_out(amendment)


class AbandonIn(BodyIn):
    reason: RequiredReason = Field(..., description="Lý do hủy bỏ / why it is abandoned")


@router.post(
    "/inspection-programme-amendments/{id}/abandon",
    response={200: AmendmentOut, **WRITE_ERRORS},
    summary="Hủy bỏ dự thảo điều chỉnh / abandon the amendment in preparation",
    description="Người soạn hoặc người được sửa kế hoạch; dự thảo được giữ lại (trạng thái "
    "abandoned), không có hiệu lực; sau đó mở được điều chỉnh mới. Điều chỉnh đã phê duyệt "
    "không hủy bỏ được (422). / Its drafter or anyone who may edit the programme; the draft is "
    "kept (status abandoned) and counts nowhere; a new amendment can then be opened. An "
    "approved amendment cannot be abandoned (422).",
)
def abandon_amendment(request: HttpRequest, id: Id, payload: AbandonIn) -> Any:
    user = user_of(request)
    amendment = programme_selectors.get_amendment_to_abandon(user, id)
    programme_amendments.abandon_amendment(amendment, actor=user, reason=payload.reason)
    return _amendment_out(amendment)


@router.post(
    "/inspection-programmes/{id}/amendment/items/bulk",
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Bổ sung nhiều cơ quan qua điều chỉnh đang soạn / propose many additions at once",
    description="Như thêm nhiều cơ quan vào dự thảo: cả ba cách chọn cộng lại; tất cả hoặc "
    "không, cơ quan bị từ chối được nêu tên và lý do. / As a draft programme's bulk entry: "
    "the three ways add up; all or nothing, each refused organisation named with its reason.",
)
def propose_additions(request: HttpRequest, id: Id, payload: BulkIn) -> Any:
    user = user_of(request)
    programme = _programme_to_manage(user, id)
    programme_amendment_bulk.propose_additions(
        programme, actor=user, **_bulk_fields(user, programme, payload)
    )
    return _draft_out(programme)


class BulkItemsIn(BodyIn):
    items: list[BodyId] = Field(
        ...,
        min_length=1,
        max_length=programme_services.BULK_MAX,
        description="Các mục của kế hoạch đã phê duyệt / ids of the approved programme's items",
    )


class BulkCancelIn(BulkItemsIn):
    reason: RequiredReason = Field(..., description="Lý do hủy, chung / one reason for all")


class BulkRescheduleIn(BulkItemsIn):
    quarter: Annotated[int, Strict(), Field(ge=1, le=4)] | None = None
    month: Annotated[int, Strict(), Field(ge=1, le=12)] | None = None
    reason: Reason = ""


def _ticked_items(programme: InspectionProgramme, ids: list[int]) -> list[ProgrammeItem]:
    return pick(
        programme.items.select_related("organisation", "programme"),
        ids,
        field="items",
        what="mục",
    )


@router.post(
    "/inspection-programmes/{id}/amendment/cancellations",
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Hủy nhiều mục qua điều chỉnh đang soạn / cancel many items by the amendment",
    description="Một lý do cho mọi mục; tất cả hoặc không. / One reason for every item; all "
    "or nothing.",
)
def propose_cancellations(request: HttpRequest, id: Id, payload: BulkCancelIn) -> Any:
    user = user_of(request)
    programme = _programme_to_manage(user, id)
    programme_amendment_bulk.propose_cancellations(
        programme,
        actor=user,
        items=_ticked_items(programme, payload.items),
        reason=payload.reason,
    )
    return _draft_out(programme)


@router.post(
    "/inspection-programmes/{id}/amendment/reschedules",
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Đổi thời gian nhiều mục qua điều chỉnh đang soạn / reschedule many items",
    description="Một thời gian mới và một lý do cho mọi mục; tất cả hoặc không. / One new "
    "period and one reason for every item; all or nothing.",
)
def propose_reschedules(request: HttpRequest, id: Id, payload: BulkRescheduleIn) -> Any:
    user = user_of(request)
    programme = _programme_to_manage(user, id)
    programme_amendment_bulk.propose_reschedules(
        programme,
        actor=user,
        items=_ticked_items(programme, payload.items),
        quarter=payload.quarter,
        month=payload.month,
        reason=payload.reason,
    )
    return _draft_out(programme)


@router.get(
    "/inspection-programme-amendments/{id}/decision.docx",
    response=FILE_ERRORS,
    summary="Quyết định điều chỉnh (Word, Nghị định 30) / the amending decision as Word",
    description="Dự thảo: ghi DỰ THẢO, số để trống; dự thảo đã hủy bỏ: 404. / A draft's is "
    "marked DỰ THẢO with a blank number; an abandoned one: 404.",
    openapi_extra=file_responses(programme_documents.AmendmentDocx.content_type),
)
def get_amendment_docx(request: HttpRequest, id: Id) -> Any:
    amendment = programme_selectors.get_amendment_to_manage(user_of(request), id)
    if amendment.is_abandoned:
        raise Http404
    return programme_documents.AmendmentDocx(amendment).response()


# --- the programme's files ----------------------------------------------------------------


def _document(request: HttpRequest, id: int, fmt: str) -> HttpResponse:
    user = user_of(request)
    programme = _programme_to_manage(user, id)
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
