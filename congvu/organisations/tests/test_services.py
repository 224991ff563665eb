from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conftest import kind, make_staff
from congvu.organisations import restructuring, services
from congvu.organisations.models import (
    Organisation,
    OrganisationVersion,
    StaffAssignment,
    StaffMember,
)
from congvu.organisations.selectors import tree_as_of

D = dt.date(2025, 7, 1)
BEFORE = D - dt.timedelta(days=1)

Province = dict[str, Organisation]


def names(day: dt.date) -> dict[str, list[str]]:
    """Each organisation's name → its children's names, in the tree as of `day`."""
    result: dict[str, list[str]] = {}
    for root in tree_as_of(day):
        for node in root.walk():
            result[node.name] = [child.name for child in node.children]
    return result


def reload(org: Organisation) -> Organisation:
    return Organisation.objects.get(pk=org.pk)


def test_rename_keeps_the_old_name_before_the_effective_date(
    province: Province, officer: User
) -> None:
    restructuring.rename_organisation(
        province["dept_home"], actor=officer, name="Sở Nội vụ mới", effective=D
    )
    assert "Sở Nội vụ" in names(BEFORE)
    assert "Sở Nội vụ mới" in names(D)
    assert "Sở Nội vụ" not in names(D)
    versions = list(province["dept_home"].versions.order_by("valid_from"))
    assert [(v.name, v.valid_to) for v in versions] == [
        ("Sở Nội vụ", BEFORE),
        ("Sở Nội vụ mới", None),
    ]
    assert reload(province["dept_home"]).search_text.startswith("so noi vu moi")


def test_rename_is_audited(province: Province, officer: User) -> None:
    restructuring.rename_organisation(
        province["dept_home"], actor=officer, name="Sở mới", effective=D
    )
    event = AuditEvent.objects.get(action="organisations.rename")
    assert event.actor == officer
    assert event.data["to"] == "Sở mới"


def test_rename_is_refused_for_a_viewer(province: Province, viewer: User) -> None:
    with pytest.raises(PermissionDenied):
        restructuring.rename_organisation(
            province["dept_justice"], actor=viewer, name="X", effective=D
        )


def test_rename_is_404_for_an_outsider(province: Province, outsider: User) -> None:
    with pytest.raises(Http404):
        restructuring.rename_organisation(
            province["dept_justice"], actor=outsider, name="X", effective=D
        )


def test_rename_before_the_latest_version_is_refused(province: Province, officer: User) -> None:
    with pytest.raises(ValidationError) as error:
        restructuring.rename_organisation(
            province["dept_home"], actor=officer, name="X", effective=dt.date(2024, 1, 1)
        )
    assert "effective" in error.value.message_dict
    assert reload(province["dept_home"]).name == "Sở Nội vụ"


def test_move_updates_parent_depth_and_the_path_of_the_whole_subtree(
    province: Province, officer: User
) -> None:
    justice, home = province["dept_justice"], province["dept_home"]
    restructuring.move_organisation(justice, actor=officer, parent=home, effective=D)
    justice, division = reload(justice), reload(province["division_justice"])
    assert justice.parent_id == home.pk
    assert justice.depth == 2
    assert justice.path == home.path + str(justice.pk).zfill(8)
    assert division.path == justice.path + str(division.pk).zfill(8)
    assert division.depth == 3
    assert list(Organisation.objects.subtree_of(home)) == [home, justice, division]


def test_move_shows_the_old_tree_before_and_the_new_tree_after(
    province: Province, officer: User
) -> None:
    restructuring.move_organisation(
        province["dept_justice"], actor=officer, parent=province["dept_home"], effective=D
    )
    assert "Sở Tư pháp" in names(BEFORE)["Ủy ban nhân dân tỉnh Hưng Yên"]
    assert names(BEFORE)["Sở Nội vụ"] == []
    assert names(D)["Sở Nội vụ"] == ["Sở Tư pháp"]
    assert names(D)["Sở Tư pháp"] == ["Phòng Hành chính tư pháp"]
    assert AuditEvent.objects.filter(action="organisations.move").count() == 1


