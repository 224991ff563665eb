"""/me/exports: the caller's own background exports (`core.my_exports`), as the page
"Tệp xuất của tôi" lists them: cases exports (xlsx, CSV) and badge sheets (PDF).

Only the caller's, and only those their rights still reach (the same check as each
export's status endpoint or page): another user's export is never listed.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from congvu.core import my_exports

from .common import Pagination
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
        ..., description="Địa chỉ API của tệp (chỉ danh sách vụ việc) / its API endpoint"
    )
    api_file_url: str | None = Field(
        ..., description="Tệp qua API, khi sẵn sàng / the file through the API, when ready"
    )
    expires_at: dt.datetime | None = Field(
        ..., description="Tệp bị xóa sau thời điểm này / deleted after this (cases exports)"
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
        "message": export.message,
        "page_url": export.page_url,
        "file_url": export.file_url,
        "status_url": export.api_url,
        "api_file_url": export.api_file_url,
        "expires_at": export.expires_at,
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
