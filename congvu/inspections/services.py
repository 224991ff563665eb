"""Writes on inspections: planning, the checklist and its evidence files, findings → cases
and corrective actions, the organisation's answers and their proof (the state table is in
workflow.py).

Each function checks the actor's permission through access.py, runs in one
transaction and writes one audit event.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.audit.services import in_record_language, record
from congvu.cases import services as case_services
from congvu.cases.models import Case
from congvu.conduct.selectors import applicable_clauses, provincial_version
from congvu.core.calendar import add_working_days
from congvu.core.text import bounded
from congvu.core.uploads import CheckedFile
from congvu.organisations.models import Organisation, StaffMember

from . import notices, selectors, uploads
from .models import (
    CorrectiveAction,
    Inspection,
    InspectionFile,
    InspectionProgramme,
    Observation,
    ProgrammeItem,
    new_inspection_code,
)

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


def _check_plan(
    organisation: Organisation,
    *,
    planned_on: Any,
    lead: User | None,
    members: Sequence[User],
    purpose: str,
    errors: dict[str, str],
    keeps: dt.date | None = None,
) -> tuple[list[User], str]:
    """The planned day, the team and the purpose of an inspection of `organisation`,
    checked: the members other than the lead, the purpose trimmed; problems into
    `errors`. The day is today or later (an announced inspection's organisation is told
    to prepare for it), unless it is the day already planned (`keeps`: a re-plan that
    changes only the team of an inspection whose day has come)."""
    if planned_on is None or not isinstance(planned_on, dt.date):
        errors["planned_on"] = _("Nhập ngày dự kiến. / Enter the planned date.")
    elif planned_on.year < 2000 or planned_on.year > 2100:
        errors["planned_on"] = _("Ngày không hợp lệ. / Invalid date.")
    elif planned_on < timezone.localdate() and planned_on != keeps:
        errors["planned_on"] = _(
            "Ngày dự kiến đã qua: chọn hôm nay hoặc một ngày sau. / The planned date has "
            "passed: choose today or a later day."
        )
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
    return team, purpose


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
    item: ProgrammeItem | None = None,
) -> Inspection:
    """Plan an inspection of `organisation` against its provincial code version in force;
    with `item`, the inspection carries out that item of an approved yearly programme (same
    organisation, same kind)."""
    access.require(actor, Perm.INSPECTION_RUN, organisation)
    errors: dict[str, str] = {}
    if item is not None:
        approved = InspectionProgramme.objects.filter(
            pk=item.programme_id, status=InspectionProgramme.Status.APPROVED
        )
        if not approved.exists():
            errors["item"] = _(
                "Kế hoạch năm chưa được phê duyệt. / The yearly programme is not approved yet."
            )
        elif item.cancelled_at is not None:
            errors["item"] = _("Mục kế hoạch đã bị hủy. / The programme item is cancelled.")
        elif item.organisation_id != organisation.pk:
            errors["organisation"] = _(
                "Cơ quan phải là cơ quan của mục kế hoạch. / The organisation must be the "
                "programme item's."
            )
        elif kind != item.kind:
            errors["kind"] = _(
                "Hình thức phải là hình thức của mục kế hoạch. / The kind must be the "
                "programme item's."
            )
    if kind not in Inspection.Kind.values:
        errors["kind"] = _("Chọn hình thức kiểm tra. / Choose the kind of inspection.")
    team, purpose = _check_plan(
        organisation,
        planned_on=planned_on,
        lead=lead,
        members=members,
        purpose=purpose,
        errors=errors,
    )
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
        programme_item=item,
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
            "programme_item": item.pk if item is not None else None,
        },
    )
    notices.planned(inspection, actor=actor)
    notices.team_added(inspection, [lead, *team], actor=actor)
    return inspection


REASON_MAX: Final = 2_000


@transaction.atomic
def replan(
    inspection: Inspection,
    *,
    actor: User,
    planned_on: dt.date | None,
    lead: User | None,
    members: Sequence[User],
    purpose: str,
    reason: str = "",
) -> Inspection:
    """Change a planned inspection's day, team or purpose before it starts (INSPECTION_RUN
    on its organisation). A new day needs `reason`; the organisation and the kind stay
    (another organisation or kind is another inspection: cancel this one). Nothing
    changed: nothing recorded."""
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=inspection.pk)
    )
    access.require(actor, Perm.INSPECTION_RUN, inspection.organisation)
    if inspection.status != S.PLANNED:
        raise ValidationError(
            _(
                "Chỉ sửa kế hoạch khi cuộc kiểm tra chưa bắt đầu. / The plan can only be "
                "changed before the inspection starts."
            ),
            code="not_planned",
        )
    errors: dict[str, str] = {}
    team, purpose = _check_plan(
        inspection.organisation,
        planned_on=planned_on,
        lead=lead,
        members=members,
        purpose=purpose,
        errors=errors,
        keeps=inspection.planned_on,
    )
    try:
        reason = bounded(reason, REASON_MAX, "reason")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    moved = isinstance(planned_on, dt.date) and planned_on != inspection.planned_on
    if moved and not reason and "reason" not in errors:
        errors["reason"] = _(
            "Cần ghi lý do đổi ngày kiểm tra. / Say why the inspection's day changes."
        )
    if errors:
        raise ValidationError(errors)
    assert planned_on is not None and lead is not None
    old_members = sorted(inspection.members.values_list("pk", flat=True))
    before: dict[str, Any] = {
        "planned_on": inspection.planned_on.isoformat(),
        "lead": inspection.lead_id,
        "members": old_members,
        "purpose": inspection.purpose,
    }
    after: dict[str, Any] = {
        "planned_on": planned_on.isoformat(),
        "lead": lead.pk,
        "members": sorted(m.pk for m in team),
        "purpose": purpose,
    }
    if before == after:
        return inspection
    old_team = {inspection.lead_id, *old_members}
    inspection.planned_on = planned_on
    inspection.lead = lead
    inspection.purpose = purpose
    inspection.save(update_fields=["planned_on", "lead", "purpose", "updated_at"])
    inspection.members.set(team)
    changed = [key for key in before if before[key] != after[key]]
    record(
        "inspection.replan",
        actor=actor,
        obj=inspection,
        organisation=inspection.organisation,
        summary=f"{inspection.code}: {', '.join(changed)}",
        data={"before": before, "after": after, "reason": reason},
    )
    if moved:
        notices.moved(inspection, actor=actor)
    notices.team_added(inspection, [m for m in [lead, *team] if m.pk not in old_team], actor=actor)
    return inspection


@dataclass(frozen=True)
class Answer:
    """One clause's answer on the checklist; `result` "" leaves it unanswered."""

    observation_id: int
    result: str = ""
    note: str = ""
    staff_id: int | None = None


