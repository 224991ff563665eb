"""The audit log, scoped like /audit/ (AUDIT_VIEW, `AuditEvent.objects.visible_to`).

The log may hold millions of rows, so the list is paged by cursor, not by offset:
each page gives `next_cursor`, to send back as `cursor` for the next, older page
(`null` on the last one). Filters are those of the page. One event gives its data
(a reporter's identity masked without CASE_IDENTITY), its hashes and whether its
hash still recomputes.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints

from congvu.audit import labels, links, selectors
from congvu.audit.models import AuditEvent
from congvu.organisations.models import Organisation

from .common import Id, IsoDate, OrganisationRef, SearchText
from .plans import READ_ERRORS
from .security import AUTH, user_of

router = Router(tags=["Nhật ký hoạt động / Audit log"], auth=AUTH)

Code = Annotated[str, StringConstraints(max_length=80, pattern=r"^[a-z0-9_.]*$")]
Cursor = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,18}$")]


class ActorOut(Schema):
    id: int
    username: str
    full_name: str


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor: ActorOut | None = Field(..., description="Rỗng: hệ thống / null: the system")
    action: str = Field(..., description="Mã hành động / action code, e.g. case.accepted")
    action_label: str = Field(..., description="Tên hành động / readable action")
    object_type: str
    object_id: str
    object_url: str | None = Field(..., description="Trang của đối tượng / the object's page")
    organisation: OrganisationRef | None
    summary: str


class AuditEventPage(Schema):
    items: list[AuditEventOut]
    next_cursor: str | None = Field(
        ..., description="Gửi lại làm `cursor` để lấy trang sau / send as `cursor` for more"
    )


class AuditEventDetailOut(AuditEventOut):
    data: dict[str, Any] = Field(
        ..., description="Dữ liệu kèm theo (danh tính người phản ánh được ẩn) / event data"
    )
    masked: bool = Field(..., description="Có trường bị ẩn / some fields were masked")
    hash: str
    prev_hash: str
    hash_holds: bool = Field(..., description="Mã băm tính lại khớp / the hash recomputes")
    prev_hash_links: bool | None = Field(
        ..., description="prev_hash khớp sự kiện liền trước (rỗng: sự kiện đầu) / chain link"
    )


class AuditFilters(Schema):
    q: SearchText = Field(
        "",
        description="Các từ trong tóm tắt hoặc mã đối tượng, không cần dấu; mỗi từ phải có "
        "/ words of the summary or the object's id, accents optional, every word must occur",
    )
    date_from: IsoDate | None = Field(None, description="Từ ngày / on or after")
    date_to: IsoDate | None = Field(None, description="Đến ngày / on or before")
    organisation: SearchText = Field(
        "", description="Tên hoặc mã cơ quan, không cần dấu / organisation name or code"
    )
    actor: SearchText = Field("", description="Tên đăng nhập hoặc họ tên / username or name")
    action: Code = Field("", description="Mã hành động / action code")
    object_type: Code = Field("", description="Loại đối tượng / e.g. cases.case")
    cursor: Cursor | None = Field(None, description="Từ `next_cursor` / from `next_cursor`")
    limit: int = Field(50, ge=1, le=200, description="Số dòng mỗi trang / page size")


def _out(
    event: AuditEvent, organisations: dict[int, Organisation], urls: dict[int, str]
) -> dict[str, Any]:
    actor = event.actor
    return {
        "id": event.pk,
        "at": event.at,
        "actor": None
        if actor is None
        else {"id": actor.pk, "username": actor.username, "full_name": actor.full_name},
        "action": event.action,
        "action_label": labels.action_label(event.action),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_url": urls.get(event.pk),
        "organisation": organisations.get(event.organisation_id or 0),
        "summary": event.summary,
    }


@router.get(
    "/audit-events",
    response={200: AuditEventPage, **READ_ERRORS},
    summary="Nhật ký hoạt động / the audit log (AUDIT_VIEW scope), newest first",
)
def list_audit_events(request: HttpRequest, filters: Query[AuditFilters]) -> Any:
    user = user_of(request)
    selectors.require_view(user)
    qs = selectors.filter_events(
        user,
        selectors.Filters(
            date_from=filters.date_from,
            date_to=filters.date_to,
            organisation=filters.organisation.strip(),
            actor=filters.actor.strip(),
            action=filters.action,
            object_type=filters.object_type,
            q=filters.q.strip(),
        ),
    )
    after = int(filters.cursor) if filters.cursor else None
    page = selectors.keyset_page(qs, after=after, size=filters.limit)
    organisations = selectors.organisation_names(page.rows)
    urls = links.urls_for(page.rows)
    return {
        "items": [_out(event, organisations, urls) for event in page.rows],
        "next_cursor": str(page.older) if page.older is not None else None,
    }


@router.get(
    "/audit-events/{id}",
    response={200: AuditEventDetailOut, **READ_ERRORS},
    summary="Một sự kiện nhật ký / one audit event, with its data and hash check",
)
def get_audit_event(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    event = selectors.get_event(user, id)
    data, masked = selectors.masked_data(user, event)
    check = selectors.check_hash(event)
    return {
        **_out(event, selectors.organisation_names([event]), links.urls_for([event])),
        "data": data,
        "masked": masked,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
        "hash_holds": check.holds,
        "prev_hash_links": check.linked,
    }
