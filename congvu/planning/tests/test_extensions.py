import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from congvu.audit.models import AuditEvent
from congvu.conftest import client_for, form_key, said_already_sent
from congvu.core.models import Notification
from congvu.planning import progress
from congvu.planning.models import Assignment, AssignmentRollup, ExtensionRequest

from .test_progress_helpers import days, focal_point, make_assignment, make_plan

P = Assignment.Progress


@pytest.fixture
def plan(province):
    return make_plan(province["root"])


@pytest.fixture
def assignment(plan, province):
    return make_assignment(plan, province["dept_justice"], due=days(5))


@pytest.fixture
def focal(province):
    return focal_point(province["dept_justice"])


@pytest.fixture
def as_focal(focal):
    return client_for(focal)


@pytest.fixture
def pending(assignment, focal):
    return progress.request_extension(
        assignment, actor=focal, requested_due_on=days(30), reason="Chờ số liệu của các phòng"
    )


def request_url(assignment):
    return reverse("assignments:extension_request", args=[assignment.pk])


def decide_url(extension):
    return reverse("assignments:extension_decide", args=[extension.pk])


def test_the_focal_point_asks_for_an_extension_from_the_page(assignment, as_focal, focal):
    response = as_focal.post(
        request_url(assignment),
        {"requested_due_on": days(20).strftime("%d/%m/%Y"), "reason": "Thiếu kinh phí"},
    )
    assert response.status_code == 302
    extension = ExtensionRequest.objects.get()
    assert extension.status == ExtensionRequest.Status.PENDING
    assert extension.previous_due_on == days(5)
    assert extension.requested_by == focal
    assert AuditEvent.objects.filter(action="planning.extension_request").exists()
    html = as_focal.get(reverse("assignments:detail", args=[assignment.pk])).content.decode()
    assert "Thiếu kinh phí" in html
    assert "Chờ duyệt" in html
    assert request_url(assignment) not in html  # one pending at a time


def test_a_request_sent_twice_is_one_request_and_not_an_already_pending_error(assignment, as_focal):
    detail = reverse("assignments:detail", args=[assignment.pk])
    key = form_key(as_focal.get(detail), after=request_url(assignment))
    data = {"requested_due_on": days(20).strftime("%d/%m/%Y"), "reason": "Thiếu kinh phí"}
    first = as_focal.post(request_url(assignment), {**data, "once": key})
    second = as_focal.post(request_url(assignment), {**data, "once": key})
    assert first["Location"] == second["Location"] == detail
    assert ExtensionRequest.objects.count() == 1
    assert said_already_sent(as_focal, second)