def test_an_organisation_cannot_move_under_its_own_descendant(
    province: Province, officer: User
) -> None:
    with pytest.raises(ValidationError) as error:
        restructuring.move_organisation(
            province["dept_justice"],
            actor=officer,
            parent=province["division_justice"],
            effective=D,
        )
    assert "Cannot move an organisation under its own descendant" in str(error.value)
    assert reload(province["dept_justice"]).parent_id == province["root"].pk


def test_merge_into_a_new_organisation_moves_staff_children_and_keeps_history(
    province: Province, officer: User, staff_member: StaffMember
) -> None:
    home_staff = make_staff(province["dept_home"], "Trần Thị Bình", "SNV-001")
    new = restructuring.merge_organisations(
        [province["dept_home"], province["dept_justice"]],
        actor=officer,
        effective=D,
        new=restructuring.NewOrganisation(
            code="H56.99", name="Sở Nội vụ và Tư pháp", kind=kind("department")
        ),
    )
    home, justice = reload(province["dept_home"]), reload(province["dept_justice"])
    assert (home.valid_to, home.successor_id) == (BEFORE, new.pk)
    assert (justice.valid_to, justice.successor_id) == (BEFORE, new.pk)
    assert new.parent_id == province["root"].pk
    assert new.valid_from == D
    assert not OrganisationVersion.objects.filter(
        organisation__in=[home, justice], valid_to__isnull=True
    ).exists()
    division = reload(province["division_justice"])
    assert division.parent_id == new.pk
    assert division.path.startswith(new.path)

    for member, old in ((staff_member, justice), (home_staff, home)):
        member.refresh_from_db()
        assert member.organisation_id == new.pk
        history = list(member.assignments.order_by("valid_from"))
        assert [(a.organisation_id, a.valid_to) for a in history] == [
            (old.pk, BEFORE),
            (new.pk, None),
        ]
    staff_member.refresh_from_db()
    assert staff_member.division_id == division.pk

    assert {"Sở Nội vụ", "Sở Tư pháp"} <= set(names(BEFORE))
    after = names(D)
    assert "Sở Tư pháp" not in after
    assert after["Sở Nội vụ và Tư pháp"] == ["Phòng Hành chính tư pháp"]
    event = AuditEvent.objects.get(action="organisations.merge")
    assert event.data["staff_moved"] == 2
    assert event.data["sources"] == ["H56.01", "H56.02"]


def test_merge_into_an_existing_organisation(
    province: Province, officer: User, staff_member: StaffMember
) -> None:
    target = restructuring.merge_organisations(
        [province["dept_justice"]], actor=officer, effective=D, into=province["dept_home"]
    )
    assert target.pk == province["dept_home"].pk
    staff_member.refresh_from_db()
    assert staff_member.organisation_id == province["dept_home"].pk
    assert reload(province["dept_justice"]).successor_id == province["dept_home"].pk
    assert names(D)["Sở Nội vụ"] == ["Phòng Hành chính tư pháp"]


def test_merge_is_all_or_nothing(
    province: Province, officer: User, staff_member: StaffMember
) -> None:
    with pytest.raises(ValidationError):
        restructuring.merge_organisations(
            [province["dept_home"], province["dept_justice"]],
            actor=officer,
            effective=D,
            new=restructuring.NewOrganisation(
                code="H56.01", name="Trùng mã", kind=kind("department")
            ),
        )
    assert reload(province["dept_justice"]).valid_to is None
    assert StaffAssignment.objects.filter(staff=staff_member).count() == 1


def test_merging_an_organisation_with_its_own_division_is_refused(
    province: Province, officer: User
) -> None:
    with pytest.raises(ValidationError):
        restructuring.merge_organisations(
            [province["dept_justice"], province["division_justice"]],
            actor=officer,
            effective=D,
            new=restructuring.NewOrganisation(code="H56.98", name="X", kind=kind("department")),
        )


