"""Staff members: the visible ones, one at a time, and creating one.

Contact details (e-mail, phone) are personal data (Decree 13/2023): they are
returned only to callers holding STAFF_VIEW_CONTACT on the staff member, and
as null otherwise, so a client can tell "hidden" from "empty" ("").
"""

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StrictBool, StringConstraints

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.organisations import services
from congvu.organisations.models import StaffMember, StaffQuerySet

from .common import NO_NUL, NOT_BLANK, BodyId, Id, IsoDate, OrganisationRef, Pagination, SearchText
from .errors import ErrorOut, ValidationErrorOut
from .plans import get_organisation
from .security import AUTH, user_of

router = Router(tags=["staff"], auth=AUTH)

_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
# Writes also answer 400 for a body that is not JSON at all.
_WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, **_ERRORS}


def _may_see_contact(staff: StaffMember, context: Any) -> bool:
    request = context["request"] if context else None
    user = getattr(request, "auth", None)
    return Perm.STAFF_VIEW_CONTACT in access.staff_perms(user, staff)


class StaffOut(Schema):
    id: int
    full_name: str
    staff_code: str
    category: StaffMember.Category
    category_label: str
    position_title: str
    is_leader: bool
    organisation: OrganisationRef
    division: OrganisationRef | None
    is_active: bool
    left_on: dt.date | None
    email: str | None = Field(None, description="null khi không có quyền xem / null when hidden")
    phone: str | None = Field(None, description="null khi không có quyền xem / null when hidden")

    @staticmethod
    def resolve_category_label(obj: StaffMember) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_email(obj: StaffMember, context: Any) -> str | None:
        return obj.email if _may_see_contact(obj, context) else None

    @staticmethod
    def resolve_phone(obj: StaffMember, context: Any) -> str | None:
        return obj.phone if _may_see_contact(obj, context) else None


class StaffFilters(Schema):
    organisation: Id | None = Field(
        None, description="Cơ quan, gồm cả đơn vị trực thuộc / organisation and its subtree"
    )
    q: SearchText | None = Field(None, description="Tìm không dấu theo tên, mã / name or code")
    category: StaffMember.Category | None = None
    active: bool | None = Field(None, description="Đang công tác / still working")


class StaffIn(Schema):
    organisation: BodyId
    division: BodyId | None = None
    full_name: Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=NOT_BLANK)]
    staff_code: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NOT_BLANK)]
    category: StaffMember.Category
    position_title: Annotated[str, StringConstraints(max_length=160, pattern=NO_NUL)] = ""
    is_leader: StrictBool = False
    email: Annotated[str, StringConstraints(max_length=254, pattern=NO_NUL)] = ""
    phone: Annotated[str, StringConstraints(max_length=20, pattern=NO_NUL)] = ""
    valid_from: IsoDate | None = Field(None, description="Bắt đầu công tác / assignment start")


def _staff(request: HttpRequest) -> StaffQuerySet:
    return StaffMember.objects.visible_to(user_of(request)).select_related(
        "organisation", "division"
    )


@router.get(
    "", response={200: list[StaffOut], **_ERRORS}, summary="Danh sách cán bộ / list staff members"
)
@paginate(Pagination)
def list_staff(request: HttpRequest, filters: Query[StaffFilters]) -> Any:
    qs = _staff(request)
    if filters.organisation is not None:
        organisation = get_organisation(user_of(request), Perm.ORG_VIEW, filters.organisation)
        qs = qs.filter(organisation__path__startswith=organisation.path)
    if filters.q:
        qs = qs.search(filters.q)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return qs.order_by("sort_name", "pk")


@router.get("/{id}", response={200: StaffOut, **_ERRORS}, summary="Một cán bộ / one staff member")
def get_staff(request: HttpRequest, id: Id) -> Any:
    staff = _staff(request).filter(pk=id).first()
    if staff is None:
        raise Http404
    access.require_staff(user_of(request), Perm.STAFF_VIEW, staff)
    return staff


@router.post(
    "",
    response={201: StaffOut, **_WRITE_ERRORS},
    summary="Thêm cán bộ / create a staff member",
)
def create_staff(request: HttpRequest, payload: StaffIn) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.ORG_VIEW, payload.organisation)
    division = get_organisation(user, Perm.ORG_VIEW, payload.division) if payload.division else None
    staff = services.create_staff(
        actor=user,
        organisation=organisation,
        division=division,
        full_name=payload.full_name,
        staff_code=payload.staff_code,
        category=payload.category,
        position_title=payload.position_title,
        is_leader=payload.is_leader,
        email=payload.email,
        phone=payload.phone,
        valid_from=payload.valid_from,
    )
    return Status(201, staff)
