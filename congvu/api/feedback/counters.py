"""Counters (COUNTER_MANAGE): one-stop counters, their staff on duty, the counter QR link
and the kiosk link (a secret of the counter's tablet).
"""

import datetime as dt
import re
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import (
    BeforeValidator,
    StrictBool,
    StringConstraints,
)

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.feedback import registration
from congvu.feedback.models import Counter
from congvu.organisations.models import StaffMember

from ..common import (
    NOT_BLANK,
    BodyId,
    Id,
    OrganisationRef,
    Pagination,
)
from ..plans import READ_ERRORS, WRITE_ERRORS, BodyIn, get_organisation
from ..security import user_of
from .schemas import StaffNameOut

router = Router()

CounterName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=registration.COUNTER_NAME_MAX, pattern=NOT_BLANK),
]
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?")


def _hhmm(value: Any) -> Any:
    # pydantic would also read numbers as seconds since midnight; hours are written HH:MM.
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str) and (m := _HHMM.fullmatch(value)):
        return dt.time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
    raise ValueError("Giờ phải có dạng HH:MM. / A time must be written HH:MM.")


ClockTime = Annotated[dt.time, BeforeValidator(_hhmm)]


class CounterOut(Schema):
    id: int
    organisation: OrganisationRef
    name: str
    opens_at: str = Field(..., description="HH:MM, giờ Việt Nam / local time")
    closes_at: str = Field(..., description="HH:MM, giờ Việt Nam / local time")
    is_active: bool
    staff: list[StaffNameOut] = Field(..., description="Cán bộ trực quầy / staff on duty")
    counter_url: str = Field(..., description="Đường dẫn QR của quầy / the counter's QR link")
    kiosk_url: str = Field(
        ...,
        description="Đường dẫn cho máy tính bảng tại quầy; bí mật / the counter tablet's link; "
        "keep it secret",
    )

    @staticmethod
    def resolve_opens_at(obj: Counter) -> str:
        return obj.opens_at.strftime("%H:%M")

    @staticmethod
    def resolve_closes_at(obj: Counter) -> str:
        return obj.closes_at.strftime("%H:%M")

    @staticmethod
    def resolve_staff(obj: Counter) -> list[StaffMember]:
        return sorted(obj.staff.all(), key=lambda m: (m.sort_name, m.pk))

    @staticmethod
    def resolve_counter_url(obj: Counter) -> str:
        return registration.public_link("counter", obj.qr_token)

    @staticmethod
    def resolve_kiosk_url(obj: Counter) -> str:
        return registration.public_link("kiosk", obj.kiosk_token)


StaffIds = Annotated[list[BodyId], Field(max_length=200)]


class CounterIn(BodyIn):
    organisation: BodyId
    name: CounterName
    opens_at: ClockTime = Field(dt.time(7, 0), description="HH:MM")
    closes_at: ClockTime = Field(dt.time(17, 30), description="HH:MM")
    staff: StaffIds = Field(default_factory=list, description="Cán bộ trực quầy / staff ids")


class CounterPatchIn(BodyIn):
    """Only the fields sent change; `staff` replaces the whole list."""

    name: CounterName | None = None
    opens_at: ClockTime | None = None
    closes_at: ClockTime | None = None
    staff: StaffIds | None = None
    is_active: StrictBool | None = None


class CounterRotateIn(BodyIn):
    which: Literal["qr", "kiosk"] = Field(
        ..., description="qr: áp phích; kiosk: máy tính bảng / poster or tablet link"
    )


class CounterFilters(Schema):
    organisation: Id | None = Field(None, description="Cơ quan, gồm cấp dưới / and its subtree")
    active: bool | None = None


def _counter_scope(user: User) -> QuerySet[Counter]:
    access.require_anywhere(user, Perm.COUNTER_MANAGE)
    return (
        Counter.objects.select_related("organisation")
        .prefetch_related("staff")
        .filter(organisation__in=access.organisations_for(user, Perm.COUNTER_MANAGE))
    )


def _counter(user: User, pk: int) -> Counter:
    counter = _counter_scope(user).filter(pk=pk).first()
    if counter is None:
        other = Counter.objects.select_related("organisation").filter(pk=pk).first()
        if other is not None:
            access.require(user, Perm.COUNTER_MANAGE, other.organisation)
        raise Http404
    return counter


def _staff_members(ids: list[int]) -> list[StaffMember]:
    found = StaffMember.objects.in_bulk(ids)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {"staff": f"Không tìm thấy cán bộ: {missing}. / Staff members not found: {missing}."}
        )
    return [found[pk] for pk in dict.fromkeys(ids)]


@router.get(
    "/counters",
    response={200: list[CounterOut], **READ_ERRORS},
    summary="Quầy một cửa / one-stop counters (COUNTER_MANAGE scope)",
)
@paginate(Pagination)
def list_counters(request: HttpRequest, filters: Query[CounterFilters]) -> Any:
    user = user_of(request)
    qs = _counter_scope(user)
    if filters.organisation is not None:
        organisation = get_organisation(user, Perm.COUNTER_MANAGE, filters.organisation)
        qs = qs.filter(organisation__path__startswith=organisation.path)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return qs.order_by("organisation__path", "name", "pk")


@router.get(
    "/counters/{id}",
    response={200: CounterOut, **READ_ERRORS},
    summary="Một quầy / one counter",
)
def get_counter(request: HttpRequest, id: Id) -> Any:
    return _counter(user_of(request), id)


@router.post(
    "/counters",
    response={201: CounterOut, **WRITE_ERRORS},
    summary="Thêm quầy / create a counter (COUNTER_MANAGE)",
)
def create_counter(request: HttpRequest, payload: CounterIn) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.COUNTER_MANAGE, payload.organisation)
    counter = registration.create_counter(
        organisation,
        name=payload.name,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        staff=_staff_members(payload.staff),
        actor=user,
    )
    return Status(201, _counter(user, counter.pk))


@router.patch(
    "/counters/{id}",
    response={200: CounterOut, **WRITE_ERRORS},
    summary="Sửa quầy, cán bộ trực, giờ làm việc / change a counter (COUNTER_MANAGE)",
)
def update_counter(request: HttpRequest, id: Id, payload: CounterPatchIn) -> Any:
    user = user_of(request)
    counter = _counter(user, id)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "staff" in changes:
        changes["staff"] = _staff_members(changes["staff"])
    registration.update_counter(counter, actor=user, **changes)
    return _counter(user, id)


@router.post(
    "/counters/{id}/rotate",
    response={200: CounterOut, **WRITE_ERRORS},
    summary="Đổi mã QR hoặc đường dẫn máy tính bảng / rotate a counter's link (COUNTER_MANAGE)",
    description="Đường dẫn cũ hết hiệu lực ngay. / The old link stops working at once.",
)
def rotate_counter(request: HttpRequest, id: Id, payload: CounterRotateIn) -> Any:
    user = user_of(request)
    registration.rotate_counter_token(_counter(user, id), which=payload.which, actor=user)
    return _counter(user, id)
