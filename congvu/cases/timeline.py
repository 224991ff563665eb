"""Writing a case's timeline: every `CaseEvent` is chained in the audit log.

A case event is append-only. When it is written, its content is hashed
(`event_digest`) and the hash goes into the data of an audit event, whose own
hash is chained with every other audit event. `verify_events` (registered with
`congvu.audit.verifiers`, run by `manage.py audit_verify`) recomputes each
event's hash, so editing an event's body afterwards is detected even though
the audit chain itself is intact.

The audit data never holds personal data: no reporter name or contact, no IP
address, only the hash and the event's kind.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.utils import timezone, translation

from congvu.audit.services import record

from . import mail
from .models import Case, CaseEvent

Kind = CaseEvent.Kind
Audience = CaseEvent.Audience


P = ParamSpec("P")
R = TypeVar("R")


def event_digest(event: CaseEvent) -> str:
    """The sha256 of what an event says, to whom, when and about which case."""
    payload = {
        "case": event.case_id,
        "kind": event.kind,
        "audience": event.audience,
        "body": event.body,
        "from": event.from_status,
        "to": event.to_status,
        "actor": event.actor_id,
        "at": event.created_at.isoformat(),
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def add(
    case: Case,
    *,
    kind: str,
    actor: Any,
    action: str,
    audience: str = Audience.INTERNAL,
    body: str = "",
    from_status: str = "",
    to_status: str = "",
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append one event to `case`'s timeline and its audit event (call inside a transaction).

    `data` is extra audit data: it must hold no personal data.
    """
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        audience=audience,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        body=body,
        from_status=from_status,
        to_status=to_status,
        created_at=timezone.now(),
    )
    # Read back what the database stores (microseconds on every backend) before hashing.
    event.refresh_from_db(fields=["created_at"])
    audit_event = record(
        action,
        actor=actor,
        obj=event,
        organisation=case.handling_organisation_id,
        summary=summary or f"{case.code}: {event.get_kind_display()}",
        data={
            "case": case.code,
            "kind": kind,
            "audience": audience,
            "sha256": event_digest(event),
            **(data or {}),
        },
    )
    CaseEvent.objects.filter(pk=event.pk).update(audit_event=audit_event)
    event.audit_event = audit_event
    mail.schedule(case, event)
    return event


def verify_events() -> list[str]:
    """Every case event whose content no longer matches the hash in its audit event."""
    problems: list[str] = []
    events = CaseEvent.objects.select_related("audit_event").order_by("pk")
    for event in events.iterator(chunk_size=2000):
        audit_event = event.audit_event
        if audit_event is None:
            problems.append(f"Case event #{event.pk} has no audit event.")
            continue
        if audit_event.object_id != str(event.pk) or audit_event.object_type != "cases.caseevent":
            problems.append(f"Case event #{event.pk} points to another object's audit event.")
            continue
        if (audit_event.data or {}).get("sha256") != event_digest(event):
            problems.append(
                f"Case event #{event.pk} ({event.kind}) was changed after it was recorded "
                f"(audit event #{audit_event.pk})."
            )
    # An event deleted from the timeline leaves its audit event behind.
    from congvu.audit.models import AuditEvent

    recorded = AuditEvent.objects.filter(object_type="cases.caseevent").values_list(
        "pk", "object_id"
    )
    existing = {str(pk) for pk in CaseEvent.objects.values_list("pk", flat=True)}
    for audit_pk, object_id in recorded.iterator(chunk_size=5000):
        if object_id not in existing:
            problems.append(f"Case event #{object_id} (audit event #{audit_pk}) was deleted.")
    return problems


def in_vietnamese(func: Callable[P, R]) -> Callable[P, R]:
    """Run a writing service in Vietnamese: the texts it stores in the timeline (and the
    audit log) are read later by people whose interface may be in either language, and
    the record itself must not depend on who clicked. Messages of the errors it raises
    carry both languages anyway ("Tiếng Việt. / English.")."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper
