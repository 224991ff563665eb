"""Dissemination sessions on the code of conduct and staff acknowledgements (seed I.2.a).

Reads are the dissemination pages': sessions and acknowledgements of
organisations where the caller holds PLAN_VIEW. The attendance list shows
only the staff the caller may see. Writes call `planning.dissemination`:
recording sessions, attendance and acknowledgements needs ACKNOWLEDGE_RECORD;
a staff member with an account acknowledges for themselves.
"""

import datetime as dt
from typing import Annotated, Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StrictInt, StringConstraints, WithJsonSchema

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.conduct.models import CodeVersion
from congvu.organisations.models import Organisation, StaffMember
from congvu.planning import dissemination as services
from congvu.planning.models import Acknowledgement, Dissemination

from .common import NOT_BLANK, BodyId, CodeVersionRef, Id, IsoDate, OrganisationRef, Pagination
from .plans import READ_ERRORS, WRITE_ERRORS, BodyIn, Day, UserRef, get_organisation, one_of, pick
from .security import AUTH, user_of

router = Router(tags=["dissemination"], auth=AUTH)

DisseminationFormat = Annotated[Dissemination.Format, WithJsonSchema(one_of(Dissemination.Format))]
AcknowledgementMethod = Annotated[
    Acknowledgement.Method, WithJsonSchema(one_of(Acknowledgement.Method))
]

StaffIds = Annotated[list[BodyId], Field(max_length=1000)]


class AttendeeRef(Schema):
    id: int
    full_name: str
    staff_code: str


class DisseminationOut(Schema):
    id: int
    organisation: OrganisationRef
    held_on: dt.date
    format: DisseminationFormat
    content: str
    participants: int
    recorded_by: UserRef
    created_at: dt.datetime


class DisseminationDetailOut(DisseminationOut):
    attendees: list[AttendeeRef] = Field(
        ..., description="Những người tham dự mà bạn được xem / the attendees you may see"
    )


class AcknowledgementOut(Schema):
    id: int
    staff: AttendeeRef
    organisation: OrganisationRef
    code_version: CodeVersionRef
    method: AcknowledgementMethod
    recorded_by: UserRef
    acknowledged_at: dt.datetime

    @staticmethod
    def resolve_organisation(obj: Acknowledgement) -> Organisation:
        return obj.staff.organisation


class DisseminationFilters(Schema):
    organisation: Id | None = Field(
        None, description="Cơ quan, gồm đơn vị trực thuộc / organisation and its subtree"
    )
    format: DisseminationFormat | None = None
    held_after: IsoDate | None = Field(None, description="Từ ngày / held on or after")
    held_before: IsoDate | None = Field(None, description="Đến ngày / held on or before")


class AcknowledgementFilters(Schema):
    organisation: Id | None = Field(
        None, description="Cơ quan của cán bộ, gồm đơn vị trực thuộc / staff's organisation"
    )
    staff: Id | None = Field(None, description="Cán bộ / staff member id")
    code_version: Id | None = Field(None, description="Phiên bản quy tắc / code version id")
    method: AcknowledgementMethod | None = None


class DisseminationIn(BodyIn):
    organisation: BodyId
    held_on: Day
    format: DisseminationFormat
    content: Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=NOT_BLANK)]
    participants: Annotated[StrictInt, Field(ge=0, le=1_000_000)] = 0


class DisseminationEditIn(BodyIn):
    held_on: Day
    format: DisseminationFormat
    content: Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=NOT_BLANK)]
    participants: Annotated[StrictInt, Field(ge=0, le=1_000_000)] = 0


class AttendanceIn(BodyIn):
    present: StaffIds = Field(default_factory=list, description="Có mặt / attended")
    absent: StaffIds = Field(default_factory=list, description="Vắng / did not attend")


class RecordAcknowledgementsIn(BodyIn):
    organisation: BodyId
    staff: StaffIds = Field(..., description="Cán bộ chưa có tài khoản / staff without accounts")


def sessions_of(user: User) -> QuerySet[Dissemination]:
    access.require_anywhere(user, Perm.PLAN_VIEW)
    return Dissemination.objects.filter(
        organisation__in=access.organisations_for(user, Perm.PLAN_VIEW).values("pk")
    ).select_related("organisation", "recorded_by")


def get_session(user: User, pk: int) -> Dissemination:
    session: Dissemination = access.get_for(
        user,
        Perm.PLAN_VIEW,
        Dissemination.objects.select_related("organisation", "recorded_by").prefetch_related(
            Prefetch(
                "attendees",
                queryset=StaffMember.objects.visible_to(user).order_by("sort_name", "pk"),
            )
        ),
        pk=pk,
    )
    return session


def acknowledgements_of(user: User) -> QuerySet[Acknowledgement]:
    access.require_anywhere(user, Perm.PLAN_VIEW)
    return Acknowledgement.objects.filter(
        staff__organisation__in=access.organisations_for(user, Perm.PLAN_VIEW).values("pk")
    ).select_related("staff__organisation", "code_version", "recorded_by")


@router.get(
    "/disseminations",
    response={200: list[DisseminationOut], **READ_ERRORS},
    summary="Các buổi quán triệt, tuyên truyền / dissemination sessions",
)
@paginate(Pagination)
def list_sessions(request: HttpRequest, filters: Query[DisseminationFilters]) -> Any:
    user = user_of(request)
    qs = sessions_of(user)
    if filters.organisation is not None:
        organisation = get_organisation(user, Perm.PLAN_VIEW, filters.organisation)
        qs = qs.filter(organisation__path__startswith=organisation.path)
    if filters.format is not None:
        qs = qs.filter(format=filters.format)
    if filters.held_after is not None:
        qs = qs.filter(held_on__gte=filters.held_after)
    if filters.held_before is not None:
        qs = qs.filter(held_on__lte=filters.held_before)
    return qs.order_by("-held_on", "-pk")


