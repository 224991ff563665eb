"""An inspection's papers through the API: the minutes (biên bản kiểm tra) and the conclusion
notice (thông báo kết luận kiểm tra), each as Word or PDF in the Decree 30 format
(`inspections.documents`).

Scoped like the inspection itself (`selectors.get_inspection`: outside the caller's view a
404, its organisation visible without INSPECTION_RUN or INSPECTION_RESPOND a 403). A paper
the inspection's state does not give the caller yet is a 422 saying why: the minutes exist
once the inspection has started (a draft until it is concluded) and reach the inspected
organisation once it is concluded; the notice exists once it is concluded; a cancelled
inspection has neither.
"""

from typing import Any, Final

from django.http import HttpRequest, HttpResponse
from ninja import Router

from congvu.inspections import documents, selectors

from .common import file_responses
from .inspections import InspectionCode
from .scoring import FILE_ERRORS
from .security import AUTH, user_of

router = Router(tags=["Kiểm tra công vụ / Inspections"], auth=AUTH)

STATES: Final = (
    " Phạm vi như trang cuộc kiểm tra; chưa có ở trạng thái hiện tại: 422. / Scoped as the "
    "inspection; not available in its current state: 422."
)
MINUTES: Final = (
    "Biên bản kiểm tra: từ khi bắt đầu (ghi DỰ THẢO tới khi kết luận); cơ quan được kiểm tra "
    "nhận sau khi kết luận. / The minutes: from the start (marked DỰ THẢO until concluded); "
    "the inspected organisation's once concluded." + STATES
)
NOTICE: Final = (
    "Thông báo kết luận kiểm tra: sau khi kết luận. / The conclusion notice: once "
    "concluded." + STATES
)


def _document(request: HttpRequest, code: str, document: str, fmt: str) -> HttpResponse:
    user = user_of(request)
    inspection = selectors.get_inspection(user, code)
    return documents.exporter(user, inspection, document, fmt).response()


@router.get(
    "/inspections/{code}/minutes.docx",
    operation_id="congvu_api_inspections_get_minutes_docx",
    response=FILE_ERRORS,
    summary="Biên bản kiểm tra (Word, Nghị định 30) / the inspection's minutes as Word",
    description=MINUTES,
    openapi_extra=file_responses(documents.MinutesDocx.content_type),
)
def get_minutes_docx(request: HttpRequest, code: InspectionCode) -> Any:
    return _document(request, code, documents.MINUTES, "docx")


@router.get(
    "/inspections/{code}/minutes.pdf",
    operation_id="congvu_api_inspections_get_minutes_pdf",
    response=FILE_ERRORS,
    summary="Biên bản kiểm tra (PDF) / the inspection's minutes as PDF",
    description=MINUTES,
    openapi_extra=file_responses(documents.MinutesPdf.content_type),
)
def get_minutes_pdf(request: HttpRequest, code: InspectionCode) -> Any:
    return _document(request, code, documents.MINUTES, "pdf")


@router.get(
    "/inspections/{code}/conclusion-notice.docx",
    operation_id="congvu_api_inspections_get_conclusion_notice_docx",
    response=FILE_ERRORS,
    summary="Thông báo kết luận kiểm tra (Word, Nghị định 30) / the conclusion notice as Word",
    description=NOTICE,
    openapi_extra=file_responses(documents.NoticeDocx.content_type),
)
def get_conclusion_notice_docx(request: HttpRequest, code: InspectionCode) -> Any:
    return _document(request, code, documents.NOTICE, "docx")


@router.get(
    "/inspections/{code}/conclusion-notice.pdf",
    operation_id="congvu_api_inspections_get_conclusion_notice_pdf",
    response=FILE_ERRORS,
    summary="Thông báo kết luận kiểm tra (PDF) / the conclusion notice as PDF",
    description=NOTICE,
    openapi_extra=file_responses(documents.NoticePdf.content_type),
)
def get_conclusion_notice_pdf(request: HttpRequest, code: InspectionCode) -> Any:
    return _document(request, code, documents.NOTICE, "pdf")
