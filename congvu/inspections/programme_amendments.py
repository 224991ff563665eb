"""Amending an approved yearly programme (quyết định điều chỉnh kế hoạch kiểm tra).

An officer who may edit the programme (INSPECTION_RUN on its issuing organisation) opens
an amendment with its reason, then proposes changes: an organisation added, an item
cancelled (with its reason; the item is kept, never deleted) or rescheduled (a new
quarter or month). The changes are a draft: they reach the items only when the amendment
is approved with its decision's number and date, which needs
INSPECTION_PROGRAMME_APPROVE (Home Affairs leadership), like the programme's approval.
Until then the inspected organisations see the approved version.

An item whose inspection has started (in progress or concluded) can be neither cancelled
nor rescheduled: what happened stays in the programme. Checked when proposed and again
when approved (an inspection may start in between). One amendment in preparation at a
time (a partial unique constraint). Every function writes one audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.audit.services import record
from congvu.organisations.models import Organisation

from . import notices
from .models import (
    Inspection,
    InspectionProgramme,
    ProgrammeAmendment,
    ProgrammeChange,
    ProgrammeItem,
)
from .programme_services import (
    DECISION_MAX,
    REASON_MAX,
    YEAR_MAX,
    YEAR_MIN,
    already_in,
    check_item,
    check_period,
    checked_text,
    duplicate,
    locked,
    required_reason,
)

A = ProgrammeChange.Action
STARTED = (Inspection.Status.IN_PROGRESS, Inspection.Status.CONCLUDED)


def _approved_programme(programme: InspectionProgramme, actor: User) -> InspectionProgramme:
    programme = locked(programme)
    access.require(actor, Perm.INSPECTION_RUN, programme.organisation)
    if programme.is_draft:
        raise ValidationError(
            _(
                "Kế hoạch chưa được phê duyệt: sửa trực tiếp, không cần điều chỉnh. / The "
                "programme is not approved yet: change it directly, no amendment is needed."
            )
        )
    return programme


def next_number(programme: InspectionProgramme) -> int:
    """The number of a new (or restored) draft: one more than the highest amendment not
    abandoned. An abandoned draft frees its number: the decisions are numbered 1, 2, 3."""
    live = programme.amendments.exclude(status=ProgrammeAmendment.Status.ABANDONED)
    return (live.aggregate(n=Max("number"))["n"] or 0) + 1


def open_amendment(
    programme: InspectionProgramme, *, actor: User, reason: str
) -> ProgrammeAmendment:
    """Open an amendment of an approved programme (INSPECTION_RUN on its issuing body)."""
    with transaction.atomic():
        programme = _approved_programme(programme, actor)
        errors: dict[str, str] = {}
        reason = required_reason(
            reason, _("Nhập lý do điều chỉnh. / Enter the reason for the amendment."), errors
        )
        if programme.amendments.filter(status=ProgrammeAmendment.Status.DRAFT).exists():
            errors["reason"] = _(
                "Kế hoạch đang có một điều chỉnh chưa phê duyệt. / The programme already has "
                "an amendment in preparation."
            )
        if errors:
            raise ValidationError(errors)
        number = next_number(programme)
        try:
            with transaction.atomic():
                amendment = ProgrammeAmendment.objects.create(
                    programme=programme, number=number, reason=reason, created_by=actor
                )
        except IntegrityError:
            raise ValidationError(
                {
                    "reason": _(
                        "Kế hoạch đang có một điều chỉnh chưa phê duyệt. / The programme "
                        "already has an amendment in preparation."
                    )
                }
            ) from None
        record(
            "inspection_programme.amendment_open",
            actor=actor,
            obj=programme,
            organisation=programme.organisation,
            summary=f"{programme.title}: điều chỉnh lần {number}",
            data={"amendment": amendment.pk, "number": number, "reason": reason[:500]},
        )
    return amendment


def draft_amendment(programme: InspectionProgramme) -> ProgrammeAmendment | None:
    return programme.amendments.filter(status=ProgrammeAmendment.Status.DRAFT).first()


def open_for(programme: InspectionProgramme, actor: User) -> ProgrammeAmendment:
    """The programme's amendment in preparation, locked; a clear error when there is none."""
    programme = _approved_programme(programme, actor)
    amendment = (
        ProgrammeAmendment.objects.select_for_update()
        .filter(programme=programme, status=ProgrammeAmendment.Status.DRAFT)
        .first()
    )
    if amendment is None:
        raise ValidationError(
            _(
                "Hãy mở một điều chỉnh kế hoạch (kèm lý do) trước. / Open an amendment of the "
                "programme (with its reason) first."
            )
        )
    amendment.programme = programme
    return amendment


