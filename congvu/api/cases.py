"""Cases of misconduct, scoped like the back-office pages, and the citizen's two calls.

Handlers read the cases in their CASE_VIEW scope (`cases.selectors.handler_cases`:
handled in or about their organisations, never a case about themselves); a case
outside it is a 404 whether it exists or not, one inside the scope without the
permission a 403. Writes call `cases.services` / `cases.workflow`, which check
CASE_HANDLE.

The reporter's name and contacts (Decree 13/2023) are returned only to a caller
for whom `cases.visibility.can_see_identity` holds; for everyone else `reporter`
is null. A case opened from an inspection's finding names that inspection
(`source_inspection`) only to a caller who may open it, and its observation only
to one who sees the findings.

Two operations need no account: a citizen files a report (`POST /public/cases`,
JSON without files; the answer carries the tracking code and the passphrase, shown
this once) and follows it (`POST /public/cases/follow`). The follow-up answers the
same 404 for an unknown code and a wrong passphrase, and locks a case after
repeated failures (429), exactly as the tracking page does. Neither stores the
caller's IP address or user agent.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StrictBool, StringConstraints, WithJsonSchema

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.cases import assignment, clocks, reporter, selectors, services, visibility, workflow
from congvu.cases.models import Case, CaseEvent, CaseFile, CaseTag, Track
from congvu.cases.reporter import FollowDenied, FollowLocked
from congvu.conduct.models import Clause
from congvu.core.net import client_ip
from congvu.inspections.selectors import case_source
from congvu.organisations.models import Organisation, StaffMember

from .common import NO_NUL, NOT_BLANK, BodyId, Id, IsoDate, OrganisationRef, Pagination
from .errors import ErrorOut, ValidationErrorOut
from .plans import READ_ERRORS, WRITE_ERRORS, BodyIn, UserRef, get_organisation, one_of
from .security import AUTH, user_of

router = Router(tags=["Vụ việc / Cases"], auth=AUTH)

CaseStatus = Annotated[Case.Status, WithJsonSchema(one_of(Case.Status))]
CaseTrack = Annotated[Track, WithJsonSchema(one_of(Track))]
CaseOutcome = Annotated[Case.Outcome, WithJsonSchema(one_of(Case.Outcome))]
CaseRejectReason = Annotated[Case.RejectReason, WithJsonSchema(one_of(Case.RejectReason))]
CaseChannel = Annotated[Case.Channel, WithJsonSchema(one_of(Case.Channel))]
EventKind = Annotated[CaseEvent.Kind, WithJsonSchema(one_of(CaseEvent.Kind))]
EventAudience = Annotated[CaseEvent.Audience, WithJsonSchema(one_of(CaseEvent.Audience))]

# Tracking codes are "PA-" and ten symbols; the pattern keeps junk away from the database.
CaseCode = Annotated[
    str, StringConstraints(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")
]
Passphrase = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
Text = Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=NOT_BLANK)]
Short = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
Name = Annotated[str, StringConstraints(max_length=120, pattern=NO_NUL)]
Phone = Annotated[str, StringConstraints(max_length=30, pattern=NO_NUL)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=NO_NUL)]
ClauseIds = Annotated[list[BodyId], Field(max_length=20)]
BadgeToken = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[-\w]+$")]
OrganisationCode = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^[-.\w]+$")
]

# Channels an officer records by hand (the others belong to the public form and Open311).
InternalChannel = Literal["phone", "letter", "in_person", "inspection", "flagged_rating"]

#: Kinds a reporter never reads, whatever their audience (as on the tracking page).
HIDDEN_KINDS = (CaseEvent.Kind.NOTE, CaseEvent.Kind.TO_SUBJECT, CaseEvent.Kind.FROM_SUBJECT)

NOT_FOLLOWED = "Mã theo dõi hoặc mật khẩu không đúng. / Wrong tracking code or passphrase."
LOCKED = (
    "Nhập sai quá nhiều lần; vui lòng thử lại sau. / "
    "Too many wrong attempts; please try again later."
)


# --- output -------------------------------------------------------------------------------


class StaffRef(Schema):
    id: int
    full_name: str


class ClauseRef(Schema):
    id: int
    code: str
    short_title: str


class TagRef(Schema):
    """A handlers' tag: never shown to the reporter, the staff member concerned or the public."""

    id: int
    name: str
    colour: Annotated[CaseTag.Colour, WithJsonSchema(one_of(CaseTag.Colour))]


