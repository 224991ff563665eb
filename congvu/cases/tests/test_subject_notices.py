"""Due process: the staff member concerned is told, on their notifications, when the case
about them is concluded, when discipline is decided and when the signed copy of the
conclusion is recorded — by the case's code, the decision's number and date, nothing of
the report or the reporter; a staff member without an account is told nothing (there is no
one to tell), and nothing is told of a change that was refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from congvu.accounts.models import User
from congvu.cases import discipline, signed_papers, workflow
from congvu.cases.models import Case, DisciplineForm
from congvu.conftest import client_for
from congvu.core import notices as core_notices
from congvu.core.models import Notification
from congvu.core.tests.media_helpers import pdf
from congvu.organisations.models import StaffMember

from .core_helpers import media, move, report  # noqa: F401
from .office_helpers import REPORTER_NAME

pytestmark = pytest.mark.usefixtures("media")
S = Case.Status


def told(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind="case_subject").order_by("pk"))


def investigating(staff: StaffMember, head: User) -> Case:
    return move(report(staff).case, S.ACCEPTED, S.INVESTIGATING, actor=head)


def conclude(case: Case, head: User) -> Case:
    return workflow.transition(
        case,
        S.CONCLUDED,
        actor=head,
        outcome=Case.Outcome.SUBSTANTIATED,
        conclusion="Có căn cứ: cán bộ đã đòi tiền.",
    )


def test_the_staff_member_concerned_is_told_of_the_conclusion_and_can_read_it(
    staff_member: StaffMember, staff_user: User, head: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = investigating(staff_member, head)
    with django_capture_on_commit_callbacks(execute=True):
        conclude(case, head)
    [notice] = told(staff_user)
    assert notice.title == f"Vụ việc {case.code} liên quan đến bạn đã có kết luận"
    assert notice.url == f"/cases/mine/{case.code}/"
    page = client_for(staff_user).get(notice.url)
    assert page.status_code == 200
    assert "Có căn cứ: cán bộ đã đòi tiền." in page.content.decode()
    assert REPORTER_NAME not in notice.title + notice.body
    assert told(head) == []
    with translation.override("en"):
        assert (
            core_notices.worded(notice).title
            == f"Case {case.code} concerning you has been concluded"
        )


def test_a_refused_conclusion_tells_nobody(
    staff_member: StaffMember, staff_user: User, head: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = investigating(staff_member, head)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        workflow.transition(case, S.CONCLUDED, actor=head, outcome="", conclusion="")
    assert told(staff_user) == []


def test_the_staff_member_concerned_is_told_of_the_discipline_decided(
    staff_member: StaffMember, staff_user: User, head: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = conclude(investigating(staff_member, head), head)
    today = timezone.localdate()
    proposal = discipline.propose(
        case,
        form=DisciplineForm.objects.get(code="khien-trach"),
        conduct_date=today - dt.timedelta(days=40),
        note="Đề nghị khiển trách",
        actor=head,
    )
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        discipline.decide(proposal, number="12/QĐ-STP", decided_on=today, file=None, actor=head)
    [notice] = told(staff_user)
    assert notice.title == (
        f"Quyết định kỷ luật số 12/QĐ-STP ngày {today:%d/%m/%Y} (vụ việc {case.code})"
    )


def test_the_staff_member_concerned_is_told_of_the_signed_copy(
    staff_member: StaffMember, staff_user: User, head: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = conclude(investigating(staff_member, head), head)
    Notification.objects.all().delete()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        signed_papers.record_signed_paper(
            case, actor=head, number="5/TB-STP", signed_on=today, file=pdf("kl-da-ky.pdf")
        )
    [notice] = told(staff_user)
    assert notice.title == f"Đã có bản đã ký của kết luận vụ việc {case.code}"
    assert notice.body == f"Số 5/TB-STP, ngày {today:%d/%m/%Y}."


def test_a_staff_member_without_an_account_is_told_nothing(
    staff_member: StaffMember, head: User, django_capture_on_commit_callbacks: Any
) -> None:
    case = investigating(staff_member, head)
    with django_capture_on_commit_callbacks(execute=True):
        conclude(case, head)
    assert not Notification.objects.filter(kind="case_subject").exists()