def taken(amendment: ProgrammeAmendment, organisation_id: int, quarter: int) -> bool:
    """Does a pending addition or rescheduling already put the organisation in `quarter`?"""
    return amendment.changes.filter(
        Q(action=A.ADD) | Q(action=A.RESCHEDULE),
        organisation_id=organisation_id,
        quarter=quarter,
    ).exists()


def change_refusal(item: ProgrammeItem, *, started: bool, pending: bool) -> str | None:
    """Why `item` may be neither cancelled nor rescheduled now, or None: it is cancelled, its
    inspection has started, or the amendment in preparation changes it already."""
    if item.is_cancelled:
        return _("Mục này đã bị hủy. / This item is cancelled.") + f" ({item.organisation.name})"
    if started:
        return _(
            "%(name)s: cuộc kiểm tra của mục này đã bắt đầu, không hủy hay đổi thời gian "
            "được. / %(name)s: this item's inspection has started; it can be neither "
            "cancelled nor rescheduled."
        ) % {"name": item.organisation.name}
    if pending:
        return _(
            "Mục này đã có thay đổi trong điều chỉnh đang soạn; hãy bỏ thay đổi đó trước. / "
            "This item already has a change in the amendment; withdraw it first."
        )
    return None


def _changeable(item: ProgrammeItem, amendment: ProgrammeAmendment) -> None:
    """An item may be cancelled or rescheduled: not cancelled, no started inspection, not
    changed already by this amendment."""
    refusal = change_refusal(
        item,
        started=Inspection.objects.filter(programme_item=item, status__in=STARTED).exists(),
        pending=amendment.changes.filter(item=item).exists(),
    )
    if refusal:
        raise ValidationError(refusal)


def record_change(change: ProgrammeChange, actor: User, verb: str) -> None:
    programme = change.amendment.programme
    record(
        f"inspection_programme.change_{verb}",
        actor=actor,
        obj=programme,
        organisation=programme.organisation,
        summary=(
            f"{programme.title} (điều chỉnh lần {change.amendment.number}): "
            f"{change.get_action_display()} {change.organisation.name} {change.period_label}"
        )[:200],
        data={
            "amendment": change.amendment_id,
            "change": change.pk,
            "action": change.action,
            "item": change.item_id,
            "organisation": change.organisation_id,
            "quarter": change.quarter,
            "month": change.month,
            "old_quarter": change.old_quarter,
            "old_month": change.old_month,
            "reason": change.reason[:500],
        },
    )


@transaction.atomic
def propose_addition(
    programme: InspectionProgramme,
    *,
    actor: User,
    organisation: Organisation | None,
    quarter: int | None = None,
    month: int | None = None,
    kind: str,
    lead: User | None = None,
    note: str = "",
) -> ProgrammeChange:
    """Add an organisation through the open amendment; the item exists once approved."""
    amendment = open_for(programme, actor)
    quarter, note = check_item(
        amendment.programme,
        actor=actor,
        organisation=organisation,
        quarter=quarter,
        month=month,
        kind=kind,
        lead=lead,
        note=note,
    )
    assert organisation is not None
    if taken(amendment, organisation.pk, quarter):
        raise ValidationError({"organisation": already_in(quarter)})
    change = ProgrammeChange.objects.create(
        amendment=amendment,
        action=A.ADD,
        organisation=organisation,
        quarter=quarter,
        month=month,
        kind=kind,
        lead=lead,
        note=note,
        created_by=actor,
    )
    record_change(change, actor, "add")
    return change


def checked_reason(reason: str, *, required: bool) -> str:
    errors: dict[str, str] = {}
    reason = checked_text(reason, REASON_MAX, "reason", errors).strip()
    if required and not reason and "reason" not in errors:
        errors["reason"] = _("Nhập lý do hủy. / Enter the reason for the cancellation.")
    if errors:
        raise ValidationError(errors)
    return reason


@transaction.atomic
def propose_cancellation(item: ProgrammeItem, *, actor: User, reason: str) -> ProgrammeChange:
    """Cancel an item through the open amendment (the reason is required and kept)."""
    amendment = open_for(item.programme, actor)
    reason = checked_reason(reason, required=True)
    _changeable(item, amendment)
    change = ProgrammeChange.objects.create(
        amendment=amendment,
        action=A.CANCEL,
        item=item,
        organisation=item.organisation,
        old_quarter=item.quarter,
        old_month=item.month,
        reason=reason,
        created_by=actor,
    )
    record_change(change, actor, "cancel")
    return change


