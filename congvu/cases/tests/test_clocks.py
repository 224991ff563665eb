from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from congvu.accounts.models import Role
from congvu.cases import clocks, services
from congvu.cases.models import Case, CaseEvent, Track, TrackClock
from congvu.conftest import make_user
from congvu.core.calendar import add_working_days
from congvu.core.models import Notification

from .core_helpers import move, report

S = Case.Status


def test_the_default_clocks_follow_the_laws(db):
    clocks_by_track = {c.track: c for c in TrackClock.objects.all()}
    denunciation = clocks_by_track[Track.DENUNCIATION]
    assert (denunciation.settle_days, denunciation.extension_days) == (30, 30)
    assert denunciation.max_extensions == 2
    complaint = clocks_by_track[Track.COMPLAINT]
    assert (complaint.settle_days, complaint.extension_days, complaint.max_extensions) == (
        30,
        15,
        1,
    )
    assert clocks_by_track[Track.FEEDBACK].max_extensions == 0
    assert all(c.acknowledge_days == 5 for c in clocks_by_track.values())


def test_the_acknowledgement_deadline_counts_working_days(staff_member):
    case = report(staff_member).case
    assert case.acknowledge_due == add_working_days(timezone.localdate(), 5)


def test_a_denunciation_is_settled_within_30_days_of_acceptance(head, staff_member):
    case = move(report(staff_member, track=Track.DENUNCIATION).case, S.ACCEPTED, actor=head)
    assert case.settle_due == timezone.localdate() + dt.timedelta(days=30)


def test_a_denunciation_is_extended_at_most_twice_with_a_reason_told_to_the_parties(
    head, staff_member
):
    case = move(report(staff_member, track=Track.DENUNCIATION).case, S.ACCEPTED, actor=head)
    first_due = case.settle_due
    with pytest.raises(ValidationError) as caught:
        services.extend(case, actor=head, reason="  ")
    assert "reason" in caught.value.message_dict
    case = services.extend(case, actor=head, reason="Vụ việc phức tạp")
    assert case.settle_due == first_due + dt.timedelta(days=30)
    case = services.extend(case, actor=head, reason="Rất phức tạp")
    assert case.extensions == 2
    with pytest.raises(ValidationError):
        services.extend(case, actor=head, reason="Lần thứ ba")
    events = case.events.filter(kind=CaseEvent.Kind.EXTENDED)
    assert events.count() == 2
    assert {e.audience for e in events} == {CaseEvent.Audience.PARTIES}
    assert "Vụ việc phức tạp" in events.first().body


def test_feedback_cannot_be_extended_and_a_received_case_neither(head, staff_member):
    received = report(staff_member, track=Track.DENUNCIATION).case
    with pytest.raises(ValidationError):
        services.extend(received, actor=head, reason="Phức tạp")
    feedback = move(report(staff_member).case, S.ACCEPTED, actor=head)
    with pytest.raises(ValidationError):
        services.extend(feedback, actor=head, reason="Phức tạp")


def test_a_viewer_cannot_extend(viewer, head, staff_member):
    case = move(report(staff_member, track=Track.COMPLAINT).case, S.ACCEPTED, actor=head)
    with pytest.raises(PermissionDenied):
        services.extend(case, actor=viewer, reason="x")


def test_due_state_tells_on_time_due_soon_and_overdue(staff_member):
    case = report(staff_member).case
    today = timezone.localdate()
    case.acknowledge_due = today + dt.timedelta(days=60)
    assert clocks.due_state(case, today) == clocks.DueState.ON_TIME
    case.acknowledge_due = today
    assert clocks.due_state(case, today) == clocks.DueState.DUE_SOON
    assert not clocks.is_overdue(case, today)
    case.acknowledge_due = today - dt.timedelta(days=1)
    assert clocks.due_state(case, today) == clocks.DueState.OVERDUE
    assert clocks.is_overdue(case, today)
    case.status = S.CONCLUDED
    assert clocks.due_state(case, today) == clocks.DueState.NONE


def test_the_daily_digest_tells_handlers_once_and_never_the_subject(
    head, outsider, staff_member, province
):
    handler = make_user("handler", Role.CASE_HANDLER, province["dept_justice"])
    handler.email = "handler@example.vn"
    handler.save()
    # The head is the subject of the second case: they must not hear of it.
    subject_case = report(staff_member).case
    staff_member.user = head
    staff_member.save(update_fields=["user"])
    late = report(staff_member).case
    today = timezone.localdate()
    Case.objects.filter(pk=late.pk).update(acknowledge_due=today - dt.timedelta(days=2))
    Case.objects.filter(pk=subject_case.pk).update(acknowledge_due=today)
    result = clocks.send_digests(today)
    notice = Notification.objects.get(user=handler, kind=clocks.DIGEST_KIND)
    assert "1 sắp đến hạn, 1 quá hạn" in notice.title
    assert late.code in notice.body
    assert not Notification.objects.filter(user=outsider).exists()
    assert not Notification.objects.filter(user=head).exists()
    assert result["notifications"] >= 1
    assert clocks.send_digests(today) == {"notifications": 0, "mails": 0}


def test_the_digest_mail_is_sent_after_commit(
    django_capture_on_commit_callbacks, province, staff_member
):
    handler = make_user("handler", Role.CASE_HANDLER, province["dept_justice"])
    handler.email = "handler@example.vn"
    handler.save()
    case = report(staff_member).case
    today = timezone.localdate()
    Case.objects.filter(pk=case.pk).update(acknowledge_due=today - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        clocks.send_digests(today)
    assert [m.to for m in mail.outbox] == [["handler@example.vn"]]
    assert case.code in mail.outbox[0].body
    assert case.description not in mail.outbox[0].body


def test_the_daily_jobs_are_registered(db):
    from congvu.core import daily

    assert {"cases.deadline_digest", "cases.retention"} <= set(daily.registered())
