"""The subject's own view: what is addressed to them, never who reported them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import Role, User
from congvu.conftest import client_for, form_key, make_user, said_already_sent
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember

from .. import services
from ..models import Case, CaseEvent
from .office_helpers import (
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    file_report,
    media,  # noqa: F401
    move,
    pdf,
)

MINE = reverse("cases:mine")
NOTE = "Ghi chú nội bộ: người phản ánh là hàng xóm của cán bộ"
TO_REPORTER = "Cảm ơn chị đã phản ánh, chúng tôi đang xác minh"


@pytest.fixture
def case(staff_member: StaffMember, staff_user: User, head: User) -> Case:
    case = file_report(staff=staff_member, files=(pdf("chung-cu-cua-nguoi-dan.pdf"),))
    services.add_event(case, actor=head, kind="note", body=NOTE, audience="internal")
    services.add_event(case, actor=head, kind="to_reporter", body=TO_REPORTER, audience="reporter")
    services.add_event(
        case, actor=head, kind="to_subject", body="Đề nghị anh giải trình", audience="subject"
    )
    return case


def view(case: Case) -> str:
    return reverse("cases:subject_view", args=[case.code])


def test_the_subject_lists_the_cases_addressed_to_them(staff_user: User, case: Case) -> None:
    response = client_for(staff_user).get(MINE)
    assert response.status_code == 200
    assert case.code in response.content.decode()


def test_a_case_with_nothing_for_the_subject_is_not_listed(
    staff_user: User, staff_member: StaffMember
) -> None:
    quiet = file_report(staff=staff_member)
    assert quiet.code not in client_for(staff_user).get(MINE).content.decode()
    assert client_for(staff_user).get(view(quiet)).status_code == 404


def test_the_subject_view_shows_no_reporter_data_and_no_internal_notes(
    staff_user: User, head: User, case: Case
) -> None:
    move(case, "accepted", "investigating", "concluded", actor=head)
    response = client_for(staff_user).get(view(case))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đề nghị anh giải trình" in html
    assert "Có căn cứ: cán bộ đã đòi tiền." in html  # the conclusion, told to both parties
    for secret in (REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL, NOTE, TO_REPORTER):
        assert secret not in html
    assert case.description not in html
    assert "chung-cu-cua-nguoi-dan.pdf" not in html


def test_the_subject_answers_with_a_statement_and_a_file(staff_user: User, case: Case) -> None:
    client = client_for(staff_user)
    response = client.post(
        view(case), {"body": "Tôi xin giải trình như sau", "attachments": pdf("giai-trinh.pdf")}
    )
    assert response.status_code == 302
    event = case.events.get(kind=CaseEvent.Kind.FROM_SUBJECT)
    assert event.body == "Tôi xin giải trình như sau"
    assert event.files.count() == 1
    html = client.get(view(case)).content.decode()
    assert "giai-trinh.pdf" in html
    download = reverse("cases:file", args=[case.code, event.files.get().pk])
    assert client.get(download).status_code == 200


def test_an_empty_statement_is_refused(staff_user: User, case: Case) -> None:
    response = client_for(staff_user).post(view(case), {"body": ""})
    assert response.status_code == 400
    assert not case.events.filter(kind=CaseEvent.Kind.FROM_SUBJECT).exists()


def test_another_staff_user_gets_404(province: dict[str, Organisation], case: Case) -> None:
    other_member = org_services.create_staff(
        actor=None,
        organisation=province["dept_justice"],
        full_name="Lê Văn Khác",
        staff_code="STP-002",
        category=StaffMember.Category.CIVIL_SERVANT,
        valid_from=province["dept_justice"].valid_from,
    )
    other = make_user("other-staff", Role.STAFF, province["dept_justice"])
    other_member.user = other
    other_member.save(update_fields=["user"])
    client = client_for(other)
    assert client.get(view(case)).status_code == 404
    assert client.post(view(case), {"body": "x"}).status_code == 404
    assert case.code not in client.get(MINE).content.decode()


def test_a_handler_is_not_the_subject_and_gets_404_on_the_subject_view(
    as_head: Client, as_outsider: Client, case: Case
) -> None:
    assert as_head.get(view(case)).status_code == 404
    assert as_outsider.get(view(case)).status_code == 404


def test_the_subject_sees_the_discipline_decision_about_them(
    staff_user: User, head: User, case: Case
) -> None:
    import datetime as dt

    from django.utils import timezone

    from .. import discipline

    case = move(case, "accepted", "investigating", "concluded", actor=head)
    form = discipline.allowed_forms(case.subject_staff).first()  # type: ignore[arg-type]
    assert form is not None
    today = timezone.localdate()
    decision = discipline.propose(
        case, form=form, conduct_date=today - dt.timedelta(days=10), note="", actor=head
    )
    discipline.decide(decision, number="7/QĐ", decided_on=today, file=None, actor=head)
    html = client_for(staff_user).get(view(case)).content.decode()
    assert "7/QĐ" in html and form.name in html


def test_a_statement_sent_twice_is_recorded_once(staff_user: User, case: Case) -> None:
    client = client_for(staff_user)
    data = {"body": "Tôi xin giải trình như sau", "once": form_key(client.get(view(case)))}
    first, second = client.post(view(case), data), client.post(view(case), data)
    assert first["Location"] == second["Location"] == view(case)
    assert case.events.filter(kind=CaseEvent.Kind.FROM_SUBJECT).count() == 1
    assert said_already_sent(client, second)