@transaction.atomic
def propose_reschedule(
    item: ProgrammeItem,
    *,
    actor: User,
    quarter: int | None = None,
    month: int | None = None,
    reason: str = "",
) -> ProgrammeChange:
    """Move an item to another quarter or month through the open amendment."""
    amendment = open_for(item.programme, actor)
    errors: dict[str, str] = {}
    new_quarter = check_period(quarter, month, errors)
    if errors:
        raise ValidationError(errors)
    reason = checked_reason(reason, required=False)
    _changeable(item, amendment)
    assert new_quarter is not None
    if (new_quarter, month) == (item.quarter, item.month):
        raise ValidationError(
            {
                "quarter": _(
                    "Thời gian mới trùng thời gian hiện tại. / The new period is the current one."
                )
            }
        )
    clash = (
        item.programme.items.filter(organisation=item.organisation_id, quarter=new_quarter)
        .exclude(pk=item.pk)
        .exists()
    )
    if clash or taken(amendment, item.organisation_id, new_quarter):
        raise ValidationError({"quarter": already_in(new_quarter)})
    change = ProgrammeChange.objects.create(
        amendment=amendment,
        action=A.RESCHEDULE,
        item=item,
        organisation=item.organisation,
        quarter=new_quarter,
        month=month,
        old_quarter=item.quarter,
        old_month=item.month,
        reason=reason,
        created_by=actor,
    )
    record_change(change, actor, "reschedule")
    return change


@transaction.atomic
def withdraw_change(change: ProgrammeChange, *, actor: User) -> None:
    """Take a proposed change out of the amendment in preparation."""
    amendment = open_for(change.amendment.programme, actor)
    if change.amendment_id != amendment.pk:
        raise ValidationError(
            _(
                "Thay đổi này thuộc một điều chỉnh đã phê duyệt hoặc đã hủy bỏ. / This change "
                "belongs to an approved or abandoned amendment."
            )
        )
    change.amendment = amendment
    record_change(change, actor, "withdraw")
    change.delete()