#: New files per observation id: what a checklist submission attaches.
Uploads = Mapping[int, Sequence[Any]]


def record_observations(
    inspection: Inspection,
    answers: Sequence[Answer],
    *,
    actor: User,
    files: Uploads | None = None,
    remove: Collection[int] = (),
) -> list[Observation]:
    """Save the checklist answers and their evidence, all or none (while the inspection is
    in progress).

    `files` maps an observation's id to new uploads (photos, documents), `remove` lists
    evidence files to take off again: only files the actor uploaded. A refused file saves
    nothing of the submission. Errors are keyed by the observation's id: `result-<id>`,
    `note-<id>`, `staff-<id>`, `files-<id>`; `remove` for a file that cannot be removed.
    """
    # The permission first: nobody else's uploads are read, let alone cleaned.
    access.require(actor, Perm.INSPECTION_RUN, inspection.organisation)
    checked, file_errors = uploads.check_per_observation(files)
    stored: list[InspectionFile] = []
    try:
        with transaction.atomic():
            return _record(
                inspection,
                answers,
                actor=actor,
                checked=checked,
                file_errors=file_errors,
                remove=remove,
                stored=stored,
            )
    except BaseException:
        uploads.discard(stored)
        raise


def _record(
    inspection: Inspection,
    answers: Sequence[Answer],
    *,
    actor: User,
    checked: Mapping[int, list[CheckedFile]],
    file_errors: Mapping[str, Any],
    remove: Collection[int],
    stored: list[InspectionFile],
) -> list[Observation]:
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
    errors: dict[str, Any] = {}
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
        # Someone who has left since being observed stays on the record; nobody else new.
        if (
            answer.staff_id is not None
            and answer.staff_id not in staff_ids
            and answer.staff_id != observation.staff_id
        ):
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
    team_files = {
        f.pk: f
        for f in InspectionFile.objects.filter(
            observation__inspection=inspection, corrective_action=None
        )
    }
    counts = Counter(f.observation_id for f in team_files.values())
    removed: list[InspectionFile] = []
    for pk in dict.fromkeys(remove):
        item = team_files.get(pk)
        if item is None or item.uploaded_by_id != actor.pk:
            errors["remove"] = _(
                "Chỉ xóa được tệp do chính bạn tải lên cho cuộc kiểm tra này. / You can remove "
                "only files you uploaded to this inspection."
            )
            continue
        removed.append(item)
        counts[item.observation_id] -= 1
    for observation_id, new in checked.items():
        if observation_id not in by_id:
            errors["observations"] = _(
                "Chuẩn mực không thuộc danh mục kiểm tra. / A clause is not on this checklist."
            )
            continue
        try:
            uploads.check_count(counts[observation_id] + len(new))
        except ValidationError as exc:
            errors[f"files-{observation_id}"] = exc.error_list
    errors.update(file_errors)
    if errors:
        raise ValidationError(errors)
    Observation.objects.bulk_update(
        changed, ["result", "note", "staff", "recorded_by", "recorded_at"]
    )
    for observation_id, new in checked.items():
        uploads.store(by_id[observation_id], new, actor=actor, into=stored)
    if removed:
        InspectionFile.objects.filter(pk__in=[f.pk for f in removed]).delete()
        uploads.delete_after_commit(removed)
    if changed or stored or removed:
        data: dict[str, Any] = {
            "observations": {
                str(o.pk): {"clause": o.clause_id, "result": o.result, "staff": o.staff_id}
                for o in changed
            }
        }
        if stored:
            data["files"] = uploads.described(stored)
        if removed:
            data["removed"] = uploads.described(removed)
        record(
            "inspection.observe",
            actor=actor,
            obj=inspection,
            organisation=inspection.organisation,
            summary=f"{inspection.code}: {len(changed)}",
            data=data,
        )
    return changed


