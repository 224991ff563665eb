"""Plans and tasks: every write checked, atomic and audited; the fan-out into assignments.

A task names who must carry it out: organisations by name, or every
organisation of some kinds under the plan's issuer. `fan_out` turns that and
the schedule into one `Assignment` per organisation and period; it only ever
adds the rows that are missing, so running it again (the daily
`sync_all_tasks`) gives organisations created since, and new periods of
recurring tasks, their assignments without touching the others. Creating a task, or
changing one so that it reaches organisations it did not, tells their heads and focal
points (`new_tasks`); the daily sync tells nobody. An assignment
keeps the organisation it was made for after a rename or a move; when a merge, split
or dissolution closes the organisation, its open assignments go to the successor
(`organisations.handover`) and its completed ones stay.

Plan 86/KH-UBND was issued by a provincial committee that the 2025 merger
closed: its duties passed to the successor. So the plan's scope, and who may
manage it, follow the issuer's successor chain to the organisation in office.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import record
from congvu.organisations.models import Organisation, OrganisationKind

from . import new_tasks, rollups, uploads
from .models import Assignment, ExtensionRequest, Plan, ProgressUpdate, Schedule, Task
from .periods import Period, periods

PLAN_FIELDS = ("number", "title", "issuing_organisation", "issued_on", "basis", "parent")
TASK_FIELDS = (
    "code",
    "content",
    "deliverable",
    "lead_organisation",
    "assign_to",
    "schedule",
    "due_on",
    "due_month",
    "due_day",
    "due_working_days",
    "starts_on",
    "ends_on",
    "status",
    "order",
)
TASK_M2M = ("coordinating_organisations", "assignees", "assignee_kinds")
DOCUMENT_SUFFIXES = tuple(uploads.DOCUMENT_TYPES)
DOCUMENT_MAX_BYTES = uploads.DOCUMENT_MAX_BYTES


# --- who manages a plan, and where its tasks reach --------------------------------------


def issuer_chain(organisation: Organisation) -> list[Organisation]:
    """The organisation and its successors, in order (a merged committee → the new one)."""
    chain = [organisation]
    seen = {organisation.pk}
    current = organisation
    while current.successor_id is not None and current.successor_id not in seen:
        current = Organisation.objects.get(pk=current.successor_id)
        seen.add(current.pk)
        chain.append(current)
    return chain


def managing_organisation(plan: Plan) -> Organisation:
    """The issuer, or the organisation that took over from it if it has been closed."""
    today = timezone.localdate()
    for organisation in issuer_chain(plan.issuing_organisation):
        if organisation.valid_to is None or organisation.valid_to >= today:
            return organisation
    return plan.issuing_organisation


def require_manage(actor: Any, plan: Plan) -> None:
    """404/403 as `access.require`; nobody to check for system jobs (actor None)."""
    if actor is not None:
        access.require(actor, Perm.PLAN_MANAGE, managing_organisation(plan))


EARLIEST_DAY = dt.date(1990, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


# --- plans ------------------------------------------------------------------------------


def _check_document(document: UploadedFile | None) -> ContentFile[bytes] | None:
    """The document to store: its content checked, a PDF cleaned (`uploads.check_document`)."""
    if document is None:
        return None
    name = (document.name or "").lower()
    if not name.endswith(DOCUMENT_SUFFIXES):
        raise _invalid(
            "document",
            _(
                "Tệp văn bản phải là PDF, DOC, DOCX hoặc ODT. / "
                "The file must be PDF, DOC, DOCX or ODT."
            ),
        )
    if document.size is not None and document.size > DOCUMENT_MAX_BYTES:
        raise _invalid("document", _("Tệp văn bản lớn hơn 20 MB. / The file is larger than 20 MB."))
    extension = name[name.rindex(".") :]
    try:
        checked = uploads.check_document(document, extension=extension)
    except ValidationError as refused:
        raise ValidationError({"document": refused.error_list}) from None
    return ContentFile(checked.content, name=checked.original_name)


def _check_plan(plan: Plan, actor: Any) -> None:
    plan.number = plan.number.strip()
    plan.title = plan.title.strip()
    if not plan.number:
        raise _invalid("number", _("Hãy nhập số, ký hiệu. / Enter the number and symbol."))
    if not plan.title:
        raise _invalid("title", _("Hãy nhập trích yếu. / Enter the title."))
    if plan.issued_on > timezone.localdate():
        raise _invalid(
            "issued_on",
            _(
                "Ngày ban hành không được sau hôm nay: hãy ghi kế hoạch khi đã ban hành. / "
                "The issue date cannot be in the future: record a plan once it is issued."
            ),
        )
    duplicate = Plan.objects.filter(
        number__iexact=plan.number, issuing_organisation=plan.issuing_organisation
    ).exclude(pk=plan.pk)
    if duplicate.exists():
        raise _invalid(
            "number",
            _(
                "Cơ quan này đã có kế hoạch số %(number)s. / "
                "This organisation already has a plan with that number."
            )
            % {"number": plan.number},
        )
    parent = plan.parent
    if parent is None:
        return
    if actor is not None and not Plan.objects.visible_to(actor).filter(pk=parent.pk).exists():
        raise _invalid("parent", _("Không tìm thấy kế hoạch cấp trên. / Parent plan not found."))
    ancestor: Plan | None = parent
    while ancestor is not None:
        if plan.pk is not None and ancestor.pk == plan.pk:
            raise _invalid(
                "parent",
                _(
                    "Kế hoạch cấp trên không được là chính kế hoạch này hoặc kế hoạch triển khai "
                    "từ nó. / A plan cannot derive from itself or from its own derived plans."
                ),
            )
        ancestor = ancestor.parent
    if plan.issued_on < parent.issued_on:
        raise _invalid(
            "issued_on",
            _(
                "Kế hoạch triển khai không thể ban hành trước kế hoạch cấp trên (%(day)s). / "
                "A derived plan cannot be issued before its parent plan."
            )
            % {"day": f"{parent.issued_on:%d/%m/%Y}"},
        )


@transaction.atomic
def create_plan(
    *,
    actor: Any,
    number: str,
    title: str,
    issuing_organisation: Organisation,
    issued_on: dt.date,
    basis: str = "",
    parent: Plan | None = None,
    document: UploadedFile | None = None,
) -> Plan:
    """A plan; with `parent`, an organisation's own plan derived from a higher one."""
    if actor is not None:
        access.require(actor, Perm.PLAN_MANAGE, issuing_organisation)
    plan = Plan(
        number=number,
        title=title,
        issuing_organisation=issuing_organisation,
        issued_on=issued_on,
        basis=basis.strip(),
        parent=parent,
    )
    _check_plan(plan, actor)
    stored = _check_document(document)
    if stored is not None:
        plan.document = stored
    plan.save()
    record(
        "planning.plan_create",
        actor=actor,
        obj=plan,
        organisation=issuing_organisation,
        summary=str(plan)[:300],
        data={"parent": parent.number if parent else None, "issued_on": issued_on},
    )
    return plan


