"""Writes on inspections: planning, the checklist, findings → cases and corrective actions,
the organisation's answers (the state table is in workflow.py).

Each function checks the actor's permission through access.py, runs in one
transaction and writes one audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.audit.services import record
from congvu.cases import services as case_services
from congvu.cases.models import Case
from congvu.conduct.selectors import applicable_clauses, provincial_version
from congvu.core.calendar import add_working_days
from congvu.core.text import bounded
from congvu.organisations.models import Organisation, StaffMember

from . import selectors
from .models import CorrectiveAction, Inspection, Observation, new_inspection_code

S = Inspection.Status
R = Observation.Result

NOTE_MAX: Final = 5_000
TEXT_MAX: Final = 10_000
MAX_MEMBERS: Final = 20
#: A corrective action's term, in working days.
DAYS_MIN: Final = 1
DAYS_MAX: Final = 250


def default_corrective_days() -> int:
    return int(getattr(settings, "INSPECTIONS_CORRECTIVE_DAYS", 10))


def corrective_due(start: dt.date, days: int | None = None) -> dt.date:
    """The due date of a corrective action set on `start`: `days` working days later."""
    return add_working_days(start, default_corrective_days() if days is None else days)


def _free_code() -> str:
    for _attempt in range(8):
        code = new_inspection_code()
        if not Inspection.objects.filter(code=code).exists():
            return code
    raise RuntimeError("Could not find a free inspection code.")


@transaction.atomic
def plan_inspection(
    organisation: Organisation,
    *,
    actor: User,
    kind: str,
    planned_on: dt.date | None,
    lead: User | None,
    members: Sequence[User] = (),
    purpose: str = "",
) -> Inspection:
    """Plan an inspection of `organisation` against its provincial code version in force."""
    access.require(actor, Perm.INSPECTION_RUN, organisation)
    errors: dict[str, str] = {}
    if kind not in Inspection.Kind.values:
        errors["kind"] = _("Chọn hình thức kiểm tra. / Choose the kind of inspection.")
    if planned_on is None or not isinstance(planned_on, dt.date):
        errors["planned_on"] = _("Nhập ngày dự kiến. / Enter the planned date.")
    elif planned_on.year < 2000 or planned_on.year > 2100:
        errors["planned_on"] = _("Ngày không hợp lệ. / Invalid date.")
    if lead is None:
        errors["lead"] = _("Chọn trưởng đoàn. / Choose the lead inspector.")
    elif not access.can(lead, Perm.INSPECTION_RUN, organisation):
        errors["lead"] = _(
            "Trưởng đoàn phải có quyền kiểm tra cơ quan này. / The lead inspector must be "
            "allowed to inspect this organisation."
        )
    team = list(dict.fromkeys(m for m in members if lead is None or m.pk != lead.pk))
    if len(team) > MAX_MEMBERS:
        errors["members"] = _("Tối đa %(max)d thành viên. / At most %(max)d members.") % {
            "max": MAX_MEMBERS
        }
    elif any(not access.can(m, Perm.INSPECTION_RUN, organisation) for m in team):
        errors["members"] = _(
            "Mọi thành viên phải có quyền kiểm tra cơ quan này. / Every member must be "
            "allowed to inspect this organisation."
        )
    try:
        purpose = bounded(purpose, TEXT_MAX, "purpose")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    version = provincial_version(organisation)
    if version is None:
        errors["organisation"] = _(
            "Chưa có bộ quy tắc ứng xử đang áp dụng cho cơ quan này. / No code of conduct "
            "is in force for this organisation."
        )
    elif not selectors.checklist_clauses(version).exists():
        errors["organisation"] = _(
            "Bộ quy tắc đang áp dụng không có chuẩn mực nào kiểm tra được khi thanh tra. / The "
            "code of conduct in force has no clause observable in inspections."
        )
    if errors:
        raise ValidationError(errors)
    assert version is not None and lead is not None and planned_on is not None
    inspection = Inspection.objects.create(
        code=_free_code(),
        organisation=organisation,
        kind=kind,
        planned_on=planned_on,
        purpose=purpose,
        lead=lead,
        code_version=version,
        created_by=actor,
    )
    inspection.members.set(team)
    record(
        "inspection.plan",
        actor=actor,
        obj=inspection,
        organisation=organisation,
        summary=f"{inspection.code}: {organisation.name}",
        data={
            "kind": kind,
            "planned_on": planned_on.isoformat(),
            "lead": lead.pk,
            "members": [m.pk for m in team],
            "code_version": version.pk,
        },
    )
    return inspection


@dataclass(frozen=True)
class Answer:
    """One clause's answer on the checklist; `result` "" leaves it unanswered."""

    observation_id: int
    result: str = ""
    note: str = ""
    staff_id: int | None = None


