from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conftest import (
    client_for,
    form_key,
    form_version,
    make_staff,
    said_already_sent,
    said_changed_meanwhile,
)
from congvu.organisations.models import Organisation, StaffMember

Province = dict[str, Organisation]


def staff_url(name: str, member: StaffMember) -> str:
    return reverse(f"organisations:{name}", args=[member.pk])


def form_data(member: StaffMember, **changes: str) -> dict[str, str]:
    data = {
        "full_name": member.full_name,
        "staff_code": member.staff_code,
        "category": member.category,
        "position_title": member.position_title,
        "organisation": member.organisation.code,
        "division": member.division.code if member.division else "",
        "email": member.email,
        "phone": member.phone,
        "effective": "01/07/2025",
    }
    data.update(changes)
    return data


# --- List -----------------------------------------------------------------------------


def test_the_staff_list_shows_visible_staff_to_an_officer(
    as_officer: Client, staff_member: StaffMember
) -> None:
    response = as_officer.get(reverse("organisations:staff_list"))
    assert response.status_code == 200
    assert "Nguyễn Văn Đức" in response.content.decode()


def test_the_staff_list_hides_other_organisations_staff_from_an_outsider(
    as_outsider: Client, staff_member: StaffMember
) -> None:
    response = as_outsider.get(reverse("organisations:staff_list"))
    assert response.status_code == 200
    assert "Nguyễn Văn Đức" not in response.content.decode()


def test_the_staff_list_is_refused_to_a_self_only_staff_user(staff_user: User) -> None:
    assert client_for(staff_user).get(reverse("organisations:staff_list")).status_code == 403


def test_the_staff_list_search_ignores_accents(
    as_officer: Client, province: Province, staff_member: StaffMember
) -> None:
    make_staff(province["dept_home"], "Phạm Thị Hoa", "SNV-1", category=StaffMember.Category.WORKER)
    html = as_officer.get(reverse("organisations:staff_list"), {"q": "duc"}).content.decode()
    assert "Nguyễn Văn Đức" in html
    assert "Phạm Thị Hoa" not in html


def test_the_staff_list_filters_by_organisation_subtree_category_and_activity(
    as_officer: Client, province: Province, staff_member: StaffMember
) -> None:
    make_staff(province["dept_home"], "Phạm Thị Hoa", "SNV-1", category=StaffMember.Category.WORKER)
    page = as_officer.get(reverse("organisations:staff_list"), {"organisation": "h56.02"})
    assert [m.full_name for m in page.context["page"]] == ["Nguyễn Văn Đức"]
    page = as_officer.get(reverse("organisations:staff_list"), {"category": "worker"})
    assert [m.full_name for m in page.context["page"]] == ["Phạm Thị Hoa"]
    page = as_officer.get(reverse("organisations:staff_list"), {"active": "0"})
    assert list(page.context["page"]) == []


def test_the_staff_list_is_in_vietnamese_name_order_and_paginated(
    as_officer: Client, province: Province
) -> None:
    for i in range(55):
        make_staff(
            province["dept_home"],
            f"Trần Văn Ba{i:02d}",
            f"B{i:02d}",
            category=StaffMember.Category.WORKER,
        )
    make_staff(province["dept_home"], "Võ Thị Ánh", "A1", category=StaffMember.Category.WORKER)
    make_staff(province["dept_home"], "Lê Văn An", "A0", category=StaffMember.Category.WORKER)
    first = as_officer.get(reverse("organisations:staff_list"))
    names = [m.full_name for m in first.context["page"]]
    assert names[:2] == ["Lê Văn An", "Võ Thị Ánh"]
    assert len(names) == 50
    second = as_officer.get(reverse("organisations:staff_list"), {"page": "2"})
    assert len(second.context["page"]) == 7


def test_bad_filters_never_cause_a_500(as_officer: Client, staff_member: StaffMember) -> None:
    for params in (
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"category": "nope"},
        {"active": "maybe"},
        {"organisation": "KHONG-CO"},
        {"q": "%_"},
    ):
        assert as_officer.get(reverse("organisations:staff_list"), params).status_code == 200
    # A NUL byte in the query string is refused up front with a clear message.
    response = as_officer.get(reverse("organisations:staff_list"), {"q": "\x00%_"})
    assert response.status_code == 400
    assert "ký tự không hợp lệ" in response.content.decode()


# --- Detail ---------------------------------------------------------------------------


def test_the_staff_detail_shows_contact_to_an_officer(
    as_officer: Client, staff_member: StaffMember
) -> None:
    response = as_officer.get(staff_url("staff_detail", staff_member))
    assert response.status_code == 200
    html = response.content.decode()
    assert "duc@example.vn" in html
    assert "Quá trình công tác" in html
    assert "Phòng Hành chính tư pháp" in html


def test_the_staff_detail_hides_contact_from_a_viewer(
    as_viewer: Client, staff_member: StaffMember
) -> None:
    response = as_viewer.get(staff_url("staff_detail", staff_member))
    assert response.status_code == 200
    html = response.content.decode()
    assert "duc@example.vn" not in html
    assert "0912345678" not in html
    assert staff_url("staff_edit", staff_member) not in html