def attach_evidence(observation: Observation, *, actor: User, files: Sequence[Any]) -> Observation:
    """Attach photos or documents to one observation of an inspection in progress (the API's
    upload; the checklist page sends them with its answers). Errors are keyed `files`."""
    if not [item for item in files if item is not None]:
        raise ValidationError({"files": _("Chọn ít nhất một tệp. / Choose at least one file.")})
    inspection = Inspection.objects.select_related("organisation").get(pk=observation.inspection_id)
    try:
        record_observations(inspection, [], actor=actor, files={observation.pk: files})
    except ValidationError as exc:
        key = f"files-{observation.pk}"
        raise ValidationError(
            {("files" if field == key else field): e for field, e in exc.error_dict.items()}
        ) from None
    return observation


@transaction.atomic
def remove_file(item: InspectionFile, *, actor: User) -> None:
    """Take an evidence file off again: only its uploader, only while the inspection is in
    progress. A concluded inspection's files are its record and stay."""
    observation = Observation.objects.get(pk=item.observation_id)
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=observation.inspection_id)
    )
    access.require(actor, Perm.INSPECTION_RUN, inspection.organisation)
    if inspection.status != S.IN_PROGRESS or item.corrective_action_id is not None:
        raise ValidationError(
            {
                "file": _(
                    "Chỉ xóa được tệp khi cuộc kiểm tra đang diễn ra; tệp của cuộc kiểm tra đã "
                    "kết luận là hồ sơ, không xóa được. / Files can be removed only while the "
                    "inspection is in progress; a concluded inspection's files are on record."
                )
            }
        )
    if item.uploaded_by_id != actor.pk:
        raise PermissionDenied
    InspectionFile.objects.filter(pk=item.pk).delete()
    uploads.delete_after_commit([item])
    record(
        "inspection.remove_file",
        actor=actor,
        obj=inspection,
        organisation=inspection.organisation,
        summary=f"{inspection.code}: {item.original_name}"[:200],
        data={"removed": uploads.described([item])},
    )


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
    notices.action_added(action, inspection, actor=actor)
    return action