@transaction.atomic
def update_plan(
    plan: Plan, *, actor: Any, document: UploadedFile | None = None, **changes: Any
) -> Plan:
    """Change a plan's facts (PLAN_FIELDS) and optionally replace its file."""
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"update_plan: unknown fields {sorted(unknown)}")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    require_manage(actor, plan)
    new_issuer = changes.get("issuing_organisation")
    if actor is not None and new_issuer is not None and new_issuer != plan.issuing_organisation:
        access.require(actor, Perm.PLAN_MANAGE, new_issuer)
    changed = {}
    for name, value in changes.items():
        if name == "basis" and isinstance(value, str):
            value = value.strip()
        if getattr(plan, name) != value:
            changed[name] = str(value) if isinstance(value, (Plan, Organisation)) else value
            setattr(plan, name, value)
    _check_plan(plan, actor)
    stored = _check_document(document)
    replaced = plan.document.name if stored is not None and plan.document else ""
    if stored is not None:
        plan.document = stored
        changed["document"] = stored.name
    if replaced:
        changed["replaced_document"] = replaced
    if changed:
        plan.save()
        record(
            "planning.plan_update",
            actor=actor,
            obj=plan,
            organisation=plan.issuing_organisation,
            summary=str(plan)[:300],
            data=changed,
        )
    if replaced:
        # The file it replaces is no longer linked from anywhere but the audit event; it
        # goes once the change is committed, never before.
        storage = plan.document.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    return plan