def test_the_staff_detail_is_404_for_an_outsider(
    as_outsider: Client, staff_member: StaffMember
) -> None:
    assert as_outsider.get(staff_url("staff_detail", staff_member)).status_code == 404
    assert as_outsider.get("/org/staff/999999/").status_code == 404


# --- Create and edit -------------------------------------------------------------------


def test_a_head_adds_a_staff_member(as_head: Client, province: Province) -> None:
    target = reverse("organisations:staff_create", args=[province["dept_justice"].pk])
    assert as_head.get(target).status_code == 200
    response = as_head.post(
        target,
        {
            "full_name": "  Hoàng   Thị Lan ",
            "staff_code": "STP-100",
            "category": "public_employee",
            "organisation": "H56.02",
            "division": "H56.02.01",
            "effective": "01/03/2025",
        },
    )
    assert response.status_code == 302
    member = StaffMember.objects.get(staff_code="STP-100")
    assert member.full_name == "Hoàng Thị Lan"
    assert member.division == province["division_justice"]
    assert member.assignments.get().valid_from.isoformat() == "2025-03-01"


def test_a_staff_member_sent_twice_is_added_once_without_a_code_already_used_error(
    as_head: Client, province: Province
) -> None:
    # A double tap, or Back and "Lưu" again: the page's form is sent twice.
    target = reverse("organisations:staff_create", args=[province["dept_justice"].pk])
    data = {
        "full_name": "Hoàng Thị Lan",
        "staff_code": "STP-100",
        "category": "public_employee",
        "organisation": "H56.02",
        "effective": "01/03/2025",
        "once": form_key(as_head.get(target)),
    }
    first, second = as_head.post(target, data), as_head.post(target, data)
    member = StaffMember.objects.get(full_name="Hoàng Thị Lan")
    assert first["Location"] == second["Location"] == staff_url("staff_detail", member)
    assert said_already_sent(as_head, second)


