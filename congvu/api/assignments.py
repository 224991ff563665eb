"""Assignments (one organisation's duty for one task and period), their progress
updates with evidence, and extension requests.

Scoping is the assignment pages': the caller sees the assignments of
organisations where they hold PLAN_VIEW, plus the work their side assigned
(PLAN_MANAGE on the plan's issuer), which it must see to decide extensions.
Evidence files are described (name, type, size, SHA-256), never served or
located here: the download stays behind the page's access-checked view.
Writes call `planning.progress`, which checks PROGRESS_UPDATE,
PROGRESS_CONFIRM or PLAN_MANAGE.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from pydantic import StringConstraints, WithJsonSchema

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.core.windowed import LeadOrdered
from congvu.organisations.models import Organisation
from congvu.planning import progress, states
from congvu.planning.models import (
    Assignment,
    EvidenceFile,
    ExtensionRequest,
    ProgressUpdate,
)

from .common import NO_NUL, Id, IsoDate, OrganisationRef, Pagination
from .plans import (
    READ_ERRORS,
    WRITE_ERRORS,
    BodyIn,
    Day,
    TaskRef,
    Text,
    UserRef,
    get_organisation,
    get_scoped,
    one_of,
)
from .security import AUTH, user_of

router = Router(tags=["assignments"], auth=AUTH)

AssignmentProgress = Annotated[Assignment.Progress, WithJsonSchema(one_of(Assignment.Progress))]
AssignmentState = Annotated[Assignment.State, WithJsonSchema(one_of(Assignment.State))]
ExtensionStatus = Annotated[
    ExtensionRequest.Status, WithJsonSchema(one_of(ExtensionRequest.Status))
]

Period = Annotated[str, StringConstraints(max_length=10, pattern=r"^[-0-9A-Za-z]*$")]


class AssignmentOut(Schema):
    id: int
    task: TaskRef
    organisation: OrganisationRef
    period: str = Field(..., description='"" một lần / once; 2026, 2026-H1, 2026-Q3, 2026-05')
    period_start: dt.date
    period_end: dt.date
    original_due_on: dt.date
    due_on: dt.date
    progress: AssignmentProgress
    percent: int
    completed_on: dt.date | None
    state: AssignmentState = Field(..., description="Tình trạng hôm nay / status as of today")
    confirmed_by: UserRef | None
    confirmed_at: dt.datetime | None
    last_update_at: dt.datetime | None


class EvidenceOut(Schema):
    """What an evidence file is; its contents and storage location are never exposed."""

    id: int
    name: str = Field(..., validation_alias="original_name")
    content_type: str
    size: int
    sha256: str


class UpdateOut(Schema):
    id: int
    progress: AssignmentProgress
    percent: int
    note: str
    completed_on: dt.date | None
    author: UserRef
    created_at: dt.datetime
    files: list[EvidenceOut]


class ExtensionOut(Schema):
    id: int
    assignment_id: int
    requested_due_on: dt.date
    previous_due_on: dt.date
    reason: str
    requested_by: UserRef
    status: ExtensionStatus
    decided_by: UserRef | None
    decided_at: dt.datetime | None
    decision_reason: str
    created_at: dt.datetime


class AssignmentDetailOut(AssignmentOut):
    updates: list[UpdateOut]
    extensions: list[ExtensionOut]


class AssignmentFilters(Schema):
    state: AssignmentState | None = Field(
        None, description="Tình trạng tính cho hôm nay / status computed for today"
    )
    plan: Id | None = Field(None, description="Kế hoạch / plan id")
    task: Id | None = Field(None, description="Nhiệm vụ / task id")
    period: Period | None = Field(None, description="Kỳ / period label, e.g. 2026-Q3")
    organisation: Id | None = Field(
        None, description="Cơ quan, gồm đơn vị trực thuộc / organisation and its subtree"
    )
    due_after: IsoDate | None = Field(None, description="Hạn từ ngày / due on or after")
    due_before: IsoDate | None = Field(None, description="Hạn đến ngày / due on or before")


class ExtensionFilters(Schema):
    status: ExtensionStatus | None = None
    assignment: Id | None = None
    organisation: Id | None = Field(
        None, description="Cơ quan đề nghị, gồm đơn vị trực thuộc / requesting organisation"
    )


class ProgressIn(Schema):
    progress: AssignmentProgress
    percent: int = Field(..., ge=0, le=100)
    note: Text = ""
    # An HTML-style form sends an empty field for "not given".
    completed_on: Day | Literal[""] | None = Field(
        None, description="Khi đã hoàn thành; mặc định hôm nay / when done; default today"
    )


class ExtensionIn(BodyIn):
    requested_due_on: Day
    reason: Annotated[str, StringConstraints(min_length=1, max_length=5000, pattern=NO_NUL)]


class DecisionIn(BodyIn):
    decision: Literal["approve", "refuse"]
    reason: Annotated[str, StringConstraints(max_length=5000, pattern=NO_NUL)] = Field(
        "", description="Bắt buộc khi không chấp thuận / required when refusing"
    )


def _with_refs(qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return states.with_state(
        qs.select_related("task__plan", "organisation", "confirmed_by"), timezone.localdate()
    )


def _organisation_of_assignment(pk: int) -> Organisation | None:
    found = Assignment.objects.select_related("organisation").filter(pk=pk).first()
    return found.organisation if found else None


def get_assignment(user: User, pk: int, *, detail: bool = False) -> Assignment:
    qs = _with_refs(Assignment.objects.openable_by(user))
    if detail:
        qs = qs.prefetch_related(
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.select_related("author")
                .prefetch_related(Prefetch("files", queryset=EvidenceFile.objects.order_by("pk")))
                .order_by("-created_at", "-pk"),
            ),
            Prefetch(
                "extensions",
                queryset=ExtensionRequest.objects.select_related(
                    "requested_by", "decided_by"
                ).order_by("-created_at", "-pk"),
            ),
        )
    return get_scoped(qs, pk, user=user, perm=Perm.PLAN_VIEW, owner=_organisation_of_assignment)


def extensions_of(user: User) -> QuerySet[ExtensionRequest]:
    # A correlated EXISTS: the (few) requests drive the query; joined to the assignments,
    # SQLite walked the assignments of every visible organisation first (0.4 s for none).
    openable = Assignment.objects.filter(pk=OuterRef("assignment_id")).openable_by(user)
    return ExtensionRequest.objects.filter(Exists(openable)).select_related(
        "requested_by", "decided_by"
    )


def _organisation_of_extension(pk: int) -> Organisation | None:
    found = ExtensionRequest.objects.select_related("assignment__organisation").filter(pk=pk)
    extension = found.first()
    return extension.assignment.organisation if extension else None


def get_extension(user: User, pk: int) -> ExtensionRequest:
    return get_scoped(
        extensions_of(user), pk, user=user, perm=Perm.PLAN_VIEW, owner=_organisation_of_extension
    )


@router.get(
    "/assignments",
    response={200: list[AssignmentOut], **READ_ERRORS},
    summary="Danh sách nhiệm vụ được giao / list assignments",
)
@paginate(Pagination)
def list_assignments(request: HttpRequest, filters: Query[AssignmentFilters]) -> Any:
    user = user_of(request)
    access.require_anywhere(user, Perm.PLAN_VIEW)
    qs = Assignment.objects.openable_by(user)
    if filters.state is not None:
        qs = qs.filter(states.state_q(filters.state, timezone.localdate()))
    if filters.plan is not None:
        qs = qs.filter(task__plan_id=filters.plan)
    if filters.task is not None:
        qs = qs.filter(task_id=filters.task)
    if filters.period is not None:
        qs = qs.filter(period=filters.period)
    if filters.organisation is not None:
        organisation = get_organisation(user, Perm.PLAN_VIEW, filters.organisation)
        qs = qs.filter(organisation__path__startswith=organisation.path)
    if filters.due_after is not None:
        qs = qs.filter(due_on__gte=filters.due_after)
    if filters.due_before is not None:
        qs = qs.filter(due_on__lte=filters.due_before)
    return LeadOrdered(
        qs,
        (
            "due_on",
            "task__plan_id",
            "task__order",
            "task__code",
            "organisation__path",
            "period",
            "pk",
        ),
        prepare=_with_refs,
    )


@router.get(
    "/assignments/{id}",
    response={200: AssignmentDetailOut, **READ_ERRORS},
    summary="Một nhiệm vụ được giao, với cập nhật và gia hạn / one assignment with its history",
)
def get_assignment_detail(request: HttpRequest, id: Id) -> Any:
    return get_assignment(user_of(request), id, detail=True)


@router.get(
    "/extension-requests",
    response={200: list[ExtensionOut], **READ_ERRORS},
    summary="Đề nghị gia hạn / list extension requests",
)
@paginate(Pagination)
def list_extensions(request: HttpRequest, filters: Query[ExtensionFilters]) -> Any:
    user = user_of(request)
    access.require_anywhere(user, Perm.PLAN_VIEW)
    qs = extensions_of(user)
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    if filters.assignment is not None:
        qs = qs.filter(assignment_id=filters.assignment)
    if filters.organisation is not None:
        organisation = get_organisation(user, Perm.PLAN_VIEW, filters.organisation)
        qs = qs.filter(assignment__organisation__path__startswith=organisation.path)
    return qs.order_by("-created_at", "-pk")


@router.get(
    "/extension-requests/{id}",
    response={200: ExtensionOut, **READ_ERRORS},
    summary="Một đề nghị gia hạn / one extension request",
)
def get_extension_detail(request: HttpRequest, id: Id) -> Any:
    return get_extension(user_of(request), id)


# --- writes -------------------------------------------------------------------------------


@router.post(
    "/assignments/{id}/updates",
    response={201: AssignmentDetailOut, **WRITE_ERRORS},
    summary="Cập nhật tiến độ, kèm minh chứng / report progress with evidence (PROGRESS_UPDATE)",
    description=(
        "multipart/form-data; `evidence`: tối đa 5 tệp PDF, DOCX, XLSX, PNG, JPEG, WEBP, "
        "mỗi tệp ≤ 10 MB / up to 5 files, type read from their contents. "
        "Cùng tiến độ, cùng tỷ lệ, không ghi chú, không tệp: 422 ở `note` / the same "
        "progress and percent with no note and no file: 422 on `note`."
    ),
)
def post_update(
    request: HttpRequest,
    id: Id,
    payload: Form[ProgressIn],
    evidence: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    user = user_of(request)
    assignment = get_assignment(user, id)
    if "evidence" in request.POST:
        # A text part where files were expected: the client meant to send files.
        raise ValidationError({"evidence": "Minh chứng phải là tệp. / Evidence must be files."})
    progress.update_progress(
        assignment,
        actor=user,
        progress=payload.progress,
        percent=payload.percent,
        note=payload.note,
        completed_on=payload.completed_on or None,
        files=evidence or [],
    )
    return Status(201, get_assignment(user, id, detail=True))


@router.post(
    "/assignments/{id}/confirm",
    response={200: AssignmentOut, **WRITE_ERRORS},
    summary="Xác nhận hoàn thành / the head confirms completion (PROGRESS_CONFIRM)",
)
def confirm(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    progress.confirm_completion(get_assignment(user, id), actor=user)
    return get_assignment(user, id)


@router.post(
    "/assignments/{id}/extension-requests",
    response={201: ExtensionOut, **WRITE_ERRORS},
    summary="Đề nghị gia hạn / ask for a later deadline (PROGRESS_UPDATE)",
)
def request_extension(request: HttpRequest, id: Id, payload: ExtensionIn) -> Any:
    user = user_of(request)
    extension = progress.request_extension(
        get_assignment(user, id),
        actor=user,
        requested_due_on=payload.requested_due_on,
        reason=payload.reason,
    )
    return Status(201, get_extension(user, extension.pk))


@router.post(
    "/extension-requests/{id}/decision",
    response={200: ExtensionOut, **WRITE_ERRORS},
    summary="Duyệt đề nghị gia hạn / approve or refuse (PLAN_MANAGE on the plan's issuer)",
)
def decide_extension(request: HttpRequest, id: Id, payload: DecisionIn) -> Any:
    user = user_of(request)
    progress.decide_extension(
        get_extension(user, id),
        actor=user,
        approve=payload.decision == "approve",
        reason=payload.reason,
    )
    return get_extension(user, id)