# --- tasks ------------------------------------------------------------------------------


def _check_task(task: Task, *, assignees: Sequence[Organisation], kinds: Sequence[Any]) -> None:
    task.code = task.code.strip()
    task.content = task.content.strip()
    if not task.code:
        raise _invalid("code", _("Hãy nhập số thứ tự (mã nhiệm vụ). / Enter the task's number."))
    if not task.content:
        raise _invalid("content", _("Hãy nhập nội dung nhiệm vụ. / Enter the task's content."))
    if Task.objects.filter(plan_id=task.plan_id, code=task.code).exclude(pk=task.pk).exists():
        raise _invalid(
            "code",
            _("Kế hoạch đã có nhiệm vụ số %(code)s. / The plan already has task %(code)s.")
            % {"code": task.code},
        )
    for field in ("starts_on", "ends_on", "due_on"):
        day = getattr(task, field)
        # Periods are computed forward and backward from these dates; a year far from
        # ours overflows the date arithmetic, and no plan of this programme needs one.
        if day is not None and not (EARLIEST_DAY <= day <= LATEST_DAY):
            raise _invalid(
                field,
                _("Ngày phải trong khoảng %(first)s – %(last)s. / The date must be between them.")
                % {"first": f"{EARLIEST_DAY:%d/%m/%Y}", "last": f"{LATEST_DAY:%d/%m/%Y}"},
            )
    if task.ends_on is not None and task.ends_on < task.starts_on:
        raise _invalid(
            "ends_on",
            _("Ngày kết thúc phải sau ngày bắt đầu. / The end date must follow the start date."),
        )
    if task.schedule == Schedule.ONCE:
        if task.due_on is None and not task.due_working_days and task.ends_on is None:
            raise _invalid(
                "due_on",
                _(
                    "Nhiệm vụ một lần cần hạn hoàn thành hoặc số ngày làm việc. / "
                    "A one-off task needs a deadline or a number of working days."
                ),
            )
        if task.due_on is not None and task.due_on < task.starts_on:
            raise _invalid(
                "due_on",
                _(
                    "Hạn hoàn thành phải từ ngày bắt đầu trở đi. / "
                    "The deadline cannot be before the start date."
                ),
            )
    if task.due_month is not None and not 1 <= task.due_month <= 12:
        raise _invalid("due_month", _("Tháng phải từ 1 đến 12. / Month must be 1–12."))
    if task.due_day is not None and not 1 <= task.due_day <= 31:
        raise _invalid("due_day", _("Ngày phải từ 1 đến 31. / Day must be 1–31."))
    if (
        task.schedule == Schedule.YEARLY
        and task.due_month is not None
        and task.due_day is not None
        and task.due_day > calendar.monthrange(2024, task.due_month)[1]  # a leap year
    ):
        raise _invalid(
            "due_day",
            _("Tháng %(month)d không có ngày %(day)d. / Month %(month)d has no day %(day)d.")
            % {"month": task.due_month, "day": task.due_day},
        )
    if task.assign_to == Task.AssignTo.KINDS and not kinds:
        raise _invalid(
            "assignee_kinds",
            _("Chọn ít nhất một loại cơ quan. / Choose at least one kind of organisation."),
        )
    if task.assign_to == Task.AssignTo.NAMED and not assignees:
        raise _invalid(
            "assignees",
            _(
                "Chọn ít nhất một cơ quan thực hiện. / "
                "Choose at least one organisation to carry out the task."
            ),
        )


def _set_m2m(task: Task, m2m: dict[str, Iterable[Any]]) -> None:
    for name, values in m2m.items():
        getattr(task, name).set(list(values))


@transaction.atomic
def create_task(
    plan: Plan,
    *,
    actor: Any,
    code: str,
    content: str,
    starts_on: dt.date | None = None,
    deliverable: str = "",
    lead_organisation: Organisation | None = None,
    coordinating_organisations: Iterable[Organisation] = (),
    assign_to: str = Task.AssignTo.NAMED,
    assignees: Iterable[Organisation] = (),
    assignee_kinds: Iterable[OrganisationKind] = (),
    schedule: str = Schedule.ONCE,
    due_on: dt.date | None = None,
    due_month: int | None = None,
    due_day: int | None = None,
    due_working_days: int | None = None,
    ends_on: dt.date | None = None,
    status: str = Task.Status.ACTIVE,
    order: int | None = None,
    today: dt.date | None = None,
) -> Task:
    """A task of `plan`, fanned out into assignments at once when it is active.

    Named tasks without assignees go to the lead organisation.
    """
    require_manage(actor, plan)
    assignee_list = list(assignees)
    if assign_to == Task.AssignTo.NAMED and not assignee_list and lead_organisation is not None:
        assignee_list = [lead_organisation]
    kinds = list(assignee_kinds)
    if order is None:
        order = Task.objects.filter(plan=plan).count() + 1
    task = Task(
        plan=plan,
        code=code,
        content=content,
        deliverable=deliverable.strip(),
        lead_organisation=lead_organisation,
        assign_to=assign_to,
        schedule=schedule,
        due_on=due_on,
        due_month=due_month,
        due_day=due_day,
        due_working_days=due_working_days,
        starts_on=starts_on or plan.issued_on,
        ends_on=ends_on,
        status=status,
        order=order,
    )
    _check_task(task, assignees=assignee_list, kinds=kinds)
    task.save()
    _set_m2m(
        task,
        {
            "coordinating_organisations": coordinating_organisations,
            "assignees": assignee_list if assign_to == Task.AssignTo.NAMED else [],
            "assignee_kinds": kinds if assign_to == Task.AssignTo.KINDS else [],
        },
    )
    created = add_assignments(task, today=today)
    new_tasks.given(task, created, actor=actor, today=today)
    record(
        "planning.task_create",
        actor=actor,
        obj=task,
        organisation=plan.issuing_organisation,
        summary=f"{plan.number} · {task}"[:300],
        data={"plan": plan.pk, "schedule": schedule, "assignments": len(created)},
    )
    return task


@transaction.atomic
def update_task(task: Task, *, actor: Any, today: dt.date | None = None, **changes: Any) -> Task:
    """Change a task (TASK_FIELDS and TASK_M2M), then bring its assignments in line.

    Assignments nobody has touched yet follow the new deadline or go away when
    their organisation or period is no longer targeted; any assignment with
    progress, an extension or a completion stays as it is.
    """
    unknown = set(changes) - set(TASK_FIELDS) - set(TASK_M2M)
    if unknown:
        raise TypeError(f"update_task: unknown fields {sorted(unknown)}")
    task = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
    require_manage(actor, task.plan)
    before = {name: getattr(task, name) for name in TASK_FIELDS}
    for name in TASK_FIELDS:
        if name in changes:
            value = changes[name]
            if name in {"deliverable"} and isinstance(value, str):
                value = value.strip()
            setattr(task, name, value)
    assignees = list(changes.get("assignees", task.assignees.all()))
    if (
        task.assign_to == Task.AssignTo.NAMED
        and not assignees
        and task.lead_organisation is not None
    ):
        assignees = [task.lead_organisation]
    kinds = list(changes.get("assignee_kinds", task.assignee_kinds.all()))
    _check_task(task, assignees=assignees, kinds=kinds)
    task.save()
    m2m: dict[str, Iterable[Any]] = {
        "assignees": assignees if task.assign_to == Task.AssignTo.NAMED else [],
        "assignee_kinds": kinds if task.assign_to == Task.AssignTo.KINDS else [],
    }
    if "coordinating_organisations" in changes:
        m2m["coordinating_organisations"] = changes["coordinating_organisations"]
    _set_m2m(task, m2m)
    # Organisations that had the task before the change are not told of it again.
    had = set(task.assignments.values_list("organisation_id", flat=True).distinct())
    removed, moved = _realign(task, today=today)
    added = add_assignments(task, today=today)
    new_tasks.given(task, added, known=had, actor=actor, today=today)
    created = len(added)
    changed = {name: str(value) for name, value in before.items() if getattr(task, name) != value}
    changed.update({name: "…" for name in TASK_M2M if name in changes})
    record(
        "planning.task_update",
        actor=actor,
        obj=task,
        organisation=task.plan.issuing_organisation,
        summary=f"{task.plan.number} · {task}"[:300],
        data={"changed": changed, "created": created, "removed": removed, "moved": moved},
    )
    return task


