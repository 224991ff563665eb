from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from congvu.audit.models import AuditEvent
from congvu.cases import services
from congvu.cases.models import Case, CaseEvent

from .core_helpers import move, report

S = Case.Status


def test_every_case_event_is_chained_with_a_hash_and_no_personal_data(head, staff_member):
    receipt = report(
        staff_member,
        is_anonymous=False,
        reporter_name="Lê Thị Hoa",
        reporter_phone="0987654321",
    )
    move(receipt.case, S.ACCEPTED, actor=head)
    services.add_event(receipt.case, actor=head, kind=CaseEvent.Kind.NOTE, body="Ghi chú")
    events = list(receipt.case.events.select_related("audit_event"))
    assert len(events) == 3
    for event in events:
        assert event.audit_event is not None
        assert len(event.audit_event.data["sha256"]) == 64
        assert event.audit_event.object_id == str(event.pk)
    dumped = str(list(AuditEvent.objects.values("summary", "data")))
    assert "Hoa" not in dumped and "0987654321" not in dumped
    call_command("audit_verify")


def test_audit_verify_detects_an_edited_event_body(head, staff_member):
    case = report(staff_member).case
    event = services.add_event(case, actor=head, kind=CaseEvent.Kind.TO_REPORTER, body="Đã nhận")
    call_command("audit_verify")
    CaseEvent.objects.filter(pk=event.pk).update(body="Đã nhận và đã giải quyết xong")
    with pytest.raises(CommandError, match=f"Case event #{event.pk}"):
        call_command("audit_verify")


def test_audit_verify_detects_a_deleted_event_and_a_changed_audience(head, staff_member):
    case = report(staff_member).case
    note = services.add_event(case, actor=head, kind=CaseEvent.Kind.NOTE, body="Nội bộ")
    CaseEvent.objects.filter(pk=note.pk).update(audience=CaseEvent.Audience.SUBJECT)
    with pytest.raises(CommandError, match="changed after it was recorded"):
        call_command("audit_verify")
    CaseEvent.objects.filter(pk=note.pk).delete()
    with pytest.raises(CommandError, match="was deleted"):
        call_command("audit_verify")