@transaction.atomic
def record_observations(
    inspection: Inspection, answers: Sequence[Answer], *, actor: User
) -> list[Observation]:
    """Save the checklist answers, all or none (while the inspection is in progress).

    Errors are keyed by the observation's id: `result-<id>`, `note-<id>`, `staff-<id>`.
    """
    inspection = Inspection.objects.select_for_update(of=("self",)).get(pk=inspection.pk)
    access.require(actor, Perm.INSPECTION_RUN, inspection.organisation)
    if inspection.status != S.IN_PROGRESS:
        raise ValidationError(
            {
                "observations": _(
                    "Chỉ ghi kết quả khi cuộc kiểm tra đang diễn ra. / Observations are "
                    "recorded only while the inspection is in progress."
                )
            }
        )
    by_id = {o.pk: o for o in inspection.observations.all()}
    staff_ids = set(
        selectors.organisation_staff(inspection.organisation).values_list("pk", flat=True)
    )
    errors: dict[str, str] = {}
    changed: list[Observation] = []
    now = timezone.now()
    for answer in answers:
        observation = by_id.get(answer.observation_id)
        if observation is None:
            errors["observations"] = _(
                "Chuẩn mực không thuộc danh mục kiểm tra. / A clause is not on this checklist."
            )
            continue
        key = str(observation.pk)
        if answer.result not in ("", *R.values):
            errors[f"result-{key}"] = _("Chọn một kết quả. / Choose a result.")
            continue
        try:
            note = bounded(answer.note, NOTE_MAX, f"note-{key}")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
            continue
        if answer.result == R.BREACHED and not note:
            errors[f"note-{key}"] = _("Ghi rõ vi phạm đã thấy. / Describe the breach you saw.")
            continue
        if answer.staff_id is not None and answer.staff_id not in staff_ids:
            errors[f"staff-{key}"] = _(
                "Cán bộ không thuộc cơ quan được kiểm tra. / The staff member is not in the "
                "inspected organisation."
            )
            continue
        if (observation.result, observation.note, observation.staff_id) == (
            answer.result,
            note,
            answer.staff_id,
        ):
            continue
        if answer.result != R.BREACHED and (
            observation.case_id is not None or observation.corrective_actions.exists()
        ):
            errors[f"result-{key}"] = _(
                "Vi phạm này đã có vụ việc hoặc biện pháp khắc phục; không đổi được kết quả. "
                "/ This breach already has a case or a corrective action; its result "
                "cannot change."
            )
            continue
        observation.result = answer.result
        observation.note = note
        observation.staff_id = answer.staff_id
        observation.recorded_by = actor
        observation.recorded_at = now
        changed.append(observation)
    if errors:
        raise ValidationError(errors)
    Observation.objects.bulk_update(
        changed, ["result", "note", "staff", "recorded_by", "recorded_at"]
    )
    if changed:
        record(
            "inspection.observe",
            actor=actor,
            obj=inspection,
            organisation=inspection.organisation,
            summary=f"{inspection.code}: {len(changed)}",
            data={
                "observations": {
                    str(o.pk): {"clause": o.clause_id, "result": o.result, "staff": o.staff_id}
                    for o in changed
                }
            },
        )
    return changed


def _breach(observation: Observation, actor: User) -> tuple[Inspection, Observation]:
    observation = Observation.objects.select_for_update(of=("self",)).get(pk=observation.pk)
    inspection = Inspection.objects.select_related("organisation").get(pk=observation.inspection_id)
    access.require(actor, Perm.INSPECTION_RUN, inspection.organisation)
    if inspection.status not in (S.IN_PROGRESS, S.CONCLUDED):
        raise ValidationError(
            {
                "observation": _(
                    "Cuộc kiểm tra chưa bắt đầu hoặc đã hủy. / The inspection has not started "
                    "or was cancelled."
                )
            }
        )
    if observation.result != R.BREACHED:
        raise ValidationError(
            {
                "observation": _(
                    "Chỉ áp dụng cho chuẩn mực bị vi phạm. / Only a breached clause can have this."
                )
            }
        )
    return inspection, observation


@transaction.atomic
def open_case(observation: Observation, *, actor: User) -> Case:
    """Open a misconduct case from a breach, through the cases service; the case is linked
    to the observation. A second call returns the case already opened."""
    inspection, observation = _breach(observation, actor)
    if observation.case_id is not None:
        return Case.objects.get(pk=observation.case_id)
    clause = observation.clause
    applies = applicable_clauses(inspection.organisation).filter(pk=clause.pk).exists()
    started = timezone.localdate(inspection.started_at) if inspection.started_at else None
    description = _(
        "Phát hiện qua cuộc kiểm tra công vụ %(code)s tại %(organisation)s: %(note)s"
    ) % {
        "code": inspection.code,
        "organisation": inspection.organisation.name,
        "note": observation.note,
    }
    staff: StaffMember | None = observation.staff
    case = case_services.open_from_inspection(
        organisation=inspection.organisation,
        subject_staff=staff,
        # A clause of a version retired since the inspection is named in words instead.
        clause_ids=[clause.pk] if applies else [],
        other_standard="" if applies else f"{clause.code} {clause.short_title}"[:300],
        occurred_on=started or timezone.localdate(),
        description=description,
        actor=actor,
    )
    observation.case = case
    observation.save(update_fields=["case"])
    record(
        "inspection.open_case",
        actor=actor,
        obj=inspection,
        organisation=inspection.organisation,
        summary=f"{inspection.code} → {case.code}",
        data={"observation": observation.pk, "clause": clause.pk, "case": case.code},
    )
    return case


@transaction.atomic
def add_corrective_action(
    observation: Observation, *, actor: User, description: str, days: int | None = None
) -> CorrectiveAction:
    """Ask the organisation to fix a breach within `days` working days (default: the setting)."""
    inspection, observation = _breach(observation, actor)
    errors: dict[str, str] = {}
    try:
        description = bounded(description, TEXT_MAX, "description")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        description = ""
    if not description and "description" not in errors:
        errors["description"] = _("Ghi nội dung cần khắc phục. / Say what must be fixed.")
    if days is not None and not (DAYS_MIN <= days <= DAYS_MAX):
        errors["days"] = _(
            "Thời hạn từ %(low)d đến %(high)d ngày làm việc. / The term is %(low)d to "
            "%(high)d working days."
        ) % {"low": DAYS_MIN, "high": DAYS_MAX}
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    action = CorrectiveAction.objects.create(
        observation=observation,
        description=description,
        due_on=corrective_due(today, days),
        created_by=actor,
    )
    record(
        "inspection.corrective_action",
        actor=actor,
        obj=action,
        organisation=inspection.organisation,
        summary=f"{inspection.code}: {description[:120]}",
        data={"observation": observation.pk, "due_on": action.due_on.isoformat()},
    )
    return action


@transaction.atomic
def respond(
    action: CorrectiveAction, *, actor: User, response: str, done: bool = False
) -> CorrectiveAction:
    """The inspected organisation reports on a corrective action (INSPECTION_RESPOND,
    after the conclusion); `done` closes it."""
    action = CorrectiveAction.objects.select_for_update(of=("self",)).get(pk=action.pk)
    inspection = Inspection.objects.select_related("organisation").get(
        observations__pk=action.observation_id
    )
    access.require(actor, Perm.INSPECTION_RESPOND, inspection.organisation)
    if inspection.status != S.CONCLUDED:
        raise ValidationError(
            {
                "response": _(
                    "Chỉ báo cáo khắc phục sau khi có kết luận kiểm tra. / Report on corrective "
                    "actions once the inspection is concluded."
                )
            }
        )
    if action.status == CorrectiveAction.Status.DONE:
        raise ValidationError(
            {
                "response": _(
                    "Biện pháp này đã được báo cáo hoàn thành. / This action is already "
                    "reported done."
                )
            }
        )
    response = bounded(response, TEXT_MAX, "response")
    if not response:
        raise ValidationError({"response": _("Ghi kết quả khắc phục. / Describe what was done.")})
    now = timezone.now()
    action.response = response
    action.responded_at = now
    action.responded_by = actor
    fields = ["response", "responded_at", "responded_by"]
    if done:
        action.status = CorrectiveAction.Status.DONE
        action.done_at = now
        fields += ["status", "done_at"]
    action.save(update_fields=fields)
    record(
        "inspection.respond",
        actor=actor,
        obj=action,
        organisation=inspection.organisation,
        summary=f"{inspection.code}: {action.get_status_display()}",
        data={"done": bool(done), "overdue": action.due_on < timezone.localdate()},
    )
    return action
