import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congvu.audit.models import AuditEvent
from congvu.audit.services import record, verify_chain

pytestmark = pytest.mark.django_db


def test_every_event_is_chained_to_the_previous_one():
    first = record("test.one", actor=None, object_type="x", object_id="1", summary="một")
    second = record("test.two", actor=None, object_type="x", object_id="2", summary="hai")
    assert second.prev_hash == first.hash
    assert verify_chain().ok
    assert verify_chain().checked == 2


def test_audit_verify_reports_the_first_tampered_event(capsys):
    record("test.one", actor=None, object_type="x", object_id="1")
    tampered = record("test.two", actor=None, object_type="x", object_id="2", summary="gốc")
    record("test.three", actor=None, object_type="x", object_id="3")
    call_command("audit_verify")
    assert "intact: 3 events" in capsys.readouterr().out

    AuditEvent.objects.filter(pk=tampered.pk).update(summary="đã sửa")
    with pytest.raises(CommandError, match=f"#{tampered.pk}"):
        call_command("audit_verify")


def test_a_deleted_event_breaks_the_chain():
    record("test.one", actor=None, object_type="x", object_id="1")
    middle = record("test.two", actor=None, object_type="x", object_id="2")
    last = record("test.three", actor=None, object_type="x", object_id="3")
    AuditEvent.objects.filter(pk=middle.pk).delete()
    result = verify_chain()
    assert not result.ok
    assert result.first_bad == last


def test_services_write_audit_events(province):
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert "organisations.create" in actions


def test_the_daily_job_verifies_the_chain_and_stores_its_result():
    from congvu.audit.models import ChainVerification
    from congvu.core import daily

    record("test.one", actor=None, object_type="x", object_id="1")
    last = record("test.two", actor=None, object_type="x", object_id="2")
    result = daily.registered()["audit.verify"](dt.date(2026, 11, 27))
    assert result == {"checked": 2, "ok": True, "first_bad": None}
    stored = ChainVerification.objects.get()
    assert stored.trigger == "daily" and stored.last_event_id == last.pk and stored.ok


def test_audit_verify_stores_what_it_found():
    from congvu.audit.models import ChainVerification

    record("test.one", actor=None, object_type="x", object_id="1")
    tampered = record("test.two", actor=None, object_type="x", object_id="2")
    AuditEvent.objects.filter(pk=tampered.pk).update(summary="đã sửa")
    with pytest.raises(CommandError):
        call_command("audit_verify")
    stored = ChainVerification.objects.get()
    assert stored.trigger == "command" and stored.first_bad_id == tampered.pk and not stored.ok
