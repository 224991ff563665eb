"""A named reporter who left an e-mail address hears of their case by e-mail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import Client

from congvu.cases import reporter, services
from congvu.cases.models import Case, CaseEvent

from .core_helpers import media, move, report  # noqa: F401

S = Case.Status
ADDRESS = "hoa.tran@example.vn"
SECRET_STORY = "Cán bộ quầy 3 đòi 500.000 đồng tiền bồi dưỡng."

pytestmark = pytest.mark.usefixtures("media")


def named_report(staff_member: Any, **fields: Any) -> services.Receipt:
    return report(
        staff_member,
        description=SECRET_STORY,
        is_anonymous=False,
        reporter_name="Trần Thị Hoa",
        reporter_email=ADDRESS,
        **fields,
    )


def test_the_receipt_mail_carries_the_personal_link_but_not_the_case(
    staff_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        receipt = named_report(staff_member)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [ADDRESS]
    assert receipt.case.code in sent.subject and "Tiếp nhận" in sent.subject
    # Nothing typed by the reporter, not even their name: the address is not verified.
    assert "Kính gửi Quý ông/bà," in sent.body and "Trần Thị Hoa" not in sent.body
    assert "Your report" in sent.body  # English follows the Vietnamese
    assert SECRET_STORY not in sent.body and "500.000" not in sent.body
    assert receipt.passphrase not in sent.body
    # The personal link in the mail opens the reporter's view of the case.
    link = re.search(re.escape(settings.SITE_URL) + r"(/track/link/\S+)", sent.body)
    assert link is not None
    opened = Client().get(link.group(1), follow=True)
    assert opened.status_code == 200
    assert receipt.case.code in opened.content.decode()
    assert SECRET_STORY in opened.content.decode()


def test_each_step_the_reporter_may_read_is_mailed_and_nothing_else(
    head, staff_member, django_capture_on_commit_callbacks
):
    receipt = named_report(staff_member)
    with django_capture_on_commit_callbacks(execute=True):
        case = move(receipt.case, S.ACCEPTED, actor=head)
        services.add_event(case, actor=head, kind=CaseEvent.Kind.NOTE, body="Nội bộ: kiểm tra")
        services.add_event(
            case, actor=head, kind=CaseEvent.Kind.TO_REPORTER, body="Đề nghị bổ sung ảnh"
        )
        reporter.add_reporter_information(case, text="Tôi gửi thêm ảnh.", files=())
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 2, subjects
    assert subjects[0].endswith(": Đã thụ lý")
    assert subjects[1].endswith(": Trả lời người phản ánh")
    assert all("Nội bộ" not in m.body and "bổ sung ảnh" not in m.body for m in mail.outbox)


@pytest.mark.parametrize(
    "fields",
    [
        {"is_anonymous": True, "reporter_email": ""},
        {"is_anonymous": False, "reporter_name": "Lê Văn Nam", "reporter_phone": "0912345678"},
    ],
    ids=["anonymous", "named-without-email"],
)
def test_no_mail_without_an_address(staff_member, django_capture_on_commit_callbacks, fields):
    with django_capture_on_commit_callbacks(execute=True):
        report(staff_member, **fields)
    assert mail.outbox == []


def test_no_mail_once_the_identity_is_erased(
    head, staff_member, django_capture_on_commit_callbacks
):
    receipt = named_report(staff_member)
    case = reporter.erase_reporter_identity(receipt.case, actor=head)
    with django_capture_on_commit_callbacks(execute=True):
        move(case, S.ACCEPTED, actor=head)
    assert mail.outbox == []


def test_a_rolled_back_action_mails_nothing(head, staff_member, django_capture_on_commit_callbacks):
    receipt = named_report(staff_member)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        move(receipt.case, S.ACCEPTED, actor=head)
        raise RuntimeError("the handler's transaction fails")
    assert callbacks == [] and mail.outbox == []
    assert Case.objects.get(pk=receipt.case.pk).status == S.RECEIVED


def test_a_mail_server_that_is_down_does_not_undo_the_handlers_action(
    head, staff_member, settings, django_capture_on_commit_callbacks
):
    receipt = named_report(staff_member)
    settings.EMAIL_BACKEND = "congvu.cases.tests.test_reporter_mail.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        move(receipt.case, S.ACCEPTED, actor=head)
    assert Case.objects.get(pk=receipt.case.pk).status == S.ACCEPTED


class BrokenBackend:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("SMTP server down")