def test_adding_staff_with_bad_input_keeps_the_input(as_head: Client, province: Province) -> None:
    target = reverse("organisations:staff_create", args=[province["dept_justice"].pk])
    response = as_head.post(
        target,
        {
            "full_name": "Hoàng Thị Lan",
            "staff_code": "STP-100",
            "category": "public_employee",
            "organisation": "H56.02",
            "division": "H56.30",  # outside the head's scope
            "email": "not-an-email",
            "effective": "32/13/2025",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Invalid e-mail address" in html
    assert "Invalid date" in html
    assert "No organisation with this code" in html
    assert 'value="Hoàng Thị Lan"' in html
    assert not StaffMember.objects.filter(staff_code="STP-100").exists()


def test_a_duplicate_staff_code_is_shown_on_its_field(
    as_head: Client, province: Province, staff_member: StaffMember
) -> None:
    target = reverse("organisations:staff_create", args=[province["dept_justice"].pk])
    response = as_head.post(
        target,
        {
            "full_name": "Hoàng Thị Lan",
            "staff_code": "STP-001",
            "category": "worker",
            "organisation": "H56.02",
            "effective": "01/03/2025",
        },
    )
    assert response.status_code == 200
    assert "Staff code already exists" in response.content.decode()


def test_a_staff_code_with_an_emoji_or_a_start_years_ahead_is_refused_and_the_input_kept(
    as_head: Client, province: Province
) -> None:
    target = reverse("organisations:staff_create", args=[province["dept_justice"].pk])
    response = as_head.post(
        target,
        {
            "full_name": "Hoàng Thị Lan",
            "staff_code": "😀 ệ",
            "category": "worker",
            "organisation": "H56.02",
            "effective": "01/01/2099",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ngày bắt đầu không được quá một năm sau hôm nay" in html
    assert "Hoàng Thị Lan" in html
    assert not StaffMember.objects.filter(full_name="Hoàng Thị Lan").exists()
    response = as_head.post(
        target,
        {
            "full_name": "Hoàng Thị Lan",
            "staff_code": "😀 ệ",
            "category": "worker",
            "organisation": "H56.02",
            "effective": "01/03/2025",
        },
    )
    assert "Mã không hợp lệ: chỉ gồm chữ không dấu, số" in response.content.decode()
    assert not StaffMember.objects.filter(full_name="Hoàng Thị Lan").exists()


def test_adding_staff_is_403_for_a_viewer_and_404_for_an_outsider(
    as_viewer: Client, as_outsider: Client, province: Province
) -> None:
    target = reverse("organisations:staff_create", args=[province["dept_justice"].pk])
    assert as_viewer.get(target).status_code == 403
    assert as_viewer.post(target, {}).status_code == 403
    assert as_outsider.get(target).status_code == 404


def test_editing_the_division_opens_a_new_assignment(
    as_head: Client, province: Province, staff_member: StaffMember
) -> None:
    response = as_head.post(
        staff_url("staff_edit", staff_member), form_data(staff_member, division="")
    )
    assert response.status_code == 302
    staff_member.refresh_from_db()
    assert staff_member.division is None
    assert staff_member.assignments.count() == 2
    assert AuditEvent.objects.filter(action="staff.update").exists()


def test_editing_is_403_for_a_viewer_and_404_for_an_outsider(
    as_viewer: Client, as_outsider: Client, staff_member: StaffMember
) -> None:
    target = staff_url("staff_edit", staff_member)
    assert as_viewer.get(target).status_code == 403
    assert as_viewer.post(target, form_data(staff_member)).status_code == 403
    assert as_outsider.get(target).status_code == 404


def test_an_officer_sees_the_edit_form_filled_in(
    as_officer: Client, staff_member: StaffMember
) -> None:
    html = as_officer.get(staff_url("staff_edit", staff_member)).content.decode()
    assert 'value="Nguyễn Văn Đức"' in html
    assert 'value="H56.02.01"' in html


def test_a_save_from_a_page_someone_else_saved_since_is_refused_and_keeps_the_input(
    as_head: Client, as_officer: Client, staff_member: StaffMember
) -> None:
    target = staff_url("staff_edit", staff_member)
    tab_a = {**form_data(staff_member), "stale": form_version(as_head.get(target))}
    tab_b = {**form_data(staff_member), "stale": form_version(as_officer.get(target))}
    assert as_officer.post(target, {**tab_b, "full_name": "Nguyễn Văn Đạt"}).status_code == 302
    refused = as_head.post(target, {**tab_a, "email": "duc.moi@example.gov.vn"})
    assert said_changed_meanwhile(refused)
    html = refused.content.decode()
    assert 'value="duc.moi@example.gov.vn"' in html  # A's input, kept
    assert "hiện là: «Nguyễn Văn Đạt»" in html  # B's change, shown
    staff_member.refresh_from_db()
    assert (staff_member.full_name, staff_member.email) == (
        "Nguyễn Văn Đạt",
        form_data(staff_member)["email"],
    )
    # A accepts B's name and sends the re-drawn form: it goes through now.
    again = {**tab_a, "full_name": "Nguyễn Văn Đạt", "email": "duc.moi@example.gov.vn"}
    assert as_head.post(target, {**again, "stale": form_version(refused)}).status_code == 302
    staff_member.refresh_from_db()
    assert staff_member.email == "duc.moi@example.gov.vn"


# --- Leave and rotate badge ------------------------------------------------------------


def test_marking_staff_as_left(as_head: Client, staff_member: StaffMember) -> None:
    response = as_head.post(staff_url("staff_leave", staff_member), {"leave-left_on": "30/06/2025"})
    assert response.status_code == 302
    staff_member.refresh_from_db()
    assert not staff_member.is_active


def test_marking_staff_as_left_with_a_bad_date_shows_an_error(
    as_head: Client, staff_member: StaffMember
) -> None:
    for bad in ("hôm nay", "01/01/2020"):
        response = as_head.post(staff_url("staff_leave", staff_member), {"leave-left_on": bad})
        assert response.status_code == 200
        assert 'class="errorlist' in response.content.decode()
    staff_member.refresh_from_db()
    assert staff_member.is_active


@pytest.mark.parametrize("name", ["staff_leave", "staff_rotate_badge"])
def test_staff_writes_are_403_for_a_viewer_and_404_for_an_outsider(
    name: str, as_viewer: Client, as_outsider: Client, staff_member: StaffMember
) -> None:
    target = staff_url(name, staff_member)
    data = {"leave-left_on": "30/06/2025"}
    assert as_viewer.post(target, data).status_code == 403
    assert as_outsider.post(target, data).status_code == 404
    staff_member.refresh_from_db()
    assert staff_member.is_active


def test_rotating_the_badge_changes_the_token(as_head: Client, staff_member: StaffMember) -> None:
    old = staff_member.badge_token
    response = as_head.post(staff_url("staff_rotate_badge", staff_member))
    assert response.status_code == 302
    staff_member.refresh_from_db()
    assert staff_member.badge_token != old


# --- My profile ------------------------------------------------------------------------


def test_my_profile_shows_my_record_and_badge(staff_user: User, staff_member: StaffMember) -> None:
    response = client_for(staff_user).get(reverse("organisations:my_profile"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Văn Đức" in html
    assert "duc@example.vn" in html
    assert staff_member.badge_token in html
    assert "data:image/svg+xml" in html


def test_my_profile_is_404_without_a_staff_record(as_officer: Client) -> None:
    assert as_officer.get(reverse("organisations:my_profile")).status_code == 404


def test_a_staff_user_sees_their_own_detail_but_not_a_colleague(
    staff_user: User, province: Province, staff_member: StaffMember
) -> None:
    colleague = make_staff(
        province["dept_justice"], "Lý Thị Mai", "STP-009", category=StaffMember.Category.WORKER
    )
    client = client_for(staff_user)
    assert client.get(staff_url("staff_detail", staff_member)).status_code == 200
    assert client.get(staff_url("staff_detail", colleague)).status_code == 404