def test_an_approved_extension_moves_the_deadline_keeps_the_original_and_is_audited(
    assignment, pending, officer, focal, as_officer
):
    response = as_officer.post(decide_url(pending), {f"x{pending.pk}-decision": "approve"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.due_on == days(30)
    assert assignment.original_due_on == days(5)
    pending.refresh_from_db()
    assert pending.status == ExtensionRequest.Status.APPROVED
    assert pending.decided_by == officer
    event = AuditEvent.objects.get(action="planning.extension_approve")
    assert event.actor == officer
    assert event.data["previous_due_on"] == days(5).isoformat()
    assert event.data["due_on"] == days(30).isoformat()
    notice = Notification.objects.get(user=focal, kind="extension_decision")
    assert notice.url == reverse("assignments:detail", args=[assignment.pk])
    assert Notification.objects.count() == 1
    html = as_officer.get(notice.url).content.decode()
    assert days(5).strftime("%d/%m/%Y") in html
    assert days(30).strftime("%d/%m/%Y") in html
    assert "đã gia hạn" in html


def test_an_extension_that_turns_overdue_work_on_time_updates_the_rollups(
    plan, province, focal, officer
):
    late = make_assignment(plan, province["dept_justice"], due=days(-2))
    request = progress.request_extension(
        late, actor=focal, requested_due_on=days(3), reason="Lý do"
    )
    progress.decide_extension(request, actor=officer, approve=True)
    row = AssignmentRollup.objects.get()
    assert (row.overdue, row.not_started) == (0, 1)


def test_refusing_needs_a_reason(pending, as_officer, assignment):
    response = as_officer.post(decide_url(pending), {f"x{pending.pk}-decision": "refuse"})
    assert response.status_code == 200
    assert "Give the reason for refusing" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == ExtensionRequest.Status.PENDING
    assert not Notification.objects.exists()


def test_a_refusal_with_a_reason_keeps_the_deadline_and_tells_the_requester(
    pending, officer, focal, assignment
):
    progress.decide_extension(pending, actor=officer, approve=False, reason="Không có căn cứ")
    assignment.refresh_from_db()
    assert assignment.due_on == days(5)
    pending.refresh_from_db()
    assert (pending.status, pending.decision_reason) == (
        ExtensionRequest.Status.REFUSED,
        "Không có căn cứ",
    )
    assert "Không có căn cứ" in Notification.objects.get(user=focal).body
    assert AuditEvent.objects.filter(action="planning.extension_refuse", actor=officer).exists()


def test_only_the_assigning_side_decides_the_requesting_head_gets_403(pending, head, as_head):
    response = as_head.post(decide_url(pending), {f"x{pending.pk}-decision": "approve"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        progress.decide_extension(pending, actor=head, approve=True)
    pending.refresh_from_db()
    assert pending.status == ExtensionRequest.Status.PENDING
    html = as_head.get(reverse("assignments:detail", args=[pending.assignment_id])).content.decode()
    assert decide_url(pending) not in html


def test_an_outsider_gets_404_when_deciding(pending, as_outsider):
    response = as_outsider.post(decide_url(pending), {f"x{pending.pk}-decision": "approve"})
    assert response.status_code == 404


def test_a_decided_request_cannot_be_decided_again(pending, officer):
    progress.decide_extension(pending, actor=officer, approve=True)
    with pytest.raises(ValidationError):
        progress.decide_extension(pending, actor=officer, approve=False, reason="Đổi ý")


def test_one_pending_request_at_a_time(assignment, pending, focal):
    with pytest.raises(ValidationError) as caught:
        progress.request_extension(assignment, actor=focal, requested_due_on=days(40), reason="Nữa")
    assert "already pending" in caught.value.messages[0]


def test_the_requested_deadline_must_be_later_and_the_input_is_kept(assignment, as_focal):
    response = as_focal.post(
        request_url(assignment),
        {"requested_due_on": days(5).strftime("%d/%m/%Y"), "reason": "Lý do của tôi"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "must be after the current one" in html
    assert "Lý do của tôi" in html
    assert not ExtensionRequest.objects.exists()


def test_a_done_assignment_needs_no_extension(plan, province, focal):
    done = make_assignment(
        plan, province["dept_justice"], progress=P.DONE, percent=100, completed_on=days(-1)
    )
    with pytest.raises(ValidationError):
        progress.request_extension(done, actor=focal, requested_due_on=days(30), reason="x")


def test_a_viewer_cannot_ask_for_an_extension(assignment, as_viewer):
    response = as_viewer.post(
        request_url(assignment), {"requested_due_on": days(20).strftime("%d/%m/%Y"), "reason": "x"}
    )
    assert response.status_code == 403


def test_the_extensions_page_lists_pending_requests_for_the_assigning_side(pending, as_officer):
    html = as_officer.get(reverse("assignments:extensions")).content.decode()
    assert decide_url(pending) in html
    assert "Chờ số liệu của các phòng" in html


def test_deciding_from_the_extensions_page_returns_to_it(pending, as_officer):
    url = decide_url(pending)
    response = as_officer.post(url, {"from": "list", f"x{pending.pk}-decision": "refuse"})
    assert response.status_code == 200
    assert "Give the reason for refusing" in response.content.decode()
    response = as_officer.post(
        url, {"from": "list", f"x{pending.pk}-decision": "approve", f"x{pending.pk}-reason": "OK"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assignments:extensions")


def test_the_requesting_side_gets_403_on_the_extensions_page(pending, as_focal):
    assert as_focal.get(reverse("assignments:extensions")).status_code == 403


def test_a_department_issuing_its_own_plan_decides_its_extensions(province, focal):
    from congvu.accounts.models import Role
    from congvu.conftest import make_user

    own_plan = make_plan(province["dept_home"], number="12/KH-SNV")
    assignment = make_assignment(own_plan, province["dept_justice"], due=days(5))
    manager = make_user("home-manager", Role.HOME_AFFAIRS, province["dept_home"])
    request = progress.request_extension(
        assignment, actor=focal, requested_due_on=days(9), reason="Lý do"
    )
    client = client_for(manager)
    assert client.get(reverse("assignments:detail", args=[assignment.pk])).status_code == 200
    response = client.post(decide_url(request), {f"x{request.pk}-decision": "approve"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.due_on == days(9)


def test_home_affairs_decides_on_a_plan_of_the_committee_its_province_took_over(
    province, focal, as_officer, as_focal
):
    """Plan 86 was issued by the former province's committee, closed on 30/06/2025 with the
    merged province's as its successor: Home Affairs of the merged province sees and
    decides the extension requests on it (it saw none and got 403)."""
    import datetime as dt

    from congvu.organisations.models import Organisation

    former = Organisation.objects.create(
        code="H57",
        name="Ủy ban nhân dân tỉnh Thái Bình",
        kind=province["root"].kind,
        valid_from=dt.date(1997, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        successor=province["root"],
    )
    assignment = make_assignment(make_plan(former), province["dept_justice"], due=days(5))
    as_focal.post(
        request_url(assignment), {"requested_due_on": days(30).strftime("%d/%m/%Y"), "reason": "x"}
    )
    pending = ExtensionRequest.objects.get(assignment=assignment)
    listed = as_officer.get(reverse("assignments:extensions")).content.decode()
    assert decide_url(pending) in listed
    response = as_officer.post(decide_url(pending), {f"x{pending.pk}-decision": "approve"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ExtensionRequest.Status.APPROVED
