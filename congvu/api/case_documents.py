"""A concluded case's paper (`cases.documents`): the conclusion of a denunciation, the
result of a complaint or of a feedback report, as DOCX or PDF.

Scoped as the case file: handlers and supervisors with CASE_VIEW where the case is
handled (`cases.get_case`: 404 out of scope, 403 in scope without the permission), and the
staff member concerned for a case about them that has been concluded, as on their own
page. A case not concluded yet is a 422 saying so. The paper never carries the reporter's
identity, whoever asks.
"""

from typing import Any, Final

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Router, Status, UploadedFile

from congvu.accounts.models import User
from congvu.cases import documents, selectors, signed_papers
from congvu.cases.models import Case, SignedPaper
from congvu.core import signed_papers as core_signed

from .cases.lookups import get_case
from .cases.schemas import CaseCode
from .common import Id, file_responses
from .errors import ErrorOut, ValidationErrorOut
from .plans import READ_ERRORS, WRITE_ERRORS
from .security import AUTH, user_of
from .signed_papers import RECORD_DESCRIPTION, SCAN_TYPES, SignedPaperIn, SignedPaperOut

router = Router(tags=["Vụ việc / Cases"], auth=AUTH)

FILE_ERRORS: Final[dict[int, Any]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}
DESCRIPTION: Final = (
    "Tố cáo: Kết luận nội dung tố cáo; khiếu nại, phản ánh: Thông báo kết quả. Theo thể thức "
    "Nghị định 30/2020, bằng tiếng Việt, số để trống, ngày kết luận; không có danh tính người "
    "phản ánh. Vụ việc chưa kết luận: 422. / A denunciation's conclusion, or the result of a "
    "complaint or feedback report, in the Decree 30 format, in Vietnamese, its number left "
    "blank, dated on the conclusion; never the reporter's identity. Not concluded yet: 422."
)


def _case_for_paper(user: User, code: str) -> Case:
    """The case as its handlers see it, or the caller's own case as its subject."""
    own = selectors.subject_cases(user).filter(code=code.strip().upper()).first()
    return own if own is not None else get_case(user, code)


def _paper(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    return documents.exporter(_case_for_paper(user_of(request), code), fmt).response()


@router.get(
    "/cases/{code}/conclusion.docx",
    operation_id="congvu_api_cases_get_case_conclusion_docx",
    response=FILE_ERRORS,
    summary="Văn bản kết luận của vụ việc (Word) / a concluded case's document (Word)",
    description=DESCRIPTION,
    openapi_extra=file_responses(documents.ConclusionDocx.content_type),
)
def get_case_conclusion_docx(request: HttpRequest, code: CaseCode) -> Any:
    return _paper(request, code, "docx")


@router.get(
    "/cases/{code}/conclusion.pdf",
    operation_id="congvu_api_cases_get_case_conclusion_pdf",
    response=FILE_ERRORS,
    summary="Văn bản kết luận của vụ việc (PDF) / a concluded case's document (PDF)",
    description=DESCRIPTION,
    openapi_extra=file_responses(documents.ConclusionPdf.content_type),
)
def get_case_conclusion_pdf(request: HttpRequest, code: CaseCode) -> Any:
    return _paper(request, code, "pdf")


# --- the signed copy ------------------------------------------------------------------------


class CaseSignedPaperOut(SignedPaperOut):
    @staticmethod
    def resolve_download_url(obj: SignedPaper) -> str:
        return reverse(
            "api:download_case_signed_paper", kwargs={"code": obj.case.code, "id": obj.pk}
        )


SIGNED_SCOPE: Final = (
    " Người xem hồ sơ vụ việc: cả các bản đã thay thế; người bị phản ánh: bản hiện hành. "
    "/ Those who see the case file: every copy, replaced ones included; the staff member "
    "concerned: the current copy."
)


def _reader(user: User, code: str) -> tuple[Case, bool]:
    """The case and whether the caller reads it as its subject (the current copy only)."""
    own = selectors.subject_cases(user).filter(code=code.strip().upper()).first()
    if own is not None:
        return own, True
    return get_case(user, code), False


@router.get(
    "/cases/{code}/signed-papers",
    response={200: list[CaseSignedPaperOut], **READ_ERRORS},
    summary="Các bản đã ký của văn bản kết luận / the signed copies of a case's paper",
    description="Mới nhất trước. / Newest first." + SIGNED_SCOPE,
)
def list_case_signed_papers(request: HttpRequest, code: CaseCode) -> Any:
    case, as_subject = _reader(user_of(request), code)
    return signed_papers.papers_for(case, as_subject=as_subject)


@router.post(
    "/cases/{code}/signed-papers",
    response={201: CaseSignedPaperOut, **WRITE_ERRORS},
    summary="Ghi (hoặc thay) bản đã ký của văn bản kết luận / record (or replace) the "
    "signed copy of a concluded case's paper (CASE_HANDLE)",
    description=RECORD_DESCRIPTION,
)
def record_case_signed_paper(
    request: HttpRequest,
    code: CaseCode,
    payload: Form[SignedPaperIn],
    file: File[UploadedFile] = None,  # type: ignore[assignment]
) -> Any:
    user = user_of(request)
    case = get_case(user, code)
    if "file" in request.POST:
        raise ValidationError({"file": "Bản chụp phải là tệp. / The scan must be a file."})
    paper = signed_papers.record_signed_paper(case, actor=user, **payload.values(file))
    return Status(201, paper)


@router.get(
    "/cases/{code}/signed-papers/{id}/file",
    response=READ_ERRORS,
    summary="Tải bản chụp bản đã ký / download a signed copy's scan",
    description=SIGNED_SCOPE,
    openapi_extra=file_responses(*SCAN_TYPES, description="Bản chụp / the scan"),
)
def download_case_signed_paper(request: HttpRequest, code: CaseCode, id: Id) -> Any:
    case, as_subject = _reader(user_of(request), code)
    return core_signed.response(signed_papers.get_paper(case, id, as_subject=as_subject))