class ReporterOut(Schema):
    """The reporter's identity: only for those handling the case (CASE_IDENTITY there)."""

    name: str
    phone: str
    email: str


class CaseOut(Schema):
    code: str
    track: CaseTrack
    status: CaseStatus
    status_label: str
    outcome: CaseOutcome | Literal[""]
    reject_reason: CaseRejectReason | Literal[""]
    channel: CaseChannel
    organisation: OrganisationRef = Field(..., description="Cơ quan bị phản ánh / about")
    handling_organisation: OrganisationRef = Field(..., description="Cơ quan xử lý / handler")
    subject_staff: StaffRef | None
    subject_description: str
    is_anonymous: bool
    received_at: dt.datetime
    acknowledge_due: dt.date
    settle_due: dt.date | None
    extensions: int
    due: dt.date | None = Field(..., description="Hạn đang chạy / the deadline running now")
    is_overdue: bool
    main_case: str | None = Field(..., description="Mã vụ việc chính / main case's code")
    concluded_at: dt.datetime | None
    closed_at: dt.datetime | None
    assignee: UserRef | None = Field(
        ..., description="Cán bộ được giao xử lý / the officer the case is assigned to"
    )
    tags: list[TagRef] = Field(..., description="Nhãn của người xử lý / the handlers' tags")

    @staticmethod
    def resolve_tags(obj: Case) -> list[CaseTag]:
        return sorted(obj.tags.all(), key=lambda tag: tag.name_folded)

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_due(obj: Case) -> dt.date | None:
        return clocks.current_due(obj)

    @staticmethod
    def resolve_is_overdue(obj: Case) -> bool:
        return clocks.is_overdue(obj, timezone.localdate())

    @staticmethod
    def resolve_main_case(obj: Case) -> str | None:
        return obj.main_case.code if obj.main_case_id and obj.main_case else None


def _may_see_identity(case: Case, context: Any) -> bool:
    request = context["request"] if context else None
    user = getattr(request, "auth", None)
    return user is not None and visibility.can_see_identity(user, case)


class SourceInspectionOut(Schema):
    """The inspection a case was opened from, as the caller may follow it."""

    code: str
    url: str = Field(..., description="Cuộc kiểm tra trong API / the inspection in this API")
    observation: int | None = Field(
        ...,
        description="Kết quả kiểm tra (vi phạm) đã mở vụ việc, khi người gọi được xem kết quả "
        "/ the breached observation, when the caller sees the findings",
    )
    clause: ClauseRef | None = Field(..., description="Chuẩn mực bị vi phạm / its clause")


def _source_inspection(case: Case, context: Any) -> SourceInspectionOut | None:
    request = context["request"] if context else None
    user = getattr(request, "auth", None)
    source = case_source(user, case) if isinstance(user, User) else None
    if source is None:
        return None
    code = source.inspection.code
    observation = source.observation
    return SourceInspectionOut(
        code=code,
        url=reverse("api:get_inspection_detail", kwargs={"code": code}),
        observation=observation.pk if observation is not None else None,
        clause=(
            ClauseRef(
                id=observation.clause.pk,
                code=observation.clause.code,
                short_title=observation.clause.short_title,
            )
            if observation is not None
            else None
        ),
    )


class CaseDetailOut(CaseOut):
    clauses: list[ClauseRef]
    other_standard: str
    occurred_on: dt.date | None
    occurred_place: str
    description: str
    conclusion: str
    accepted_at: dt.datetime | None
    first_response_at: dt.datetime | None
    allowed_transitions: list[CaseStatus] = Field(
        ..., description="Trạng thái có thể chuyển tới / statuses a transition may go to"
    )
    reporter: ReporterOut | None = Field(
        None,
        description="Chỉ người được xem danh tính người phản ánh / "
        "null unless the caller may see the reporter's identity",
    )
    source_inspection: SourceInspectionOut | None = Field(
        None,
        description="Cuộc kiểm tra đã mở vụ việc, chỉ khi người gọi được xem cuộc kiểm tra đó / "
        "the inspection the case was opened from; null unless the caller may open it",
    )
    needs_reassignment: bool = Field(
        False,
        description="Người được giao không còn quyền xử lý / the assignee may no longer handle it",
    )

    @staticmethod
    def resolve_needs_reassignment(obj: Case) -> bool:
        return assignment.needs_reassignment(obj)

    @staticmethod
    def resolve_source_inspection(obj: Case, context: Any) -> SourceInspectionOut | None:
        return _source_inspection(obj, context)

    @staticmethod
    def resolve_clauses(obj: Case) -> list[Clause]:
        return list(obj.clauses.order_by("code", "pk"))

    @staticmethod
    def resolve_allowed_transitions(obj: Case) -> list[str]:
        return [str(status) for status in workflow.allowed_moves(obj)]

    @staticmethod
    def resolve_reporter(obj: Case, context: Any) -> ReporterOut | None:
        if obj.is_anonymous or not _may_see_identity(obj, context):
            return None
        return ReporterOut(
            name=obj.reporter_name, phone=obj.reporter_phone, email=obj.reporter_email
        )


