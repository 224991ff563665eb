"""Case notices read in the reader's language: the handlers' digest, the request for a statement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from congvu.accounts.models import Role
from congvu.cases import assignment, clocks, services
from congvu.cases.models import Case, CaseEvent, Track
from congvu.conftest import make_user
from congvu.core.tests.notice_helpers import notifications_page, shows_all

from .core_helpers import report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        (
            "en",
            [
                "Cases on {today}: 0 due soon, 1 overdue",
                "OVERDUE: 1 case",
                "- {code} (Complaint, Received), acceptance due: {due}",
                "This message is sent automatically every day by Công vụ.",
            ],
            "Vụ việc ngày",
        ),
        (
            "vi",
            [
                "Vụ việc ngày {today}: 0 sắp đến hạn, 1 quá hạn",
                "QUÁ HẠN: 1 vụ việc",
                "- {code} (Khiếu nại, Mới tiếp nhận), hạn thụ lý: {due}",
            ],
            "Cases on",
        ),
    ],
)
def test_the_handlers_digest_reads_in_the_readers_language(
    province: Any, staff_member: Any, language: str, expected: list[str], absent: str
) -> None:
    handler = make_user("handler", Role.CASE_HANDLER, province["dept_justice"])
    case = report(staff_member, track=Track.COMPLAINT).case
    today = timezone.localdate()
    due = today - dt.timedelta(days=2)
    Case.objects.filter(pk=case.pk).update(acknowledge_due=due)
    clocks.send_digests(today)
    page = notifications_page(handler, language)
    values = {"today": f"{today:%d/%m/%Y}", "code": case.code, "due": f"{due:%d/%m/%Y}"}
    assert shows_all(page, [text.format(**values) for text in expected])
    assert absent not in page


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Request for a statement about case {code}"),
        ("vi", "Đề nghị giải trình về vụ việc {code}"),
    ],
)
def test_the_staff_member_reads_a_request_for_a_statement_in_their_language(
    django_capture_on_commit_callbacks: Any,
    head: Any,
    staff_member: Any,
    staff_user: Any,
    language: str,
    title: str,
) -> None:
    case = report(staff_member).case
    with django_capture_on_commit_callbacks(execute=True):
        services.add_event(
            case, actor=head, kind=CaseEvent.Kind.TO_SUBJECT, body="Đề nghị anh giải trình."
        )
    page = notifications_page(staff_user, language)
    assert shows_all(page, [title.format(code=case.code)])


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "You have been assigned case {code}"), ("vi", "Bạn được giao xử lý vụ việc {code}")],
)
def test_the_assignee_reads_the_notice_of_a_case_given_to_them_in_their_language(
    django_capture_on_commit_callbacks: Any,
    head: Any,
    staff_member: Any,
    language: str,
    title: str,
) -> None:
    handler = make_user("lan", Role.CASE_HANDLER, staff_member.organisation)
    case = report(staff_member).case
    with django_capture_on_commit_callbacks(execute=True):
        assignment.assign(case, assignee=handler, actor=head)
    page = notifications_page(handler, language)
    assert shows_all(page, [title.format(code=case.code)])
