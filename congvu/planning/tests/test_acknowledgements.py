"""Acknowledging the code of conduct, and coverage per organisation (seed I.2.a)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conduct import services as conduct_services
from congvu.conduct.models import CodeVersion
from congvu.conftest import client_for, form_key, make_staff, said_already_sent
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember
from congvu.planning import dissemination
from congvu.planning.models import Acknowledgement

pytestmark = pytest.mark.django_db

ACKNOWLEDGE = reverse("dissemination:acknowledge")


def page(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def catalogue(province: dict[str, Organisation]) -> CodeVersion:
    return conduct_services.load_seed_catalogue(scope=province["root"], actor=None)


@pytest.fixture
def justice_staff(province: dict[str, Organisation]) -> dict[str, StaffMember]:
    """Three people of Sở Tư pháp without accounts; one of them has left."""
    dept = province["dept_justice"]
    left = make_staff(dept, "Vũ Thị Hết", "STP-009", category=StaffMember.Category.PUBLIC_EMPLOYEE)
    org_services.mark_staff_left(left, actor=None, left_on=dt.date(2026, 1, 31))
    return {
        "binh": make_staff(
            dept, "Trần Thị Bình", "STP-002", category=StaffMember.Category.PUBLIC_EMPLOYEE
        ),
        "an": make_staff(
            dept, "Lê Văn An", "STP-003", category=StaffMember.Category.PUBLIC_EMPLOYEE
        ),
        "left": left,
    }


# --- Self-acknowledgement -------------------------------------------------------------------


def test_a_staff_member_sees_the_code_in_force_and_the_commitment_checkbox(
    staff_user: User, catalogue: CodeVersion
) -> None:
    html = page(client_for(staff_user).get(ACKNOWLEDGE))
    assert catalogue.title in html
    assert "Tôi đã đọc và cam kết thực hiện" in html
    assert reverse("conduct:public") + "?scope=H56.02" in html


def test_a_staff_member_confirms_having_read_the_code(
    staff_user: User, staff_member: StaffMember, catalogue: CodeVersion
) -> None:
    client = client_for(staff_user)
    response = client.post(ACKNOWLEDGE, {"confirm": "1"})
    assert response.status_code == 302
    ack = Acknowledgement.objects.get()
    assert (ack.staff, ack.code_version, ack.method) == (staff_member, catalogue, "self")
    assert ack.recorded_by == staff_user
    assert AuditEvent.objects.filter(action="acknowledgement.self").count() == 1
    html = page(client.get(ACKNOWLEDGE))
    assert "Bạn đã xác nhận tất cả" in html
    client.post(ACKNOWLEDGE, {"confirm": "1"})
    assert Acknowledgement.objects.count() == 1


def test_the_checkbox_must_be_ticked(staff_user: User, catalogue: CodeVersion) -> None:
    response = client_for(staff_user).post(ACKNOWLEDGE, {})
    assert response.status_code == 200
    assert "Hãy đánh dấu ô xác nhận" in page(response)
    assert not Acknowledgement.objects.exists()


def test_a_supplement_in_force_is_acknowledged_with_the_provincial_code(
    staff_user: User, province: dict[str, Organisation], catalogue: CodeVersion
) -> None:
    supplement = conduct_services.create_draft(
        province["dept_justice"], actor=None, title="Quy tắc riêng Sở Tư pháp", version="STP-1"
    )
    section = conduct_services.add_section(supplement, actor=None, code="S.1", title="Một cửa")
    conduct_services.add_clause(section, actor=None, code="S.1.a", short_title="Đeo thẻ", text="x")
    conduct_services.activate(supplement, actor=None)
    client_for(staff_user).post(ACKNOWLEDGE, {"confirm": "1"})
    assert set(Acknowledgement.objects.values_list("code_version__title", flat=True)) == {
        catalogue.title,
        "Quy tắc riêng Sở Tư pháp",
    }


def test_a_user_who_is_not_a_staff_member_has_nothing_to_acknowledge(
    as_head: Client, catalogue: CodeVersion
) -> None:
    assert as_head.get(ACKNOWLEDGE).status_code == 404


def test_nobody_acknowledges_for_someone_else_through_the_self_service(
    head: User, staff_member: StaffMember, staff_user: User, catalogue: CodeVersion
) -> None:
    with pytest.raises(ValidationError):
        dissemination.acknowledge(staff_member, actor=head)


# --- Recorded by a focal point ------------------------------------------------------------


def test_a_focal_point_records_staff_without_accounts(
    as_head: Client,
    head: User,
    staff_user: User,
    justice_staff: dict[str, StaffMember],
    catalogue: CodeVersion,
    province: dict[str, Organisation],
) -> None:
    url = reverse("dissemination:acknowledgement_record", args=[province["dept_justice"].pk])
    html = page(as_head.get(url))
    assert "Lê Văn An" in html and "Trần Thị Bình" in html
    assert "Nguyễn Văn Đức" not in html  # has an account: confirms for himself
    assert "Vũ Thị Hết" not in html  # has left
    an, binh = justice_staff["an"], justice_staff["binh"]
    response = as_head.post(url, {"staff": [an.pk, binh.pk], "confirm": "1"})
    assert response.status_code == 302
    acks = Acknowledgement.objects.all()
    assert {(a.staff, a.method, a.recorded_by) for a in acks} == {
        (an, "recorded", head),
        (binh, "recorded", head),
    }
    event = AuditEvent.objects.get(action="acknowledgement.record")
    assert event.data["staff"] == sorted([an.pk, binh.pk])
    assert "Không còn cán bộ chưa có tài khoản" in page(as_head.get(url))


def test_acknowledgements_sent_twice_are_recorded_once_without_a_not_in_the_list_error(
    as_head: Client,
    justice_staff: dict[str, StaffMember],
    catalogue: CodeVersion,
    province: dict[str, Organisation],
) -> None:
    url = reverse("dissemination:acknowledgement_record", args=[province["dept_justice"].pk])
    data = {"staff": [justice_staff["an"].pk], "confirm": "1", "once": form_key(as_head.get(url))}
    first, second = as_head.post(url, data), as_head.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Acknowledgement.objects.count() == 1
    assert AuditEvent.objects.filter(action="acknowledgement.record").count() == 1
    assert said_already_sent(as_head, second)


def test_a_focal_point_cannot_record_for_staff_with_an_account(
    head: User, staff_member: StaffMember, staff_user: User, catalogue: CodeVersion
) -> None:
    staff_member.refresh_from_db()
    with pytest.raises(ValidationError):
        dissemination.record_acknowledgements(
            staff_member.organisation, actor=head, staff=[staff_member]
        )
    assert not Acknowledgement.objects.exists()


def test_recording_is_403_for_a_viewer_and_404_for_an_outsider(
    as_viewer: Client,
    as_outsider: Client,
    justice_staff: dict[str, StaffMember],
    catalogue: CodeVersion,
    province: dict[str, Organisation],
) -> None:
    url = reverse("dissemination:acknowledgement_record", args=[province["dept_justice"].pk])
    data = {"staff": [justice_staff["an"].pk], "confirm": "1"}
    assert as_viewer.post(url, data).status_code == 403
    assert as_outsider.post(url, data).status_code == 404
    assert not Acknowledgement.objects.exists()


# --- Coverage -----------------------------------------------------------------------------


def test_coverage_counts_acknowledged_active_staff_out_of_active_staff(
    as_viewer: Client,
    head: User,
    staff_user: User,
    justice_staff: dict[str, StaffMember],
    catalogue: CodeVersion,
    province: dict[str, Organisation],
) -> None:
    dept = province["dept_justice"]
    dissemination.record_acknowledgements(dept, actor=head, staff=[justice_staff["binh"]])
    # Someone who has left counts neither above nor below the line.
    Acknowledgement.objects.create(
        staff=justice_staff["left"], code_version=catalogue, method="recorded", recorded_by=head
    )
    coverage = dissemination.coverage_of(dept)
    assert (coverage.acknowledged, coverage.active) == (1, 3)
    response = as_viewer.get(reverse("dissemination:coverage_detail", args=[dept.pk]))
    html = page(response)
    assert 'data-testid="coverage">1/3<' in html
    assert 'data-testid="coverage-share">33%<' in html
    # Not yet covered, in Vietnamese name order (given name first): An, Đức.
    assert [m.full_name for m in response.context["page"]] == ["Lê Văn An", "Nguyễn Văn Đức"]
    assert "Trần Thị Bình" not in html and "Vũ Thị Hết" not in html


def test_the_province_table_lists_visible_organisations_with_their_coverage(
    as_officer: Client,
    as_outsider: Client,
    head: User,
    staff_user: User,
    justice_staff: dict[str, StaffMember],
    catalogue: CodeVersion,
    province: dict[str, Organisation],
) -> None:
    make_staff(
        province["commune"], "Đỗ Văn Xã", "XA-001", category=StaffMember.Category.PUBLIC_EMPLOYEE
    )
    dissemination.record_acknowledgements(
        province["dept_justice"], actor=head, staff=[justice_staff["an"], justice_staff["binh"]]
    )
    url = reverse("dissemination:coverage")
    response = as_officer.get(url)
    rows = {org.code: (c.acknowledged, c.active) for org, c in response.context["rows"]}
    assert rows["H56.02"] == (2, 3)
    assert rows["H56.30"] == (0, 1)
    assert "H56.02.01" not in rows  # a division is part of its organisation
    total = response.context["total"]
    assert (total.acknowledged, total.active) == (2, 4)
    outsider_rows = {org.code for org, _ in as_outsider.get(url).context["rows"]}
    assert outsider_rows == {"H56.30"}


def test_coverage_of_an_invisible_organisation_is_404(
    as_outsider: Client, province: dict[str, Organisation]
) -> None:
    url = reverse("dissemination:coverage_detail", args=[province["dept_justice"].pk])
    assert as_outsider.get(url).status_code == 404


def test_a_new_catalogue_version_needs_a_new_acknowledgement(
    head: User,
    staff_user: User,
    staff_member: StaffMember,
    catalogue: CodeVersion,
    province: dict[str, Organisation],
) -> None:
    dissemination.acknowledge(staff_member, actor=staff_user)
    assert dissemination.coverage_of(province["dept_justice"]).acknowledged == 1
    draft = conduct_services.create_draft(
        catalogue.scope, actor=None, title="Bộ quy tắc 2027", version="2027", based_on=catalogue
    )
    conduct_services.activate(draft, actor=None)
    assert dissemination.coverage_of(province["dept_justice"]).acknowledged == 0
    assert dissemination.pending_versions(staff_member) == [draft]