@transaction.atomic
def close_task(task: Task, *, actor: Any, today: dt.date | None = None) -> Task:
    """End a task: no new assignments; untouched ones for periods not yet begun go away."""
    task = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
    require_manage(actor, task.plan)
    if task.status == Task.Status.CLOSED:
        return task
    day = today or timezone.localdate()
    task.status = Task.Status.CLOSED
    task.save(update_fields=["status", "updated_at"])
    future = _untouched(task.assignments.filter(period_start__gt=day))
    touched = list(future.values_list("organisation_id", "period").distinct())
    removed, _rows = future.delete()
    if touched:
        rollups.refresh(
            plan_id=task.plan_id,
            organisation_ids={org for org, _p in touched},
            periods={period for _o, period in touched},
        )
    record(
        "planning.task_close",
        actor=actor,
        obj=task,
        organisation=task.plan.issuing_organisation,
        summary=f"{task.plan.number} · {task}"[:300],
        data={"removed": removed},
    )
    return task


# --- fan-out ------------------------------------------------------------------------------


def scope_paths(plan: Plan) -> list[str]:
    """Tree paths under which "every organisation of these kinds" is looked for."""
    return [organisation.path for organisation in issuer_chain(plan.issuing_organisation)]


def candidates(task: Task) -> list[tuple[int, dt.date, dt.date | None]]:
    """(pk, valid_from, valid_to) of every organisation the task may reach, in any period."""
    if task.assign_to == Task.AssignTo.NAMED:
        qs = task.assignees.all()
    else:
        kinds = list(task.assignee_kinds.values_list("pk", flat=True))
        if not kinds:
            return []
        under = Q(pk__in=[])
        for path in scope_paths(task.plan):
            under |= Q(path__startswith=path)
        qs = Organisation.objects.filter(under, kind_id__in=kinds)
    return list(qs.values_list("pk", "valid_from", "valid_to").order_by("path"))


def targets(task: Task, *, today: dt.date | None = None) -> dict[tuple[int, str], Period]:
    """(organisation, period) → period, for every assignment the task should have now.

    An organisation is targeted in a period when it was in office for some of
    it: one closed before the period starts, or created after it ends, gets none.
    Nor does one that was not in office on the period's due date: a duty that fell
    due before an organisation existed is not its duty, and one falling due after
    an organisation closed is its successor's (`organisations.handover` moved the
    open rows there, and the daily sync must not give them back).
    """
    if task.status != Task.Status.ACTIVE:
        return {}
    found: dict[tuple[int, str], Period] = {}
    rows = candidates(task)
    for period in periods(task, today=today):
        for pk, valid_from, valid_to in rows:
            if valid_from > period.end or (valid_to is not None and valid_to < period.start):
                continue
            if valid_from > period.due_on or (valid_to is not None and valid_to < period.due_on):
                continue
            found[(pk, period.label)] = period
    return found


def _untouched(qs: Any) -> Any:
    """Assignments nobody has worked on: no progress, completion, update or extension."""
    return (
        qs.filter(progress=Assignment.Progress.NOT_STARTED, completed_on__isnull=True)
        .exclude(Exists(ProgressUpdate.objects.filter(assignment=OuterRef("pk"))))
        .exclude(Exists(ExtensionRequest.objects.filter(assignment=OuterRef("pk"))))
    )