def test_merge_needs_permission_on_every_organisation(province: Province, head: User) -> None:
    with pytest.raises((PermissionDenied, Http404)):
        restructuring.merge_organisations(
            [province["dept_justice"]], actor=head, effective=D, into=province["dept_home"]
        )


def test_split_creates_parts_moves_staff_per_mapping_and_closes_the_original(
    province: Province, officer: User, staff_member: StaffMember
) -> None:
    other = make_staff(province["dept_justice"], "Lê Văn An", "STP-002")
    parts = restructuring.split_organisation(
        province["dept_justice"],
        actor=officer,
        effective=D,
        parts=[
            restructuring.NewOrganisation(
                code="H56.21", name="Sở Tư pháp A", kind=kind("department")
            ),
            restructuring.NewOrganisation(
                code="H56.22", name="Sở Tư pháp B", kind=kind("department")
            ),
        ],
        successor_index=1,
        staff_to={other.pk: 1},
    )
    a, b = parts
    justice = reload(province["dept_justice"])
    assert (justice.valid_to, justice.successor_id) == (BEFORE, b.pk)
    staff_member.refresh_from_db()
    other.refresh_from_db()
    assert staff_member.organisation_id == a.pk
    assert staff_member.division_id is None  # the division went with the successor, B
    assert other.organisation_id == b.pk
    assert reload(province["division_justice"]).parent_id == b.pk
    assert other.assignments.count() == 2
    before, after = names(BEFORE), names(D)
    assert "Sở Tư pháp" in before and "Sở Tư pháp A" not in before
    assert "Sở Tư pháp" not in after
    assert after["Sở Tư pháp B"] == ["Phòng Hành chính tư pháp"]
    assert AuditEvent.objects.filter(action="organisations.split").count() == 1


def test_split_needs_two_parts(province: Province, officer: User) -> None:
    with pytest.raises(ValidationError):
        restructuring.split_organisation(
            province["dept_justice"],
            actor=officer,
            effective=D,
            parts=[restructuring.NewOrganisation(code="H56.21", name="A", kind=kind("department"))],
        )


def test_dissolve_is_refused_while_staff_or_children_remain(
    province: Province, officer: User, staff_member: StaffMember
) -> None:
    with pytest.raises(ValidationError) as error:
        restructuring.dissolve_organisation(province["dept_justice"], actor=officer, effective=D)
    assert "move_staff_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        restructuring.dissolve_organisation(
            province["dept_justice"],
            actor=officer,
            effective=D,
            move_staff_to=province["dept_home"],
        )
    assert "move_children_to" in error.value.message_dict
    assert reload(province["dept_justice"]).valid_to is None


def test_dissolve_moves_what_it_is_told_and_closes(
    province: Province, officer: User, staff_member: StaffMember
) -> None:
    restructuring.dissolve_organisation(
        province["dept_justice"],
        actor=officer,
        effective=D,
        successor=province["dept_home"],
        move_staff_to=province["dept_home"],
        move_children_to=province["dept_home"],
    )
    justice = reload(province["dept_justice"])
    assert (justice.valid_to, justice.successor_id) == (BEFORE, province["dept_home"].pk)
    staff_member.refresh_from_db()
    assert staff_member.organisation_id == province["dept_home"].pk
    assert staff_member.division_id == province["division_justice"].pk
    assert "Sở Tư pháp" in names(BEFORE)
    assert "Sở Tư pháp" not in names(D)
    assert AuditEvent.objects.filter(action="organisations.dissolve").count() == 1


def test_dissolving_a_division_clears_it_from_its_staff(
    province: Province, officer: User, staff_member: StaffMember
) -> None:
    restructuring.dissolve_organisation(province["division_justice"], actor=officer, effective=D)
    staff_member.refresh_from_db()
    assert staff_member.division_id is None
    assert staff_member.organisation_id == province["dept_justice"].pk
    assert staff_member.assignments.count() == 2


def test_a_closed_organisation_cannot_change_again(province: Province, officer: User) -> None:
    restructuring.dissolve_organisation(province["dept_home"], actor=officer, effective=D)
    with pytest.raises(ValidationError):
        restructuring.rename_organisation(
            province["dept_home"], actor=officer, name="X", effective=dt.date(2025, 8, 1)
        )


