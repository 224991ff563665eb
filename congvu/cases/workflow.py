"""The state table of a case, and the one function that moves a case through it.

    received ──► accepted ──► investigating ──► concluded ──► closed
       │  ▲                        ▲                            │
       ▼  │ (reopened on appeal)   └────── (reopened on appeal) ┘
     rejected

A rejection needs its reason (duplicate, out of scope, not enough information),
told to the reporter; a conclusion needs its outcome (substantiated, partly,
unsubstantiated) and the text told to both parties; a reopening needs a note.

Who is told what (the event's audience): the reporter hears of acceptance,
rejection and investigation; both parties of the conclusion, the closing and
a reopening. The `note` becomes part of that event, so it is read by its audience.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.core.text import bounded

from . import clocks, history, notices, timeline
from .models import Case, CaseEvent
from .visibility import require_handler

S = Case.Status
A = CaseEvent.Audience

ALLOWED: Final[Mapping[Case.Status, frozenset[Case.Status]]] = {
    S.RECEIVED: frozenset({S.ACCEPTED, S.REJECTED}),
    S.ACCEPTED: frozenset({S.INVESTIGATING}),
    S.INVESTIGATING: frozenset({S.CONCLUDED}),
    S.CONCLUDED: frozenset({S.CLOSED}),
    # Reopened on appeal (a note saying why is required).
    S.CLOSED: frozenset({S.INVESTIGATING}),
    S.REJECTED: frozenset({S.RECEIVED}),
}

#: Moves that reopen a finished case: they need a note.
REOPENING: Final = frozenset({(S.CLOSED, S.INVESTIGATING), (S.REJECTED, S.RECEIVED)})

AUDIENCE: Final[Mapping[Case.Status, str]] = {
    S.ACCEPTED: A.REPORTER,
    S.REJECTED: A.REPORTER,
    S.INVESTIGATING: A.REPORTER,
    S.CONCLUDED: A.PARTIES,
    S.CLOSED: A.PARTIES,
    S.RECEIVED: A.REPORTER,
}

NOTE_MAX: Final = 5000
CONCLUSION_MAX: Final = 20_000


class TransitionNotAllowed(ValidationError):
    pass


def allowed_moves(case: Case) -> list[Case.Status]:
    """The moves to offer for `case`, in the table's order of the statuses."""
    targets = ALLOWED.get(S(case.status), frozenset())
    return [status for status in S if status in targets]


def _body(case: Case, to: Case.Status, note: str) -> str:
    if to == S.REJECTED:
        head = history.REJECTED.write(reason=case.get_reject_reason_display())
    elif to == S.CONCLUDED:
        head = history.CONCLUDED.write(outcome=case.get_outcome_display())
        if case.conclusion:
            head += "\n" + case.conclusion
    elif to == S.ACCEPTED and case.settle_due is not None:
        head = history.ACCEPTED.write(due=f"{case.settle_due:%d/%m/%Y}")
    else:
        head = history.MOVED.write(status=S(to).label)
    return f"{head}\n{note}" if note else head


@timeline.in_vietnamese
@transaction.atomic
def transition(
    case: Case,
    to: Case.Status | str,
    *,
    actor: Any,
    note: str = "",
    outcome: str = "",
    reject_reason: str = "",
    conclusion: str = "",
) -> Case:
    """Move `case` to `to`, recording who did it and why."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("handling_organisation")
        .get(pk=case.pk)
    )
    require_handler(actor, case)
    try:
        target = S(to)
    except ValueError:
        raise TransitionNotAllowed(
            {"to": _("Trạng thái không hợp lệ. / Unknown status.")}
        ) from None
    source = S(case.status)
    if target not in ALLOWED.get(source, frozenset()):
        raise TransitionNotAllowed(
            {
                "to": _(
                    "Không thể chuyển từ “%(from)s” sang “%(to)s”. / This case cannot move from "
                    "“%(from)s” to “%(to)s”."
                )
                % {"from": source.label, "to": target.label}
            }
        )
    note = bounded(note, NOTE_MAX, "note")
    errors: dict[str, str] = {}
    if (source, target) in REOPENING and not note:
        errors["note"] = _(
            "Cần ghi lý do mở lại (kháng nghị, khiếu nại tiếp). / Say why the case is reopened."
        )
    if target == S.REJECTED and reject_reason not in Case.RejectReason.values:
        errors["reject_reason"] = _(
            "Chọn lý do không thụ lý. / Choose why the case is not accepted."
        )
    if target == S.CONCLUDED:
        if outcome not in Case.Outcome.values:
            errors["outcome"] = _("Chọn kết luận. / Choose the outcome.")
        conclusion = bounded(conclusion, CONCLUSION_MAX, "conclusion")
        if not conclusion:
            errors["conclusion"] = _(
                "Cần nội dung kết luận gửi người phản ánh. / The conclusion for the reporter "
                "is required."
            )
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    today = timezone.localdate()
    fields = ["status", "updated_at"]
    case.status = target
    if case.first_response_at is None:
        case.first_response_at = now
        fields.append("first_response_at")
    if target == S.ACCEPTED:
        case.accepted_at = now
        case.settle_due = clocks.settle_due(today, case.track)
        case.extensions = 0
        fields += ["accepted_at", "settle_due", "extensions"]
    elif target == S.REJECTED:
        case.reject_reason = reject_reason
        case.rejected_at = now
        fields += ["reject_reason", "rejected_at"]
    elif target == S.CONCLUDED:
        case.outcome = outcome
        case.conclusion = conclusion
        case.concluded_at = now
        fields += ["outcome", "conclusion", "concluded_at"]
    elif target == S.CLOSED:
        case.closed_at = now
        fields.append("closed_at")
    if (source, target) in REOPENING:
        # A reopened case is handled again: its old end no longer counts (retention, metrics).
        case.closed_at = None
        case.rejected_at = None
        case.reject_reason = ""
        fields += ["closed_at", "rejected_at", "reject_reason"]
        if target == S.RECEIVED:
            case.acknowledge_due = clocks.acknowledge_due(today, case.track)
            fields.append("acknowledge_due")
    case.save(update_fields=list(dict.fromkeys(fields)))
    timeline.add(
        case,
        kind=CaseEvent.Kind.TRANSITION,
        actor=actor,
        action=f"case.{target.value}",
        audience=AUDIENCE.get(target, A.INTERNAL),
        body=_body(case, target, note),
        from_status=source.value,
        to_status=target.value,
        summary=f"{case.code}: {source.label} → {target.label}",
        data={"outcome": case.outcome, "reject_reason": case.reject_reason},
    )
    if target == S.CONCLUDED:
        notices.tell_subject(case, notices.SUBJECT_CONCLUDED)
    return case
