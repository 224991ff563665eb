"""Planning's notices read in the reader's language: English after the switch, else Vietnamese."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from congvu.accounts.models import User
from congvu.core.models import Notification
from congvu.core.tests.notice_helpers import notifications_page, shows_all
from congvu.organisations.models import Organisation
from congvu.planning import progress, reminders
from congvu.planning.models import Assignment

from .test_progress_helpers import days, focal_point, make_assignment, make_plan

pytestmark = pytest.mark.django_db

THURSDAY = dt.date(2026, 3, 5)


@pytest.fixture
def assignment(province: dict[str, Organisation]) -> Assignment:
    return make_assignment(make_plan(province["root"]), province["dept_justice"], due=days(5))


@pytest.fixture
def overdue_on_thursday(province: dict[str, Organisation]) -> Assignment:
    """Sở Tư pháp's assignment due on Monday 02/03/2026, three days before THURSDAY."""
    return make_assignment(
        make_plan(province["root"]), province["dept_justice"], due=dt.date(2026, 3, 2)
    )


@pytest.fixture
def focal(province: dict[str, Organisation]) -> User:
    return focal_point(province["dept_justice"])


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        (
            "en",
            [
                "Reminder for 05/03/2026: 0 due soon, 1 overdue",
                "Dear head,",
                "OVERDUE: 1 task",
                "Deadline: 02/03/2026",
                "This message is sent automatically every working day by Công vụ.",
            ],
            "Nhắc việc",
        ),
        (
            "vi",
            [
                "Nhắc việc ngày 05/03/2026: 0 sắp đến hạn, 1 quá hạn",
                "Kính gửi head,",
                "QUÁ HẠN: 1 nhiệm vụ",
                "Hạn: 02/03/2026",
            ],
            "Reminder for",
        ),
    ],
)
def test_the_reminder_digest_reads_in_the_readers_language(
    overdue_on_thursday: Assignment,
    head: User,
    language: str,
    expected: list[str],
    absent: str,
) -> None:
    assert reminders.send_digests(THURSDAY)["notifications"] == 1
    page = notifications_page(head, language)
    assert shows_all(page, expected)
    assert absent not in page


@pytest.mark.parametrize(
    ("language", "title", "body"),
    [
        ("en", "Completion confirmed: ", "The head confirmed the task as done on {day}."),
        (
            "vi",
            "Đã xác nhận hoàn thành: ",
            "Người đứng đầu đã xác nhận nhiệm vụ hoàn thành ngày {day}.",
        ),
    ],
)
def test_a_confirmed_completion_reads_in_the_readers_language(
    assignment: Assignment, focal: User, head: User, language: str, title: str, body: str
) -> None:
    progress.update_progress(assignment, actor=focal, progress="done", percent=100)
    progress.confirm_completion(assignment, actor=head)
    assignment.refresh_from_db()
    assert assignment.completed_on is not None
    page = notifications_page(focal, language)
    assert shows_all(
        page,
        [
            title + str(assignment.task),
            body.format(day=assignment.completed_on.strftime("%d/%m/%Y")),
        ],
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "Extension request approved: ",
                "New deadline: {due} (original deadline: {original}).",
            ],
        ),
        ("vi", ["Đề nghị gia hạn được chấp thuận: ", "Hạn mới: {due} (hạn ban đầu: {original})."]),
    ],
)
def test_an_approved_extension_reads_in_the_readers_language(
    assignment: Assignment, focal: User, officer: User, language: str, expected: list[str]
) -> None:
    extension = progress.request_extension(
        assignment, actor=focal, requested_due_on=days(30), reason="Chờ số liệu"
    )
    progress.decide_extension(extension, actor=officer, approve=True)
    dates = {"due": days(30).strftime("%d/%m/%Y"), "original": days(5).strftime("%d/%m/%Y")}
    page = notifications_page(focal, language)
    assert shows_all(page, [text.format(**dates) for text in expected])


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            ["Extension request refused: ", "Reason: Chưa đủ căn cứ. The deadline remains {due}."],
        ),
        (
            "vi",
            ["Đề nghị gia hạn không được chấp thuận: ", "Lý do: Chưa đủ căn cứ. Hạn vẫn là {due}."],
        ),
    ],
)
def test_a_refused_extension_reads_in_the_readers_language_with_the_reason_as_typed(
    assignment: Assignment, focal: User, officer: User, language: str, expected: list[str]
) -> None:
    extension = progress.request_extension(
        assignment, actor=focal, requested_due_on=days(30), reason="Chờ số liệu"
    )
    progress.decide_extension(extension, actor=officer, approve=False, reason="Chưa đủ căn cứ")
    page = notifications_page(focal, language)
    assert shows_all(page, [text.format(due=days(5).strftime("%d/%m/%Y")) for text in expected])


def test_a_decision_taken_in_english_is_still_recorded_in_vietnamese(
    assignment: Assignment, focal: User, officer: User
) -> None:
    extension = progress.request_extension(
        assignment, actor=focal, requested_due_on=days(30), reason="Chờ số liệu"
    )
    with translation.override("en"):
        progress.decide_extension(extension, actor=officer, approve=True)
    notice = Notification.objects.get(user=focal)
    assert notice.title.startswith("Đề nghị gia hạn được chấp thuận: ")
    assert notice.key == "planning.extension_approved"


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        ("en", "[Công vụ] Reminder for 05/03/2026: 0 due soon, 1 overdue", "OVERDUE: 1 task"),
        (
            "vi",
            "[Công vụ] Nhắc việc ngày 05/03/2026: 0 sắp đến hạn, 1 quá hạn",
            "QUÁ HẠN: 1 nhiệm vụ",
        ),
    ],
)
def test_the_reminder_mail_is_written_in_the_recipients_chosen_language(
    django_capture_on_commit_callbacks: Any,
    overdue_on_thursday: Assignment,
    head: User,
    language: str,
    subject: str,
    line: str,
) -> None:
    head.email, head.language = "head@stp.example.vn", language
    head.save(update_fields=["email", "language"])
    # Whatever language the job itself runs in.
    job_language = "vi" if language == "en" else "en"
    with translation.override(job_language), django_capture_on_commit_callbacks(execute=True):
        reminders.send_digests(THURSDAY)
    [message] = mail.outbox
    assert message.subject == subject
    assert line in message.body


def test_a_user_who_never_chose_a_language_gets_the_mail_in_vietnamese(
    django_capture_on_commit_callbacks: Any, overdue_on_thursday: Assignment, head: User
) -> None:
    head.email = "head@stp.example.vn"
    head.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_digests(THURSDAY)
    assert mail.outbox[0].subject.startswith("[Công vụ] Nhắc việc ngày 05/03/2026")


@pytest.mark.parametrize(
    ("language", "said", "code"),
    [("vi", "(kỳ Quý I/2026)", "2026-Q1"), ("en", "(period Q1 2026)", "2026-Q1")],
)
def test_the_reminder_digest_names_a_recurring_period_as_a_reader_says_it(
    province: dict[str, Organisation],
    head: User,
    language: str,
    said: str,
    code: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_assignment(
        make_plan(province["root"]),
        province["dept_justice"],
        due=dt.date(2026, 3, 2),
        period=code,
    )
    head.email, head.mail_language = "head@stp.example.vn", language
    head.save(update_fields=["email", "mail_language"])
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_digests(THURSDAY)["notifications"] == 1
    page = notifications_page(head, language)
    assert said in page and code not in page
    [letter] = mail.outbox
    assert said in letter.body and code not in letter.body
