"""The state table of an inspection, and the one function that moves it.

    planned ──► in_progress ──► concluded
       │             │
       └─────────────┴──► cancelled (with a reason)

Starting fixes the checklist (one observation per observable clause of the
inspection's code version). Concluding needs the conclusion text and an answer
for every clause: a clause nobody looked at is answered "not observed", never
left blank, so the record says what was and was not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import in_record_language, record
from congvu.core.text import bounded

from . import notices, selectors
from .models import Inspection, Observation

S = Inspection.Status

ALLOWED: Final[Mapping[Inspection.Status, frozenset[Inspection.Status]]] = {
    S.PLANNED: frozenset({S.IN_PROGRESS, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.CONCLUDED, S.CANCELLED}),
    S.CONCLUDED: frozenset(),
    S.CANCELLED: frozenset(),
}

TEXT_MAX: Final = 20_000


class TransitionNotAllowed(ValidationError):
    pass


def allowed_moves(inspection: Inspection) -> list[Inspection.Status]:
    targets = ALLOWED.get(S(inspection.status), frozenset())
    return [status for status in S if status in targets]


def _start(inspection: Inspection) -> None:
    clauses = selectors.checklist_clauses(inspection.code_version)
    Observation.objects.bulk_create(
        [
            Observation(inspection=inspection, clause=clause, order=order)
            for order, clause in enumerate(clauses)
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def transition(
    inspection: Inspection,
    to: Inspection.Status | str,
    *,
    actor: Any,
    conclusion: str = "",
    reason: str = "",
) -> Inspection:
    """Start, conclude or cancel `inspection` (INSPECTION_RUN on its organisation)."""
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=inspection.pk)
    )
    access.require(actor, Perm.INSPECTION_RUN, inspection.organisation)
    try:
        target = S(to)
    except ValueError:
        raise TransitionNotAllowed(
            {"to": _("Trạng thái không hợp lệ. / Unknown status.")}
        ) from None
    source = S(inspection.status)
    if target not in ALLOWED[source]:
        raise TransitionNotAllowed(
            {
                "to": _(
                    "Không thể chuyển từ “%(from)s” sang “%(to)s”. / This inspection cannot "
                    "move from “%(from)s” to “%(to)s”."
                )
                % {"from": source.label, "to": target.label}
            }
        )
    now = timezone.now()
    fields = ["status", "updated_at"]
    if target == S.IN_PROGRESS:
        inspection.started_at = now
        fields.append("started_at")
        _start(inspection)
    elif target == S.CONCLUDED:
        conclusion = bounded(conclusion, TEXT_MAX, "conclusion")
        errors: dict[str, str] = {}
        unanswered = inspection.observations.filter(result="").count()
        if unanswered:
            errors["observations"] = _(
                "Còn %(n)d chuẩn mực chưa có kết quả; hãy trả lời tất cả (chọn “Không quan "
                "sát được” nếu không kiểm tra được). / %(n)d clauses have no answer yet; answer "
                "every one (choose “not observed” where you could not check)."
            ) % {"n": unanswered}
        if not conclusion:
            errors["conclusion"] = _("Cần nội dung kết luận. / The conclusion is required.")
        if errors:
            raise ValidationError(errors)
        inspection.conclusion = conclusion
        inspection.concluded_at = now
        fields += ["conclusion", "concluded_at"]
    elif target == S.CANCELLED:
        reason = bounded(reason, TEXT_MAX, "reason")
        if not reason:
            raise ValidationError(
                {"reason": _("Cần ghi lý do hủy. / Say why the inspection is cancelled.")}
            )
        inspection.cancel_reason = reason
        inspection.cancelled_at = now
        fields += ["cancel_reason", "cancelled_at"]
    inspection.status = target
    inspection.save(update_fields=fields)
    with in_record_language():
        record(
            f"inspection.{target.value}",
            actor=actor,
            obj=inspection,
            organisation=inspection.organisation,
            summary=f"{inspection.code}: {source.label} → {target.label}",
            data={"from": source.value, "to": target.value},
        )
    if target == S.CONCLUDED:
        notices.concluded(inspection, actor=actor)
    elif target == S.CANCELLED:
        notices.cancelled(inspection, actor=actor)
    return inspection
