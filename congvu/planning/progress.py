"""Progress of assignments: updates with evidence, the head's confirmation, extensions.

Who does what (accounts/access.py decides):

* the organisation's focal point or head (`PROGRESS_UPDATE` on the assignment's
  organisation) reports progress and asks for extensions;
* its head (`PROGRESS_CONFIRM`) confirms completion; a confirmed assignment is
  final, and the focal point may correct a "done" report only before that;
* the assigning side (`PLAN_MANAGE` on the task's plan's issuing organisation)
  approves or refuses extensions. Approval moves `due_on`; `original_due_on`
  never changes, so the original deadline stays visible and reports can tell
  extended work from work done within the first deadline.

Every service locks the assignment, runs in one transaction, writes an audit
event and refreshes the assignment's rollup row. Notifications are rows in the
same transaction: they exist exactly when the decision does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import record
from congvu.core.notices import notify

from . import notices, rollups, uploads
from .models import Assignment, EvidenceFile, ExtensionRequest, ProgressUpdate

S = Assignment.State
P = Assignment.Progress


# --- Helpers ---------------------------------------------------------------------------------


def _lock(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("task__plan", "organisation")
        .get(pk=assignment.pk)
    )


def _refresh_rollup(assignment: Assignment) -> None:
    rollups.refresh(
        plan_id=assignment.task.plan_id,
        organisation_ids=[assignment.organisation_id],
        periods=[assignment.period],
    )


def _detail_url(assignment: Assignment) -> str:
    return reverse("assignments:detail", args=[assignment.pk])


def _day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


# --- Progress updates ------------------------------------------------------------------------

PERCENT_RANGE: Final = range(0, 101)


def _check_progress(
    progress: P, percent: int, completed_on: dt.date | None, *, period_start: dt.date
) -> dt.date | None:
    """The completion date to store; raise with every problem keyed by form field."""
    errors: dict[str, str] = {}
    if percent not in PERCENT_RANGE:
        errors["percent"] = _(
            "Tỷ lệ hoàn thành phải từ 0 đến 100. / The percentage must be between 0 and 100."
        )
    elif progress == P.NOT_STARTED and percent != 0:
        errors["percent"] = _(
            "Chưa thực hiện thì tỷ lệ hoàn thành là %(percent)s. / Not started means %(percent)s."
        ) % {"percent": "0%"}
    elif progress == P.IN_PROGRESS and percent == 100:
        errors["percent"] = _(
            "Đã đạt %(percent)s: hãy chọn “Đã hoàn thành”. / At %(percent)s, choose “Done”."
        ) % {"percent": "100%"}
    elif progress == P.DONE and percent != 100:
        errors["percent"] = _(
            "Hoàn thành thì tỷ lệ phải là %(percent)s. / Done means %(percent)s."
        ) % {"percent": "100%"}
    if progress != P.DONE:
        if errors:
            raise ValidationError(errors)
        return None
    today = timezone.localdate()
    completed_on = completed_on or today
    if completed_on > today:
        errors["completed_on"] = _(
            "Ngày hoàn thành không được sau hôm nay. / The completion date cannot be in the future."
        )
    elif completed_on < period_start:
        errors["completed_on"] = _(
            "Ngày hoàn thành không được trước đầu kỳ (%(start)s). / The completion date cannot "
            "be before the start of the period."
        ) % {"start": _day(period_start)}
    if errors:
        raise ValidationError(errors)
    return completed_on


def _nothing_new() -> str:
    return _(
        "Tiến độ không thay đổi: hãy ghi chú tình hình hoặc đính kèm minh chứng. / "
        "The progress has not changed: add a note on how it stands, or evidence."
    )


def update_progress(
    assignment: Assignment,
    *,
    actor: Any,
    progress: Assignment.Progress | str,
    percent: int,
    note: str = "",
    completed_on: dt.date | None = None,
    files: Sequence[Any] = (),
) -> ProgressUpdate:
    """Report progress on `assignment`, with evidence files; "done" awaits the head.

    Errors are a ValidationError keyed by field: "progress", "percent",
    "completed_on", "evidence" (the files), "note" (nothing changed, nothing said, no
    file: an update that would only say "updated"), or none for a confirmed assignment.
    """
    access.require(actor, Perm.PROGRESS_UPDATE, assignment.organisation)
    try:
        progress = P(progress)
    except ValueError as exc:
        raise ValidationError({"progress": _("Tiến độ không hợp lệ. / Invalid progress.")}) from exc
    try:
        checked = uploads.check_files(files)
    except ValidationError as error:
        raise ValidationError({"evidence": error.error_list}) from error
    stored: list[EvidenceFile] = []
    try:
        with transaction.atomic():
            current = _lock(assignment)
            if current.confirmed_at is not None:
                raise ValidationError(
                    _(
                        "Người đứng đầu đã xác nhận hoàn thành nhiệm vụ này; không thể cập nhật "
                        "thêm. / The head has confirmed completion; no further updates."
                    )
                )
            done_on = _check_progress(
                progress, percent, completed_on, period_start=current.period_start
            )
            unchanged = (progress, percent, done_on) == (
                current.progress,
                current.percent,
                current.completed_on,
            )
            if unchanged and not note.strip() and not checked:
                raise ValidationError({"note": _nothing_new()})
            now = timezone.now()
            update = ProgressUpdate.objects.create(
                assignment=current,
                progress=progress,
                percent=percent,
                note=note.strip(),
                completed_on=done_on,
                author=actor,
                created_at=now,
            )
            uploads.store(update, checked, into=stored)
            before = {"progress": current.progress, "percent": current.percent}
            current.progress, current.percent = progress, percent
            current.completed_on, current.last_update_at = done_on, now
            current.save(
                update_fields=[
                    "progress",
                    "percent",
                    "completed_on",
                    "last_update_at",
                    "updated_at",
                ]
            )
            record(
                "planning.progress_update",
                actor=actor,
                obj=current,
                organisation=current.organisation,
                summary=f"{progress.value} {percent}%",
                data={
                    "update": update.pk,
                    "from": before,
                    "to": {"progress": progress.value, "percent": percent},
                    "completed_on": done_on,
                    "files": [{"name": f.original_name, "sha256": f.sha256} for f in stored],
                },
            )
            _refresh_rollup(current)
    except BaseException:
        uploads.discard(stored)
        raise
    assignment.refresh_from_db()
    return update


@transaction.atomic
def confirm_completion(assignment: Assignment, *, actor: Any) -> Assignment:
    """The head confirms that the reported completion is real; the assignment is then final."""
    access.require(actor, Perm.PROGRESS_CONFIRM, assignment.organisation)
    current = _lock(assignment)
    if current.progress != P.DONE or current.completed_on is None:
        raise ValidationError(
            _(
                "Nhiệm vụ chưa được báo cáo hoàn thành. / The assignment has not been reported "
                "as done."
            )
        )
    if current.confirmed_at is not None:
        raise ValidationError(
            _("Nhiệm vụ đã được xác nhận hoàn thành. / Completion is already confirmed.")
        )
    current.confirmed_by, current.confirmed_at = actor, timezone.now()
    current.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    record(
        "planning.progress_confirm",
        actor=actor,
        obj=current,
        organisation=current.organisation,
        summary=f"{_day(current.completed_on)}",
        data={"completed_on": current.completed_on, "due_on": current.due_on},
    )
    _refresh_rollup(current)
    reporter = (
        current.updates.filter(progress=P.DONE)
        .order_by("-created_at")
        .values_list("author_id", flat=True)
    ).first()
    if reporter is not None and reporter != actor.pk:
        notify(
            reporter,
            kind="progress_confirmed",
            key=notices.PROGRESS_CONFIRMED.key,
            params={"task": str(current.task), "day": current.completed_on},
            url=_detail_url(current),
        )
    assignment.refresh_from_db()
    return current


# --- Extensions ------------------------------------------------------------------------------


def _pending_exists() -> ValidationError:
    return ValidationError(
        _("Đã có một đề nghị gia hạn đang chờ duyệt. / An extension request is already pending.")
    )


def request_extension(
    assignment: Assignment, *, actor: Any, requested_due_on: dt.date, reason: str
) -> ExtensionRequest:
    """The organisation asks the assigning side for a later deadline (one pending at a time)."""
    access.require(actor, Perm.PROGRESS_UPDATE, assignment.organisation)
    reason = (reason or "").strip()
    try:
        with transaction.atomic():
            current = _lock(assignment)
            errors: dict[str, str] = {}
            if current.completed_on is not None:
                raise ValidationError(
                    _(
                        "Nhiệm vụ đã hoàn thành; không cần gia hạn. / The assignment is done; "
                        "no extension is needed."
                    )
                )
            if requested_due_on <= current.due_on:
                errors["requested_due_on"] = _(
                    "Hạn đề nghị phải sau hạn hiện tại (%(due)s). / The requested deadline must "
                    "be after the current one."
                ) % {"due": _day(current.due_on)}
            if not reason:
                errors["reason"] = _("Hãy nêu lý do. / Give a reason.")
            if errors:
                raise ValidationError(errors)
            if current.extensions.filter(status=ExtensionRequest.Status.PENDING).exists():
                raise _pending_exists()
            extension = ExtensionRequest.objects.create(
                assignment=current,
                requested_due_on=requested_due_on,
                previous_due_on=current.due_on,
                reason=reason,
                requested_by=actor,
            )
            record(
                "planning.extension_request",
                actor=actor,
                obj=extension,
                organisation=current.organisation,
                summary=f"{_day(current.due_on)} → {_day(requested_due_on)}",
                data={
                    "assignment": current.pk,
                    "original_due_on": current.original_due_on,
                    "due_on": current.due_on,
                    "requested_due_on": requested_due_on,
                    "reason": reason,
                },
            )
    except IntegrityError as exc:
        # Two requests at the same moment: the partial unique constraint lets one through.
        raise _pending_exists() from exc
    return extension


def pending_extensions(user: Any) -> QuerySet[ExtensionRequest]:
    """Pending requests on work assigned by organisations where `user` manages plans, or
    by one that was closed and taken over by such an organisation (a plan of the former
    province's committee is managed by the merged one: `services.managing_organisation`)."""
    managed = access.organisations_for(user, Perm.PLAN_MANAGE).values("pk")
    issuer = "assignment__task__plan__issuing_organisation"
    return ExtensionRequest.objects.filter(
        Q(**{f"{issuer}__in": managed}) | Q(**{f"{issuer}__successor__in": managed}),
        status=ExtensionRequest.Status.PENDING,
    )


def can_decide(user: Any, extension: ExtensionRequest) -> bool:
    from .services import managing_organisation

    return access.can(user, Perm.PLAN_MANAGE, managing_organisation(extension.assignment.task.plan))


@transaction.atomic
def decide_extension(
    extension: ExtensionRequest, *, actor: Any, approve: bool, reason: str = ""
) -> ExtensionRequest:
    """The assigning side approves (moving `due_on`) or refuses, with a reason, an extension."""
    # Lock the assignment before the request, in the same order as `request_extension`.
    assignment = _lock(Assignment(pk=extension.assignment_id))
    current = ExtensionRequest.objects.select_for_update(of=("self",)).get(pk=extension.pk)
    current.assignment = assignment
    # The requesting organisation sees the request but is not the assigning side: 403,
    # even when the issuing organisation itself is outside what it may see.
    if not can_decide(actor, current):
        raise PermissionDenied
    if current.status != ExtensionRequest.Status.PENDING:
        raise ValidationError(
            _("Đề nghị này đã được quyết định. / This request has already been decided.")
        )
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError(
            {"reason": _("Hãy nêu lý do không chấp thuận. / Give the reason for refusing.")}
        )
    current.status = (
        ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
    )
    current.decided_by, current.decided_at = actor, timezone.now()
    current.decision_reason = reason
    current.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    previous_due_on = assignment.due_on
    if approve:
        assignment.due_on = current.requested_due_on
        assignment.save(update_fields=["due_on", "updated_at"])
        _refresh_rollup(assignment)
    record(
        "planning.extension_approve" if approve else "planning.extension_refuse",
        actor=actor,
        obj=current,
        organisation=assignment.organisation,
        summary=f"{_day(previous_due_on)} → {_day(assignment.due_on)}",
        data={
            "assignment": assignment.pk,
            "original_due_on": assignment.original_due_on,
            "previous_due_on": previous_due_on,
            "requested_due_on": current.requested_due_on,
            "due_on": assignment.due_on,
            "reason": reason,
        },
    )
    notify(
        current.requested_by_id,
        kind="extension_decision",
        key=(notices.EXTENSION_APPROVED if approve else notices.EXTENSION_REFUSED).key,
        params={
            "task": str(assignment.task),
            "due": assignment.due_on,
            "original": assignment.original_due_on,
            "reason": reason,
        },
        url=_detail_url(assignment),
    )
    extension.refresh_from_db()
    return current
