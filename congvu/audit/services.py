"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone, translation

from . import verifiers
from .models import AuditEvent, AuditHead, ChainVerification, search_text_of

GENESIS = "0" * 64


def in_record_language() -> translation.override:
    """Write an event's summary inside this: in Vietnamese whatever the actor's interface.
    A summary is permanent and hash-chained, read later by people in either language, and
    the record must not depend on who clicked (a transition taken in English stored
    "Planned → Validating"). Events already stored keep their text: the chain forbids
    rewriting them."""
    return translation.override(settings.LANGUAGE_CODE)


def _digest(prev_hash: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "organisation": event.organisation_id,
        "summary": event.summary,
        "data": event.data,
    }


def record(
    action: str,
    *,
    actor: Any,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    organisation: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call inside the service's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        event = AuditEvent(
            at=timezone.now(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            organisation_id=getattr(organisation, "pk", organisation),
            summary=summary[:300],
            data=json.loads(json.dumps(data or {}, default=str)),
            prev_hash=head.last_hash,
        )
        event.search_text = search_text_of(event.summary, event.object_id)
        event.hash = _digest(event.prev_hash, _payload(event))
        event.save()
        head.last_hash = event.hash
        head.save(update_fields=["last_hash"])
    return event


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_bad: AuditEvent | None
    reason: str = ""
    #: The last event found intact (None: none was).
    last_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def verify_chain() -> VerifyResult:
    """Walk the chain in order and report the first event whose hash does not hold."""
    prev = GENESIS
    checked = 0
    last_id: int | None = None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return VerifyResult(
                checked, event, "prev_hash does not match the previous event", last_id
            )
        if _digest(prev, _payload(event)) != event.hash:
            return VerifyResult(checked, event, "content does not match its hash", last_id)
        prev = event.hash
        checked += 1
        last_id = event.pk
    return VerifyResult(checked, None, last_id=last_id)


def hash_holds(event: AuditEvent) -> bool:
    """Does the event's stored hash still match its content and its `prev_hash`?"""
    return _digest(event.prev_hash, _payload(event)) == event.hash


PROBLEMS_KEPT = 200


def run_verification(
    *, trigger: str = ChainVerification.Trigger.DAILY, verification_id: int | None = None
) -> ChainVerification:
    """Verify the chain and the apps' verifiers, and store the outcome for the log's page.

    `verification_id`: the row queued by `request_verification`; without it a new row
    is written (the daily job). A row already finished is left as it is.
    """
    if verification_id is None:
        run = ChainVerification.objects.create(trigger=trigger, requested_at=timezone.now())
    else:
        found = ChainVerification.objects.filter(pk=verification_id).first()
        if found is None or found.finished_at is not None:
            return found or ChainVerification(trigger=trigger, requested_at=timezone.now())
        run = found
    result = verify_chain()
    problems = [
        f"[{name}] {problem}"
        for name, found_problems in verifiers.run_all().items()
        for problem in found_problems
    ]
    run.checked = result.checked
    run.last_event_id = result.last_id
    run.first_bad_id = result.first_bad.pk if result.first_bad is not None else None
    run.reason = result.reason
    run.problems = problems[:PROBLEMS_KEPT]
    run.problem_count = len(problems)
    run.finished_at = timezone.now()
    run.save()
    return run


#: A queued or running verification older than this lost its worker; a new one may start.
STALE_AFTER = dt.timedelta(minutes=30)


def request_verification(*, actor: Any) -> ChainVerification:
    """Queue a verification for the background worker (one at a time), audited."""
    from congvu.accounts import access
    from congvu.accounts.access import Perm

    if not access.holds_province_wide(actor, Perm.AUDIT_VIEW):
        raise PermissionDenied
    with transaction.atomic():
        AuditHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
        pending = ChainVerification.objects.filter(
            finished_at__isnull=True, requested_at__gt=timezone.now() - STALE_AFTER
        ).first()
        if pending is not None:
            return pending
        run = ChainVerification.objects.create(
            trigger=ChainVerification.Trigger.MANUAL,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        record("audit.verify_request", actor=actor, obj=run, summary=f"#{run.pk}")
        from .tasks import verify  # the task module imports this one

        transaction.on_commit(lambda: verify.enqueue(run.pk), robust=True)
    return run


def audit_csv_export(actor: Any, filters: Any) -> AuditEvent:
    """`audit.export`: who downloaded the log as CSV, with which filters (`selectors.Filters`).

    The file names every actor and quotes the summaries (staff names among them): reads of
    the log in bulk are recorded like the other files that carry many people's data."""
    asked = {key: value for key, value in dataclasses.asdict(filters).items() if value}
    with in_record_language():
        return record(
            "audit.export",
            actor=actor,
            summary=", ".join(f"{key}={value}" for key, value in asked.items()),
            data={"filters": asked, "format": "csv"},
        )
