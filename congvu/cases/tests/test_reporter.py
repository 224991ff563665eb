from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from congvu.cases import reporter, services, visibility
from congvu.cases.models import CaseEvent
from congvu.core.tests.media_helpers import jpeg_with_gps

from .core_helpers import media, report  # noqa: F401

pytestmark = pytest.mark.usefixtures("media")


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_code_can_be_typed_loosely_and_the_passphrase_too(staff_member):
    receipt = report(staff_member)
    loose_code = receipt.code.lower().replace("pa-", "pa ")
    loose_pass = receipt.passphrase.upper().replace("-", " ")
    assert reporter.follow(loose_code, loose_pass) == receipt.case


def test_an_unknown_code_and_a_wrong_passphrase_get_the_same_message(staff_member):
    receipt = report(staff_member)
    with pytest.raises(reporter.FollowDenied) as wrong:
        reporter.follow(receipt.code, "sai-mat-khau")
    with pytest.raises(reporter.FollowDenied) as unknown:
        reporter.follow("PA-ABCDEFGHJK", receipt.passphrase)
    with pytest.raises(reporter.FollowDenied) as garbage:
        reporter.follow("<script>\x00", "")
    assert wrong.value.messages == unknown.value.messages == garbage.value.messages


def test_wrong_passphrases_from_others_never_lock_the_reporter_out(staff_member):
    # The staff member the report is about sees its code: however many wrong passphrases
    # they (or anyone) type, from as many addresses, the answer is the one an unknown code
    # gets, and the reporter's own passphrase still opens the case.
    receipt = report(staff_member)
    for attempt in range(3 * reporter.CLIENT_LIMIT):
        with pytest.raises(reporter.FollowDenied):
            reporter.follow(receipt.code, "wrong", client_ip=f"198.51.100.{attempt % 250}")
    assert reporter.follow(receipt.code, receipt.passphrase, client_ip="203.0.113.9") == (
        receipt.case
    )


def test_one_client_guessing_many_codes_is_stopped(staff_member):
    receipt = report(staff_member)
    for i in range(reporter.CLIENT_LIMIT):
        with pytest.raises(reporter.FollowDenied):
            reporter.follow(f"PA-ABCDEFGH{i % 9 + 2}K", "x", client_ip="203.0.113.7")
    with pytest.raises(reporter.FollowLocked):
        reporter.follow(receipt.code, receipt.passphrase, client_ip="203.0.113.7")
    # Another client is not affected; the IP is nowhere in the database (see test_privacy).
    assert reporter.follow(receipt.code, receipt.passphrase, client_ip="198.51.100.1")


def test_the_reporter_adds_information_and_files_that_the_subject_never_sees(staff_member):
    receipt = report(staff_member)
    event = services.add_reporter_information(
        receipt.case, text="Bổ sung: lần thứ hai", files=[jpeg_with_gps()]
    )
    assert event.kind == CaseEvent.Kind.FROM_REPORTER
    assert event.files.count() == 1
    assert event in visibility.events_for_reporter(receipt.case)
    assert event not in visibility.events_for_subject(receipt.case)
    assert not visibility.files_for_subject(receipt.case).exists()
    with pytest.raises(ValidationError):
        services.add_reporter_information(receipt.case, text="   ")


def test_the_subject_never_sees_the_identity_nor_the_reporters_messages(
    head, staff_member, staff_user
):
    receipt = report(
        staff_member, is_anonymous=False, reporter_name="Lê Thị Hoa", reporter_phone="0987654321"
    )
    case = receipt.case
    services.add_event(
        case,
        actor=head,
        kind=CaseEvent.Kind.TO_REPORTER,
        body="Cảm ơn bà Hoa",
        audience=CaseEvent.Audience.PARTIES,
    )
    services.add_event(case, actor=head, kind=CaseEvent.Kind.NOTE, body="Ghi chú nội bộ")
    services.add_event(case, actor=head, kind=CaseEvent.Kind.TO_SUBJECT, body="Đề nghị giải trình")
    statement = services.add_subject_statement(case, actor=staff_user, body="Tôi xin giải trình")
    assert visibility.is_subject(staff_user, case)
    assert not visibility.can_see_identity(staff_user, case)
    assert visibility.reporter_identity(staff_user, case) is None
    assert visibility.reporter_identity(head, case) == {
        "name": "Lê Thị Hoa",
        "phone": "0987654321",
        "email": "",
    }
    shown = list(visibility.events_for_subject(case))
    assert [e.body for e in shown] == ["Đề nghị giải trình", "Tôi xin giải trình"]
    assert all("Hoa" not in e.body for e in shown)
    assert statement not in visibility.events_for_reporter(case)
    # A message to the reporter always goes to the reporter only, whatever was asked.
    assert case.events.get(body="Cảm ơn bà Hoa").audience == CaseEvent.Audience.REPORTER


def test_only_the_subject_writes_a_statement(head, staff_member):
    case = report(staff_member).case
    with pytest.raises(PermissionDenied):
        services.add_subject_statement(case, actor=head, body="Giả mạo")


def test_a_handler_erases_the_identity_on_request(head, viewer, staff_member):
    receipt = report(
        staff_member, is_anonymous=False, reporter_name="Lê Thị Hoa", reporter_email="h@x.vn"
    )
    with pytest.raises(PermissionDenied):
        services.erase_reporter_identity(receipt.case, actor=viewer)
    case = services.erase_reporter_identity(receipt.case, actor=head)
    assert (case.reporter_name, case.reporter_email) == ("", "")
    assert case.identity_erased_at is not None
    assert case.events.filter(kind=CaseEvent.Kind.ERASED).count() == 1
    assert reporter.follow(receipt.code, receipt.passphrase) == case


def test_passphrases_are_long_and_random():
    phrases = {reporter.new_passphrase() for _ in range(50)}
    assert len(phrases) == 50
    assert all(len(reporter.normalise_passphrase(p)) == 24 for p in phrases)