class CaseCreatedOut(CaseDetailOut):
    passphrase: str = Field(
        ...,
        description="Mật khẩu theo dõi, chỉ trả về một lần / the tracking passphrase, "
        "returned this once (only its hash is kept)",
    )


class FileOut(Schema):
    id: int
    original_name: str = Field(
        ...,
        description="Tên tệp của người phản ánh chỉ hiện với người được xem danh tính / "
        "the reporter's own file names only for those who may see the reporter's identity",
    )
    content_type: str
    size: int
    audience: EventAudience
    uploaded_at: dt.datetime

    @staticmethod
    def resolve_original_name(obj: CaseFile, context: Any) -> str:
        return visibility.shown_file_name(obj, identity=_may_see_identity(obj.case, context))


class EventOut(Schema):
    id: int
    kind: EventKind
    audience: EventAudience = Field(
        ...,
        description="Ai được xem: internal (chỉ người xử lý), reporter, subject, parties / "
        "who sees it besides the handlers",
    )
    actor: UserRef | None
    body: str
    from_status: CaseStatus | Literal[""]
    to_status: CaseStatus | Literal[""]
    created_at: dt.datetime
    files: list[FileOut]


# --- input --------------------------------------------------------------------------------


class CaseFilters(Schema):
    status: CaseStatus | None = None
    track: CaseTrack | None = None
    organisation: Id | None = Field(
        None, description="Cơ quan bị phản ánh hoặc xử lý, gồm cấp dưới / about or handled by"
    )
    overdue: bool | None = Field(None, description="Quá hạn / past the running deadline")
    assigned_to: (
        Annotated[str, StringConstraints(pattern=r"^(me|none|[1-9][0-9]{0,17})$")] | None
    ) = Field(
        None,
        description="me: giao cho tôi; none: chưa giao (hoặc người được giao không còn quyền); "
        "hoặc mã người dùng / me, none (or given to someone who may no longer handle it), "
        "or a user id",
    )
    tag: Annotated[str, StringConstraints(max_length=60, pattern=NO_NUL)] | None = Field(
        None, description="Tên nhãn, không cần dấu / a tag's name, accents aside"
    )


class IntakeIn(BodyIn):
    """A report received by phone, letter, in person, or from an inspection or a rating."""

    track: CaseTrack = Track.FEEDBACK
    channel: InternalChannel = "phone"
    subject_staff: BodyId | None = Field(None, description="Cán bộ bị phản ánh / staff id")
    organisation: BodyId | None = Field(
        None, description="Bắt buộc khi không có cán bộ / required without subject_staff"
    )
    subject_description: Short = ""
    clause_ids: ClauseIds = Field(default_factory=list)
    other_standard: Short = ""
    occurred_on: IsoDate | None = None
    occurred_place: Short = ""
    description: Text = ""
    is_anonymous: StrictBool = True
    reporter_name: Name = ""
    reporter_phone: Phone = ""
    reporter_email: Email = ""


class TransitionIn(BodyIn):
    to: CaseStatus
    note: Text = ""
    outcome: CaseOutcome | Literal[""] = ""
    reject_reason: CaseRejectReason | Literal[""] = ""
    conclusion: Text = ""


class EventIn(BodyIn):
    kind: Literal["note", "to_reporter", "to_subject"] = Field(
        ...,
        description="note: ghi chú nội bộ / internal note; to_reporter: trả lời người phản ánh; "
        "to_subject: đề nghị người bị phản ánh giải trình",
    )
    body: Body


class ExtensionIn(BodyIn):
    reason: Body


