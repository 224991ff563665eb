from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from congvu.accounts.models import Role
from congvu.cases import discipline, visibility
from congvu.cases.models import Case, CaseEvent, DisciplineDecision, DisciplineForm
from congvu.conftest import START, make_user
from congvu.core.tests.media_helpers import pdf
from congvu.organisations import services as org_services
from congvu.organisations.models import StaffMember

from .core_helpers import media, move, report  # noqa: F401

pytestmark = pytest.mark.usefixtures("media")
S = Case.Status
C = StaffMember.Category


def _staff(organisation, category, *, leader=False, code="X-1"):
    return org_services.create_staff(
        actor=None,
        organisation=organisation,
        full_name="Phạm Văn Bình",
        staff_code=code,
        category=category,
        is_leader=leader,
        valid_from=START,
    )


def _codes(staff):
    return [form.code for form in discipline.allowed_forms(staff)]


def test_the_forms_follow_decree_112_by_category_and_post(province):
    org = province["dept_justice"]
    assert _codes(_staff(org, C.CIVIL_SERVANT, code="a")) == [
        "khien-trach",
        "canh-cao",
        "ha-bac-luong",
        "buoc-thoi-viec",
    ]
    assert _codes(_staff(org, C.CIVIL_SERVANT, leader=True, code="b")) == [
        "khien-trach",
        "canh-cao",
        "giang-chuc",
        "cach-chuc",
        "buoc-thoi-viec",
    ]
    assert _codes(_staff(org, C.PUBLIC_EMPLOYEE, code="c")) == [
        "khien-trach",
        "canh-cao",
        "buoc-thoi-viec",
    ]
    assert _codes(_staff(org, C.PUBLIC_EMPLOYEE, leader=True, code="d")) == [
        "khien-trach",
        "canh-cao",
        "cach-chuc",
        "buoc-thoi-viec",
    ]
    assert _codes(_staff(org, C.OFFICIAL, code="e")) == [
        "khien-trach",
        "canh-cao",
        "cach-chuc",
        "bai-nhiem",
    ]
    assert _codes(_staff(org, C.WORKER, code="f")) == []


def _form(code):
    return DisciplineForm.objects.get(code=code)


def _concluded(head, staff, outcome=Case.Outcome.SUBSTANTIATED):
    case = move(report(staff).case, S.ACCEPTED, S.INVESTIGATING, actor=head)
    from congvu.cases import workflow

    return workflow.transition(
        case, S.CONCLUDED, actor=head, outcome=outcome, conclusion="Kết luận"
    )


def test_a_reprimand_is_proposed_and_decided_and_appears_on_the_record(head, staff_member):
    case = _concluded(head, staff_member)
    today = timezone.localdate()
    proposal = discipline.propose(
        case,
        form=_form("khien-trach"),
        conduct_date=today - dt.timedelta(days=40),
        note="Đề nghị khiển trách",
        actor=head,
    )
    assert proposal.stage == DisciplineDecision.Stage.PROPOSED
    decision = discipline.decide(
        proposal, number="12/QĐ-STP", decided_on=today, file=pdf("qd.pdf"), actor=head
    )
    assert decision.stage == DisciplineDecision.Stage.DECIDED
    assert decision.decision_file.name.endswith(".pdf")
    assert "qd" not in decision.decision_file.name.split("/")[-1][2:]
    assert discipline.record_for(staff_member, year=today.year) == [decision]
    assert discipline.record_for(staff_member, year=today.year - 1) == []
    told = visibility.events_for_subject(case).filter(kind=CaseEvent.Kind.DISCIPLINE)
    assert told.count() == 1 and "12/QĐ-STP" in told.get().body
    assert not visibility.events_for_reporter(case).filter(kind=CaseEvent.Kind.DISCIPLINE).exists()


def test_no_discipline_for_an_unsubstantiated_or_open_case(head, staff_member):
    case = _concluded(head, staff_member, Case.Outcome.UNSUBSTANTIATED)
    with pytest.raises(ValidationError) as caught:
        discipline.propose(
            case,
            form=_form("khien-trach"),
            conduct_date=timezone.localdate(),
            note="",
            actor=head,
        )
    assert "case" in caught.value.message_dict
    open_case = report(staff_member).case
    with pytest.raises(ValidationError):
        discipline.propose(
            open_case,
            form=_form("khien-trach"),
            conduct_date=timezone.localdate(),
            note="",
            actor=head,
        )


def test_a_form_that_does_not_fit_the_staff_member_is_refused(head, staff_member):
    case = _concluded(head, staff_member)
    with pytest.raises(ValidationError) as caught:
        discipline.propose(
            case,
            form=_form("giang-chuc"),  # demotion: leaders only
            conduct_date=timezone.localdate(),
            note="",
            actor=head,
        )
    assert "form" in caught.value.message_dict


def test_the_limitation_period_is_five_years_for_a_reprimand_and_ten_for_heavier(
    head, staff_member
):
    today = timezone.localdate()
    six_years_ago = (
        today.replace(year=today.year - 6)
        if not (today.month == 2 and today.day == 29)
        else today.replace(year=today.year - 6, day=28)
    )
    assert discipline.limitation_expired(_form("khien-trach"), six_years_ago, today)
    assert not discipline.limitation_expired(_form("canh-cao"), six_years_ago, today)
    case = _concluded(head, staff_member)
    with pytest.raises(ValidationError) as caught:
        discipline.propose(
            case, form=_form("khien-trach"), conduct_date=six_years_ago, note="", actor=head
        )
    assert "thời hiệu" in caught.value.message_dict["conduct_date"][0]
    assert discipline.propose(
        case, form=_form("canh-cao"), conduct_date=six_years_ago, note="", actor=head
    )


def test_deciding_needs_discipline_decide_and_a_real_document(head, staff_member, province):
    handler = make_user("handler", Role.CASE_HANDLER, province["dept_justice"])
    case = _concluded(head, staff_member)
    proposal = discipline.propose(
        case,
        form=_form("canh-cao"),
        conduct_date=timezone.localdate(),
        note="",
        actor=handler,
    )
    with pytest.raises(PermissionDenied):
        discipline.decide(
            proposal, number="1", decided_on=timezone.localdate(), file=None, actor=handler
        )
    fake = SimpleUploadedFile("qd.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError) as caught:
        discipline.decide(
            proposal, number="1/QĐ", decided_on=timezone.localdate(), file=fake, actor=head
        )
    assert "file" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        discipline.decide(
            proposal, number="", decided_on=timezone.localdate(), file=None, actor=head
        )
    assert "number" in caught.value.message_dict
    proposal.refresh_from_db()
    assert proposal.stage == DisciplineDecision.Stage.PROPOSED


def test_a_proposal_can_be_withdrawn_with_a_reason(head, staff_member):
    case = _concluded(head, staff_member)
    proposal = discipline.propose(
        case, form=_form("canh-cao"), conduct_date=timezone.localdate(), note="", actor=head
    )
    with pytest.raises(ValidationError):
        discipline.withdraw(proposal, reason="", actor=head)
    withdrawn = discipline.withdraw(proposal, reason="Đã xem xét lại", actor=head)
    assert withdrawn.stage == DisciplineDecision.Stage.WITHDRAWN
    assert discipline.record_for(staff_member) == []
