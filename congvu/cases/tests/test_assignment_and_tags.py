"""The officer a case is given to, and the handlers' tags: on the case page, the list,
the dashboard, the export and the rules page; never in front of the reporter, the
staff member concerned or the public."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from congvu.accounts.models import Role, RoleGrant, User
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for, make_user
from congvu.core.models import Notification
from congvu.organisations.models import Organisation, StaffMember

from .. import assignment, history, services, tags
from ..models import Case, CaseEvent, CaseTag
from .office_helpers import file_report, make_case_handler, media, move  # noqa: F401

LIST = reverse("cases:list")
K = CaseEvent.Kind


@pytest.fixture
def case(staff_member: StaffMember) -> Case:
    return file_report(staff=staff_member)


@pytest.fixture
def handler(province: dict[str, Organisation]) -> User:
    return make_case_handler(province["dept_justice"])


@pytest.fixture
def focal_point(province: dict[str, Organisation]) -> User:
    return make_user("focal", Role.FOCAL_POINT, province["dept_justice"])


@pytest.fixture
def urgent(province: dict[str, Organisation]) -> CaseTag:
    return CaseTag.objects.create(
        province=province["root"], name="Khẩn", name_folded="khan", colour=CaseTag.Colour.RED
    )


@pytest.fixture
def press(province: dict[str, Organisation]) -> CaseTag:
    return CaseTag.objects.create(
        province=province["root"], name="Báo chí quan tâm", name_folded="bao chi quan tam"
    )


def url(name: str, case: Case) -> str:
    return reverse(f"cases:{name}", args=[case.code])


def assign_post(client: Client, case: Case, user: User | int, reason: str = "") -> object:
    pk = user if isinstance(user, int) else user.pk
    return client.post(url("assign", case), {"asg-assignee": pk, "asg-reason": reason})


# --- assigning ------------------------------------------------------------------------------


def test_the_head_assigns_a_case_and_the_assignee_is_named_notified_and_audited(
    as_head: Client, case: Case, handler: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = assign_post(as_head, case, handler)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == handler
    page = as_head.get(url("detail", case)).content.decode()
    assert "Lê Thị Lan" in page
    event = case.events.get(kind=K.ASSIGNED)
    assert event.audience == CaseEvent.Audience.INTERNAL
    assert event.body == "Giao cho Lê Thị Lan xử lý."
    assert AuditEvent.objects.filter(action="case.assign").exists()
    notice = Notification.objects.get(user=handler)
    assert case.code in notice.title and notice.url == f"/cases/{case.code}/"


def test_only_people_who_may_handle_the_organisations_cases_are_offered(
    as_head: Client,
    head: User,
    case: Case,
    handler: User,
    viewer: User,
    outsider: User,
    staff_user: User,
) -> None:
    offered = set(
        as_head.get(url("detail", case)).context["assign_form"].fields["assignee"].queryset
    )
    assert handler in offered and head in offered
    assert viewer not in offered and outsider not in offered
    # The staff member the case is about never handles it.
    RoleGrant.objects.create(
        user=staff_user, role=Role.CASE_HANDLER, organisation=case.organisation
    )
    assert staff_user not in set(assignment.eligible(case))


def test_assigning_someone_not_eligible_is_refused_and_changes_nothing(
    as_head: Client, case: Case, viewer: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = assign_post(as_head, case, viewer)
    assert response.status_code == 400
    assert "không được xử lý vụ việc" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee is None
    assert not case.events.filter(kind=K.ASSIGNED).exists()
    assert not Notification.objects.filter(user=viewer).exists()


def test_the_service_refuses_an_ineligible_person_even_when_called_directly(
    head: User, case: Case, outsider: User
) -> None:
    with pytest.raises(Exception, match="không được xử lý"):
        assignment.assign(case, assignee=outsider, actor=head)
    case.refresh_from_db()
    assert case.assignee is None


def test_reassigning_needs_a_reason_kept_on_the_timeline(
    as_head: Client, head: User, case: Case, handler: User
) -> None:
    assignment.assign(case, assignee=handler, actor=head)
    response = assign_post(as_head, case, head)
    assert response.status_code == 400
    assert "Nêu lý do" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee == handler
    assert assign_post(as_head, case, head, "Chị Lan nghỉ phép.").status_code == 302
    case.refresh_from_db()
    assert case.assignee == head
    last = case.events.filter(kind=K.ASSIGNED).last()
    assert last is not None
    assert last.body == "Giao lại cho head xử lý (thay Lê Thị Lan). Lý do: Chị Lan nghỉ phép."


def test_the_head_unassigns_a_case_and_unassigning_nobody_is_an_error(
    as_head: Client, head: User, case: Case, handler: User
) -> None:
    response = as_head.post(url("unassign", case), {"unasg-reason": ""})
    assert response.status_code == 400
    assert "chưa giao cho ai" in response.content.decode()
    assignment.assign(case, assignee=handler, actor=head)
    assert as_head.post(url("unassign", case), {"unasg-reason": "Chờ bổ sung."}).status_code == 302
    case.refresh_from_db()
    assert case.assignee is None and case.assigned_at is None
    assert case.events.filter(kind=K.ASSIGNED).last().body == (  # type: ignore[union-attr]
        "Thôi giao Lê Thị Lan xử lý.\nChờ bổ sung."
    )


def test_an_outsider_gets_404_and_handlers_without_the_heads_permission_403(
    as_outsider: Client, as_viewer: Client, focal_point: User, handler: User, case: Case
) -> None:
    assert assign_post(as_outsider, case, handler).status_code == 404
    assert as_outsider.post(url("unassign", case)).status_code == 404
    assert assign_post(as_viewer, case, handler).status_code == 403
    for user in (focal_point, handler):
        client = client_for(user)
        assert assign_post(client, case, handler).status_code == 403
        assert client.post(url("unassign", case)).status_code == 403
        assert client.get(url("detail", case)).context["may_assign"] is False
    case.refresh_from_db()
    assert case.assignee is None


def test_a_handler_who_loses_their_role_keeps_nothing_and_the_case_asks_for_reassignment(
    as_head: Client, head: User, case: Case, handler: User
) -> None:
    assignment.assign(case, assignee=handler, actor=head)
    assert client_for(handler).get(url("detail", case)).status_code == 200
    RoleGrant.objects.filter(user=handler).delete()
    assert client_for(handler).get(url("detail", case)).status_code == 404
    page = as_head.get(url("detail", case)).content.decode()
    assert 'data-testid="needs-reassignment"' in page
    listed = as_head.get(LIST, {"assigned": "none"})
    assert case.code in listed.content.decode()
    assert case.pk in listed.context["to_reassign"]
    assert assign_post(as_head, case, head, "Chị Lan chuyển công tác.").status_code == 302


def test_the_list_filters_by_assigned_to_me_and_unassigned_and_shows_the_handler(
    head: User, staff_member: StaffMember, handler: User
) -> None:
    mine = file_report(staff=staff_member)
    theirs = file_report(staff=staff_member)
    nobodys = file_report(staff=staff_member)
    assignment.assign(mine, assignee=handler, actor=head)
    assignment.assign(theirs, assignee=head, actor=head)
    as_handler = client_for(handler)
    html = as_handler.get(LIST, {"assigned": "me"}).content.decode()
    assert mine.code in html and theirs.code not in html and nobodys.code not in html
    assert "Lê Thị Lan" in html
    html = as_handler.get(LIST, {"assigned": "none"}).content.decode()
    assert nobodys.code in html and mine.code not in html and theirs.code not in html


def test_the_dashboard_counts_open_and_overdue_cases_per_handler(
    as_head: Client, head: User, staff_member: StaffMember, handler: User
) -> None:
    first = file_report(staff=staff_member)
    second = file_report(staff=staff_member)
    file_report(staff=staff_member)
    Case.objects.filter(pk=first.pk).update(acknowledge_due="2020-01-02")
    assignment.assign(first, assignee=handler, actor=head)
    assignment.assign(second, assignee=handler, actor=head)
    response = as_head.get(reverse("cases:dashboard"))
    rows = {row.user_id: row for row in response.context["handler_rows"]}
    assert (rows[handler.pk].open, rows[handler.pk].overdue) == (2, 1)
    assert rows[None].open == 1
    assert 'data-testid="handler-table"' in response.content.decode()


# --- tags -----------------------------------------------------------------------------------


def test_the_officer_keeps_the_provinces_tags_on_the_rules_page(
    as_officer: Client, province: dict[str, Organisation]
) -> None:
    response = as_officer.post(
        reverse("cases:tag_new"), {"name": "Khẩn", "colour": "red", "is_active": "on"}
    )
    assert response.status_code == 302
    tag = CaseTag.objects.get()
    assert (tag.province, tag.name_folded, tag.colour) == (province["root"], "khan", "red")
    assert AuditEvent.objects.filter(action="cases.tag_create").exists()
    page = as_officer.get(reverse("cases:rules")).content.decode()
    assert "Khẩn" in page
    response = as_officer.post(
        reverse("cases:tag_edit", args=[tag.pk]), {"name": "Khẩn cấp", "colour": "orange"}
    )
    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.colour, tag.is_active) == ("Khẩn cấp", "orange", False)


def test_a_tag_name_taken_accents_aside_is_refused_with_the_input_kept(
    as_officer: Client, urgent: CaseTag
) -> None:
    response = as_officer.post(reverse("cases:tag_new"), {"name": "KHAN", "colour": "blue"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "đã có nhãn cùng tên" in html and 'value="KHAN"' in html
    assert CaseTag.objects.count() == 1


def test_only_those_managing_the_case_rules_manage_tags(
    as_head: Client, as_outsider: Client, urgent: CaseTag
) -> None:
    for client in (as_head, as_outsider):
        assert client.get(reverse("cases:tag_new")).status_code == 403
        assert (
            client.post(reverse("cases:tag_edit", args=[urgent.pk]), {"name": "x"}).status_code
            == 403
        )
    urgent.refresh_from_db()
    assert urgent.name == "Khẩn"


def test_a_handler_tags_a_case_and_the_change_is_on_the_handlers_timeline(
    as_head: Client, case: Case, urgent: CaseTag, press: CaseTag
) -> None:
    response = as_head.post(url("tags", case), {"tags-tags": [urgent.pk, press.pk]})
    assert response.status_code == 302
    assert set(case.tags.all()) == {urgent, press}
    event = case.events.get(kind=K.TAGGED)
    assert event.audience == CaseEvent.Audience.INTERNAL
    assert event.body == "Gắn nhãn: Báo chí quan tâm, Khẩn."
    assert as_head.post(url("tags", case), {"tags-tags": [press.pk]}).status_code == 302
    assert list(case.tags.all()) == [press]
    assert case.events.filter(kind=K.TAGGED).last().body == "Bỏ nhãn: Khẩn."  # type: ignore[union-attr]
    page = as_head.get(url("detail", case)).content.decode()
    assert "Báo chí quan tâm" in page


def test_an_unknown_or_inactive_tag_is_refused_and_nothing_changes(
    as_head: Client, head: User, case: Case, urgent: CaseTag, press: CaseTag
) -> None:
    response = as_head.post(url("tags", case), {"tags-tags": [urgent.pk, 999999]})
    assert response.status_code == 400
    assert "Không tìm thấy nhãn" in response.content.decode()
    CaseTag.objects.filter(pk=press.pk).update(is_active=False)
    with pytest.raises(Exception, match="không còn dùng"):
        tags.set_tags(case, tag_ids=[press.pk], actor=head)
    assert not case.tags.exists()
    assert not case.events.filter(kind=K.TAGGED).exists()


@pytest.mark.parametrize("value", ["99999999999999999999", "-9223372036854775809"])
def test_a_tag_id_too_big_for_the_database_is_refused_as_unknown(
    as_head: Client, case: Case, urgent: CaseTag, value: str
) -> None:
    # SQLite cannot bind it in the `pk__in` query Django's field makes (was a 500).
    response = as_head.post(url("tags", case), {"tags-tags": [urgent.pk, value]})
    assert response.status_code == 400
    assert "Không tìm thấy nhãn" in response.content.decode()
    assert not case.tags.exists()


def test_tagging_is_404_for_an_outsider_and_403_without_the_handling_permission(
    as_outsider: Client, as_viewer: Client, case: Case, urgent: CaseTag
) -> None:
    assert as_outsider.post(url("tags", case), {"tags-tags": [urgent.pk]}).status_code == 404
    assert as_viewer.post(url("tags", case), {"tags-tags": [urgent.pk]}).status_code == 403
    assert not case.tags.exists()


def test_the_list_filters_by_tag_without_accents(
    as_head: Client, head: User, staff_member: StaffMember, urgent: CaseTag
) -> None:
    tagged = file_report(staff=staff_member)
    other = file_report(staff=staff_member)
    tags.set_tags(tagged, tag_ids=[urgent.pk], actor=head)
    for query in ("khan", "KHẨN"):
        html = as_head.get(LIST, {"tag": query}).content.decode()
        assert tagged.code in html and other.code not in html


def test_the_export_names_the_handler_and_the_tags(
    as_head: Client, head: User, case: Case, handler: User, urgent: CaseTag
) -> None:
    assignment.assign(case, assignee=handler, actor=head)
    tags.set_tags(case, tag_ids=[urgent.pk], actor=head)
    response = as_head.get(reverse("cases:export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    row = rows[1]
    assert row[header.index("Cán bộ được giao xử lý")] == "Lê Thị Lan"
    assert row[header.index("Nhãn")] == "Khẩn"


# --- never in front of the reporter, the staff member concerned or the public ----------------


def test_the_reporter_the_subject_and_open311_never_see_the_handler_or_the_tags(
    head: User, staff_member: StaffMember, staff_user: User, handler: User, urgent: CaseTag
) -> None:
    receipt = services.submit_report(
        services.ReportInput(
            subject_staff=staff_member,
            description="Cán bộ đòi tiền mới nhận hồ sơ.",
            is_anonymous=True,
        )
    )
    case = move(receipt.case, "accepted", actor=head)
    services.add_event(case, actor=head, kind=K.TO_SUBJECT, body="Đề nghị giải trình.")
    assignment.assign(case, assignee=handler, actor=head)
    tags.set_tags(case, tag_ids=[urgent.pk], actor=head)
    citizen = Client()
    citizen.post(
        reverse("cases_public:track"), {"code": receipt.code, "passphrase": receipt.passphrase}
    )
    pages = {
        "tracking": citizen.get(reverse("cases_public:track_case", args=[case.code])),
        "open311": Client().get(f"/open311/v2/requests/{case.code}.json"),
        "subject": client_for(staff_user).get(reverse("cases:subject_view", args=[case.code])),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = response.content.decode()
        assert "Lê Thị Lan" not in text and "Khẩn" not in text, name
        assert "Giao cho" not in text and "Gắn nhãn" not in text, name


def test_the_history_of_assignments_and_tags_reads_in_english(
    head: User, case: Case, handler: User, urgent: CaseTag
) -> None:
    assignment.assign(case, assignee=handler, actor=head)
    tags.set_tags(case, tag_ids=[urgent.pk], actor=head)
    with translation.override("en"):
        shown = [
            str(history.shown(e).html) for e in case.events.filter(kind__in=[K.ASSIGNED, K.TAGGED])
        ]
    assert shown[0] == 'Assigned to <span lang="vi">Lê Thị Lan</span>.'
    assert shown[1] == 'Tagged: <span lang="vi">Khẩn</span>.'