def test_update_staff_opens_a_new_assignment_when_the_position_changes(
    province: Province, head: User, staff_member: StaffMember
) -> None:
    services.update_staff(
        staff_member,
        actor=head,
        full_name="Nguyễn Văn Đức",
        staff_code="STP-001",
        category=StaffMember.Category.CIVIL_SERVANT,
        position_title="Phó Trưởng phòng",
        is_leader=True,
        organisation=province["dept_justice"],
        division=province["division_justice"],
        email="duc@example.vn",
        phone="0912345678",
        effective=D,
    )
    history = list(staff_member.assignments.order_by("valid_from"))
    assert [(a.position_title, a.valid_to) for a in history] == [
        ("Chuyên viên", BEFORE),
        ("Phó Trưởng phòng", None),
    ]
    assert AuditEvent.objects.filter(action="staff.update").count() == 1


def test_update_staff_without_a_move_keeps_one_assignment(
    province: Province, head: User, staff_member: StaffMember
) -> None:
    member = services.update_staff(
        staff_member,
        actor=head,
        full_name="Nguyễn  Văn Đức Anh",
        staff_code="STP-001",
        category=StaffMember.Category.CIVIL_SERVANT,
        position_title="Chuyên viên",
        is_leader=False,
        organisation=province["dept_justice"],
        division=province["division_justice"],
        email="",
        phone="",
    )
    assert member.full_name == "Nguyễn Văn Đức Anh"
    assert member.search_name.startswith("nguyen van duc anh")
    assert staff_member.assignments.count() == 1


def test_update_staff_refuses_a_division_outside_the_organisation(
    province: Province, officer: User, staff_member: StaffMember
) -> None:
    with pytest.raises(ValidationError) as error:
        services.update_staff(
            staff_member,
            actor=officer,
            full_name="Nguyễn Văn Đức",
            staff_code="STP-001",
            category=StaffMember.Category.CIVIL_SERVANT,
            position_title="Chuyên viên",
            is_leader=False,
            organisation=province["dept_home"],
            division=province["division_justice"],
            email="",
            phone="",
        )
    assert "division" in error.value.message_dict


def test_mark_staff_left_closes_the_assignment(
    province: Province, head: User, staff_member: StaffMember
) -> None:
    services.mark_staff_left(staff_member, actor=head, left_on=D)
    staff_member.refresh_from_db()
    assert not staff_member.is_active
    assert staff_member.left_on == D
    assert staff_member.assignments.get().valid_to == D
    with pytest.raises(ValidationError):
        services.mark_staff_left(staff_member, actor=head, left_on=D)
    assert AuditEvent.objects.filter(action="staff.leave").count() == 1


def test_a_viewer_cannot_mark_staff_as_left(
    province: Province, viewer: User, staff_member: StaffMember
) -> None:
    with pytest.raises(PermissionDenied):
        services.mark_staff_left(staff_member, actor=viewer, left_on=D)


def test_an_organisation_cannot_be_its_own_division(province):
    from django.core.exceptions import ValidationError

    from congvu.organisations import services
    from congvu.organisations.models import StaffMember

    with pytest.raises(ValidationError) as error:
        services.create_staff(
            actor=None,
            organisation=province["dept_justice"],
            division=province["dept_justice"],
            full_name="Lê Văn Tám",
            staff_code="STP-900",
            category=StaffMember.Category.CIVIL_SERVANT,
        )
    assert "division" in error.value.message_dict
    assert not StaffMember.objects.filter(staff_code="STP-900").exists()


def test_very_long_exotic_names_still_save(province):
    from congvu.organisations import services
    from congvu.organisations.models import StaffMember

    staff = services.create_staff(
        actor=None,
        organisation=province["dept_justice"],
        full_name="한국어 " * 20,
        staff_code="STP-901",
        category=StaffMember.Category.WORKER,
    )
    staff.full_clean()