class PublicReportIn(BodyIn):
    """A citizen's report. Name the staff member by the token on their badge, or the
    organisation by its code and describe the person."""

    track: CaseTrack = Track.FEEDBACK
    badge_token: BadgeToken | None = Field(None, description="Mã trên thẻ cán bộ / badge token")
    organisation: OrganisationCode | None = Field(
        None, description="Mã cơ quan (khi không có thẻ) / organisation code, without a badge"
    )
    subject_description: Short = ""
    clause_ids: ClauseIds = Field(default_factory=list)
    other_standard: Short = ""
    occurred_on: IsoDate | None = None
    occurred_place: Short = ""
    description: Text = ""
    is_anonymous: StrictBool = True
    reporter_name: Name = ""
    reporter_phone: Phone = ""
    reporter_email: Email = ""


class ReceiptOut(Schema):
    code: str
    passphrase: str = Field(
        ..., description="Chỉ hiển thị một lần; hãy lưu lại / shown once; keep it safe"
    )
    notice: str


class FollowIn(BodyIn):
    code: CaseCode
    passphrase: Passphrase


class ReporterEventOut(Schema):
    kind: EventKind
    body: str
    created_at: dt.datetime


class ReporterViewOut(Schema):
    code: str
    track: CaseTrack
    status: str = Field(..., description="Trạng thái công khai / the public status")
    received_at: dt.datetime
    is_closed: bool
    events: list[ReporterEventOut]


# --- reads --------------------------------------------------------------------------------


def cases_of(user: User) -> QuerySet[Case]:
    return (
        selectors.handler_cases(user)
        .select_related(
            "organisation", "handling_organisation", "subject_staff", "main_case", "assignee"
        )
        .prefetch_related("tags")
    )


def _assignee_filter(user: User, value: str | None) -> int | None:
    if value == "me":
        return int(user.pk)
    return int(value) if value and value.isdigit() else None


def get_case(user: User, code: str) -> Case:
    """The case `code` in the caller's scope: 403 when its organisations are visible to the
    caller without CASE_VIEW, else 404 (unknown, out of scope, or about the caller)."""
    code = code.strip().upper()
    case = cases_of(user).filter(code=code).first()
    if case is not None:
        return case
    other = (
        Case.objects.select_related("handling_organisation")
        .filter(code=code)
        .exclude(subject_staff__user=user)
        .first()
    )
    if other is not None:
        access.require(user, Perm.CASE_VIEW, other.handling_organisation)
    raise Http404


@router.get(
    "/cases",
    response={200: list[CaseOut], **READ_ERRORS},
    summary="Danh sách vụ việc / list cases",
)
@paginate(Pagination)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    user = user_of(request)
    access.require_anywhere(user, Perm.CASE_VIEW)
    return filtered_cases(user, filters).order_by("-received_at", "-pk")


def filtered_cases(user: User, filters: CaseFilters) -> QuerySet[Case]:
    """The caller's cases matching `filters` (an organisation out of scope: 404 / 403)."""
    organisation = (
        get_organisation(user, Perm.CASE_VIEW, filters.organisation)
        if filters.organisation is not None
        else None
    )
    qs = selectors.filter_cases(
        cases_of(user),
        selectors.CaseFilters(
            track=filters.track or "",
            organisation=organisation,
            due="overdue" if filters.overdue else "",
            assignee_id=_assignee_filter(user, filters.assigned_to),
            unassigned=filters.assigned_to == "none",
            tag=filters.tag or "",
        ),
        today=timezone.localdate(),
    )
    if filters.overdue is False:
        qs = qs.exclude(selectors.overdue_q(timezone.localdate()))
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    return qs


class FromRatingIn(BodyIn):
    rating: BodyId = Field(..., description="Mã lượt đánh giá / the rating's id")


@router.post(
    "/cases/from-rating",
    response={200: CaseDetailOut, 201: CaseDetailOut, **WRITE_ERRORS},
    summary="Mở vụ việc từ một đánh giá thấp hoặc bị gắn cờ / open a case from a low or "
    "flagged rating (CASE_HANDLE; 200 when that rating already opened one)",
)
def create_case_from_rating(request: HttpRequest, payload: FromRatingIn) -> Any:
    from congvu.feedback.models import Rating

    user = user_of(request)
    rating = Rating.objects.visible_to(user).filter(pk=payload.rating).first()
    if rating is None:
        raise Http404
    existed = Case.objects.filter(source_rating=rating).exists()
    case = services.open_from_rating(rating, actor=user)
    found = cases_of(user).filter(pk=case.pk).first()
    if found is None:  # routed to a supervising organisation the caller does not see
        raise Http404
    return Status(200 if existed else 201, found)


@router.get(
    "/cases/{code}",
    response={200: CaseDetailOut, **READ_ERRORS},
    summary="Một vụ việc / one case",
)
def get_case_detail(request: HttpRequest, code: CaseCode) -> Any:
    return get_case(user_of(request), code)


