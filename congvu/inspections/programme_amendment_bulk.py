"""Many proposals at once in the amendment in preparation: organisations added (ticked, of a
kind, or not inspected for N years, as a draft programme's bulk entry), and ticked items of
the approved programme cancelled or rescheduled with one reason.

All or nothing, like the draft programme's bulk entry (whose checks,
`programme_services.check_many`, the additions reuse): every refused organisation or item is
named with its reason and nothing is saved. The rules are those of one proposal
(`programme_amendments`): an item cancelled already, whose inspection has started, or that
the amendment changes already is refused; a rescheduling into a quarter where the
organisation already is, is refused. One audit event per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from congvu.accounts.models import User
from congvu.audit.services import record
from congvu.organisations.models import Organisation

from .models import (
    Inspection,
    InspectionProgramme,
    ProgrammeAmendment,
    ProgrammeChange,
    ProgrammeItem,
)
from .programme_amendments import STARTED, change_refusal, checked_reason, open_for
from .programme_services import BULK_MAX, already_in, check_many, check_period

A = ProgrammeChange.Action
#: The audit summary is Vietnamese whatever the actor's language.
VERB_VI = {A.ADD: "bổ sung", A.CANCEL: "hủy", A.RESCHEDULE: "đổi thời gian"}


def _pending(amendment: ProgrammeAmendment) -> set[tuple[int, int]]:
    """(organisation, quarter) the amendment's additions and reschedulings put in the
    programme."""
    return {
        (organisation, quarter)
        for organisation, quarter in amendment.changes.filter(
            Q(action=A.ADD) | Q(action=A.RESCHEDULE)
        ).values_list("organisation_id", "quarter")
        if quarter is not None
    }


def _record(
    amendment: ProgrammeAmendment, actor: User, verb: ProgrammeChange.Action, data: dict[str, Any]
) -> None:
    programme = amendment.programme
    record(
        f"inspection_programme.changes_{verb}",
        actor=actor,
        obj=programme,
        organisation=programme.organisation,
        summary=(
            f"{programme.title} (điều chỉnh lần {amendment.number}): "
            f"{len(data['changes'])} × {VERB_VI[verb]}"
        )[:200],
        data={"amendment": amendment.pk, **data},
    )


@transaction.atomic
def propose_additions(
    programme: InspectionProgramme,
    *,
    actor: User,
    organisations: Sequence[Organisation],
    quarter: int | None = None,
    month: int | None = None,
    kind: str,
    lead: User | None = None,
    note: str = "",
) -> list[ProgrammeChange]:
    """Propose several organisations at once for one period and kind; each item exists once
    the amendment is approved."""
    amendment = open_for(programme, actor)
    chosen, quarter, note = check_many(
        amendment.programme,
        actor=actor,
        organisations=organisations,
        quarter=quarter,
        month=month,
        kind=kind,
        lead=lead,
        note=note,
        pending=_pending(amendment),
    )
    changes = ProgrammeChange.objects.bulk_create(
        [
            ProgrammeChange(
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
            for organisation in chosen
        ]
    )
    _record(
        amendment,
        actor,
        A.ADD,
        {
            "changes": [c.pk for c in changes],
            "organisations": [o.pk for o in chosen],
            "quarter": quarter,
            "month": month,
            "kind": kind,
            "lead": lead.pk if lead else None,
        },
    )
    return changes


def _ticked(
    amendment: ProgrammeAmendment, items: Sequence[ProgrammeItem], errors: dict[str, Any]
) -> list[ProgrammeItem]:
    """The ticked items without repeats, each checked against what the amendment may change
    (one query for the started inspections, one for the pending changes)."""
    chosen = list({i.pk: i for i in items}.values())
    if not chosen:
        errors["items"] = _("Chọn ít nhất một mục. / Choose at least one item.")
        return []
    if len(chosen) > BULK_MAX:
        errors["items"] = _("Tối đa %(n)d mục một lần. / At most %(n)d items at once.") % {
            "n": BULK_MAX
        }
        return []
    started = set(
        Inspection.objects.filter(programme_item__in=chosen, status__in=STARTED).values_list(
            "programme_item_id", flat=True
        )
    )
    pending = set(amendment.changes.filter(item__in=chosen).values_list("item_id", flat=True))
    refused = []
    for item in chosen:
        if item.programme_id != amendment.programme_id:
            refused.append(
                _("Mục %(id)d không thuộc kế hoạch này. / Item %(id)d is not in this programme.")
                % {"id": item.pk}
            )
            continue
        refusal = change_refusal(item, started=item.pk in started, pending=item.pk in pending)
        if refusal:
            refused.append(f"{item.organisation.name}: {refusal}")
    if refused:
        errors["items"] = refused
    return chosen


def _reason(reason: str, *, required: bool, errors: dict[str, Any]) -> str:
    try:
        return checked_reason(reason, required=required)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        return ""


def _propose_for_items(
    amendment: ProgrammeAmendment,
    actor: User,
    action: ProgrammeChange.Action,
    chosen: Sequence[ProgrammeItem],
    *,
    reason: str,
    quarter: int | None = None,
    month: int | None = None,
) -> list[ProgrammeChange]:
    """One change per ticked item (a cancellation, or a rescheduling to `quarter`/`month`),
    with one audit event for the batch."""
    changes = ProgrammeChange.objects.bulk_create(
        [
            ProgrammeChange(
                amendment=amendment,
                action=action,
                item=item,
                organisation=item.organisation,
                quarter=quarter,
                month=month,
                old_quarter=item.quarter,
                old_month=item.month,
                reason=reason,
                created_by=actor,
            )
            for item in chosen
        ]
    )
    data: dict[str, Any] = {"changes": [c.pk for c in changes], "items": [i.pk for i in chosen]}
    if action == A.RESCHEDULE:
        data |= {"quarter": quarter, "month": month}
    _record(amendment, actor, action, data | {"reason": reason[:500]})
    return changes


@transaction.atomic
def propose_cancellations(
    programme: InspectionProgramme,
    *,
    actor: User,
    items: Sequence[ProgrammeItem],
    reason: str,
) -> list[ProgrammeChange]:
    """Cancel the ticked items through the amendment, each with the one reason given."""
    amendment = open_for(programme, actor)
    errors: dict[str, Any] = {}
    reason = _reason(reason, required=True, errors=errors)
    chosen = _ticked(amendment, items, errors)
    if errors:
        raise ValidationError(errors)
    return _propose_for_items(amendment, actor, A.CANCEL, chosen, reason=reason)


@transaction.atomic
def propose_reschedules(
    programme: InspectionProgramme,
    *,
    actor: User,
    items: Sequence[ProgrammeItem],
    quarter: int | None = None,
    month: int | None = None,
    reason: str = "",
) -> list[ProgrammeChange]:
    """Move the ticked items to one quarter or month through the amendment, with the one
    reason given (optional, as for one item)."""
    amendment = open_for(programme, actor)
    errors: dict[str, Any] = {}
    new_quarter = check_period(quarter, month, errors)
    reason = _reason(reason, required=False, errors=errors)
    chosen = _ticked(amendment, items, errors)
    if new_quarter is not None and chosen and "items" not in errors:
        # Where the organisations already are in that quarter: an item, or a pending
        # addition or rescheduling; an item moved within its own quarter keeps its place.
        occupied = set(
            amendment.programme.items.filter(quarter=new_quarter).values_list(
                "organisation_id", flat=True
            )
        ) | {organisation for organisation, q in _pending(amendment) if q == new_quarter}
        refused = []
        for item in chosen:
            if (new_quarter, month) == (item.quarter, item.month):
                refused.append(
                    f"{item.organisation.name}: "
                    + _(
                        "Thời gian mới trùng thời gian hiện tại. / The new period is the "
                        "current one."
                    )
                )
            elif item.quarter != new_quarter:
                if item.organisation_id in occupied:
                    refused.append(f"{item.organisation.name}: {already_in(new_quarter)}")
                occupied.add(item.organisation_id)
        if refused:
            errors["items"] = refused
    if errors:
        raise ValidationError(errors)
    assert new_quarter is not None
    return _propose_for_items(
        amendment, actor, A.RESCHEDULE, chosen, reason=reason, quarter=new_quarter, month=month
    )
