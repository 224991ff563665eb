"""The demo province: `manage.py demo` with small sizes, as a new user would meet it."""

from __future__ import annotations

import datetime as dt
import re
import stat

import pytest
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import Role, RoleGrant, User
from congvu.audit.models import AuditEvent
from congvu.conduct.models import CodeVersion
from congvu.core.demo import Generator, Size
from congvu.core.text import fold
from congvu.organisations.models import Organisation, OrganisationVersion, StaffMember
from congvu.organisations.selectors import name_clashes, tree_as_of
from congvu.planning.models import Plan

from .conftest import run_demo


def kinds_on(day: dt.date) -> set[str]:
    return {node.kind_code for root in tree_as_of(day) for node in root.walk()}


def test_every_role_has_a_user_who_can_log_in_with_the_printed_password(demo):
    assert set(demo) == {
        "admin", "noivu", "giamdoc.stp", "daumoi.xa", "xuly", "thanhtra", "xem", "canbo",
    }  # fmt: skip
    for username, password in demo.items():
        assert Client().login(request=HttpRequest(), username=username, password=password), username
    roles = set(RoleGrant.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Role} - {Role.ADMIN.value}
    assert User.objects.get(username="admin").is_superuser


def test_the_staff_user_sees_only_themself_and_is_linked_to_a_staff_member(demo):
    user = User.objects.get(username="canbo")
    grant = RoleGrant.objects.get(user=user)
    assert grant.role == Role.STAFF
    assert grant.include_subtree is False
    assert StaffMember.objects.get(user=user).organisation == grant.organisation
    head = StaffMember.objects.get(user__username="giamdoc.stp")
    assert head.is_leader
    assert head.position_title == "Giám đốc"


def test_the_logins_are_saved_for_the_owner_only(demo, built):
    saved = built[0] / "logins.txt"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert all(password in saved.read_text(encoding="utf-8") for password in demo.values())


def test_the_catalogue_is_active_and_plan_86_is_there(demo):
    root = Organisation.objects.get(code="H33")
    assert CodeVersion.objects.filter(scope=root, status=CodeVersion.Status.ACTIVE).exists()
    plan = Plan.objects.get(number="86/KH-UBND")
    assert plan.issuing_organisation.name == "Ủy ban nhân dân tỉnh Thái Bình"
    assert plan.issued_on == dt.date(2019, 8, 30)
    assert plan.basis.startswith("Căn cứ Quyết định số 1847/QĐ-TTg")
    assert AuditEvent.objects.filter(action="demo.load").count() == 1


def test_thai_binh_closed_on_30_june_2025_with_hung_yen_as_successor(demo):
    old = Organisation.objects.get(name="Ủy ban nhân dân tỉnh Thái Bình")
    assert old.valid_to == dt.date(2025, 6, 30)
    assert old.successor == Organisation.objects.get(code="H33")
    merged = Organisation.objects.get(name="Ủy ban nhân dân xã Vũ Hội")
    assert merged.successor is not None
    assert merged.successor.name == "Ủy ban nhân dân xã Vũ Thư"


def test_districts_appear_in_the_tree_before_the_reform_and_not_today(demo):
    assert {"district_pc", "province_pc", "department"} <= kinds_on(dt.date(2024, 12, 31))
    today = kinds_on(timezone.localdate())
    assert "district_pc" not in today
    assert {"commune_pc", "department", "public_service_unit", "division"} <= today
    roots_today = [node.name for node in tree_as_of(timezone.localdate())]
    assert roots_today == ["Ủy ban nhân dân tỉnh Hưng Yên"]


def test_the_requested_sizes_are_built(demo):
    assert StaffMember.objects.count() == 300
    assert Organisation.objects.filter(kind__code="commune_pc", valid_to__isnull=True).count() == 10
    units = Organisation.objects.filter(kind__code="public_service_unit")
    # Ten units plus the provincial ones listed as departments (school, newspaper…).
    assert 10 <= units.count() <= 14
    for commune in Organisation.objects.filter(kind__code="commune_pc", valid_to__isnull=True):
        assert commune.children.filter(name__startswith="Trung tâm Phục vụ hành chính công")


def test_staff_have_vietnamese_names_with_diacritics_and_plausible_roles(demo):
    names = list(StaffMember.objects.values_list("full_name", flat=True))
    assert sum(fold(name) != name.lower() for name in names) > len(names) * 0.9
    assert all(2 <= len(name.split()) <= 5 for name in names)
    families = {name.split()[0] for name in names}
    assert "Nguyễn" in families
    chair = StaffMember.objects.filter(
        position_title__startswith="Chủ tịch Ủy ban nhân dân"
    ).first()
    assert chair is not None
    assert chair.category == StaffMember.Category.OFFICIAL
    assert chair.is_leader
    assert StaffMember.objects.filter(email__endswith="@hungyen.gov.vn").exists()
    assert all(
        re.fullmatch(r"09\d{8}", p) for p in StaffMember.objects.values_list("phone", flat=True)
    )


def test_if_empty_does_nothing_on_a_populated_database(demo, built):
    before = (Organisation.objects.count(), StaffMember.objects.count(), User.objects.count())
    text, _ = run_demo(built[0], "--if-empty")
    assert (Organisation.objects.count(), StaffMember.objects.count(), User.objects.count()) == (
        before
    )
    assert demo["noivu"] in text  # the saved logins are printed again


def test_running_again_without_reset_refuses(demo, tmp_path):
    with pytest.raises(CommandError, match="--reset"):
        run_demo(tmp_path)


def test_name_keys_are_the_ones_the_model_computes(demo):
    for member in StaffMember.objects.order_by("?")[:20]:
        keys = (member.sort_name, member.search_name)
        member.refresh_name_keys()
        assert keys == (member.sort_name, member.search_name)


def test_organisation_versions_carry_the_keys_the_model_computes(demo):
    """The demo (and the scale data set) writes versions in bulk, past `save()`."""
    for version in OrganisationVersion.objects.all():
        keys = (version.search_text, version.name_key)
        version.refresh_derived()
        assert keys == (version.search_text, version.name_key)


def test_the_demo_has_no_siblings_sharing_a_name_before_or_after_the_reform(demo):
    """The tree page would warn every demo user of the Department of Home Affairs."""
    for day in (dt.date(2024, 12, 31), timezone.localdate()):
        assert name_clashes(Organisation.objects.all(), on=day) == []


def test_the_same_seed_gives_the_same_people():
    def people(seed: int) -> list[str]:
        maker = Generator(Size(), seed=seed).names
        return [maker.name(female=i % 2 == 0) for i in range(50)]

    assert people(7) == people(7)
    assert people(7) != people(8)


def test_the_audit_log_opens_on_a_verified_chain_for_home_affairs(demo):
    officer = User.objects.filter(grants__role=Role.HOME_AFFAIRS).first()
    client = Client()
    client.force_login(officer)
    body = client.get("/audit/").content.decode()
    last = AuditEvent.objects.order_by("-id").first()
    assert f"nguyên vẹn đến sự kiện #{last.pk}" in body
    assert "Nạp dữ liệu mẫu" in body