def _decision_errors(decision_number: str, decision_on: dt.date | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    decision_number = checked_text(decision_number, DECISION_MAX, "decision_number", errors)
    if not decision_number.strip() and "decision_number" not in errors:
        errors["decision_number"] = _(
            "Nhập số quyết định điều chỉnh. / Enter the amending decision's number."
        )
    if decision_on is None:
        errors["decision_on"] = _(
            "Nhập ngày quyết định điều chỉnh. / Enter the amending decision's date."
        )
    elif not YEAR_MIN <= decision_on.year <= YEAR_MAX:
        errors["decision_on"] = _("Ngày không hợp lệ. / Invalid date.")
    return errors


def _apply(change: ProgrammeChange, now: dt.datetime) -> None:
    if change.action == A.ADD:
        assert change.quarter is not None
        change.item = ProgrammeItem.objects.create(
            programme=change.amendment.programme,
            organisation=change.organisation,
            quarter=change.quarter,
            month=change.month,
            kind=change.kind,
            lead=change.lead,
            note=change.note,
        )
        change.save(update_fields=["item"])
        return
    item = change.item
    assert item is not None
    if change.action == A.CANCEL:
        item.cancelled_at, item.cancel_reason = now, change.reason
        item.save(update_fields=["cancelled_at", "cancel_reason"])
    else:
        assert change.quarter is not None
        change.old_quarter, change.old_month = item.quarter, item.month
        change.save(update_fields=["old_quarter", "old_month"])
        item.quarter, item.month = change.quarter, change.month
        item.save(update_fields=["quarter", "month"])


def approve_amendment(
    amendment: ProgrammeAmendment,
    *,
    actor: User,
    decision_number: str,
    decision_on: dt.date | None,
) -> ProgrammeAmendment:
    """Approve the amendment with its decision ("Quyết định số 45/QĐ-SNV ngày 10/06/2026"):
    its changes reach the items in one transaction, or none does."""
    with transaction.atomic():
        programme = locked(amendment.programme)
        access.require(actor, Perm.INSPECTION_PROGRAMME_APPROVE, programme.organisation)
        amendment = ProgrammeAmendment.objects.select_for_update().get(pk=amendment.pk)
        amendment.programme = programme
        if amendment.is_abandoned:
            raise ValidationError(_abandoned_refusal())
        if not amendment.is_draft:
            raise ValidationError(
                _("Điều chỉnh này đã được phê duyệt. / This amendment is already approved.")
            )
        errors = _decision_errors(decision_number, decision_on)
        changes = list(
            amendment.changes.select_related("item__organisation", "organisation", "lead")
        )
        if not changes:
            errors["changes"] = _(
                "Điều chỉnh chưa có thay đổi nào. / The amendment has no change yet."
            )
        if errors:
            raise ValidationError(errors)
        started = set(
            Inspection.objects.filter(
                programme_item__in=[c.item_id for c in changes if c.item_id],
                status__in=STARTED,
            ).values_list("programme_item_id", flat=True)
        )
        # A restored draft may change an item another amendment has cancelled since.
        late = [
            c.organisation.name
            for c in changes
            if c.item_id in started or (c.item is not None and c.item.is_cancelled)
        ]
        if late:
            raise ValidationError(
                {
                    "changes": _(
                        "Cuộc kiểm tra đã bắt đầu hoặc mục đã bị hủy ở: %(names)s; hãy bỏ các "
                        "thay đổi đó. / The inspection has started, or the item is cancelled, "
                        "at: %(names)s; withdraw those changes."
                    )
                    % {"names": ", ".join(late)}
                }
            )
        now = timezone.now()
        try:
            with transaction.atomic():
                for change in changes:
                    _apply(change, now)
        except IntegrityError:
            raise duplicate() from None
        amendment.status = ProgrammeAmendment.Status.APPROVED
        amendment.decision_number = decision_number.strip()
        amendment.decision_on = decision_on
        amendment.approved_at, amendment.approved_by = now, actor
        amendment.save(
            update_fields=[
                "status",
                "decision_number",
                "decision_on",
                "approved_at",
                "approved_by",
                "updated_at",
            ]
        )
        counts: dict[str, Any] = dict.fromkeys(A.values, 0)
        for change in changes:
            counts[change.action] += 1
        record(
            "inspection_programme.amendment_approve",
            actor=actor,
            obj=programme,
            organisation=programme.organisation,
            summary=(
                f"{programme.title}: điều chỉnh lần {amendment.number} {amendment.decision_number}"
            )[:200],
            data={
                "amendment": amendment.pk,
                "decision_number": amendment.decision_number,
                "decision_on": decision_on.isoformat() if decision_on else None,
                **counts,
            },
        )
        for change in changes:
            if change.action == A.CANCEL and change.item is not None:
                notices.item_cancelled(
                    change.item,
                    decision=amendment.decision_number,
                    decided_on=decision_on,
                    actor=actor,
                )
    return amendment


def _abandoned_refusal() -> str:
    return _(
        "Điều chỉnh này đã bị hủy bỏ; hãy mở một điều chỉnh mới. / This amendment was "
        "abandoned; open a new one."
    )


def may_abandon(user: Any, amendment: ProgrammeAmendment) -> bool:
    """Its drafter, or anyone who may edit the programme (INSPECTION_RUN on its issuer)."""
    drafter = amendment.created_by_id is not None and amendment.created_by_id == user.pk
    return drafter or access.can(user, Perm.INSPECTION_RUN, amendment.programme.organisation)


def abandon_amendment(
    amendment: ProgrammeAmendment, *, actor: User, reason: str
) -> ProgrammeAmendment:
    """Give up an amendment in preparation, with the reason: it is kept (never deleted) with
    its proposals, shown as abandoned with who, when and why, and counts nowhere; a new
    amendment can then be opened. An approved amendment is a signed decision: only another
    amendment changes what it did."""
    with transaction.atomic():
        programme = locked(amendment.programme)
        amendment = ProgrammeAmendment.objects.select_for_update().get(pk=amendment.pk)
        amendment.programme = programme
        if not may_abandon(actor, amendment):
            access.require(actor, Perm.INSPECTION_RUN, programme.organisation)
        if amendment.status == ProgrammeAmendment.Status.APPROVED:
            raise ValidationError(
                _(
                    "Điều chỉnh đã được phê duyệt, không hủy bỏ được; hãy ban hành một điều "
                    "chỉnh mới. / The amendment is approved and cannot be abandoned; issue a new "
                    "amendment instead."
                )
            )
        if amendment.is_abandoned:
            raise ValidationError(
                _("Điều chỉnh này đã bị hủy bỏ. / This amendment is already abandoned.")
            )
        errors: dict[str, str] = {}
        reason = required_reason(
            reason,
            _("Nhập lý do hủy bỏ điều chỉnh. / Enter the reason for abandoning the amendment."),
            errors,
        )
        if errors:
            raise ValidationError(errors)
        amendment.status = ProgrammeAmendment.Status.ABANDONED
        amendment.abandoned_at, amendment.abandoned_by = timezone.now(), actor
        amendment.abandon_reason = reason
        amendment.save(
            update_fields=[
                "status",
                "abandoned_at",
                "abandoned_by",
                "abandon_reason",
                "updated_at",
            ]
        )
        record(
            "inspection_programme.amendment_abandon",
            actor=actor,
            obj=programme,
            organisation=programme.organisation,
            summary=f"{programme.title}: hủy bỏ dự thảo điều chỉnh lần {amendment.number}"[:200],
            data={
                "amendment": amendment.pk,
                "number": amendment.number,
                "changes": amendment.changes.count(),
                "reason": reason[:500],
            },
        )
    return amendment
