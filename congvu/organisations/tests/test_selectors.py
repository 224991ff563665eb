from __future__ import annotations

import datetime as dt

from congvu.accounts.models import User
from congvu.conftest import START, make_staff
from congvu.organisations import restructuring, selectors
from congvu.organisations.models import Organisation, StaffMember

Province = dict[str, Organisation]


def test_staff_are_sorted_by_given_name_then_family_name(province: Province) -> None:
    org = province["dept_home"]
    for i, name in enumerate(
        ["Trần Văn Ánh", "Nguyễn Thị Bình", "Lê Anh", "Đỗ Văn An", "Nguyễn Văn Đức", "Bùi Thị Dung"]
    ):
        make_staff(org, name, f"X{i}", category=StaffMember.Category.PUBLIC_EMPLOYEE)
    found = selectors.staff_search(StaffMember.objects.all(), organisation=org)
    assert [m.full_name for m in found] == [
        "Đỗ Văn An",
        "Lê Anh",
        "Trần Văn Ánh",
        "Nguyễn Thị Bình",
        "Bùi Thị Dung",
        "Nguyễn Văn Đức",
    ]


def test_staff_search_ignores_accents_and_d_stroke(
    province: Province, staff_member: StaffMember
) -> None:
    make_staff(
        province["dept_home"],
        "Phạm Văn Dũng",
        "SNV-9",
        category=StaffMember.Category.PUBLIC_EMPLOYEE,
    )
    assert list(selectors.staff_search(StaffMember.objects.all(), query="duc")) == [staff_member]
    assert list(selectors.staff_search(StaffMember.objects.all(), query="NGUYEN đuc")) == [
        staff_member
    ]
    assert list(selectors.staff_search(StaffMember.objects.all(), query="stp-001")) == [
        staff_member
    ]


def test_staff_search_filters_by_subtree_category_and_activity(
    province: Province, staff_member: StaffMember
) -> None:
    other = make_staff(
        province["dept_home"],
        "Phạm Văn Dũng",
        "SNV-9",
        category=StaffMember.Category.PUBLIC_EMPLOYEE,
    )
    everyone = StaffMember.objects.all()
    root = province["root"]
    assert set(selectors.staff_search(everyone, organisation=root)) == {staff_member, other}
    assert list(selectors.staff_search(everyone, organisation=province["dept_justice"])) == [
        staff_member
    ]
    assert list(selectors.staff_search(everyone, category="public_employee")) == [other]
    assert list(selectors.staff_search(everyone, active=False)) == []


def test_organisation_search_ignores_accents(province: Province) -> None:
    found = Organisation.objects.search("uy ban xa an binh")
    assert list(found) == [province["commune"]]
    assert list(Organisation.objects.search("TU PHAP")) == [
        province["dept_justice"],
        province["division_justice"],
    ]


def test_tree_is_limited_to_visible_organisations(province: Province, head: User) -> None:
    roots = selectors.tree_as_of(dt.date(2025, 6, 1), Organisation.objects.visible_to(head))
    assert [r.name for r in roots] == ["Sở Tư pháp"]
    assert [c.name for c in roots[0].children] == ["Phòng Hành chính tư pháp"]


def test_tree_before_the_organisations_existed_is_empty(province: Province) -> None:
    assert selectors.tree_as_of(dt.date(2024, 12, 31)) == []


def test_flatten_opens_and_closes_every_branch(province: Province) -> None:
    rows = selectors.flatten(selectors.tree_as_of(START))
    steps = [(r.step, r.node.code, r.depth) for r in rows]
    assert steps[0] == ("open", "H56", 0)
    assert steps[-1] == ("close", "H56", 0)
    assert ("open", "H56.02", 1) in steps
    assert ("leaf", "H56.02.01", 2) in steps
    assert sum(1 for s in steps if s[0] == "open") == sum(1 for s in steps if s[0] == "close")


def test_name_on_reads_the_version_of_that_day(province: Province) -> None:
    org = province["dept_home"]
    restructuring.rename_organisation(
        org, actor=None, name="Sở Nội vụ (mới)", effective=dt.date(2025, 7, 1)
    )
    assert selectors.name_on(org, dt.date(2025, 6, 30)) == "Sở Nội vụ"
    assert selectors.name_on(org, dt.date(2025, 7, 1)) == "Sở Nội vụ (mới)"