@router.get(
    "/disseminations/{id}",
    response={200: DisseminationDetailOut, **READ_ERRORS},
    summary="Một buổi quán triệt, với danh sách tham dự / one session with its attendees",
)
def get_session_detail(request: HttpRequest, id: Id) -> Any:
    return get_session(user_of(request), id)


@router.get(
    "/acknowledgements",
    response={200: list[AcknowledgementOut], **READ_ERRORS},
    summary="Xác nhận thực hiện quy tắc ứng xử / acknowledgements of the code of conduct",
)
@paginate(Pagination)
def list_acknowledgements(request: HttpRequest, filters: Query[AcknowledgementFilters]) -> Any:
    user = user_of(request)
    qs = acknowledgements_of(user)
    if filters.organisation is not None:
        organisation = get_organisation(user, Perm.PLAN_VIEW, filters.organisation)
        qs = qs.filter(staff__organisation__path__startswith=organisation.path)
    if filters.staff is not None:
        qs = qs.filter(staff_id=filters.staff)
    if filters.code_version is not None:
        qs = qs.filter(code_version_id=filters.code_version)
    if filters.method is not None:
        qs = qs.filter(method=filters.method)
    return qs.order_by("-acknowledged_at", "-pk")


# --- writes -------------------------------------------------------------------------------


@router.post(
    "/disseminations",
    response={201: DisseminationDetailOut, **WRITE_ERRORS},
    summary="Ghi nhận buổi quán triệt / record a session (ACKNOWLEDGE_RECORD)",
)
def record_session(request: HttpRequest, payload: DisseminationIn) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.ORG_VIEW, payload.organisation)
    session = services.record_session(
        organisation,
        actor=user,
        held_on=payload.held_on,
        format=payload.format,
        content=payload.content,
        participants=payload.participants,
    )
    return Status(201, get_session(user, session.pk))


@router.put(
    "/disseminations/{id}",
    response={200: DisseminationDetailOut, **WRITE_ERRORS},
    summary="Sửa buổi quán triệt / edit a session (ACKNOWLEDGE_RECORD)",
)
def edit_session(request: HttpRequest, id: Id, payload: DisseminationEditIn) -> Any:
    user = user_of(request)
    session = get_session(user, id)
    services.edit_session(
        session,
        actor=user,
        held_on=payload.held_on,
        format=payload.format,
        content=payload.content,
        participants=payload.participants,
    )
    return get_session(user, id)


@router.post(
    "/disseminations/{id}/attendance",
    response={200: DisseminationDetailOut, **WRITE_ERRORS},
    summary="Đánh dấu tham dự / mark staff present or absent (ACKNOWLEDGE_RECORD)",
    description=(
        "Chỉ thay đổi những người được nêu; người khác giữ nguyên / only the staff named "
        "change; everyone else keeps their mark."
    ),
)
def set_attendance(request: HttpRequest, id: Id, payload: AttendanceIn) -> Any:
    user = user_of(request)
    session = get_session(user, id)
    # As the attendance page: refuse (403) before looking at the list.
    access.require(user, Perm.ACKNOWLEDGE_RECORD, session.organisation)
    # Only the organisation's active staff can be ticked; anything else is an input error.
    eligible = services.eligible_attendees(session.organisation)
    present = pick(eligible, payload.present, field="present", what="cán bộ")
    absent = pick(eligible, payload.absent, field="absent", what="cán bộ")
    services.set_attendance(session, actor=user, shown=[*present, *absent], present=present)
    return get_session(user, id)


@router.post(
    "/acknowledgements",
    response={201: list[AcknowledgementOut], **WRITE_ERRORS},
    summary="Ghi nhận xác nhận của cán bộ chưa có tài khoản / record acknowledgements "
    "(ACKNOWLEDGE_RECORD)",
)
def record_acknowledgements(request: HttpRequest, payload: RecordAcknowledgementsIn) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.ORG_VIEW, payload.organisation)
    access.require(user, Perm.ACKNOWLEDGE_RECORD, organisation)
    staff = pick(
        services.recordable_staff(organisation), payload.staff, field="staff", what="cán bộ"
    )
    created = services.record_acknowledgements(organisation, actor=user, staff=staff)
    # bulk_create leaves the new rows without keys on some databases: read them back.
    return Status(
        201,
        list(
            Acknowledgement.objects.filter(
                staff__in=staff, code_version_id__in={ack.code_version_id for ack in created}
            )
            .select_related("staff__organisation", "code_version", "recorded_by")
            .order_by("staff__sort_name", "staff_id", "code_version_id")
        ),
    )


@router.post(
    "/acknowledgements/self",
    response={201: list[AcknowledgementOut], **WRITE_ERRORS},
    summary="Tự xác nhận đã đọc và cam kết thực hiện / acknowledge the code for yourself",
)
def acknowledge_self(request: HttpRequest) -> Any:
    user = user_of(request)
    member = (
        StaffMember.objects.select_related("organisation").filter(user=user, is_active=True).first()
    )
    if member is None:
        raise Http404
    created = services.acknowledge(member, actor=user)
    versions = CodeVersion.objects.filter(pk__in=[ack.code_version_id for ack in created])
    return Status(
        201,
        list(
            Acknowledgement.objects.filter(staff=member, code_version__in=versions)
            .select_related("staff__organisation", "code_version", "recorded_by")
            .order_by("pk")
        ),
    )