@router.get(
    "/cases/{code}/events",
    response={200: list[EventOut], **READ_ERRORS},
    summary="Diễn biến vụ việc / a case's timeline (handlers see every audience)",
)
@paginate(Pagination)
def list_case_events(request: HttpRequest, code: CaseCode) -> Any:
    case = get_case(user_of(request), code)
    return (
        case.events.select_related("actor")
        .prefetch_related(
            Prefetch("files", queryset=CaseFile.objects.select_related("case").order_by("pk"))
        )
        .order_by("created_at", "pk")
    )


# --- writes -------------------------------------------------------------------------------


def _staff(user: User, staff_id: int) -> StaffMember:
    staff = access.visible_staff(user).select_related("organisation").filter(pk=staff_id).first()
    if staff is None:
        raise ValidationError({"subject_staff": "Không tìm thấy cán bộ. / No such staff member."})
    return staff


def _clauses(ids: list[int]) -> list[int]:
    found = set(Clause.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {"clause_ids": f"Không tìm thấy chuẩn mực: {missing}. / Unknown clauses: {missing}."}
        )
    return list(dict.fromkeys(ids))


@router.post(
    "/cases",
    response={201: CaseCreatedOut, **WRITE_ERRORS},
    summary="Ghi nhận phản ánh nhận qua điện thoại, thư, trực tiếp / record a report "
    "(CASE_HANDLE on the organisation)",
)
def create_case(request: HttpRequest, payload: IntakeIn) -> Any:
    user = user_of(request)
    subject = _staff(user, payload.subject_staff) if payload.subject_staff is not None else None
    organisation = (
        get_organisation(user, Perm.CASE_VIEW, payload.organisation)
        if payload.organisation is not None
        else None
    )
    receipt = services.submit_report(
        services.ReportInput(
            track=payload.track,
            channel=payload.channel,
            subject_staff=subject,
            organisation=organisation,
            subject_description=payload.subject_description,
            clause_ids=_clauses(payload.clause_ids),
            other_standard=payload.other_standard,
            occurred_on=payload.occurred_on,
            occurred_place=payload.occurred_place,
            description=payload.description,
            is_anonymous=payload.is_anonymous,
            reporter_name=payload.reporter_name,
            reporter_phone=payload.reporter_phone,
            reporter_email=payload.reporter_email,
        ),
        actor=user,
    )
    case = Case.objects.select_related(
        "organisation", "handling_organisation", "subject_staff", "main_case", "assignee"
    ).get(pk=receipt.case.pk)
    case.passphrase = receipt.passphrase  # type: ignore[attr-defined]
    return Status(201, case)


@router.post(
    "/cases/{code}/transitions",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="Chuyển trạng thái / move a case on (CASE_HANDLE)",
    description="Thụ lý, không thụ lý (kèm lý do), xác minh, kết luận (kèm kết quả), đóng, "
    "mở lại. / Accept, reject (with a reason), investigate, conclude (with an outcome), "
    "close, reopen.",
)
def transition_case(request: HttpRequest, code: CaseCode, payload: TransitionIn) -> Any:
    user = user_of(request)
    case = get_case(user, code)
    workflow.transition(
        case,
        Case.Status(payload.to),
        actor=user,
        note=payload.note,
        outcome=payload.outcome,
        reject_reason=payload.reject_reason,
        conclusion=payload.conclusion,
    )
    return get_case(user, code)


_AUDIENCE = {
    "note": (CaseEvent.Kind.NOTE, CaseEvent.Audience.INTERNAL),
    "to_reporter": (CaseEvent.Kind.TO_REPORTER, CaseEvent.Audience.REPORTER),
    "to_subject": (CaseEvent.Kind.TO_SUBJECT, CaseEvent.Audience.SUBJECT),
}


@router.post(
    "/cases/{code}/events",
    response={201: EventOut, **WRITE_ERRORS},
    summary="Ghi chú, trả lời người phản ánh, đề nghị giải trình / add a note or a message "
    "(CASE_HANDLE)",
)
def add_case_event(request: HttpRequest, code: CaseCode, payload: EventIn) -> Any:
    user = user_of(request)
    case = get_case(user, code)
    kind, audience = _AUDIENCE[payload.kind]
    event = services.add_event(case, actor=user, kind=kind, body=payload.body, audience=audience)
    return Status(
        201,
        CaseEvent.objects.select_related("actor").prefetch_related("files").get(pk=event.pk),
    )


