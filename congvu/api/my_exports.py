"""/me/exports: the caller's own background exports (`core.my_exports`), as the page
"Tệp xuất của tôi" lists them: cases exports (xlsx, CSV) and badge sheets (PDF);
`DELETE /me/exports/{kind}/{id}` for one of them once it is finished, and
`DELETE /me/exports` for all the finished ones (those being made are kept).

Only the caller's, and only those their rights still reach (the same check as each
export's status endpoint or page): another user's export is never listed, nor deleted
(404, as is one the list no longer shows).
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from congvu.core import my_exports
from congvu.core import pdf_exports as jobs
from congvu.core.templatetags.bilingual import for_reader

from .common import Id, Pagination
from .errors import ErrorOut, ValidationErrorOut
from .security import AUTH, user_of

router = Router(tags=["accounts"], auth=AUTH)


class MyExportOut(Schema):
    kind: Literal["cases", "badges"] = Field(
        ...,
        description="cases: danh sách vụ việc / the cases export; badges: thẻ cán bộ / "
        "a badge sheet",
    )
    id: int = Field(..., description="Mã của tệp xuất trong loại của nó / its id in its kind")
    title: str = Field(..., description="Tệp gì (theo ngôn ngữ yêu cầu) / what it is")
    detail: str = Field(..., description="Số dòng, định dạng / rows, format")
    rows: int
    format: Literal["xlsx", "csv", "pdf"]
    requested_at: dt.datetime
    finished_at: dt.datetime | None
    state: Literal["waiting", "running", "ready", "failed", "expired"]
    state_label: str = Field(..., description="Tình trạng (theo ngôn ngữ yêu cầu) / in words")
    message: str = Field(..., description="Lỗi khi thất bại / why it failed")
    page_url: str | None = Field(
        ..., description="Trang theo dõi trên web (không có khi hết hạn) / its web page"
    )
    file_url: str | None = Field(
        ..., description="Tệp trên web, khi sẵn sàng (phiên đăng nhập) / the file on the site"
    )
    status_url: str | None = Field(
        ..., description="Địa chỉ API của tệp (không có khi hết hạn) / its API endpoint"
    )
    api_file_url: str | None = Field(
        ..., description="Tệp qua API, khi sẵn sàng / the file through the API, when ready"
    )
    expires_at: dt.datetime | None = Field(
        ..., description="Tệp bị xóa sau thời điểm này / deleted after this (cases exports)"
    )
    deletable: bool = Field(
        ...,
        description="Xóa được bằng DELETE (đã xong, thất bại hoặc hết hạn) / may be deleted "
        "now (ready, failed or expired)",
    )


def _out(export: my_exports.MyExport) -> dict[str, Any]:
    return {
        "kind": export.kind,
        "id": export.id,
        "title": export.what,
        "detail": export.detail,
        "rows": export.rows,
        "format": export.file_format,
        "requested_at": export.requested_at,
        "finished_at": export.finished_at,
        "state": export.state,
        "state_label": export.state_label,
        "message": for_reader(export.message),
        "page_url": export.page_url,
        "file_url": export.file_url,
        "status_url": export.api_url,
        "api_file_url": export.api_file_url,
        "expires_at": export.expires_at,
        "deletable": export.deletable,
    }


@router.get(
    "",
    response={200: list[MyExportOut], 401: ErrorOut, 422: ValidationErrorOut},
    summary="Tệp xuất của tôi / the caller's background exports",
    description="Các tệp tạo nền của người gọi còn được giữ (danh sách vụ việc, thẻ cán bộ), "
    "mới nhất trước; tệp mà người gọi không còn quyền như lúc yêu cầu thì không được liệt "
    "kê. / The caller's background exports still kept (cases exports, badge sheets), "
    "newest first; one made with rights the caller no longer holds is not listed.",
)
@paginate(Pagination)
def list_my_exports(request: HttpRequest) -> Any:
    return [_out(export) for export in my_exports.of(user_of(request))]


Kind = Literal["cases", "badges"]


@router.delete(
    "/{kind}/{export_id}",
    response={204: None, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut},
    summary="Xóa một tệp xuất của tôi / delete one of the caller's exports",
    description="Xóa tệp (và dòng của nó trong danh sách) khi đã xong, thất bại hoặc hết hạn; "
    "tệp đang chờ hoặc đang tạo: 409. Tệp của người khác, hoặc không còn được liệt kê vì "
    "người gọi đã mất quyền: 404. Với thẻ cán bộ, chỉ tệp PDF bị xóa; lựa chọn in thẻ vẫn "
    "giữ. / Deletes a ready, failed or expired export (its file and its row); a waiting or "
    "running one: 409. Another user's, or one no longer listed because the caller lost a "
    "right: 404. For a badge sheet only the PDF goes; what was asked stays.",
)
def delete_my_export(request: HttpRequest, kind: Kind, export_id: Id) -> Any:
    try:
        my_exports.delete(user_of(request), kind, export_id)
    except jobs.StillRunning as exc:
        raise HttpError(409, str(exc)) from exc
    return Status(204, None)


class ClearedOut(Schema):
    deleted: int = Field(..., description="Số tệp đã xóa / how many exports were deleted")
    kept: int = Field(
        ...,
        description="Số tệp đang được tạo, được giữ lại / how many, still being made, were kept",
    )


@router.delete(
    "",
    response={200: ClearedOut, 401: ErrorOut},
    summary="Xóa mọi tệp xuất đã xong của tôi / delete all the caller's finished exports",
    description="Xóa một lần mọi tệp được liệt kê ở GET /me/exports mà đã xong, thất bại "
    "hoặc hết hạn (`deletable`), trong một giao dịch, mỗi tệp được ghi nhật ký như khi xóa "
    "từng tệp; tệp đang chờ hoặc đang tạo được giữ lại. Trả số tệp đã xóa và số tệp giữ "
    "lại; không có gì để xóa: 200 với 0. Tệp của người khác không bao giờ bị động tới. / "
    "Deletes at once every export GET /me/exports lists as ready, failed or expired "
    "(`deletable`), in one transaction, each audited as a single deletion is; waiting or "
    "running ones are kept. Answers how many were deleted and how many kept; nothing to "
    "delete: 200 with zeros. Another user's exports are never touched.",
)
def delete_my_finished_exports(request: HttpRequest) -> Any:
    cleared = my_exports.delete_all(user_of(request))
    return {"deleted": cleared.deleted, "kept": cleared.kept}
