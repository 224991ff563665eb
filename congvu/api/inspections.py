"""Inspections (kiểm tra công vụ), scoped like the pages.

Reads start from `Inspection.objects.visible_to(user)`: an inspector sees every
inspection of their INSPECTION_RUN scope; the inspected organisation's heads and
focal points (INSPECTION_RESPOND) see a scheduled inspection at once, an
unannounced one only once it has started, and its findings (`observations`) only
once it is concluded. An inspection outside the caller's view is a 404; one whose
organisation the caller sees without either permission a 403.

Writes call `inspections.services` / `inspections.workflow`, which check the
permission (INSPECTION_RUN for the team's operations, INSPECTION_RESPOND for the
organisation's answer to a corrective action).

Evidence files (the team's photos and documents on an observation, the
organisation's proof on a corrective action) are listed with their observation or
action: name, type, size, SHA-256 and a `download_url` served here to the same
callers as the findings. They are uploaded as multipart/form-data and checked as
on the pages (`inspections.uploads`: type read from the content, size and count
limits, metadata removed, zip bombs refused; a refused file stores nothing).
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from pydantic import StrictBool, StringConstraints, WithJsonSchema

from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.inspections import (
    selectors,
    services,
    uploads,
    workflow,
)
from congvu.inspections.models import (
    CorrectiveAction,
    Inspection,
    InspectionFile,
    Observation,
)
from congvu.planning import uploads as evidence_types

from .common import (
    NO_NUL,
    NOT_BLANK,
    BodyId,
    ClauseRef,
    CodeVersionRef,
    Id,
    IsoDate,
    OrganisationRef,
    Pagination,
    SearchText,
    StaffRef,
    file_responses,
)
from .plans import READ_ERRORS, WRITE_ERRORS, BodyIn, UserRef, get_organisation, one_of
from .security import AUTH, user_of

router = Router(tags=["Kiểm tra công vụ / Inspections"], auth=AUTH)

InspectionKind = Annotated[Inspection.Kind, WithJsonSchema(one_of(Inspection.Kind))]
InspectionStatus = Annotated[Inspection.Status, WithJsonSchema(one_of(Inspection.Status))]
ObservationResult = Annotated[Observation.Result, WithJsonSchema(one_of(Observation.Result))]
ActionStatus = Annotated[CorrectiveAction.Status, WithJsonSchema(one_of(CorrectiveAction.Status))]

# Codes are "KT-" and eight symbols; the pattern keeps junk away from the database.
InspectionCode = Annotated[
    str, StringConstraints(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")
]
Text = Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]
Note = Annotated[str, StringConstraints(max_length=5_000, pattern=NO_NUL)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=NOT_BLANK)]


# --- output -------------------------------------------------------------------------------


class CaseRef(Schema):
    code: str
    status: str


class InspectionFileOut(Schema):
    """What an evidence file is; its content is at `download_url`, for the same callers."""

    id: int
    name: str = Field(..., validation_alias="original_name")
    content_type: str
    size: int
    sha256: str
    uploaded_by: UserRef | None
    uploaded_at: dt.datetime
    download_url: str = Field(
        ..., description="Tải tệp (cùng quyền xem kết quả) / the file, for the same callers"
    )

    @staticmethod
    def resolve_download_url(obj: InspectionFile) -> str:
        code = obj.observation.inspection.code
        return reverse("api:download_inspection_file", kwargs={"code": code, "id": obj.pk})


def _files() -> QuerySet[InspectionFile]:
    return InspectionFile.objects.select_related("observation__inspection", "uploaded_by").order_by(
        "uploaded_at", "pk"
    )


class CorrectiveActionOut(Schema):
    id: int
    description: str
    due_on: dt.date = Field(..., description="Hạn (ngày làm việc) / due date (working days)")
    status: ActionStatus
    is_overdue: bool
    response: str
    responded_at: dt.datetime | None
    done_at: dt.datetime | None
    files: list[InspectionFileOut] = Field(
        ..., description="Minh chứng khắc phục của cơ quan / the organisation's proof"
    )

    @staticmethod
    def resolve_is_overdue(obj: CorrectiveAction) -> bool:
        return obj.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_files(obj: CorrectiveAction) -> list[InspectionFile]:
        return list(obj.files.all())


class ObservationOut(Schema):
    id: int
    clause: ClauseRef
    result: ObservationResult | Literal[""] = Field(
        ..., description="Rỗng khi chưa trả lời / empty while unanswered"
    )
    note: str
    staff: StaffRef | None
    case: CaseRef | None = Field(..., description="Vụ việc mở từ vi phạm / case opened")
    files: list[InspectionFileOut] = Field(
        ..., description="Ảnh, tài liệu của đoàn kiểm tra / the team's evidence"
    )
    corrective_actions: list[CorrectiveActionOut]

    @staticmethod
    def resolve_files(obj: Observation) -> list[InspectionFile]:
        return [f for f in obj.files.all() if f.corrective_action_id is None]

    @staticmethod
    def resolve_case(obj: Observation) -> CaseRef | None:
        if obj.case is None:
            return None
        return CaseRef(code=obj.case.code, status=obj.case.status)

    @staticmethod
    def resolve_corrective_actions(obj: Observation) -> list[CorrectiveAction]:
        return list(obj.corrective_actions.all())


class InspectionOut(Schema):
    code: str
    organisation: OrganisationRef
    kind: InspectionKind
    status: InspectionStatus
    status_label: str
    planned_on: dt.date
    purpose: str
    lead: UserRef
    code_version: CodeVersionRef
    started_at: dt.datetime | None
    concluded_at: dt.datetime | None
    cancelled_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj: Inspection) -> str:
        return str(obj.get_status_display())


class InspectionDetailOut(InspectionOut):
    members: list[UserRef]
    cancel_reason: str
    conclusion: str
    findings_visible: bool = Field(
        ...,
        description="Kết quả hiển thị với người gọi (đoàn kiểm tra; cơ quan sau kết luận) / "
        "whether `observations` are shown to the caller",
    )
    observations: list[ObservationOut]
    allowed_transitions: list[InspectionStatus]

    @staticmethod
    def resolve_members(obj: Inspection) -> list[User]:
        return list(obj.members.order_by("pk"))

    @staticmethod
    def resolve_findings_visible(obj: Inspection, context: Any) -> bool:
        return _findings(obj, context)

    @staticmethod
    def resolve_observations(obj: Inspection, context: Any) -> list[Observation]:
        if not _findings(obj, context):
            return []
        return list(observations_of(obj))

    @staticmethod
    def resolve_allowed_transitions(obj: Inspection, context: Any) -> list[str]:
        user = _caller(context)
        if user is None or not selectors.may_run(user, obj):
            return []
        return [str(status) for status in workflow.allowed_moves(obj)]


def observations_of(inspection: Inspection) -> QuerySet[Observation]:
    """The observations with what `ObservationOut` shows of them, in a few queries."""
    return inspection.observations.select_related("clause", "staff", "case").prefetch_related(
        Prefetch("files", queryset=_files()),
        Prefetch(
            "corrective_actions",
            queryset=CorrectiveAction.objects.order_by("pk").prefetch_related(
                Prefetch("files", queryset=_files())
            ),
        ),
    )


def _caller(context: Any) -> User | None:
    request = context["request"] if context else None
    user = getattr(request, "auth", None)
    return user if isinstance(user, User) else None


def _findings(obj: Inspection, context: Any) -> bool:
    user = _caller(context)
    return user is not None and selectors.may_see_findings(user, obj)


# --- input --------------------------------------------------------------------------------


class InspectionFilters(Schema):
    status: InspectionStatus | None = None
    kind: InspectionKind | None = None
    q: SearchText = Field(
        "", description="Tên cơ quan (không cần dấu) hoặc mã / organisation name or code"
    )


class InspectionIn(BodyIn):
    organisation: BodyId = Field(..., description="Cơ quan được kiểm tra / organisation id")
    kind: InspectionKind
    planned_on: IsoDate
    lead: BodyId | None = Field(
        None, description="Trưởng đoàn; mặc định là người gọi / lead; the caller by default"
    )
    members: Annotated[list[BodyId], Field(max_length=20)] = Field(default_factory=list)
    purpose: Text = ""


class InspectionPatchIn(BodyIn):
    """What is left out stays as it is."""

    planned_on: IsoDate | None = None
    lead: BodyId | None = Field(None, description="Trưởng đoàn / lead")
    members: Annotated[list[BodyId], Field(max_length=20)] | None = None
    purpose: Text | None = None
    reason: Text = Field("", description="Bắt buộc khi đổi ngày / required when the day changes")


class AnswerIn(Schema):
    observation: BodyId
    result: ObservationResult | Literal[""] = Field(
        ..., description="Rỗng để bỏ trả lời / empty leaves it unanswered"
    )
    note: Note = ""
    staff: BodyId | None = Field(None, description="Cán bộ được quan sát / staff id")


class ObservationsIn(BodyIn):
    answers: Annotated[list[AnswerIn], Field(min_length=1, max_length=500)]


class ConcludeIn(BodyIn):
    conclusion: Body


class InspectionCancelIn(BodyIn):
    reason: Body


class CorrectiveActionIn(BodyIn):
    description: Body
    days: Annotated[int, Field(ge=services.DAYS_MIN, le=services.DAYS_MAX)] | None = Field(
        None,
        description="Thời hạn (ngày làm việc); mặc định theo cấu hình / term in working days; "
        "the configured default when absent",
    )


class ResponseIn(BodyIn):
    response: Body
    done: StrictBool = Field(False, description="Đã khắc phục xong / done")


# --- reads --------------------------------------------------------------------------------


def inspections_of(user: User) -> QuerySet[Inspection]:
    return Inspection.objects.visible_to(user).select_related(
        "organisation", "lead", "code_version"
    )


def get_inspection(user: User, code: str) -> Inspection:
    return selectors.get_inspection(user, code)


def _to_run(user: User, code: str) -> Inspection:
    inspection = get_inspection(user, code)
    if not selectors.may_run(user, inspection):
        raise PermissionDenied
    return inspection


def _fresh(user: User, inspection: Inspection) -> Inspection:
    return get_inspection(user, inspection.code)


@router.get(
    "/inspections",
    response={200: list[InspectionOut], **READ_ERRORS},
    summary="Danh sách cuộc kiểm tra / list inspections",
)
@paginate(Pagination)
def list_inspections(request: HttpRequest, filters: Query[InspectionFilters]) -> Any:
    user = user_of(request)
    selectors.require_use(user)
    qs = selectors.filter_inspections(
        inspections_of(user),
        selectors.Filters(status=filters.status or "", kind=filters.kind or "", q=filters.q or ""),
    )
    return qs.order_by("-planned_on", "-pk")


@router.get(
    "/inspections/{code}",
    response={200: InspectionDetailOut, **READ_ERRORS},
    summary="Một cuộc kiểm tra / one inspection",
)
def get_inspection_detail(request: HttpRequest, code: InspectionCode) -> Any:
    return get_inspection(user_of(request), code)


# --- writes -------------------------------------------------------------------------------


def _user(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    found = User.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise ValidationError({field: "Không tìm thấy người dùng. / No such user."})
    return found


@router.post(
    "/inspections",
    response={201: InspectionDetailOut, **WRITE_ERRORS},
    summary="Lên kế hoạch kiểm tra / plan an inspection (INSPECTION_RUN on the organisation)",
)
def create_inspection(request: HttpRequest, payload: InspectionIn) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.INSPECTION_RUN, payload.organisation)
    lead = _user(payload.lead, "lead") if payload.lead is not None else user
    members = [m for m in (_user(pk, "members") for pk in payload.members) if m is not None]
    inspection = services.plan_inspection(
        organisation,
        actor=user,
        kind=payload.kind,
        planned_on=payload.planned_on,
        lead=lead,
        members=members,
        purpose=payload.purpose,
    )
    return Status(201, _fresh(user, inspection))


@router.patch(
    "/inspections/{code}",
    response={200: InspectionDetailOut, **WRITE_ERRORS},
    summary="Sửa kế hoạch (ngày, đoàn, nội dung) trước khi bắt đầu / change a planned "
    "inspection's day, team or purpose",
)
def replan_inspection(
    request: HttpRequest, code: InspectionCode, payload: InspectionPatchIn
) -> Any:
    user = user_of(request)
    inspection = _to_run(user, code)
    lead = _user(payload.lead, "lead") if payload.lead is not None else inspection.lead
    if payload.members is None:
        members = list(inspection.members.all())
    else:
        members = [m for m in (_user(pk, "members") for pk in payload.members) if m is not None]
    services.replan(
        inspection,
        actor=user,
        planned_on=payload.planned_on or inspection.planned_on,
        lead=lead,
        members=members,
        purpose=inspection.purpose if payload.purpose is None else payload.purpose,
        reason=payload.reason,
    )
    return _fresh(user, inspection)


@router.post(
    "/inspections/{code}/start",
    response={200: InspectionDetailOut, **WRITE_ERRORS},
    summary="Bắt đầu kiểm tra (lập phiếu kiểm tra) / start (builds the checklist)",
)
def start_inspection(request: HttpRequest, code: InspectionCode) -> Any:
    user = user_of(request)
    inspection = _to_run(user, code)
    workflow.transition(inspection, Inspection.Status.IN_PROGRESS, actor=user)
    return _fresh(user, inspection)


@router.post(
    "/inspections/{code}/observations",
    response={200: InspectionDetailOut, **WRITE_ERRORS},
    summary="Ghi kết quả theo từng chuẩn mực / record checklist answers (all or none)",
    description="Vi phạm (breached) cần ghi chú. / A breach needs a note. Errors are keyed "
    "`result-<id>`, `note-<id>`, `staff-<id>` by the observation's id.",
)
def record_observations(request: HttpRequest, code: InspectionCode, payload: ObservationsIn) -> Any:
    user = user_of(request)
    inspection = _to_run(user, code)
    services.record_observations(
        inspection,
        [services.Answer(a.observation, a.result, a.note, a.staff) for a in payload.answers],
        actor=user,
    )
    return _fresh(user, inspection)


@router.post(
    "/inspections/{code}/conclude",
    response={200: InspectionDetailOut, **WRITE_ERRORS},
    summary="Kết luận / conclude (refused while a clause has no answer)",
)
def conclude_inspection(request: HttpRequest, code: InspectionCode, payload: ConcludeIn) -> Any:
    user = user_of(request)
    inspection = _to_run(user, code)
    workflow.transition(
        inspection, Inspection.Status.CONCLUDED, actor=user, conclusion=payload.conclusion
    )
    return _fresh(user, inspection)


@router.post(
    "/inspections/{code}/cancel",
    response={200: InspectionDetailOut, **WRITE_ERRORS},
    summary="Hủy cuộc kiểm tra / cancel (with a reason)",
)
def cancel_inspection(
    request: HttpRequest, code: InspectionCode, payload: InspectionCancelIn
) -> Any:
    user = user_of(request)
    inspection = _to_run(user, code)
    workflow.transition(inspection, Inspection.Status.CANCELLED, actor=user, reason=payload.reason)
    return _fresh(user, inspection)


def _observation(user: User, code: str, pk: int) -> Observation:
    return selectors.get_observation(_to_run(user, code), pk)


@router.post(
    "/inspections/{code}/observations/{id}/case",
    response={200: CaseRef, 201: CaseRef, **WRITE_ERRORS},
    summary="Mở vụ việc từ một vi phạm / open a case from a breach (200 when already opened)",
)
def open_case(request: HttpRequest, code: InspectionCode, id: Id) -> Any:
    user = user_of(request)
    observation = _observation(user, code, id)
    existed = observation.case_id is not None
    case = services.open_case(observation, actor=user)
    return Status(200 if existed else 201, CaseRef(code=case.code, status=case.status))


@router.post(
    "/inspections/{code}/observations/{id}/corrective-actions",
    response={201: CorrectiveActionOut, **WRITE_ERRORS},
    summary="Giao biện pháp khắc phục cho một vi phạm / set a corrective action for a breach",
)
def add_corrective_action(
    request: HttpRequest, code: InspectionCode, id: Id, payload: CorrectiveActionIn
) -> Any:
    user = user_of(request)
    observation = _observation(user, code, id)
    action = services.add_corrective_action(
        observation, actor=user, description=payload.description, days=payload.days
    )
    return Status(201, action)


@router.post(
    "/inspections/{code}/corrective-actions/{id}/response",
    response={200: CorrectiveActionOut, **WRITE_ERRORS},
    summary="Cơ quan báo cáo kết quả khắc phục / the organisation answers a corrective action "
    "(INSPECTION_RESPOND, after the conclusion)",
)
def respond(request: HttpRequest, code: InspectionCode, id: Id, payload: ResponseIn) -> Any:
    user = user_of(request)
    inspection = get_inspection(user, code)
    action = CorrectiveAction.objects.filter(observation__inspection=inspection, pk=id).first()
    if action is None:
        raise Http404
    return services.respond(action, actor=user, response=payload.response, done=payload.done)


# --- evidence files -----------------------------------------------------------------------

FILES_DESCRIPTION = (
    "multipart/form-data; `files`: ảnh JPEG, PNG, WEBP, PDF, Word (.docx), Excel (.xlsx), "
    "nhận diện theo nội dung; số tệp và dung lượng tối đa theo cấu hình (mặc định 5 tệp cho "
    "mỗi kết quả hoặc biện pháp, mỗi tệp 10 MB); vị trí GPS, tác giả được xóa. Một tệp bị từ "
    "chối thì không tệp nào được lưu. / Photos and documents, type read from their content; "
    "count and size limits configured (5 files for each observation or action, 10 MB each "
    "by default); GPS positions and authors removed. One refused file stores none."
)


def _uploads(request: HttpRequest, files: list[UploadedFile]) -> list[UploadedFile]:
    if "files" in request.POST:
        # A text part where files were expected: the client meant to send files.
        raise ValidationError({"files": "Minh chứng phải là tệp. / Evidence must be files."})
    return files


@router.post(
    "/inspections/{code}/observations/{id}/files",
    response={201: ObservationOut, **WRITE_ERRORS},
    summary="Đính kèm ảnh, tài liệu cho một kết quả kiểm tra / attach evidence to an "
    "observation (INSPECTION_RUN, while in progress)",
    description=FILES_DESCRIPTION,
)
def upload_observation_files(
    request: HttpRequest, code: InspectionCode, id: Id, files: File[list[UploadedFile]]
) -> Any:
    user = user_of(request)
    observation = _observation(user, code, id)
    services.attach_evidence(observation, actor=user, files=_uploads(request, files))
    return Status(201, observations_of(observation.inspection).get(pk=observation.pk))


@router.post(
    "/inspections/{code}/corrective-actions/{id}/files",
    response={201: CorrectiveActionOut, **WRITE_ERRORS},
    summary="Cơ quan đính kèm minh chứng khắc phục / the organisation attaches proof to a "
    "corrective action (INSPECTION_RESPOND, after the conclusion, while it is open)",
    description=FILES_DESCRIPTION,
)
def upload_proof(
    request: HttpRequest, code: InspectionCode, id: Id, files: File[list[UploadedFile]]
) -> Any:
    user = user_of(request)
    inspection = get_inspection(user, code)
    action = CorrectiveAction.objects.filter(observation__inspection=inspection, pk=id).first()
    if action is None:
        raise Http404
    services.attach_proof(action, actor=user, files=_uploads(request, files))
    found = CorrectiveAction.objects.prefetch_related(Prefetch("files", queryset=_files()))
    return Status(201, found.get(pk=action.pk))


def _file(user: User, code: str, pk: int) -> InspectionFile:
    return selectors.get_file(user, get_inspection(user, code), pk)


@router.get(
    "/inspections/{code}/files/{id}",
    response=READ_ERRORS,
    summary="Tải một tệp minh chứng / download an evidence file",
    description="Ảnh hiển thị trực tiếp, tệp khác tải về. / Photos inline, other files as "
    "attachments. Đoàn kiểm tra; cơ quan được kiểm tra sau khi kết luận. / The team; the "
    "inspected organisation once concluded.",
    openapi_extra=file_responses(
        *sorted(evidence_types.ACCEPTED), description="Nội dung tệp / the file"
    ),
)
def download_inspection_file(request: HttpRequest, code: InspectionCode, id: Id) -> Any:
    return uploads.response(_file(user_of(request), code, id))


@router.delete(
    "/inspections/{code}/files/{id}",
    response={204: None, **WRITE_ERRORS},
    summary="Xóa một tệp minh chứng / remove an evidence file (its uploader, while the "
    "inspection is in progress; a concluded inspection's files are on record)",
)
def delete_inspection_file(request: HttpRequest, code: InspectionCode, id: Id) -> Any:
    user = user_of(request)
    item = _file(user, code, id)
    services.remove_file(item, actor=user)
    return Status(204, None)
