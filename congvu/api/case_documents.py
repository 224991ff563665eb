"""A concluded case's paper (`cases.documents`): the conclusion of a denunciation, the
result of a complaint or of a feedback report, as DOCX or PDF.

Scoped as the case file: handlers and supervisors with CASE_VIEW where the case is
handled (`cases.get_case`: 404 out of scope, 403 in scope without the permission), and the
staff member concerned for a case about them that has been concluded, as on their own
page. A case not concluded yet is a 422 saying so. The paper never carries the reporter's
identity, whoever asks.
"""

from typing import Any, Final

from django.http import HttpRequest, HttpResponse
from ninja import Router

from congvu.accounts.models import User
from congvu.cases import documents, selectors
from congvu.cases.models import Case

from .cases import CaseCode, get_case
from .common import file_responses
from .errors import ErrorOut, ValidationErrorOut
from .security import AUTH, user_of

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
