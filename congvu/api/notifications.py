"""/notifications: the caller's own notices, worded in the request's language.

Nobody reads another's notices: an id that is not the caller's is a 404, as if it
did not exist. Marking read is the caller's own bookkeeping (no audit event).
"""

import datetime as dt
from typing import Annotated, Any

from django.db.models import F
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import model_validator

from congvu.core import notices
from congvu.core.models import Notification

from .common import BodyId, Pagination
from .errors import ErrorOut, ValidationErrorOut
from .security import AUTH, user_of

router = Router(tags=["notifications"], auth=AUTH)

READ_MAX = 200


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="Loại thông báo / kind (digest, extension_decision…)")
    title: str = Field(description="Tiêu đề theo ngôn ngữ của yêu cầu / in the request's language")
    body: str = Field(description="Nội dung theo ngôn ngữ của yêu cầu / in the request's language")
    url: str = Field(description="Đường dẫn trong trang / the page it links to")
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_title(obj: Notification) -> str:
        return obj.shown_title

    @staticmethod
    def resolve_body(obj: Notification) -> str:
        return obj.shown_body


class NotificationFilters(Schema):
    unread: bool | None = Field(
        None, description="Chỉ thông báo chưa đọc (true) hoặc đã đọc (false) / unread or read only"
    )


class ReadIn(Schema):
    ids: Annotated[list[BodyId], Field(max_length=READ_MAX)] = Field(
        default_factory=list, description="Thông báo cần đánh dấu đã đọc / notices to mark read"
    )
    all: bool = Field(False, description="Đánh dấu tất cả / mark every notice read")

    @model_validator(mode="after")
    def one_of_them(self) -> "ReadIn":
        if bool(self.ids) == self.all:
            raise ValueError(
                "Gửi danh sách ids hoặc all=true (không cả hai). / Send ids or all=true, not both."
            )
        return self


class ReadOut(Schema):
    marked: int = Field(description="Số thông báo vừa được đánh dấu / notices newly marked read")
    unread: int = Field(description="Số thông báo còn chưa đọc / notices still unread")


@router.get(
    "/notifications",
    response={200: list[NotificationOut], 401: ErrorOut, 422: ValidationErrorOut},
    summary="Thông báo của tôi / my notifications",
    description="Chưa đọc trước, mới nhất trước; tiêu đề và nội dung theo ngôn ngữ của yêu cầu "
    "(cookie `congvu_lang`, mặc định tiếng Việt). / Unread first, newest first; title and body "
    "in the request's language (the `congvu_lang` cookie, Vietnamese by default).",
)
@paginate(Pagination)
def list_notifications(request: HttpRequest, filters: Query[NotificationFilters]) -> Any:
    mine = notices.of(user_of(request))
    if filters.unread is not None:
        mine = mine.filter(read_at__isnull=filters.unread)
    return mine.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk")


@router.post(
    "/notifications/read",
    response={200: ReadOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Đánh dấu đã đọc / mark notifications read",
    description="Các thông báo `ids` của mình, hoặc tất cả (`all`); 404 và không đổi gì nếu một "
    f"id không phải của mình. Tối đa {READ_MAX} id. / The caller's own notices `ids`, or all of "
    "them (`all`); 404 and nothing changed if one id is not theirs.",
)
def mark_read(request: HttpRequest, payload: ReadIn) -> Any:
    user = user_of(request)
    marked = notices.mark_read(user, ids=None if payload.all else payload.ids)
    return {"marked": marked, "unread": notices.unread_count(user)}
