"""A discipline proposal waits for whoever decides it: the head of the handling
organisation (DISCIPLINE_DECIDE as a duty) is told — the case's code and the form
proposed, nothing of the report, the reporter or the note — and finds it on the work list
until it is decided or withdrawn. Not the handler who proposed it, not Home Affairs'
oversight, not another organisation's head, and not the staff member concerned: the
proposal is the handlers' deliberation; due process tells them of the decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from congvu.accounts.models import Role, RoleGrant, User
from congvu.accounts.services import create_api_token
from congvu.cases import discipline, workflow
from congvu.cases.models import Case, DisciplineDecision, DisciplineForm
from congvu.cases.notices import DISCIPLINE_KIND
from congvu.conftest import client_for, make_staff, make_user
from congvu.core import notices, worklist
from congvu.core.models import Notification
from congvu.organisations.models import Organisation, StaffMember

from .core_helpers import media, move, report  # noqa: F401
from .office_helpers import make_case_handler

pytestmark = pytest.mark.usefixtures("media")
S = Case.Status
DESCRIPTION = "Cán bộ gây khó dễ, đòi tiền bồi dưỡng."


def told(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=DISCIPLINE_KIND).order_by("pk"))


def concluded(staff: StaffMember, head: User) -> Case:
    case = move(
        report(staff, description=DESCRIPTION).case, S.ACCEPTED, S.INVESTIGATING, actor=head
    )
    return workflow.transition(
        case, S.CONCLUDED, actor=head, outcome=Case.Outcome.SUBSTANTIATED, conclusion="Đúng."
    )


def propose(case: Case, actor: User, capture: Any, **fields: Any) -> DisciplineDecision:
    values: dict[str, Any] = {
        "form": DisciplineForm.objects.get(code="khien-trach"),
        "conduct_date": timezone.localdate() - dt.timedelta(days=30),
        "note": "Đề nghị khiển trách vì đã đòi tiền người dân",
        **fields,
    }
    with capture(execute=True):
        return discipline.propose(case, actor=actor, **values)


def work_of(user: User) -> dict[str, worklist.Item]:
    return {item.key: item for item in worklist.collect(user, timezone.localdate())}


@pytest.fixture
def handler(province: dict[str, Organisation]) -> User:
    return make_case_handler(province["dept_justice"])


def test_the_head_who_decides_is_told_of_the_proposal_and_nobody_else(
    province: dict[str, Organisation],
    head: User,
    handler: User,
    officer: User,
    outsider: User,
    staff_member: StaffMember,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    division_head = make_user("division.head", Role.HEAD, province["division_justice"])
    case = concluded(staff_member, head)
    propose(case, handler, django_capture_on_commit_callbacks)
    [notice] = told(head)
    assert notice.title == f"Đề xuất kỷ luật chờ quyết định: vụ việc {case.code}"
    assert notice.body == (
        "Hình thức đề xuất: Khiển trách. Xem đề xuất và quyết định trên trang vụ việc."
    )
    assert notice.url == f"/cases/{case.code}/#h-discipline"
    assert client_for(head).get(notice.url).status_code == 200
    # Nothing of the report, the note or who the staff member is.
    for text in (DESCRIPTION, "đòi tiền", staff_member.full_name):
        assert text not in notice.title + notice.body
    # The proposer, Home Affairs' oversight, another organisation's head, a head below the
    # handling organisation, and the staff member concerned are not told.
    for user in (handler, officer, outsider, division_head, staff_user):
        assert told(user) == []
    assert not Notification.objects.filter(user=staff_user).exclude(kind="case_subject").exists()


def test_a_head_who_is_the_staff_member_concerned_is_not_told(
    province: dict[str, Organisation],
    head: User,
    handler: User,
    staff_member: StaffMember,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # A deputy head's account holds the head's role there: the case about them is not
    # theirs to decide, nor to hear of before the decision.
    deputy = make_user("deputy", Role.HEAD, province["dept_justice"])
    staff_member.user = deputy
    staff_member.save(update_fields=["user"])
    case = concluded(staff_member, head)
    propose(case, handler, django_capture_on_commit_callbacks)
    assert told(deputy) == []
    assert len(told(head)) == 1
    assert "cases.discipline_proposed" not in work_of(deputy)


def test_a_refused_proposal_tells_nobody(
    head: User, handler: User, staff_member: StaffMember, django_capture_on_commit_callbacks: Any
) -> None:
    case = concluded(staff_member, head)
    with pytest.raises(ValidationError):
        propose(
            case,
            handler,
            django_capture_on_commit_callbacks,
            conduct_date=timezone.localdate() + dt.timedelta(days=1),
        )
    assert told(head) == []


def test_the_proposal_waits_on_the_heads_work_list_until_decided(
    head: User,
    handler: User,
    officer: User,
    outsider: User,
    staff_member: StaffMember,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = concluded(staff_member, head)
    proposal = propose(case, handler, django_capture_on_commit_callbacks)
    item = work_of(head)["cases.discipline_proposed"]
    assert (item.title, item.count, item.urgency) == (
        "Đề xuất kỷ luật chờ quyết định",
        1,
        worklist.WAITING,
    )
    [entry] = item.entries
    assert entry.text == f"{case.code} · Khiển trách"
    assert entry.url == f"/cases/{case.code}/#h-discipline"
    assert client_for(head).get(item.url).status_code == 200
    for user in (handler, officer, outsider):
        assert "cases.discipline_proposed" not in work_of(user)
    discipline.decide(
        proposal, number="7/QĐ-STP", decided_on=timezone.localdate(), file=None, actor=head
    )
    assert "cases.discipline_proposed" not in work_of(head)


def test_the_work_lists_link_lists_the_cases_with_a_proposal_on_the_page_and_the_api(
    head: User,
    handler: User,
    staff_member: StaffMember,
    django_capture_on_commit_callbacks: Any,
) -> None:
    proposed = concluded(staff_member, head)
    propose(proposed, handler, django_capture_on_commit_callbacks)
    decided = concluded(staff_member, head)
    decision = propose(decided, handler, django_capture_on_commit_callbacks)
    discipline.decide(
        decision, number="8/QĐ-STP", decided_on=timezone.localdate(), file=None, actor=head
    )
    other = concluded(staff_member, head)
    item = work_of(head)["cases.discipline_proposed"]
    assert item.url == "/cases/?discipline=proposed"
    page = client_for(head).get(item.url).content.decode()
    assert proposed.code in page
    assert decided.code not in page and other.code not in page
    assert '<option value="proposed" selected>Đề xuất chờ quyết định</option>' in page
    _, key = create_api_token(head, name="tests")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = api.get("/api/v1/cases", {"discipline": "proposed"})
    assert [row["code"] for row in listed.json()["items"]] == [proposed.code]
    assert api.get("/api/v1/cases", {"discipline": "decided"}).status_code == 422


def test_a_withdrawn_proposal_leaves_the_work_list(
    head: User, handler: User, staff_member: StaffMember, django_capture_on_commit_callbacks: Any
) -> None:
    case = concluded(staff_member, head)
    proposal = propose(case, handler, django_capture_on_commit_callbacks)
    discipline.withdraw(proposal, reason="Đã hết thời hiệu", actor=handler)
    assert "cases.discipline_proposed" not in work_of(head)


def test_the_heads_of_a_unit_and_of_the_department_above_it_are_both_told(
    province: dict[str, Organisation],
    head: User,
    officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # A case handled by the division: its own head, and the department's head (granted
    # with the subtree), may decide it.
    unit = province["division_justice"]
    unit_head = make_user("division.head", Role.HEAD, unit)
    unit_handler = make_user("division.handler", Role.CASE_HANDLER, unit)
    staff = make_staff(unit, "Hoàng Văn Nam", "PHC-1")
    case = concluded(staff, officer)
    assert case.handling_organisation == unit
    propose(case, unit_handler, django_capture_on_commit_callbacks)
    assert len(told(head)) == len(told(unit_head)) == 1
    assert work_of(unit_head)["cases.discipline_proposed"].count == 1
    assert told(officer) == []


def test_the_notice_reads_in_english_with_the_forms_english_name(
    head: User, handler: User, staff_member: StaffMember, django_capture_on_commit_callbacks: Any
) -> None:
    case = concluded(staff_member, head)
    propose(case, handler, django_capture_on_commit_callbacks)
    with translation.override("en"):
        title, body = notices.worded(told(head)[0])
        item = work_of(head)["cases.discipline_proposed"]
    assert title == f"Discipline proposed, awaiting a decision: case {case.code}"
    assert body == "Form proposed: Reprimand. See the proposal and decide on the case's page."
    assert item.title == "Discipline proposals awaiting a decision"
    assert item.entries[0].text == f"{case.code} · Reprimand"
    assert not RoleGrant.objects.filter(user=head, role=Role.HOME_AFFAIRS).exists()
