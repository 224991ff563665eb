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

from typing import Annotated, Any, Final

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Router, Status, UploadedFile
from pydantic import WithJsonSchema

from congvu.core import signed_papers as core_signed
from congvu.inspections import documents, selectors, signed_papers
from congvu.inspections.models import SignedPaper

from .common import Id, file_responses
from .inspections import InspectionCode
from .plans import READ_ERRORS, WRITE_ERRORS, one_of
from .scoring import FILE_ERRORS
from .security import AUTH, user_of
from .signed_papers import RECORD_DESCRIPTION, SCAN_TYPES, SignedPaperIn, SignedPaperOut

router = Router(tags=["Kiểm tra công vụ / Inspections"], auth=AUTH)

SignedDocument = Annotated[SignedPaper.Document, WithJsonSchema(one_of(SignedPaper.Document))]

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


# --- the signed copies ----------------------------------------------------------------------


class InspectionSignedPaperOut(SignedPaperOut):
    document: SignedDocument

    @staticmethod
    def resolve_download_url(obj: SignedPaper) -> str:
        return reverse(
            "api:download_inspection_signed_paper",
            kwargs={"code": obj.inspection.code, "id": obj.pk},
        )


class InspectionSignedPaperIn(SignedPaperIn):
    document: SignedDocument


SIGNED_SCOPE: Final = (
    " Bản hiện hành của mỗi văn bản cho người được tải văn bản đó; các bản đã thay thế chỉ "
    "cho Đoàn kiểm tra. / The current copy of each paper to those who may download the "
    "paper; the replaced ones to the team only."
)


@router.get(
    "/inspections/{code}/signed-papers",
    response={200: list[InspectionSignedPaperOut], **READ_ERRORS},
    summary="Các bản đã ký của biên bản, thông báo kết luận / the signed copies of the "
    "inspection's papers",
    description="Mới nhất trước. / Newest first." + SIGNED_SCOPE,
)
def list_inspection_signed_papers(request: HttpRequest, code: InspectionCode) -> Any:
    user = user_of(request)
    return signed_papers.papers_for(user, selectors.get_inspection(user, code))


@router.post(
    "/inspections/{code}/signed-papers",
    response={201: InspectionSignedPaperOut, **WRITE_ERRORS},
    summary="Ghi (hoặc thay) bản đã ký / record (or replace) a signed copy "
    "(INSPECTION_RUN, once concluded)",
    description="`document`: minutes | conclusion-notice. " + RECORD_DESCRIPTION,
)
def record_inspection_signed_paper(
    request: HttpRequest,
    code: InspectionCode,
    payload: Form[InspectionSignedPaperIn],
    file: File[UploadedFile] = None,  # type: ignore[assignment]
) -> Any:
    user = user_of(request)
    inspection = selectors.get_inspection(user, code)
    if "file" in request.POST:
        raise ValidationError({"file": "Bản chụp phải là tệp. / The scan must be a file."})
    paper = signed_papers.record_signed_paper(
        inspection, document=payload.document, actor=user, **payload.values(file)
    )
    return Status(201, paper)


@router.get(
    "/inspections/{code}/signed-papers/{id}/file",
    response=READ_ERRORS,
    summary="Tải bản chụp bản đã ký / download a signed copy's scan",
    description=SIGNED_SCOPE,
    openapi_extra=file_responses(*SCAN_TYPES, description="Bản chụp / the scan"),
)
def download_inspection_signed_paper(request: HttpRequest, code: InspectionCode, id: Id) -> Any:
    user = user_of(request)
    inspection = selectors.get_inspection(user, code)
    return core_signed.response(signed_papers.get_paper(user, inspection, id))
