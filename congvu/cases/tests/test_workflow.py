from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from congvu.cases import visibility, workflow
from congvu.cases.models import Case, CaseEvent, Track

from .core_helpers import move, report

S = Case.Status
A = CaseEvent.Audience

#: A path from `received` to every status, with the arguments each step needs.
PATH_TO = {
    S.RECEIVED: (),
    S.ACCEPTED: (S.ACCEPTED,),
    S.REJECTED: (S.REJECTED,),
    S.INVESTIGATING: (S.ACCEPTED, S.INVESTIGATING),
    S.CONCLUDED: (S.ACCEPTED, S.INVESTIGATING, S.CONCLUDED),
    S.CLOSED: (S.ACCEPTED, S.INVESTIGATING, S.CONCLUDED, S.CLOSED),
}

ILLEGAL = [
    (source, target) for source in S for target in S if target not in workflow.ALLOWED[source]
]


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_move_outside_the_table_is_refused(head, staff_member, source, target):
    case = move(report(staff_member).case, *PATH_TO[source], actor=head)
    events = case.events.count()
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.transition(
            case,
            target,
            actor=head,
            note="x",
            outcome=Case.Outcome.PARTLY,
            reject_reason=Case.RejectReason.DUPLICATE,
            conclusion="x",
        )
    case.refresh_from_db()
    assert case.status == source
    assert case.events.count() == events


def test_a_case_runs_from_received_to_closed_with_its_dates(head, staff_member):
    case = report(staff_member, track=Track.DENUNCIATION).case
    case = move(case, S.ACCEPTED, actor=head)
    assert case.accepted_at is not None and case.settle_due is not None
    assert case.first_response_at is not None
    case = move(case, S.INVESTIGATING, S.CONCLUDED, S.CLOSED, actor=head)
    assert case.outcome == Case.Outcome.SUBSTANTIATED
    assert case.concluded_at and case.closed_at
    assert list(case.events.values_list("kind", flat=True)) == ["created"] + ["transition"] * 4


def test_a_rejection_needs_a_reason_and_the_reporter_is_told(head, staff_member):
    case = report(staff_member).case
    with pytest.raises(ValidationError) as caught:
        workflow.transition(case, S.REJECTED, actor=head)
    assert "reject_reason" in caught.value.message_dict
    workflow.transition(case, S.REJECTED, actor=head, reject_reason=Case.RejectReason.OUT_OF_SCOPE)
    event = visibility.events_for_reporter(case).last()
    assert event is not None and event.audience == A.REPORTER
    assert "Không thuộc phạm vi xử lý" in event.body
    assert not visibility.events_for_subject(case).filter(to_status=S.REJECTED).exists()


def test_a_conclusion_needs_an_outcome_and_a_text_for_the_reporter(head, staff_member):
    case = move(report(staff_member).case, S.ACCEPTED, S.INVESTIGATING, actor=head)
    with pytest.raises(ValidationError) as caught:
        workflow.transition(case, S.CONCLUDED, actor=head, outcome="maybe")
    assert {"outcome", "conclusion"} <= set(caught.value.message_dict)
    workflow.transition(
        case,
        S.CONCLUDED,
        actor=head,
        outcome=Case.Outcome.PARTLY,
        conclusion="Có căn cứ một phần.",
    )
    shown = visibility.events_for_reporter(case).last()
    assert shown is not None and "Có căn cứ một phần." in shown.body
    assert visibility.events_for_subject(case).filter(pk=shown.pk).exists()


def test_reopening_on_appeal_needs_a_note(head, staff_member):
    case = move(report(staff_member).case, *PATH_TO[S.CLOSED], actor=head)
    with pytest.raises(ValidationError) as caught:
        workflow.transition(case, S.INVESTIGATING, actor=head)
    assert "note" in caught.value.message_dict
    case = workflow.transition(case, S.INVESTIGATING, actor=head, note="Khiếu nại tiếp")
    assert case.status == S.INVESTIGATING and case.closed_at is None


def test_a_rejected_case_can_be_received_again(head, staff_member):
    case = move(report(staff_member).case, S.REJECTED, actor=head)
    case = workflow.transition(case, S.RECEIVED, actor=head, note="Đã bổ sung thông tin")
    assert case.status == S.RECEIVED and case.reject_reason == ""


def test_only_handlers_of_the_handling_organisation_move_a_case(
    viewer, outsider, officer, staff_member
):
    case = report(staff_member).case
    with pytest.raises(Http404):
        workflow.transition(case, S.ACCEPTED, actor=outsider)
    with pytest.raises(PermissionDenied):
        workflow.transition(case, S.ACCEPTED, actor=viewer)
    # Home Affairs handles every case of the province.
    assert workflow.transition(case, S.ACCEPTED, actor=officer).status == S.ACCEPTED


def test_the_subject_cannot_handle_their_own_case(head, staff_member):
    staff_member.user = head
    staff_member.save(update_fields=["user"])
    case = report(staff_member).case
    with pytest.raises(PermissionDenied):
        workflow.transition(case, S.ACCEPTED, actor=head)
    assert not visibility.can_see_identity(head, case)


def test_an_unknown_status_is_refused_not_crashed(head, staff_member):
    case = report(staff_member).case
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.transition(case, "teleported", actor=head)


def test_allowed_moves_lists_what_the_table_allows(head, staff_member):
    case = report(staff_member).case
    assert workflow.allowed_moves(case) == [S.ACCEPTED, S.REJECTED]
