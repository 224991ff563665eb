"""Plans and their tasks: the reads the plan pages show, and the writes they offer.

Scoping is the pages': a plan is visible when `Plan.objects.visible_to` says
so (issued in the caller's PLAN_VIEW scope or above it, or giving work to an
organisation in it) and its tasks go with it. Invisible → 404; an
organisation the caller sees without PLAN_VIEW → 403. Writes call
`planning.services`, which checks PLAN_MANAGE.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from pydantic import AfterValidator, StrictInt, StringConstraints, WithJsonSchema, model_validator

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.organisations.models import Organisation, OrganisationKind
from congvu.planning import services
from congvu.planning.models import Plan, PlanQuerySet, Schedule, Task, TaskQuerySet

from .common import NO_NUL, NOT_BLANK, BodyId, Id, IsoDate, OrganisationRef, Pagination, Slug
from .errors import ErrorOut, ValidationErrorOut
from .security import AUTH, user_of

router = Router(tags=["plans"], auth=AUTH)

# Shared by the planning, dissemination and reporting routers.
READ_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}
# Writes also answer 400 for a body that is not JSON (or multipart) at all.
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, **READ_ERRORS}

M = TypeVar("M", bound=models.Model)


def one_of(choices: type[models.TextChoices]) -> dict[str, Any]:
    """A choice field inlined as an enum: the models' choices share class names (Status,
    Kind…), which would overwrite one another as OpenAPI components."""
    return {"type": "string", "enum": list(choices.values)}


TaskAssignTo = Annotated[Task.AssignTo, WithJsonSchema(one_of(Task.AssignTo))]
TaskSchedule = Annotated[Schedule, WithJsonSchema(one_of(Schedule))]
TaskStatus = Annotated[Task.Status, WithJsonSchema(one_of(Task.Status))]

FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


def _in_office_years(value: dt.date) -> dt.date:
    # Schedules are expanded into periods and deadlines from these dates: year 1 or 9999
    # would overflow the calendar (and no plan of this kind predates 1990).
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(
            "Ngày phải trong khoảng 01/01/1990 – 31/12/2100. / "
            "The date must be between 1990-01-01 and 2100-12-31."
        )
    return value


# A date written into plans, progress, sessions and reports.
Day = Annotated[IsoDate, AfterValidator(_in_office_years)]

Text = Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]


def get_scoped(
    scoped: models.QuerySet[M],
    pk: int,
    *,
    user: User,
    perm: Perm,
    owner: Callable[[int], Organisation | None],
) -> M:
    """One object of `scoped`; otherwise 403 if its organisation (`owner(pk)`) is visible
    to `user` without `perm`, else 404 — the same answers as `access.get_for`."""
    obj = scoped.filter(pk=pk).first()
    if obj is None:
        organisation = owner(pk)
        if organisation is not None:
            access.require(user, perm, organisation)
        raise Http404
    return obj


def get_organisation(user: User, perm: Perm, organisation_id: int) -> Organisation:
    """An organisation named in a filter or body: 404 if invisible, 403 without `perm`."""
    return access.get_for(
        user, perm, Organisation.objects.all(), organisation_of="", pk=organisation_id
    )


def pick(qs: models.QuerySet[M], ids: Sequence[int], *, field: str, what: str) -> list[M]:
    """The rows of `qs` with these ids, in order, or a 422 on `field` naming the unknown ones."""
    found = qs.in_bulk(list(ids))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError({field: f"Không tìm thấy {what}: {missing}. / Not found: {missing}."})
    return [found[pk] for pk in dict.fromkeys(ids)]


class BodyIn(Schema):
    """A JSON body that must be an object.

    ninja reads fields off any JSON value, so `[]` or `1` would pass as "no fields"
    and, for a schema whose fields all have defaults, succeed quietly.
    """

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        raw = getattr(data, "_obj", data)  # ninja hands validators its DjangoGetter wrapper
        if not isinstance(raw, dict):
            raise ValueError("Nội dung phải là một đối tượng JSON. / The body must be an object.")
        return data


class UserRef(Schema):
    """Who did something, as the record names them (no contact details)."""

    id: int
    full_name: str


class PlanRef(Schema):
    id: int
    number: str
    title: str


class TaskRef(Schema):
    id: int
    code: str
    content: str
    plan: PlanRef


class PlanOut(Schema):
    id: int
    number: str
    title: str
    issuing_organisation: OrganisationRef
    issued_on: dt.date
    basis: str
    parent_id: int | None
    has_document: bool = Field(..., description="Có tệp văn bản / a document file is attached")

    @staticmethod
    def resolve_has_document(obj: Plan) -> bool:
        return bool(obj.document)


class TaskOut(Schema):
    id: int
    plan_id: int
    code: str
    content: str
    deliverable: str
    lead_organisation: OrganisationRef | None
    coordinating_organisations: list[OrganisationRef]
    assign_to: TaskAssignTo
    assignees: list[OrganisationRef]
    assignee_kinds: list[str] = Field(..., description="Mã loại cơ quan / organisation kind codes")
    schedule: TaskSchedule
    due_on: dt.date | None
    due_month: int | None
    due_day: int | None
    due_working_days: int | None
    starts_on: dt.date
    ends_on: dt.date | None
    status: TaskStatus
    order: int

    @staticmethod
    def resolve_assignee_kinds(obj: Task) -> list[str]:
        return [kind.code for kind in obj.assignee_kinds.all()]


class PlanFilters(Schema):
    organisation: Id | None = Field(
        None, description="Cơ quan ban hành, gồm cấp dưới / issuer and its subtree"
    )
    parent: Id | None = Field(None, description="Kế hoạch cấp trên / parent plan id")
    issued_after: IsoDate | None = Field(None, description="Ban hành từ ngày / issued on or after")
    issued_before: IsoDate | None = Field(
        None, description="Ban hành đến ngày / issued on or before"
    )


class TaskFilters(Schema):
    status: TaskStatus | None = None
    schedule: TaskSchedule | None = None


PlanNumber = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=NOT_BLANK)]
PlanTitle = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NOT_BLANK)]


class PlanIn(BodyIn):
    number: PlanNumber
    title: PlanTitle
    issuing_organisation: BodyId
    issued_on: Day
    basis: Text = ""
    parent: BodyId | None = Field(None, description="Kế hoạch cấp trên / parent plan id")


class PlanPatchIn(BodyIn):
    """Only the fields sent change; `parent: null` detaches the plan from its parent."""

    number: PlanNumber | None = None
    title: PlanTitle | None = None
    issuing_organisation: BodyId | None = None
    issued_on: Day | None = None
    basis: Text | None = None
    parent: BodyId | None = None


SmallInt = Annotated[StrictInt, Field(ge=1, le=365)]


TaskCode = Annotated[str, StringConstraints(min_length=1, max_length=30, pattern=NOT_BLANK)]
TaskContent = Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=NOT_BLANK)]
Deliverable = Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL)]
Month = Annotated[StrictInt, Field(ge=1, le=12)]
DayOfMonth = Annotated[StrictInt, Field(ge=1, le=31)]
Order = Annotated[StrictInt, Field(ge=0, le=1_000_000)]
# Closing a task has its own operation (POST /tasks/{id}/close), as on the pages.
OpenStatus = Literal["draft", "active"]
OrganisationIds = Annotated[list[BodyId], Field(max_length=2000)]
KindCodes = Annotated[list[Slug], Field(max_length=50)]


class TaskIn(BodyIn):
    code: TaskCode
    content: TaskContent
    deliverable: Deliverable = ""
    lead_organisation: BodyId | None = None
    coordinating_organisations: OrganisationIds = Field(default_factory=list)
    assign_to: TaskAssignTo = Task.AssignTo.NAMED
    assignees: OrganisationIds = Field(
        default_factory=list,
        description="Khi giao đích danh; để trống: cơ quan chủ trì / named assignees",
    )
    assignee_kinds: KindCodes = Field(
        default_factory=list, description="Khi giao theo loại: mã loại cơ quan / kind codes"
    )
    schedule: TaskSchedule = Schedule.ONCE
    due_on: Day | None = None
    due_month: Month | None = None
    due_day: DayOfMonth | None = None
    due_working_days: SmallInt | None = None
    starts_on: Day | None = Field(None, description="Mặc định: ngày ban hành / default: issued")
    ends_on: Day | None = None
    status: OpenStatus = "active"
    order: Order | None = None


class TaskPatchIn(BodyIn):
    """Only the fields sent change; null clears the optional ones (deadline fields,
    lead organisation, end date). Untouched assignments follow the new deadline."""

    code: TaskCode | None = None
    content: TaskContent | None = None
    deliverable: Deliverable | None = None
    lead_organisation: BodyId | None = None
    coordinating_organisations: OrganisationIds | None = None
    assign_to: TaskAssignTo | None = None
    assignees: OrganisationIds | None = None
    assignee_kinds: KindCodes | None = None
    schedule: TaskSchedule | None = None
    due_on: Day | None = None
    due_month: Month | None = None
    due_day: DayOfMonth | None = None
    due_working_days: SmallInt | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    status: OpenStatus | None = None
    order: Order | None = None


# Fields a PATCH may set to null; for the others null means "unchanged".
PLAN_NULLABLE = frozenset({"parent"})
TASK_NULLABLE = frozenset(
    {"lead_organisation", "due_on", "due_month", "due_day", "due_working_days", "ends_on"}
)


def sent(payload: Schema, nullable: frozenset[str]) -> dict[str, Any]:
    """The fields of a PATCH body the client sent, without nulls where null means nothing."""
    return {
        name: value
        for name, value in payload.model_dump(exclude_unset=True).items()
        if value is not None or name in nullable
    }


def plans_of(user: User) -> PlanQuerySet:
    access.require_anywhere(user, Perm.PLAN_VIEW)
    return Plan.objects.visible_to(user).select_related("issuing_organisation")


def tasks_of(user: User) -> TaskQuerySet:
    return (
        Task.objects.visible_to(user)
        .select_related("lead_organisation")
        .prefetch_related(
            "coordinating_organisations",
            "assignees",
            Prefetch("assignee_kinds", queryset=OrganisationKind.objects.order_by("code")),
        )
    )


def _plan_issuer(pk: int) -> Organisation | None:
    plan = Plan.objects.select_related("issuing_organisation").filter(pk=pk).first()
    return plan.issuing_organisation if plan else None


def _task_issuer(pk: int) -> Organisation | None:
    task = Task.objects.select_related("plan__issuing_organisation").filter(pk=pk).first()
    return task.plan.issuing_organisation if task else None


def get_plan(user: User, plan_id: int) -> Plan:
    return get_scoped(
        Plan.objects.visible_to(user).select_related("issuing_organisation"),
        plan_id,
        user=user,
        perm=Perm.PLAN_VIEW,
        owner=_plan_issuer,
    )


def get_task(user: User, task_id: int) -> Task:
    return get_scoped(
        tasks_of(user).select_related("plan__issuing_organisation"),
        task_id,
        user=user,
        perm=Perm.PLAN_VIEW,
        owner=_task_issuer,
    )


@router.get(
    "/plans",
    response={200: list[PlanOut], **READ_ERRORS},
    summary="Danh sách kế hoạch / list plans",
)
@paginate(Pagination)
def list_plans(request: HttpRequest, filters: Query[PlanFilters]) -> Any:
    user = user_of(request)
    qs = plans_of(user)
    if filters.organisation is not None:
        issuer = get_organisation(user, Perm.PLAN_VIEW, filters.organisation)
        qs = qs.filter(issuing_organisation__path__startswith=issuer.path)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.issued_after is not None:
        qs = qs.filter(issued_on__gte=filters.issued_after)
    if filters.issued_before is not None:
        qs = qs.filter(issued_on__lte=filters.issued_before)
    return qs.order_by("-issued_on", "number", "pk")


@router.get(
    "/plans/{id}", response={200: PlanOut, **READ_ERRORS}, summary="Một kế hoạch / one plan"
)
def get_plan_detail(request: HttpRequest, id: Id) -> Any:
    return get_plan(user_of(request), id)


@router.get(
    "/plans/{id}/tasks",
    response={200: list[TaskOut], **READ_ERRORS},
    summary="Nhiệm vụ của kế hoạch / a plan's tasks",
)
@paginate(Pagination)
def list_plan_tasks(request: HttpRequest, id: Id, filters: Query[TaskFilters]) -> Any:
    user = user_of(request)
    plan = get_plan(user, id)
    qs = tasks_of(user).filter(plan=plan)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.schedule:
        qs = qs.filter(schedule=filters.schedule)
    return qs.order_by("order", "code", "pk")


@router.get(
    "/tasks/{id}", response={200: TaskOut, **READ_ERRORS}, summary="Một nhiệm vụ / one task"
)
def get_task_detail(request: HttpRequest, id: Id) -> Any:
    return get_task(user_of(request), id)


# --- writes -------------------------------------------------------------------------------


@router.post(
    "/plans",
    response={201: PlanOut, **WRITE_ERRORS},
    summary="Ban hành kế hoạch / create a plan (PLAN_MANAGE on the issuer)",
)
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    user = user_of(request)
    issuer = get_organisation(user, Perm.ORG_VIEW, payload.issuing_organisation)
    parent = get_plan(user, payload.parent) if payload.parent is not None else None
    plan = services.create_plan(
        actor=user,
        number=payload.number,
        title=payload.title,
        issuing_organisation=issuer,
        issued_on=payload.issued_on,
        basis=payload.basis,
        parent=parent,
    )
    return Status(201, get_plan(user, plan.pk))


def _task_organisations(plan: Plan) -> models.QuerySet[Organisation]:
    """Who a task of `plan` may name: as the task form offers (current, no divisions,
    under the plan's issuer or its successor)."""
    under = Q(pk__in=[])
    for path in services.scope_paths(plan):
        under |= Q(path__startswith=path)
    return Organisation.objects.current().filter(under, kind__is_division=False)


def _task_values(plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    """A task body's ids and codes turned into the rows the services take."""
    values = dict(data)
    choices = _task_organisations(plan)
    if values.get("lead_organisation") is not None:
        [values["lead_organisation"]] = pick(
            choices, [values["lead_organisation"]], field="lead_organisation", what="cơ quan"
        )
    for name in ("coordinating_organisations", "assignees"):
        if name in values:
            values[name] = pick(choices, values[name], field=name, what="cơ quan")
    if "assignee_kinds" in values:
        codes = values["assignee_kinds"]
        kinds = OrganisationKind.objects.filter(is_division=False, code__in=codes)
        found = {kind.code: kind for kind in kinds}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(
                {"assignee_kinds": f"Không có loại cơ quan: {unknown}. / Unknown kinds: {unknown}."}
            )
        values["assignee_kinds"] = list(found.values())
    return values


@router.patch(
    "/plans/{id}",
    response={200: PlanOut, **WRITE_ERRORS},
    summary="Sửa kế hoạch / change a plan (PLAN_MANAGE)",
)
def update_plan(request: HttpRequest, id: Id, payload: PlanPatchIn) -> Any:
    user = user_of(request)
    plan = get_plan(user, id)
    services.require_manage_visible(user, plan)
    changes = sent(payload, PLAN_NULLABLE)
    if "issuing_organisation" in changes:
        changes["issuing_organisation"] = get_organisation(
            user, Perm.ORG_VIEW, changes["issuing_organisation"]
        )
    if changes.get("parent") is not None:
        changes["parent"] = get_plan(user, changes["parent"])
    services.update_plan(plan, actor=user, **changes)
    return get_plan(user, id)


@router.post(
    "/plans/{id}/document",
    response={200: PlanOut, **WRITE_ERRORS},
    summary="Tải lên tệp văn bản của kế hoạch / upload the plan's document (PLAN_MANAGE)",
    description="multipart/form-data; `document`: PDF, DOC, DOCX hoặc ODT ≤ 20 MB. / "
    "multipart/form-data; `document`: PDF, DOC, DOCX or ODT ≤ 20 MB.",
)
def upload_document(request: HttpRequest, id: Id, document: File[UploadedFile]) -> Any:
    user = user_of(request)
    plan = get_plan(user, id)
    services.require_manage_visible(user, plan)
    services.update_plan(plan, actor=user, document=document)
    return get_plan(user, id)


@router.post(
    "/plans/{id}/tasks",
    response={201: TaskOut, **WRITE_ERRORS},
    summary="Thêm nhiệm vụ và giao việc / add a task and fan it out (PLAN_MANAGE)",
)
def create_task(request: HttpRequest, id: Id, payload: TaskIn) -> Any:
    user = user_of(request)
    plan = get_plan(user, id)
    services.require_manage_visible(user, plan)
    task = services.create_task(plan, actor=user, **_task_values(plan, payload.model_dump()))
    return Status(201, get_task(user, task.pk))


@router.patch(
    "/tasks/{id}",
    response={200: TaskOut, **WRITE_ERRORS},
    summary="Sửa nhiệm vụ / change a task and realign its assignments (PLAN_MANAGE)",
)
def update_task(request: HttpRequest, id: Id, payload: TaskPatchIn) -> Any:
    user = user_of(request)
    task = get_task(user, id)
    services.require_manage_visible(user, task.plan)
    changes = _task_values(task.plan, sent(payload, TASK_NULLABLE))
    services.update_task(task, actor=user, **changes)
    return get_task(user, id)


@router.post(
    "/tasks/{id}/close",
    response={200: TaskOut, **WRITE_ERRORS},
    summary="Kết thúc nhiệm vụ / close a task (PLAN_MANAGE)",
)
def close_task(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    task = get_task(user, id)
    services.require_manage_visible(user, task.plan)
    services.close_task(task, actor=user)
    return get_task(user, id)
