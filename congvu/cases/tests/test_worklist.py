"""The home page's work list, the cases' part: deadlines, cases given to me, cases given
to nobody, statements asked of the staff member concerned."""

from __future__ import annotations

from django.utils import timezone

from congvu.accounts.models import User
from congvu.api.tests.test_cases_api import make_case
from congvu.cases import assignment, services
from congvu.cases.models import Case, CaseEvent
from congvu.conftest import client_for
from congvu.core import worklist
from congvu.organisations.models import Organisation, StaffMember

from .office_helpers import make_case_handler


def work_of(user: User) -> dict[str, worklist.Item]:
    return {item.key: item for item in worklist.collect(user, timezone.localdate())}


def test_a_handler_sees_overdue_cases_and_the_ones_given_to_them(
    province: dict[str, Organisation], head: User
) -> None:
    handler = make_case_handler(province["dept_justice"])
    late = make_case(province["dept_justice"], days_ago=20)  # acknowledgement due 13 days ago
    fresh = make_case(province["dept_justice"])
    make_case(province["commune"], days_ago=20)  # another organisation's
    assignment.assign(fresh, assignee=handler, actor=head)

    work = work_of(handler)

    overdue = work["cases.overdue"]
    assert (overdue.count, overdue.urgency) == (1, worklist.OVERDUE)
    assert overdue.entries[0].url == f"/cases/{late.code}/"
    assert overdue.entries[0].due_on == late.acknowledge_due
    mine = work["cases.assigned_to_me"]
    assert [e.url for e in mine.entries] == [f"/cases/{fresh.code}/"]
    page = client_for(handler).get(mine.url).content.decode()
    assert fresh.code in page and late.code not in page


def test_the_head_sees_cases_nobody_handles_until_one_is_given(
    province: dict[str, Organisation], head: User, officer: User
) -> None:
    handler = make_case_handler(province["dept_justice"])
    case = make_case(province["dept_justice"])
    make_case(province["dept_justice"], status=Case.Status.CLOSED)  # done with

    item = work_of(head)["cases.unassigned"]
    assert item.count == 1
    assert item.url == "/cases/?assigned=none"
    assert case.code in client_for(head).get(item.url).content.decode()
    # Home Affairs oversees the province; assigning is the head's duty.
    assert "cases.unassigned" not in work_of(officer)

    assignment.assign(case, assignee=handler, actor=head)
    assert "cases.unassigned" not in work_of(head)


def test_the_staff_member_concerned_is_asked_for_a_statement_until_they_give_it(
    province: dict[str, Organisation],
    head: User,
    staff_user: User,
    staff_member: StaffMember,
) -> None:
    case = make_case(province["dept_justice"], staff=staff_member, status=Case.Status.INVESTIGATING)
    assert "cases.statement_requested" not in work_of(staff_user)

    services.add_event(
        case,
        actor=head,
        kind=CaseEvent.Kind.TO_SUBJECT,
        body="Đề nghị anh giải trình về việc hẹn trả hồ sơ.",
    )
    item = work_of(staff_user)["cases.statement_requested"]
    assert item.count == 1
    assert item.entries[0].url == f"/cases/mine/{case.code}/"

    services.add_subject_statement(case, actor=staff_user, body="Tôi xin giải trình như sau.")
    assert "cases.statement_requested" not in work_of(staff_user)

    # A second request after the statement asks again.
    services.add_event(
        case, actor=head, kind=CaseEvent.Kind.TO_SUBJECT, body="Đề nghị bổ sung tài liệu."
    )
    assert work_of(staff_user)["cases.statement_requested"].count == 1


def test_an_outsider_sees_nothing_of_another_organisation_s_cases(
    province: dict[str, Organisation], outsider: User
) -> None:
    make_case(province["dept_justice"], days_ago=20)
    work = work_of(outsider)
    assert "cases.overdue" not in work and "cases.unassigned" not in work
