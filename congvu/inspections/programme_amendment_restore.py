"""Restoring an abandoned draft amendment of a programme (it was abandoned by mistake).

Kept apart from `programme_amendments` (opening, proposing, approving, abandoning) by topic
and size; the same rules: one amendment in preparation at a time, who may as for
abandoning, one audit event.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.audit.services import record

from .models import ProgrammeAmendment
from .programme_amendments import draft_amendment, may_abandon, next_number
from .programme_services import locked, required_reason


def open_draft_refusal(draft: ProgrammeAmendment) -> str:
    return _(
        "Kế hoạch đang có dự thảo điều chỉnh lần %(number)d; hãy phê duyệt hoặc hủy bỏ dự thảo "
        "đó trước khi khôi phục. / The programme has draft amendment %(number)d open; approve "
        "or abandon it before restoring this one."
    ) % {"number": draft.number}


def restore_amendment(
    amendment: ProgrammeAmendment, *, actor: User, reason: str
) -> ProgrammeAmendment:
    """Bring an abandoned draft back to preparation, with the reason (it was abandoned by
    mistake), its proposals as they were. Who may: as for abandoning. Refused while the
    programme has another draft: one amendment in preparation at a time.

    Its number: the next free one (one more than the highest approved amendment's). That is
    its old number unless another amendment has taken it meanwhile; then it comes after
    that one, so the signed decisions stay 1, 2, 3 with no gap and no repeat."""
    with transaction.atomic():
        programme = locked(amendment.programme)
        amendment = ProgrammeAmendment.objects.select_for_update().get(pk=amendment.pk)
        amendment.programme = programme
        if not may_abandon(actor, amendment):
            access.require(actor, Perm.INSPECTION_RUN, programme.organisation)
        if not amendment.is_abandoned:
            raise ValidationError(
                _(
                    "Chỉ khôi phục được dự thảo điều chỉnh đã hủy bỏ. / Only an abandoned "
                    "draft amendment can be restored."
                )
            )
        draft = draft_amendment(programme)
        if draft is not None:
            raise ValidationError(open_draft_refusal(draft))
        errors: dict[str, str] = {}
        reason = required_reason(
            reason,
            _("Nhập lý do khôi phục dự thảo. / Enter the reason for restoring the draft."),
            errors,
        )
        if errors:
            raise ValidationError(errors)
        number = next_number(programme)
        old = {
            "number": amendment.number,
            "abandoned_at": amendment.abandoned_at.isoformat() if amendment.abandoned_at else None,
            "abandoned_by": amendment.abandoned_by_id,
            "abandon_reason": amendment.abandon_reason[:500],
        }
        amendment.status = ProgrammeAmendment.Status.DRAFT
        amendment.number = number
        amendment.abandoned_at, amendment.abandoned_by, amendment.abandon_reason = None, None, ""
        try:
            with transaction.atomic():
                amendment.save(
                    update_fields=[
                        "status",
                        "number",
                        "abandoned_at",
                        "abandoned_by",
                        "abandon_reason",
                        "updated_at",
                    ]
                )
        except IntegrityError:
            # Another draft was opened between the check and the save.
            raise ValidationError(
                _(
                    "Kế hoạch đang có một điều chỉnh chưa phê duyệt. / The programme already "
                    "has an amendment in preparation."
                )
            ) from None
        record(
            "inspection_programme.amendment_restore",
            actor=actor,
            obj=programme,
            organisation=programme.organisation,
            summary=f"{programme.title}: khôi phục dự thảo điều chỉnh lần {number}"[:200],
            data={
                "amendment": amendment.pk,
                "number": number,
                "was": old,
                "changes": amendment.changes.count(),
                "reason": reason[:500],
            },
        )
    return amendment
