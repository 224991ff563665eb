"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


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

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def verify_chain() -> VerifyResult:
    """Walk the chain in order and report the first event whose hash does not hold."""
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return VerifyResult(checked, event, "prev_hash does not match the previous event")
        if _digest(prev, _payload(event)) != event.hash:
            return VerifyResult(checked, event, "content does not match its hash")
        prev = event.hash
        checked += 1
    return VerifyResult(checked, None)
