"""The cases export (xlsx) through the API, made on the background worker.

`POST /cases/exports` with the list's filters (those of `GET /cases`) starts an export
of the caller's cases matching them and answers 202 with its status URL (also in
`Location`); `GET /cases/exports/{id}` tells its progress and, once done, the file's
URL; `GET /cases/exports/{id}/file` serves the workbook. Every export goes to the worker,
however small (a small one is done within a second or two): one flow for callers.
`?format=csv` asks for the same rows as CSV (UTF-8 with a BOM) instead; any other
format is a 400.

The file carries reporters' names and phone numbers (where the caller may see them,
as on the page), so it is the caller's alone and short-lived (`cases.export_jobs`):
another user's export, or one that does not exist, is a 404; once the caller has lost
a right the export was made with, a 403 (and the file is deleted); after
`CASES_EXPORT_KEEP_MINUTES` (60 by default), 410 Gone.

Mounted before the cases router: `/cases/exports` is not the case whose code is
"exports".
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django_tasks import task
from ninja import Field, Query, Router, Status
from ninja.errors import HttpError

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.cases import export_jobs, exports
from congvu.cases.models import CaseExport
from congvu.core import pdf_exports as jobs

from .background_files import BackgroundFileOut, background_file_out
from .cases.lookups import filtered_cases
from .cases.schemas import CaseFilters
from .common import Id, file_responses
from .errors import ErrorOut, ValidationErrorOut
from .security import AUTH, user_of

router = Router(tags=["Vụ việc / Cases"], auth=AUTH)

TASK = "congvu.api.case_exports.make_export"
EXPORT_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    410: ErrorOut,
    422: ValidationErrorOut,
}


class CaseExportOut(BackgroundFileOut):
    """A cases export being made on the background worker, or made."""

    rows: int = Field(..., description="Số vụ việc / cases in it")
    format: str = Field(..., description="xlsx hoặc csv / xlsx or csv")
    expires_at: dt.datetime = Field(
        ..., description="Sau thời điểm này tệp bị xóa (410) / deleted after this (410)"
    )


def api_cases(user: Any, query: str) -> Any:
    """The worker's way back from the stored filters to the caller's cases."""
    return filtered_cases(user, CaseFilters(**json.loads(query or "{}")))


@task()
def make_export(export_id: int) -> str:
    """Write one queued cases export asked through the API (`export_jobs.make`)."""
    return export_jobs.make(export_id, api_cases)


def _out(export: CaseExport) -> dict[str, Any]:
    out = background_file_out(export, f"/api/v1/cases/exports/{export.pk}")
    out["expires_at"] = export.expires_at
    out["format"] = export.file_format
    return out


def _own(user: User, export_id: int) -> CaseExport:
    """The caller's export (404 for anyone else's), still allowed (403) and current (410)."""
    export = CaseExport.objects.select_related("user").filter(pk=export_id, user=user).first()
    if export is None:
        raise Http404
    if not export_jobs.still_allowed(export):
        export_jobs.void(export, right_lost=True)
        raise PermissionDenied(str(export_jobs.RIGHT_LOST))
    if export_jobs.is_expired(export):
        export_jobs.void(export, right_lost=False)
        raise HttpError(
            410,
            "Tệp xuất đã hết hạn và đã bị xóa; hãy xuất lại. / "
            "The export has expired and was deleted; start a new one.",
        )
    return export


@router.post(
    "/cases/exports",
    response={202: CaseExportOut, **EXPORT_ERRORS},
    summary="Xuất danh sách vụ việc (Excel hoặc CSV, tạo nền) / export the filtered cases "
    "as a workbook or CSV, made in the background",
    description=(
        "Các bộ lọc như GET /cases; `format`: xlsx (mặc định) hoặc csv (UTF-8 có BOM), "
        "định dạng khác: 400. Trả 202 kèm địa chỉ hỏi tình trạng (Location); tệp "
        "chỉ người yêu cầu tải được và bị xóa sau thời hạn ngắn. / The filters of GET "
        "/cases; `format`: xlsx (the default) or csv (UTF-8 with a BOM), any other: 400. "
        "Answers 202 with the status URL (also in `Location`); only the caller "
        "may download the file, which is deleted after a short time (`expires_at`)."
    ),
)
def start_case_export(
    request: HttpRequest,
    filters: Query[CaseFilters],
    response: HttpResponse,
    file_format: str = Query(
        "xlsx", alias="format", description="xlsx (mặc định / default) hoặc / or csv"
    ),
) -> Any:
    user = user_of(request)
    access.require_anywhere(user, Perm.CASE_VIEW)
    chosen = export_jobs.file_format_of(file_format)
    if chosen is None:
        raise HttpError(400, str(export_jobs.BAD_FORMAT))
    rows = filtered_cases(user, filters).count()
    query = export_jobs.json_query(filters.model_dump(mode="json"))
    export = export_jobs.request_export(
        user, source="api", query=query, rows=rows, task=TASK, file_format=chosen
    )
    out = _out(export)
    response["Location"] = out["status_url"]
    response["Retry-After"] = "5"
    return Status(202, out)


@router.get(
    "/cases/exports/{export_id}",
    response={200: CaseExportOut, **EXPORT_ERRORS},
    summary="Tình trạng tệp xuất vụ việc / a cases export's progress",
)
def get_case_export(request: HttpRequest, export_id: Id) -> Any:
    return _out(_own(user_of(request), export_id))


@router.get(
    "/cases/exports/{export_id}/file",
    response=EXPORT_ERRORS,
    summary="Tệp xuất vụ việc đã tạo / a finished cases export (404 until it is done)",
    openapi_extra=file_responses(exports.XLSX, exports.CSV),
)
def get_case_export_file(request: HttpRequest, export_id: Id) -> Any:
    user = user_of(request)
    export = _own(user, export_id)
    served = jobs.finished_file(
        export, export_jobs.download_name(export), export_jobs.content_type(export)
    )
    export_jobs.audit_download(user, export)
    return served
