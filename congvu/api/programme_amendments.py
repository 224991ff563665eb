"""Amendments of an approved inspection programme (quyết định điều chỉnh kế hoạch kiểm tra):
opening one, proposing changes one at a time or many at once, withdrawing them, approving,
abandoning and restoring a draft, the amending decision as Word and a draft's effect as a
workbook.

Split from `programmes` (the programme and its items); the URLs, operation ids and schemas
are those the endpoints had there, so clients generated from the OpenAPI document keep
working. Scoping and permissions as in `programmes`: managing the programme needs
INSPECTION_RUN on its issuing organisation, approving an amendment
INSPECTION_PROGRAMME_APPROVE there, abandoning or restoring a draft its drafter or
INSPECTION_RUN there. Writes call `inspections.programme_amendments` and
`inspections.programme_amendment_bulk`.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import Strict, StringConstraints, WithJsonSchema

from congvu.inspections import (
    programme_amendment_bulk,
    programme_amendment_restore,
    programme_amendments,
    programme_documents,
    programme_selectors,
    programme_services,
)
from congvu.inspections.models import (
    InspectionProgramme,
    ProgrammeAmendment,
    ProgrammeChange,
    ProgrammeItem,
)

from .common import NO_NUL, NOT_BLANK, BodyId, Id, OrganisationRef, file_responses
from .plans import READ_ERRORS, WRITE_ERRORS, BodyIn, UserRef, one_of, pick
from .programmes import (
    TAGS,
    AmendmentStatus,
    ApproveIn,
    BulkIn,
    ProgrammeItemIn,
    bulk_fields,
    item_to_manage,
    new_item,
    programme_to_manage,
)
from .scoring import FILE_ERRORS
from .security import AUTH, user_of

router = Router(tags=TAGS, auth=AUTH)


def _was(name: str) -> str:
    """The operation id the endpoint had in `programmes`: generated clients name their
    methods after it."""
    return f"congvu_api_programmes_{name}"


ChangeAction = Annotated[ProgrammeChange.Action, WithJsonSchema(one_of(ProgrammeChange.Action))]


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
    operation_id=_was("list_amendments"),
    response={200: list[AmendmentOut], **READ_ERRORS},
    summary="Các lần điều chỉnh kế hoạch, với thay đổi / the amendments and their changes",
)
def list_amendments(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    return list(programme_selectors.amendments_of(programme_to_manage(user, id)))


@router.post(
    "/inspection-programmes/{id}/amendments",
    operation_id=_was("open_amendment"),
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Mở điều chỉnh kế hoạch đã phê duyệt / open an amendment of an approved programme",
    description="Một điều chỉnh đang soạn mỗi lúc. / One amendment in preparation at a time.",
)
def open_amendment(request: HttpRequest, id: Id, payload: AmendmentIn) -> Any:
    user = user_of(request)
    amendment = programme_amendments.open_amendment(
        programme_to_manage(user, id), actor=user, reason=payload.reason
    )
    return Status(201, _amendment_out(amendment))


@router.post(
    "/inspection-programmes/{id}/amendment/items",
    operation_id=_was("propose_addition"),
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Bổ sung cơ quan qua điều chỉnh đang soạn / add an organisation by the amendment",
    description="Mục được tạo khi điều chỉnh được phê duyệt. / The item exists once approved.",
)
def propose_addition(request: HttpRequest, id: Id, payload: ProgrammeItemIn) -> Any:
    user = user_of(request)
    programme = programme_to_manage(user, id)
    programme_amendments.propose_addition(programme, actor=user, **new_item(user, payload))
    return _draft_out(programme)


@router.post(
    "/inspection-programme-items/{id}/cancel",
    operation_id=_was("propose_cancellation"),
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Hủy một mục qua điều chỉnh đang soạn / cancel an item by the amendment",
    description="Không hủy được mục đã có cuộc kiểm tra bắt đầu. / Not an item whose "
    "inspection has started.",
)
def propose_cancellation(request: HttpRequest, id: Id, payload: CancelIn) -> Any:
    user = user_of(request)
    item = item_to_manage(user, id)
    programme_amendments.propose_cancellation(item, actor=user, reason=payload.reason)
    return _draft_out(item.programme)


@router.post(
    "/inspection-programme-items/{id}/reschedule",
    operation_id=_was("propose_reschedule"),
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Đổi thời gian một mục qua điều chỉnh đang soạn / reschedule an item",
    description="Không đổi được mục đã có cuộc kiểm tra bắt đầu. / Not an item whose "
    "inspection has started.",
)
def propose_reschedule(request: HttpRequest, id: Id, payload: RescheduleIn) -> Any:
    user = user_of(request)
    item = item_to_manage(user, id)
    programme_amendments.propose_reschedule(
        item, actor=user, quarter=payload.quarter, month=payload.month, reason=payload.reason
    )
    return _draft_out(item.programme)


@router.delete(
    "/inspection-programme-changes/{id}",
    operation_id=_was("withdraw_change"),
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
    operation_id=_was("approve_amendment"),
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
    operation_id=_was("abandon_amendment"),
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


class RestoreIn(BodyIn):
    reason: RequiredReason = Field(..., description="Lý do khôi phục / why it is restored")


@router.post(
    "/inspection-programme-amendments/{id}/restore",
    response={200: AmendmentOut, **WRITE_ERRORS},
    summary="Khôi phục dự thảo điều chỉnh đã hủy bỏ / restore an abandoned draft amendment",
    description="Như hủy bỏ: người soạn hoặc người được sửa kế hoạch. Dự thảo trở lại đang soạn "
    "với các đề xuất như cũ và nhận số tiếp theo còn trống (số cũ nếu chưa bị dùng lại). Bị "
    "từ chối (422) khi kế hoạch đang có dự thảo khác, nêu số của dự thảo đó. / As abandoning: "
    "its drafter or anyone who may edit the programme. The draft is in preparation again with "
    "its proposals as they were and takes the next free number (its old one unless reused "
    "meanwhile). Refused (422) while the programme has another draft, named by its number.",
)
def restore_amendment(request: HttpRequest, id: Id, payload: RestoreIn) -> Any:
    user = user_of(request)
    amendment = programme_selectors.get_amendment_to_abandon(user, id)
    programme_amendment_restore.restore_amendment(amendment, actor=user, reason=payload.reason)
    return _amendment_out(amendment)


@router.post(
    "/inspection-programmes/{id}/amendment/items/bulk",
    operation_id=_was("propose_additions"),
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Bổ sung nhiều cơ quan qua điều chỉnh đang soạn / propose many additions at once",
    description="Như thêm nhiều cơ quan vào dự thảo: cả ba cách chọn cộng lại; tất cả hoặc "
    "không, cơ quan bị từ chối được nêu tên và lý do. / As a draft programme's bulk entry: "
    "the three ways add up; all or nothing, each refused organisation named with its reason.",
)
def propose_additions(request: HttpRequest, id: Id, payload: BulkIn) -> Any:
    user = user_of(request)
    programme = programme_to_manage(user, id)
    programme_amendment_bulk.propose_additions(
        programme, actor=user, **bulk_fields(user, programme, payload)
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
    operation_id=_was("propose_cancellations"),
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Hủy nhiều mục qua điều chỉnh đang soạn / cancel many items by the amendment",
    description="Một lý do cho mọi mục; tất cả hoặc không. / One reason for every item; all "
    "or nothing.",
)
def propose_cancellations(request: HttpRequest, id: Id, payload: BulkCancelIn) -> Any:
    user = user_of(request)
    programme = programme_to_manage(user, id)
    programme_amendment_bulk.propose_cancellations(
        programme,
        actor=user,
        items=_ticked_items(programme, payload.items),
        reason=payload.reason,
    )
    return _draft_out(programme)


@router.post(
    "/inspection-programmes/{id}/amendment/reschedules",
    operation_id=_was("propose_reschedules"),
    response={201: AmendmentOut, **WRITE_ERRORS},
    summary="Đổi thời gian nhiều mục qua điều chỉnh đang soạn / reschedule many items",
    description="Một thời gian mới và một lý do cho mọi mục; tất cả hoặc không. / One new "
    "period and one reason for every item; all or nothing.",
)
def propose_reschedules(request: HttpRequest, id: Id, payload: BulkRescheduleIn) -> Any:
    user = user_of(request)
    programme = programme_to_manage(user, id)
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
    operation_id=_was("get_amendment_docx"),
    response=FILE_ERRORS,
    summary="Quyết định điều chỉnh (Word, Nghị định 30) / the amending decision as Word",
    description="Dự thảo: ghi DỰ THẢO, số để trống; dự thảo đã hủy bỏ: 404. / A draft's is "
    "marked “DỰ THẢO” (draft) with a blank number; an abandoned one: 404.",
    openapi_extra=file_responses(programme_documents.AmendmentDocx.content_type),
)
def get_amendment_docx(request: HttpRequest, id: Id) -> Any:
    amendment = programme_selectors.get_amendment_to_manage(user_of(request), id)
    if amendment.is_abandoned:
        raise Http404
    return programme_documents.AmendmentDocx(amendment).response()


@router.get(
    "/inspection-programme-amendments/{id}/preview.xlsx",
    response=FILE_ERRORS,
    summary="Xem trước kế hoạch sau dự thảo điều chỉnh (Excel) / a draft's effect as a workbook",
    description="Mọi mục với thời gian trước và sau điều chỉnh (giữ nguyên, bổ sung, hủy, đổi "
    "thời gian, ngày dd/mm/yyyy), ghi DỰ THẢO. Chỉ dự thảo đang soạn; khác: 404. / Every item "
    "with its period before and after (kept, added, cancelled, rescheduled; dates dd/mm/yyyy), "
    "headed “DỰ THẢO” (draft). A draft in preparation only; otherwise 404.",
    openapi_extra=file_responses(programme_documents.AmendmentPreviewXlsx.content_type),
)
def get_amendment_preview(request: HttpRequest, id: Id) -> Any:
    amendment = programme_selectors.get_amendment_to_manage(user_of(request), id)
    if not amendment.is_draft:
        raise Http404
    return programme_documents.AmendmentPreviewXlsx(amendment).response()
