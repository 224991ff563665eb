"""Assigning several cases from the list (all or nothing, one notice), and the
organisations' default handlers (automatic assignment of new cases)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.accounts import services as account_services
from congvu.accounts.models import Role, RoleGrant, User
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for, make_staff, make_user
from congvu.core.models import Notification
from congvu.organisations.models import Organisation, StaffMember

from .. import assignment, bulk_assignment, default_handler
from ..models import Case, CaseEvent, DefaultHandler
from .office_helpers import file_report, make_case_handler, media, move  # noqa: F401

LIST = reverse("cases:list")
BULK = reverse("cases:bulk")
DEFAULTS = reverse("cases:default_handlers")
K = CaseEvent.Kind


@pytest.fixture
def handler(province: dict[str, Organisation]) -> User:
    return make_case_handler(province["dept_justice"])


@pytest.fixture
def cases(province: dict[str, Organisation]) -> list[Case]:
    return [file_report(organisation=province["dept_justice"]) for _ in range(3)]


def bulk(client: Client, codes: list[str], action: str = "assign", **fields: Any) -> Any:
    data: dict[str, Any] = {"cases": codes, "bulk-action": action}
    if "assignee" in fields:
        data["bulk-assignee"] = fields.pop("assignee")
    if "reason" in fields:
        data["bulk-reason"] = fields.pop("reason")
    data.update(fields)
    return client.post(BULK + "?status=received", data)


def edit_url(organisation: Organisation) -> str:
    return reverse("cases:default_handler_edit", args=[organisation.pk])


# --- bulk assignment from the list ------------------------------------------------------------


def test_the_list_offers_a_box_per_case_and_the_people_who_may_handle_them(
    as_head: Client, cases: list[Case], handler: User
) -> None:
    page = as_head.get(LIST).content.decode()
    assert 'data-testid="bulk-assign"' in page
    for case in cases:
        assert f'name="cases" value="{case.code}"' in page
    assert "Lê Thị Lan (handler)" in page
    assert "Chọn tất cả vụ việc trên trang này" in page


def test_a_focal_point_sees_no_bulk_form_and_is_refused_with_403(
    province: dict[str, Organisation], cases: list[Case], handler: User
) -> None:
    focal = client_for(make_user("focal", Role.FOCAL_POINT, province["dept_justice"]))
    assert 'data-testid="bulk-assign"' not in focal.get(LIST).content.decode()
    response = bulk(focal, [cases[0].code], assignee=handler.pk)
    assert response.status_code == 403
    assert Case.objects.filter(assignee__isnull=False).count() == 0


def test_an_outsider_gets_404_for_cases_outside_their_scope(
    as_outsider: Client, cases: list[Case], handler: User
) -> None:
    response = bulk(as_outsider, [c.code for c in cases], assignee=handler.pk)
    assert response.status_code == 404
    assert Case.objects.filter(assignee__isnull=False).count() == 0


def test_the_head_assigns_three_cases_at_once_with_one_notice_and_three_audited_entries(
    as_head: Client,
    cases: list[Case],
    handler: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(as_head, [c.code for c in cases], assignee=handler.pk)
    assert response.status_code == 302
    assert response["Location"] == LIST + "?status=received"
    for case in cases:
        case.refresh_from_db()
        assert case.assignee == handler
        assert case.events.filter(kind=K.ASSIGNED).count() == 1
    assert AuditEvent.objects.filter(action="case.assign").count() == 3
    notices = Notification.objects.filter(user=handler, kind="case_assigned")
    assert notices.count() == 1
    notice = notices.get()
    assert notice.title == "Bạn được giao xử lý 3 vụ việc"
    assert all(case.code in notice.body for case in cases)
    page = as_head.get(response["Location"]).content.decode()
    assert "Đã giao 3 vụ việc cho Lê Thị Lan" in page


def test_nothing_is_assigned_when_one_case_is_about_the_chosen_person(
    as_head: Client,
    province: dict[str, Organisation],
    cases: list[Case],
    handler: User,
) -> None:
    own: StaffMember = make_staff(province["dept_justice"], "Lê Thị Lan", "STP-077")
    own.user = handler
    own.save(update_fields=["user"])
    about_them = file_report(staff=own)
    codes = [c.code for c in cases] + [about_them.code]
    response = bulk(as_head, codes, assignee=handler.pk, reason="Phân công đợt 1")
    assert response.status_code == 400
    page = response.content.decode()
    assert about_them.code in page
    assert "Người này là cán bộ bị phản ánh trong vụ việc." in page
    assert "This person is the staff member concerned in the case." in page
    assert "chưa vụ việc nào được thay đổi" in page
    for code in codes:
        assert f'value="{code}" aria-label' in page
        assert f'name="cases" value="{code}" aria-label="Chọn vụ việc {code}" checked' in page
    assert "Phân công đợt 1" in page
    assert Case.objects.filter(assignee__isnull=False).count() == 0
    assert not AuditEvent.objects.filter(action="case.assign").exists()
    assert not Notification.objects.filter(kind="case_assigned").exists()


def test_someone_who_may_not_handle_the_organisation_is_refused_for_every_case(
    as_head: Client, province: dict[str, Organisation], cases: list[Case]
) -> None:
    elsewhere = make_case_handler(province["commune"], full_name="Phạm Văn Xã")
    response = bulk(as_head, [c.code for c in cases], assignee=elsewhere.pk)
    assert response.status_code == 400
    refusals = response.content.decode().split('data-testid="bulk-refusals"')[1]
    for case in cases:
        assert case.code in refusals
    assert "This person may not handle the cases of" in refusals
    assert Case.objects.filter(assignee__isnull=False).count() == 0


def test_a_refused_bulk_form_offers_the_cases_handlers_and_the_choice_not_every_user(
    as_head: Client, province: dict[str, Organisation], cases: list[Case], handler: User
) -> None:
    elsewhere = make_user("pham.van.xa", Role.CASE_HANDLER, province["commune"])
    make_user("tran.van.ngoai", Role.VIEWER, province["commune"])
    response = bulk(as_head, [c.code for c in cases], assignee=elsewhere.pk)
    assert response.status_code == 400
    form = response.content.decode().split('data-testid="bulk-assign"')[1].split("</form>")[0]
    assert f'value="{elsewhere.pk}" selected' in form
    assert "Lê Thị Lan (handler)" in form
    assert "tran.van.ngoai" not in form


def test_replacing_assignees_in_bulk_needs_a_reason(
    as_head: Client, head: User, province: dict[str, Organisation], cases: list[Case]
) -> None:
    first = make_case_handler(province["dept_justice"], full_name="Lê Thị Lan")
    second = make_user("second", Role.CASE_HANDLER, province["dept_justice"])
    assignment.assign(cases[0], assignee=first, actor=head)
    response = bulk(as_head, [c.code for c in cases], assignee=second.pk)
    assert response.status_code == 400
    assert "Give the reason for the reassignment." in response.content.decode()
    assert Case.objects.filter(assignee=second).count() == 0
    response = bulk(as_head, [c.code for c in cases], assignee=second.pk, reason="Lan nghỉ phép")
    assert response.status_code == 302
    assert Case.objects.filter(assignee=second).count() == 3
    assert AuditEvent.objects.filter(action="case.reassign").count() == 1


def test_select_all_on_the_page_works_without_javascript(
    as_head: Client, cases: list[Case], handler: User
) -> None:
    response = as_head.post(
        BULK,
        {
            "shown": [c.code for c in cases],
            "all_on_page": "1",
            "bulk-action": "assign",
            "bulk-assignee": handler.pk,
        },
    )
    assert response.status_code == 302
    assert Case.objects.filter(assignee=handler).count() == 3


def test_more_cases_than_the_cap_are_refused_with_a_clear_message(
    as_head: Client, handler: User
) -> None:
    codes = [f"PA-X{n:08d}" for n in range(bulk_assignment.MANY_MAX + 1)]
    response = bulk(as_head, codes, assignee=handler.pk)
    assert response.status_code == 400
    assert "At most 200 cases at a time; you chose 201." in response.content.decode()


def test_a_code_no_case_can_have_is_an_unknown_case_on_every_database(
    as_head: Client, cases: list[Case], handler: User
) -> None:
    # A NUL in a hand-edited code reached `code__in`: PostgreSQL refuses it (DataError, 500).
    for codes in ([cases[0].code, "PA-\x00X"], ["PA X", "<b>"]):
        assert bulk(as_head, codes, assignee=handler.pk).status_code == 404
    response = as_head.post(
        BULK,
        {
            "shown": [cases[0].code, "\x00"],
            "all_on_page": "1",
            "bulk-action": "assign",
            "bulk-assignee": handler.pk,
        },
    )
    assert response.status_code == 404
    assert Case.objects.filter(assignee__isnull=False).count() == 0


def test_no_case_ticked_is_a_clear_error(as_head: Client, handler: User) -> None:
    response = bulk(as_head, [], assignee=handler.pk)
    assert response.status_code == 400
    assert "Choose at least one case." in response.content.decode()


def test_bulk_unassign_is_all_or_nothing_too(
    as_head: Client, head: User, cases: list[Case], handler: User
) -> None:
    for case in cases[:2]:
        assignment.assign(case, assignee=handler, actor=head)
    response = bulk(as_head, [c.code for c in cases], action="unassign")
    assert response.status_code == 400
    assert cases[2].code in response.content.decode().split('data-testid="bulk-refusals"')[1]
    assert Case.objects.filter(assignee=handler).count() == 2
    response = bulk(as_head, [c.code for c in cases[:2]], action="unassign", reason="Đổi tổ")
    assert response.status_code == 302
    assert Case.objects.filter(assignee__isnull=False).count() == 0
    assert AuditEvent.objects.filter(action="case.unassign").count() == 2


def test_one_case_ticked_gets_the_ordinary_notice(
    as_head: Client, cases: list[Case], handler: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        bulk(as_head, [cases[0].code], assignee=handler.pk)
    notice = Notification.objects.get(user=handler)
    assert notice.title == f"Bạn được giao xử lý vụ việc {cases[0].code}"


# --- default handler --------------------------------------------------------------------------


def test_the_head_names_a_default_handler_and_new_cases_go_to_them(
    as_head: Client,
    province: dict[str, Organisation],
    handler: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dept = province["dept_justice"]
    assert as_head.get(edit_url(dept)).status_code == 200
    response = as_head.post(edit_url(dept), {"handler": handler.pk})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="case.default_handler_set").count() == 1
    listing = as_head.get(DEFAULTS + "?q=tu phap").content.decode()
    assert "Lê Thị Lan" in listing
    with django_capture_on_commit_callbacks(execute=True):
        case = file_report(organisation=dept)
    case.refresh_from_db()
    assert case.assignee == handler
    event = case.events.get(kind=K.ASSIGNED)
    assert event.body.startswith("Tự động giao cho Lê Thị Lan xử lý")
    assert event.actor is None
    assert AuditEvent.objects.filter(action="case.auto_assign").count() == 1
    assert Notification.objects.filter(user=handler, kind="case_assigned").count() == 1


def test_without_a_default_a_new_case_stays_unassigned(
    province: dict[str, Organisation], handler: User
) -> None:
    case = file_report(organisation=province["dept_justice"])
    assert case.assignee is None
    assert not case.events.filter(kind=K.ASSIGNED).exists()


def test_a_default_on_a_parent_does_not_reach_the_organisations_under_it(
    province: dict[str, Organisation],
) -> None:
    admin = User.objects.create_superuser("root", password="pw-for-tests-123")
    province_handler = make_case_handler(province["root"], full_name="Trần Văn Tỉnh")
    default_handler.set_default(province["root"], handler=province_handler, actor=admin)
    case = file_report(organisation=province["dept_justice"])
    assert case.handling_organisation == province["dept_justice"]
    assert case.assignee is None


def test_a_default_who_lost_the_role_is_cleared_flagged_and_given_nothing(
    as_head: Client, head: User, province: dict[str, Organisation], handler: User
) -> None:
    dept = province["dept_justice"]
    default_handler.set_default(dept, handler=handler, actor=head)
    grant = RoleGrant.objects.get(user=handler)
    account_services.revoke_grant(grant, actor=head)
    page = as_head.get(edit_url(dept)).content.decode()
    assert 'data-testid="needs-replacement"' in page
    case = file_report(organisation=dept)
    assert case.assignee is None
    row = DefaultHandler.objects.get(organisation=dept)
    assert row.handler is None
    assert row.lost_handler == handler
    assert AuditEvent.objects.filter(action="case.default_handler_lost").count() == 1
    listing = as_head.get(DEFAULTS).content.decode()
    assert "Cần chọn người khác: Lê Thị Lan đã mất quyền xử lý" in listing


def test_the_daily_sweep_clears_a_default_who_lost_the_role(
    head: User, province: dict[str, Organisation], handler: User
) -> None:
    dept = province["dept_justice"]
    default_handler.set_default(dept, handler=handler, actor=head)
    assert default_handler.sweep() == {"cleared": 0}
    handler.is_active = False
    handler.save(update_fields=["is_active"])
    assert default_handler.sweep() == {"cleared": 1}
    assert DefaultHandler.objects.get(organisation=dept).lost_handler == handler


def test_a_default_handler_page_is_404_for_an_outsider_and_403_without_the_permission(
    as_outsider: Client, province: dict[str, Organisation]
) -> None:
    dept = province["dept_justice"]
    assert as_outsider.get(edit_url(dept)).status_code == 404
    focal = client_for(make_user("focal", Role.FOCAL_POINT, dept))
    assert focal.get(edit_url(dept)).status_code == 403
    assert focal.get(DEFAULTS).status_code == 403


def test_naming_someone_who_may_not_handle_the_cases_is_refused_and_nothing_saved(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    elsewhere = make_case_handler(province["commune"], full_name="Phạm Văn Xã")
    response = as_head.post(edit_url(province["dept_justice"]), {"handler": elsewhere.pk})
    assert response.status_code == 400
    assert "This person may not handle the organisation" in response.content.decode()
    assert not DefaultHandler.objects.exists()


# --- default handler per track ----------------------------------------------------------------


def protector_of(organisation: Organisation) -> User:
    """A second case handler there, for the denunciations."""
    user = make_user("protector", Role.CASE_HANDLER, organisation)
    user.full_name = "Đỗ Thị Kín"
    user.save(update_fields=["full_name"])
    return user


def test_a_denunciation_goes_to_the_tracks_default_and_a_feedback_to_the_organisation_wide_one(
    as_head: Client,
    head: User,
    province: dict[str, Organisation],
    handler: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dept = province["dept_justice"]
    protector = protector_of(dept)
    default_handler.set_default(dept, handler=handler, actor=head)
    page = as_head.get(edit_url(dept)).content.decode()
    assert 'data-testid="default-handler-denunciation"' in page
    response = as_head.post(edit_url(dept), {"handler": protector.pk, "track": "denunciation"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="case.default_handler_set", data__track="denunciation")
    assert "Tố cáo" in event.summary
    with django_capture_on_commit_callbacks(execute=True):
        denunciation = file_report(organisation=dept, track="denunciation")
        feedback = file_report(organisation=dept)
    denunciation.refresh_from_db()
    feedback.refresh_from_db()
    assert denunciation.assignee == protector
    assert feedback.assignee == handler
    assert Notification.objects.filter(user=protector, kind="case_assigned").count() == 1
    listing = as_head.get(DEFAULTS + "?q=tu phap").content.decode()
    assert "Tố cáo: Đỗ Thị Kín" in listing


def test_a_track_without_its_own_default_falls_back_to_the_organisation_wide_one(
    as_head: Client, head: User, province: dict[str, Organisation], handler: User
) -> None:
    dept = province["dept_justice"]
    protector = protector_of(dept)
    default_handler.set_default(dept, handler=handler, actor=head)
    default_handler.set_default(dept, handler=protector, actor=head, track="complaint")
    as_head.post(edit_url(dept), {"handler": "", "track": "complaint"})
    assert DefaultHandler.objects.get(organisation=dept, track="complaint").handler is None
    assert file_report(organisation=dept, track="complaint").assignee == handler
    assert file_report(organisation=dept, track="denunciation").assignee == handler


def test_a_track_default_who_lost_the_role_is_cleared_flagged_and_nobody_gets_the_case(
    as_head: Client, head: User, province: dict[str, Organisation], handler: User
) -> None:
    dept = province["dept_justice"]
    protector = protector_of(dept)
    default_handler.set_default(dept, handler=handler, actor=head)
    default_handler.set_default(dept, handler=protector, actor=head, track="denunciation")
    account_services.revoke_grant(RoleGrant.objects.get(user=protector), actor=head)
    case = file_report(organisation=dept, track="denunciation")
    # The head chose someone else than the organisation-wide default for denunciations:
    # until they decide again, nobody receives them automatically.
    assert case.assignee is None
    row = DefaultHandler.objects.get(organisation=dept, track="denunciation")
    assert row.handler is None
    assert row.lost_handler == protector
    lost = AuditEvent.objects.get(action="case.default_handler_lost")
    assert lost.data["track"] == "denunciation"
    assert DefaultHandler.objects.get(organisation=dept, track="").handler == handler
    assert file_report(organisation=dept).assignee == handler
    listing = as_head.get(DEFAULTS).content.decode()
    assert "Cần chọn người khác: Đỗ Thị Kín đã mất quyền xử lý" in listing
    page = as_head.get(edit_url(dept)).content.decode()
    assert page.count('data-testid="needs-replacement"') == 1


def test_the_daily_sweep_clears_a_track_default_who_lost_the_role(
    head: User, province: dict[str, Organisation], handler: User
) -> None:
    dept = province["dept_justice"]
    default_handler.set_default(dept, handler=handler, actor=head, track="complaint")
    handler.is_active = False
    handler.save(update_fields=["is_active"])
    assert default_handler.sweep() == {"cleared": 1}
    assert DefaultHandler.objects.get(organisation=dept, track="complaint").lost_handler == handler


def test_a_track_default_is_refused_for_someone_who_may_not_handle_the_cases_or_a_bad_track(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    elsewhere = make_case_handler(province["commune"], full_name="Phạm Văn Xã")
    response = as_head.post(
        edit_url(province["dept_justice"]),
        {"handler": elsewhere.pk, "track": "denunciation"},
    )
    assert response.status_code == 400
    assert "This person may not handle the organisation" in response.content.decode()
    assert not DefaultHandler.objects.exists()
    response = as_head.post(edit_url(province["dept_justice"]), {"handler": "", "track": "x"})
    assert response.status_code == 404


# --- every case matching the list's filters ---------------------------------------------------

FILTERED = reverse("cases:bulk_filtered")


def test_the_head_confirms_then_assigns_every_case_matching_the_filters(
    as_head: Client,
    province: dict[str, Organisation],
    cases: list[Case],
    handler: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    denunciation = file_report(organisation=province["dept_justice"], track="denunciation")
    listing = as_head.get(LIST + "?track=feedback").content.decode()
    assert f"{FILTERED}?track=feedback" in listing
    page = as_head.get(FILTERED + "?track=feedback")
    assert page.status_code == 200
    text = page.content.decode()
    assert "3 vụ việc khớp bộ lọc" in text
    assert "<dt>Loại đơn</dt><dd>Phản ánh, kiến nghị</dd>" in text
    assert all(case.code in text for case in cases)
    assert denunciation.code not in text
    data = {"expected": "3", "bulk-action": "assign", "bulk-assignee": handler.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = as_head.post(FILTERED + "?track=feedback", data)
    assert response.status_code == 302
    assert response["Location"] == LIST + "?track=feedback"
    assert set(Case.objects.filter(assignee=handler)) == set(cases)
    denunciation.refresh_from_db()
    assert denunciation.assignee is None
    assert AuditEvent.objects.filter(action="case.assign").count() == 3
    assert Notification.objects.filter(user=handler, kind="case_assigned").count() == 1


def test_posted_codes_are_ignored_the_filters_decide(
    as_head: Client, province: dict[str, Organisation], cases: list[Case], handler: User
) -> None:
    denunciation = file_report(organisation=province["dept_justice"], track="denunciation")
    data = {
        "expected": "1",
        "bulk-action": "assign",
        "bulk-assignee": handler.pk,
        "cases": [c.code for c in cases],
    }
    response = as_head.post(FILTERED + "?track=denunciation", data)
    assert response.status_code == 302
    assert list(Case.objects.filter(assignee=handler)) == [denunciation]


def test_more_matching_cases_than_the_cap_are_refused_and_nothing_is_written(
    as_head: Client, cases: list[Case], handler: User, monkeypatch: Any
) -> None:
    monkeypatch.setattr(bulk_assignment, "MANY_MAX", 2)
    page = as_head.get(FILTERED)
    assert page.status_code == 400
    text = page.content.decode()
    assert "3 cases match these filters; at most 2 at a time: narrow the filters" in text
    assert 'data-testid="bulk-filtered"' not in text
    data = {"expected": "3", "bulk-action": "assign", "bulk-assignee": handler.pk}
    response = as_head.post(FILTERED, data)
    assert response.status_code == 400
    assert "narrow the filters" in response.content.decode()
    assert not Case.objects.filter(assignee__isnull=False).exists()


def test_a_count_that_changed_since_the_confirmation_is_refused_with_the_choice_kept(
    as_head: Client, province: dict[str, Organisation], cases: list[Case], handler: User
) -> None:
    file_report(organisation=province["dept_justice"])
    data = {
        "expected": "3",
        "bulk-action": "assign",
        "bulk-assignee": handler.pk,
        "bulk-reason": "Phân công đợt 2",
    }
    response = as_head.post(FILTERED, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "The number of matching cases has changed (now 4)" in text
    assert 'name="expected" value="4"' in text
    assert "Phân công đợt 2" in text
    assert not Case.objects.filter(assignee__isnull=False).exists()


def test_one_refused_matching_case_is_named_and_nothing_is_assigned(
    as_head: Client, province: dict[str, Organisation], cases: list[Case], handler: User
) -> None:
    own: StaffMember = make_staff(province["dept_justice"], "Lê Thị Lan", "STP-078")
    own.user = handler
    own.save(update_fields=["user"])
    about_them = file_report(staff=own)
    data = {"expected": "4", "bulk-action": "assign", "bulk-assignee": handler.pk}
    response = as_head.post(FILTERED, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert f"<strong>{about_them.code}</strong>" in text
    assert "no case was changed" in text
    assert not Case.objects.filter(assignee__isnull=False).exists()


def test_invalid_filters_are_refused_rather_than_widened(
    as_head: Client, cases: list[Case], handler: User
) -> None:
    page = as_head.get(FILTERED + "?month=13/2026")
    assert page.status_code == 400
    assert "The filters are not valid" in page.content.decode()
    data = {"expected": "3", "bulk-action": "assign", "bulk-assignee": handler.pk}
    assert as_head.post(FILTERED + "?month=13/2026", data).status_code == 400
    assert not Case.objects.filter(assignee__isnull=False).exists()


def test_the_filtered_bulk_is_404_for_an_outsider_and_403_without_case_assign(
    as_outsider: Client, province: dict[str, Organisation], cases: list[Case], handler: User
) -> None:
    dept = province["dept_justice"]
    data = {"expected": "3", "bulk-action": "assign", "bulk-assignee": handler.pk}
    url = f"{FILTERED}?organisation={dept.pk}"
    assert as_outsider.get(url).status_code == 404
    assert as_outsider.post(url, data).status_code == 404
    focal = client_for(make_user("focal", Role.FOCAL_POINT, dept))
    assert focal.get(FILTERED).status_code == 403
    assert focal.post(FILTERED, data).status_code == 403
    assert not Case.objects.filter(assignee__isnull=False).exists()