@router.post(
    "/cases/{code}/extensions",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="Gia hạn giải quyết / extend the settlement deadline (CASE_HANDLE)",
)
def extend_case(request: HttpRequest, code: CaseCode, payload: ExtensionIn) -> Any:
    user = user_of(request)
    services.extend(get_case(user, code), actor=user, reason=payload.reason)
    return get_case(user, code)


# --- the citizen's calls --------------------------------------------------------------------

PUBLIC_TAGS = ["Phản ánh công khai / Public reports"]
PUBLIC_ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _public_subject(payload: PublicReportIn) -> tuple[StaffMember | None, Organisation | None]:
    if payload.badge_token is not None:
        staff = (
            StaffMember.objects.select_related("organisation")
            .filter(badge_token=payload.badge_token)
            .first()
        )
        if staff is None:
            raise ValidationError(
                {"badge_token": "Không tìm thấy thẻ cán bộ. / No staff badge with this token."}
            )
        return staff, None
    if payload.organisation is not None:
        organisation = Organisation.objects.current().filter(code=payload.organisation).first()
        if organisation is None:
            raise ValidationError(
                {"organisation": "Không tìm thấy cơ quan. / No organisation with this code."}
            )
        return None, organisation
    return None, None


def track_notice(code: str) -> str:
    return (
        f"Đã tiếp nhận phản ánh, mã theo dõi {code}. Dùng mã này và mật khẩu theo dõi để xem "
        f"tiến độ và trả lời tại trang Tra cứu phản ánh. / Report received, tracking code "
        f"{code}. Follow it with this code and the passphrase on the tracking page."
    )


@router.post(
    "/public/cases",
    auth=None,
    tags=PUBLIC_TAGS,
    response={201: ReceiptOut, **PUBLIC_ERRORS},
    summary="Gửi phản ánh (người dân) / file a report as a citizen",
    description="Không lưu địa chỉ IP hay thông tin trình duyệt. Ẩn danh: chỉ mã theo dõi "
    "và mật khẩu. Tệp đính kèm: gửi qua trang phản ánh. / No IP address or user agent is "
    "stored. Files: use the report page.",
)
def file_public_report(request: HttpRequest, payload: PublicReportIn) -> Any:
    staff, organisation = _public_subject(payload)
    receipt = services.submit_report(
        services.ReportInput(
            track=payload.track,
            channel=Case.Channel.BADGE if staff is not None else Case.Channel.WEB,
            subject_staff=staff,
            organisation=organisation,
            subject_description=payload.subject_description,
            clause_ids=_clauses(payload.clause_ids),
            other_standard=payload.other_standard,
            occurred_on=payload.occurred_on,
            occurred_place=payload.occurred_place,
            description=payload.description,
            is_anonymous=payload.is_anonymous,
            reporter_name=payload.reporter_name,
            reporter_phone=payload.reporter_phone,
            reporter_email=payload.reporter_email,
        ),
        actor=None,
    )
    return Status(
        201,
        ReceiptOut(
            code=receipt.code, passphrase=receipt.passphrase, notice=track_notice(receipt.code)
        ),
    )


@router.post(
    "/public/cases/follow",
    auth=None,
    tags=PUBLIC_TAGS,
    response={200: ReporterViewOut, 429: ErrorOut, **PUBLIC_ERRORS},
    summary="Theo dõi phản ánh bằng mã và mật khẩu / follow a report with its code and passphrase",
    description="Mã sai và mật khẩu sai cho cùng một câu trả lời (404); nhập sai nhiều lần "
    "thì bị khóa tạm thời (429). / An unknown code and a wrong passphrase get the same 404; "
    "repeated failures lock the case for a while (429).",
)
def follow_report(request: HttpRequest, payload: FollowIn) -> Any:
    try:
        case = reporter.follow(payload.code, payload.passphrase, client_ip=client_ip(request))
    except FollowLocked:
        return Status(429, {"detail": LOCKED})
    except FollowDenied:
        return Status(404, {"detail": NOT_FOLLOWED})
    return ReporterViewOut(
        code=case.code,
        track=Track(case.track),
        status=visibility.public_status(case),
        received_at=case.received_at,
        is_closed=case.status in (Case.Status.CLOSED, Case.Status.REJECTED),
        events=[
            ReporterEventOut(kind=CaseEvent.Kind(e.kind), body=e.body, created_at=e.created_at)
            for e in visibility.events_for_reporter(case).exclude(kind__in=HIDDEN_KINDS)
        ],
    )