def respond(
    action: CorrectiveAction,
    *,
    actor: User,
    response: str,
    done: bool = False,
    files: Sequence[Any] = (),
) -> CorrectiveAction:
    """The inspected organisation reports on a corrective action (INSPECTION_RESPOND,
    after the conclusion), with its proof (`files`, errors keyed `files`); `done` closes it.
    A refused file saves nothing of the answer."""
    return _answer(action, actor=actor, response=response, done=done, files=files)


def attach_proof(
    action: CorrectiveAction, *, actor: User, files: Sequence[Any]
) -> CorrectiveAction:
    """Add proof files to an open corrective action without changing its answer (the API's
    upload; the page sends them with the answer)."""
    if not [item for item in files if item is not None]:
        raise ValidationError({"files": _("Chọn ít nhất một tệp. / Choose at least one file.")})
    return _answer(action, actor=actor, response=None, done=False, files=files)


def _answer(
    action: CorrectiveAction,
    *,
    actor: User,
    response: str | None,
    done: bool,
    files: Sequence[Any],
) -> CorrectiveAction:
    organisation = Organisation.objects.get(inspections__observations__pk=action.observation_id)
    # The permission first: nobody else's uploads are read, let alone cleaned.
    access.require(actor, Perm.INSPECTION_RESPOND, organisation)
    checked: list[CheckedFile] = []
    file_errors: dict[str, Any] = {}
    try:
        checked = uploads.check_files(files)
    except ValidationError as exc:
        file_errors["files"] = exc.error_list
    stored: list[InspectionFile] = []
    try:
        with transaction.atomic():
            return _save_answer(
                action,
                actor=actor,
                response=response,
                done=done,
                checked=checked,
                file_errors=file_errors,
                stored=stored,
            )
    except BaseException:
        uploads.discard(stored)
        raise


def _save_answer(
    action: CorrectiveAction,
    *,
    actor: User,
    response: str | None,
    done: bool,
    checked: list[CheckedFile],
    file_errors: dict[str, Any],
    stored: list[InspectionFile],
) -> CorrectiveAction:
    action = CorrectiveAction.objects.select_for_update(of=("self",)).get(pk=action.pk)
    inspection = Inspection.objects.select_related("organisation").get(
        observations__pk=action.observation_id
    )
    access.require(actor, Perm.INSPECTION_RESPOND, inspection.organisation)
    key = "files" if response is None else "response"
    if inspection.status != S.CONCLUDED:
        raise ValidationError(
            {
                key: _(
                    "Chỉ báo cáo khắc phục sau khi có kết luận kiểm tra. / Report on corrective "
                    "actions once the inspection is concluded."
                )
            }
        )
    if action.status == CorrectiveAction.Status.DONE:
        raise ValidationError(
            {
                key: _(
                    "Biện pháp này đã được báo cáo hoàn thành. / This action is already "
                    "reported done."
                )
            }
        )
    errors: dict[str, Any] = dict(file_errors)
    if response is not None:
        try:
            response = bounded(response, TEXT_MAX, "response")
        except ValidationError as exc:
            errors.update(exc.error_dict)
        else:
            if not response:
                errors["response"] = _("Ghi kết quả khắc phục. / Describe what was done.")
    if checked and "files" not in errors:
        try:
            uploads.check_count(action.files.count() + len(checked))
        except ValidationError as exc:
            errors["files"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    observation = Observation.objects.get(pk=action.observation_id)
    uploads.store(observation, checked, actor=actor, corrective_action=action, into=stored)
    data: dict[str, Any] = {}
    if stored:
        data["files"] = uploads.described(stored)
    if response is None:
        record(
            "inspection.attach_proof",
            actor=actor,
            obj=action,
            organisation=inspection.organisation,
            summary=f"{inspection.code}: {len(stored)}",
            data=data,
        )
        return action
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
    with in_record_language():
        record(
            "inspection.respond",
            actor=actor,
            obj=action,
            organisation=inspection.organisation,
            summary=f"{inspection.code}: {action.get_status_display()}",
            data={"done": bool(done), "overdue": action.due_on < timezone.localdate(), **data},
        )
    notices.answered(action, inspection, actor=actor)
    return action