def _realign(task: Task, *, today: dt.date | None) -> tuple[int, int]:
    """Drop or re-date untouched assignments after a change; (removed, moved)."""
    wanted = targets(task, today=today)
    removed_keys: set[tuple[int, str]] = set()
    moved: list[Assignment] = []
    for assignment in _untouched(task.assignments.all()):
        key = (assignment.organisation_id, assignment.period)
        period = wanted.get(key)
        if period is None:
            removed_keys.add(key)
            continue
        if assignment.due_on != period.due_on and assignment.due_on == assignment.original_due_on:
            assignment.due_on = assignment.original_due_on = period.due_on
            assignment.period_start, assignment.period_end = period.start, period.end
            moved.append(assignment)
    removed = 0
    if removed_keys:
        q = Q(pk__in=[])
        for org, period_label in removed_keys:
            q |= Q(organisation_id=org, period=period_label)
        removed, _rows = _untouched(task.assignments.filter(q)).delete()
    if moved:
        Assignment.objects.bulk_update(
            moved, ["due_on", "original_due_on", "period_start", "period_end"], batch_size=500
        )
    keys = removed_keys | {(a.organisation_id, a.period) for a in moved}
    if keys:
        rollups.refresh(
            plan_id=task.plan_id,
            organisation_ids={org for org, _p in keys},
            periods={period for _o, period in keys},
        )
    return removed, len(moved)


@transaction.atomic
def fan_out(task: Task, *, today: dt.date | None = None, refresh: bool = True) -> int:
    """Create the missing assignments of `task`; returns how many were created.

    Existing rows are left alone (and a concurrent run's rows are skipped by the
    unique constraint), so this is safe to repeat. `refresh=False` leaves the
    rollups to the caller (the demo loader recounts once at the end). Tells nobody
    (the demo): `create_task`, `update_task` and `sync_all_tasks` tell the organisations.
    """
    return len(add_assignments(task, today=today, refresh=refresh))


@transaction.atomic
def _sync_task(task: Task, *, today: dt.date | None) -> int:
    had = set(task.assignments.values_list("organisation_id", flat=True).distinct())
    added = add_assignments(task, today=today)
    new_tasks.given(task, added, known=had, actor=None, today=today)
    return len(added)


@transaction.atomic
def add_assignments(
    task: Task, *, today: dt.date | None = None, refresh: bool = True
) -> list[Assignment]:
    """`fan_out`, returning the assignments created (without their ids)."""
    wanted = targets(task, today=today)
    if not wanted:
        return []
    existing = set(task.assignments.values_list("organisation_id", "period"))
    new = [
        Assignment(
            task=task,
            organisation_id=org,
            period=label,
            period_start=period.start,
            period_end=period.end,
            original_due_on=period.due_on,
            due_on=period.due_on,
        )
        for (org, label), period in wanted.items()
        if (org, label) not in existing
    ]
    if not new:
        return []
    Assignment.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    if refresh:
        rollups.refresh(
            plan_id=task.plan_id,
            organisation_ids={a.organisation_id for a in new},
            periods={a.period for a in new},
        )
    return new


def sync_all_tasks(*, today: dt.date | None = None) -> int:
    """Fan every active task out again (new organisations, new periods); the daily job.

    One transaction per task, so a long run does not hold the database. An organisation
    given a task it did not have (one created, or newly of a kind, since the task was
    made) is told, one notice per person for the whole run; the next periods of a task an
    organisation already had are not news.
    """
    total = 0
    with new_tasks.told_together(actor=None, today=today):
        for task in Task.objects.filter(status=Task.Status.ACTIVE).select_related("plan"):
            total += _sync_task(task, today=today)
    if total:
        record(
            "planning.sync",
            actor=None,
            object_type="planning.assignment",
            summary=f"{total} assignments created",
            data={"created": total},
        )
    return total


def may_manage(user: Any, plan: Plan) -> bool:
    """For templates: show the edit buttons?"""
    return access.can(user, Perm.PLAN_MANAGE, managing_organisation(plan))


def require_manage_visible(user: Any, plan: Plan) -> None:
    """Views: the plan is already known to be visible, so a refusal is a 403, never a 404."""
    if not may_manage(user, plan):
        raise PermissionDenied
