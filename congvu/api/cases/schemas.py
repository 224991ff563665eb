"""The handlers' side of the cases API: its field types, what a case and its timeline
look like (output) and what the handlers send (input).

The reporter's name and contacts (Decree 13/2023) are returned only to a caller for
whom `cases.visibility.can_see_identity` holds (the handling organisation's own, the
assigned officer); for everyone else `reporter` is null, and `identity_hidden` is true
for an overseer who may reveal it (`POST /cases/{code}/identity`, with a reason). A
case opened from an inspection's finding names that inspection (`source_inspection`)
only to a caller who may open it, and its observation only to one who sees the
findings.
"""

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import StrictBool, StringConstraints, WithJsonSchema

from congvu.accounts.models import User
from congvu.cases import assignment, clocks, unattended, visibility, workflow
from congvu.cases.models import Case, CaseEvent, CaseFile, CaseTag, Track
from congvu.conduct.models import Clause
from congvu.inspections.selectors import case_source

from ..common import (
    NO_NUL,
    NOT_BLANK,
    BodyId,
    ClauseRef,
    Id,
    IsoDate,
    OrganisationRef,
    SearchText,
    StaffRef,
)
from ..plans import BodyIn, UserRef, one_of

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
Text = Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=NOT_BLANK)]
Short = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
Name = Annotated[str, StringConstraints(max_length=120, pattern=NO_NUL)]
Phone = Annotated[str, StringConstraints(max_length=30, pattern=NO_NUL)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=NO_NUL)]
ClauseIds = Annotated[list[BodyId], Field(max_length=20)]

# Channels an officer records by hand (the others belong to the public form and Open311).
InternalChannel = Literal["phone", "letter", "in_person", "inspection", "flagged_rating"]


# --- output -------------------------------------------------------------------------------


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
    unattended: bool = Field(
        ...,
        description="Đang mở mà cơ quan xử lý chưa có ai xử lý (không thủ trưởng, người xử lý "
        "hay cán bộ được giao) / open, and nobody at the handling organisation would see it as "
        "their work (no head, handler or assigned officer)",
    )

    @staticmethod
    def resolve_unattended(obj: Case) -> bool:
        return unattended.is_unattended(obj)

    @staticmethod
    def resolve_subject_description(obj: Case, context: Any) -> str:
        return _masked(obj, obj.subject_description, context)

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


def _masked(case: Case, text: str, context: Any) -> str:
    """`text` of `case` as the caller may read it: the reporter's name, phone and e-mail
    typed into it masked unless they may see the reporter's identity. One check per case
    and request (a page of events shares its case)."""
    request = context["request"] if context else None
    masks = getattr(request, "_congvu_case_masks", None)
    if masks is None:
        masks = {}
        if request is not None:
            request._congvu_case_masks = masks
    if case.pk not in masks:
        user = getattr(request, "auth", None)
        masks[case.pk] = visibility.masked_for(user, case)
    mask: Callable[[str], str] = masks[case.pk]
    return mask(text)


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
                short_title_en=observation.clause.short_title_en,
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
    identity_hidden: bool = Field(
        False,
        description="Danh tính bị ẩn với người giám sát (Sở Nội vụ, quản trị), có thể xem "
        "bằng POST /cases/{code}/identity kèm lý do (được ghi lại, người xử lý được biết) / "
        "the identity is masked for an overseer, who may reveal it with "
        "POST /cases/{code}/identity and a reason (audited, told to the handlers)",
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
    def resolve_other_standard(obj: Case, context: Any) -> str:
        return _masked(obj, obj.other_standard, context)

    @staticmethod
    def resolve_occurred_place(obj: Case, context: Any) -> str:
        return _masked(obj, obj.occurred_place, context)

    @staticmethod
    def resolve_description(obj: Case, context: Any) -> str:
        return _masked(obj, obj.description, context)

    @staticmethod
    def resolve_conclusion(obj: Case, context: Any) -> str:
        return _masked(obj, obj.conclusion, context)

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
    def resolve_identity_hidden(obj: Case, context: Any) -> bool:
        request = context["request"] if context else None
        user = getattr(request, "auth", None)
        return user is not None and visibility.may_reveal_identity(user, obj)

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

    @staticmethod
    def resolve_body(obj: CaseEvent, context: Any) -> str:
        return _masked(obj.case, obj.body, context)


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
    discipline: Literal["proposed"] | None = Field(
        None,
        description="proposed: có đề xuất kỷ luật chờ quyết định / "
        "with a discipline proposal awaiting its decision",
    )
    q: SearchText | None = Field(
        None,
        description="Mỗi từ (không cần dấu) có trong mã, tên người bị phản ánh hoặc nội dung "
        "vụ việc; chỉ một mã đầy đủ: chỉ vụ việc đó / every word (accents optional) in the "
        "code, the subject's name or the case's texts; a full code alone: that case alone",
    )
    unattended: bool | None = Field(
        None,
        description="true: vụ việc đang mở mà cơ quan xử lý chưa có ai xử lý; false: trừ các "
        "vụ việc đó / true: open cases nobody at the handling organisation would see as their "
        "work; false: all but those",
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
    note: Text = Field(
        "",
        description="Người phản ánh và người bị phản ánh đều xem được; ghi chú nội bộ: "
        "POST …/events / shown to the reporter and the staff member concerned with the new "
        "status; for an internal note use POST …/events",
    )
    outcome: CaseOutcome | Literal[""] = ""
    reject_reason: CaseRejectReason | Literal[""] = ""
    conclusion: Text = ""


class EventIn(BodyIn):
    kind: Literal["note", "to_reporter", "to_subject"] = Field(
        ...,
        description="note: ghi chú nội bộ; to_reporter: trả lời người phản ánh; to_subject: "
        "đề nghị người bị phản ánh giải trình / note: an internal note; to_reporter: a reply to "
        "the reporter; to_subject: a request to the subject to explain",
    )
    body: Body


class CaseExtensionIn(BodyIn):
    reason: Body


class FromRatingIn(BodyIn):
    rating: BodyId = Field(..., description="Mã lượt đánh giá / the rating's id")
