"""/me/work: what waits for the caller (the home page's work list, `core.worklist`)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from congvu.core import worklist

from .errors import ErrorOut
from .security import AUTH, user_of

router = Router(tags=["accounts"], auth=AUTH)


class WorkEntryOut(Schema):
    text: str = Field(..., description="Việc gì (theo ngôn ngữ yêu cầu) / what it is")
    url: str = Field(..., description="Đường dẫn trên trang web / its page on the site")
    due_on: dt.date | None = Field(None, description="Hạn, nếu có / its deadline, if any")


class WorkItemOut(Schema):
    key: str = Field(
        ...,
        description="Loại việc, ổn định giữa các phiên bản (ví dụ planning.assignments_overdue)"
        " / the kind of work, stable across versions",
    )
    title: str
    count: int = Field(..., description="Tổng số / how many in all")
    url: str = Field(..., description="Trang danh sách đầy đủ / the page listing all of them")
    urgency: str = Field(..., description="overdue | due_soon | waiting")
    entries: list[WorkEntryOut] = Field(
        ..., description="Tối đa 5 việc đầu tiên / the first five at most"
    )
    more: int = Field(
        ...,
        description='Số mục không liệt kê trong entries ("và N việc khác…") / how many '
        "are not listed in entries (for a count of ratings listed by organisation: the "
        "organisations not listed)",
    )


@router.get(
    "",
    response={200: list[WorkItemOut], 401: ErrorOut},
    summary="Việc cần làm / the caller's work list",
    description="Những việc đang chờ người gọi: quá hạn trước, rồi sắp đến hạn, rồi đang chờ; "
    "chỉ những loại việc có ít nhất một việc, trong phạm vi quyền của người gọi. / "
    "What waits for the caller, overdue first, then due soon, then waiting; only kinds of "
    "work with something in them, within the caller's scope.",
)
def my_work(request: HttpRequest) -> Any:
    return worklist.collect(user_of(request), timezone.localdate())
