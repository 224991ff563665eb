"""Dated changes to the tree: what takes effect today, what waits for its day, and the
names shown, searched and refused on a given day (the reorganisation walk, 28/11/2026)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import User
from congvu.conftest import START, kind, make_staff
from congvu.core import daily
from congvu.organisations import restructuring, services
from congvu.organisations.models import Organisation, OrganisationKind, StaffMember
from congvu.organisations.selectors import tree_as_of

Province = dict[str, Organisation]

TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)
NEXT_YEAR = TODAY + dt.timedelta(days=60)


@pytest.fixture(autouse=True)
def _the_days_of_this_test() -> None:
    """The dates above as of the moment each test runs, not of the collection: a run
    that crosses midnight (Vietnam time) in between saw yesterday as today."""
    global TODAY, TOMORROW, NEXT_YEAR
    TODAY = timezone.localdate()
    TOMORROW = TODAY + dt.timedelta(days=1)
    NEXT_YEAR = TODAY + dt.timedelta(days=60)


def url(name: str, org: Organisation) -> str:
    return reverse(f"organisations:{name}", args=[org.pk])


def reload(org: Organisation) -> Organisation:
    return Organisation.objects.get(pk=org.pk)


def names_on(day: dt.date) -> set[str]:
    return {node.name for root in tree_as_of(day) for node in root.walk()}


def dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def as_day(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make `timezone.localdate()` answer `day` (the rename's day has come)."""

    def set_day(day: dt.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return set_day


# --- 1. Move, merge, split and dissolve wait for their day ------------------------------


def _structural(name: str, province: Province, officer: User, effective: dt.date) -> Any:
    justice, home = province["dept_justice"], province["dept_home"]
    department = kind("department")
    calls = {
        "move": lambda: restructuring.move_organisation(
            province["division_justice"], actor=officer, parent=home, effective=effective
        ),
        "merge": lambda: restructuring.merge_organisations(
            [justice], actor=officer, effective=effective, into=home
        ),
        "split": lambda: restructuring.split_organisation(
            justice,
            actor=officer,
            effective=effective,
            parts=[
                restructuring.NewOrganisation(code="H56.91", name="Một", kind=department),
                restructuring.NewOrganisation(code="H56.92", name="Hai", kind=department),
            ],
        ),
        "dissolve": lambda: restructuring.dissolve_organisation(
            justice,
            actor=officer,
            effective=effective,
            move_staff_to=home,
            move_children_to=home,
        ),
    }
    return calls[name]()


@pytest.mark.parametrize("operation", ["move", "merge", "split", "dissolve"])
def test_a_structural_change_dated_after_today_is_refused_and_moves_nobody(
    operation: str, province: Province, officer: User
) -> None:
    member = make_staff(province["dept_justice"], "Nguyễn Văn An", "CB-1")
    with pytest.raises(ValidationError) as refused:
        _structural(operation, province, officer, TOMORROW)
    message = refused.value.message_dict["effective"][0]
    assert "hãy ghi nhận thay đổi này vào đúng ngày nó có hiệu lực" in message
    assert "record this change on the day it takes effect" in message
    assert dmy(TOMORROW) in message
    assert StaffMember.objects.get(pk=member.pk).organisation_id == province["dept_justice"].pk
    assert reload(province["dept_justice"]).valid_to is None
    assert reload(province["division_justice"]).parent_id == province["dept_justice"].pk


@pytest.mark.parametrize("operation", ["move", "merge", "split", "dissolve"])
def test_a_structural_change_dated_today_still_takes_effect(
    operation: str, province: Province, officer: User
) -> None:
    _structural(operation, province, officer, TODAY)


FUTURE_FORMS: dict[str, dict[str, str]] = {
    "move": {"move-parent": "H56.01"},
    "dissolve": {"dissolve-move_children_to": "H56.01"},
    "merge": {
        "merge-partners": "H56.01",
        "merge-new_code": "H56.90",
        "merge-new_name": "Sở Nội chính",
    },
    "split": {
        "split-code_1": "H56.91",
        "split-name_1": "Sở Tư pháp 1",
        "split-code_2": "H56.92",
        "split-name_2": "Sở Tư pháp 2",
        "split-successor": "1",
    },
}


@pytest.mark.parametrize("operation", sorted(FUTURE_FORMS))
def test_the_page_refuses_a_future_structural_change_and_keeps_the_input(
    operation: str, as_officer: Client, province: Province
) -> None:
    data = {**FUTURE_FORMS[operation], f"{operation}-effective": dmy(NEXT_YEAR)}
    department = str(OrganisationKind.objects.get(code="department").pk)
    data.update({"merge-new_kind": department, "split-kind": department})
    response = as_officer.post(url(operation, province["dept_justice"]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "hãy ghi nhận thay đổi này vào đúng ngày nó có hiệu lực" in html
    assert f'value="{dmy(NEXT_YEAR)}"' in html
    assert reload(province["dept_justice"]).valid_to is None
    assert not Organisation.objects.filter(code__in=["H56.90", "H56.91"]).exists()


# --- 1. A rename dated after today waits for its day ------------------------------------


def test_a_future_rename_keeps_todays_name_everywhere_until_its_day(
    province: Province, officer: User, as_officer: Client
) -> None:
    justice = province["dept_justice"]
    restructuring.rename_organisation(
        justice, actor=officer, name="Sở Tư pháp và Pháp chế", effective=NEXT_YEAR
    )
    assert reload(justice).name == "Sở Tư pháp"
    assert "Sở Tư pháp" in names_on(TODAY) and "Sở Tư pháp và Pháp chế" not in names_on(TODAY)
    assert "Sở Tư pháp và Pháp chế" in names_on(NEXT_YEAR)
    assert not Organisation.objects.search("phap che").exists()
    html = as_officer.get(url("detail", justice)).content.decode()
    assert "<h1>Sở Tư pháp\n" in html
    # The page's history lists the coming name with its date.
    assert "Sở Tư pháp và Pháp chế" in html and dmy(NEXT_YEAR) in html


def test_the_daily_job_gives_the_row_its_new_name_on_the_day(
    province: Province, officer: User
) -> None:
    justice = province["dept_justice"]
    restructuring.rename_organisation(
        justice, actor=officer, name="Sở Tư pháp và Pháp chế", effective=NEXT_YEAR
    )
    job = daily.registered()["organisations.apply_due_names"]
    assert job(NEXT_YEAR - dt.timedelta(days=1)) == 0
    assert job(NEXT_YEAR) == 1
    renamed = reload(justice)
    assert renamed.name == "Sở Tư pháp và Pháp chế"
    assert Organisation.objects.search("phap che").get() == renamed
    assert job(NEXT_YEAR) == 0


def test_a_change_on_the_renames_day_starts_from_the_new_name_before_the_daily_job(
    province: Province, officer: User, as_day: Any
) -> None:
    justice = province["dept_justice"]
    restructuring.rename_organisation(
        justice, actor=officer, name="Sở Tư pháp và Pháp chế", effective=NEXT_YEAR
    )
    as_day(NEXT_YEAR)
    restructuring.move_organisation(
        justice, actor=officer, parent=province["dept_home"], effective=NEXT_YEAR
    )
    assert reload(justice).name == "Sở Tư pháp và Pháp chế"
    [version] = justice.versions.filter(valid_from=NEXT_YEAR)
    assert (version.name, version.parent_id) == ("Sở Tư pháp và Pháp chế", province["dept_home"].pk)


def test_a_second_future_rename_follows_the_first(province: Province, officer: User) -> None:
    justice = province["dept_justice"]
    later = NEXT_YEAR + dt.timedelta(days=30)
    restructuring.rename_organisation(justice, actor=officer, name="Tên A", effective=NEXT_YEAR)
    restructuring.rename_organisation(justice, actor=officer, name="Tên B", effective=later)
    assert [(v.name, v.valid_from) for v in justice.versions.order_by("valid_from")] == [
        ("Sở Tư pháp", START),
        ("Tên A", NEXT_YEAR),
        ("Tên B", later),
    ]
    assert reload(justice).name == "Sở Tư pháp"


def test_a_rename_dated_today_shows_at_once(province: Province, officer: User) -> None:
    justice = province["dept_justice"]
    restructuring.rename_organisation(justice, actor=officer, name="Sở mới", effective=TODAY)
    assert reload(justice).name == "Sở mới"


def test_the_tree_of_many_organisations_is_read_in_a_fixed_number_of_queries(
    province: Province, as_officer: Client, django_assert_max_num_queries: Any
) -> None:
    commune_kind = kind("commune_pc")
    for n in range(60):
        services.create_organisation(
            actor=None,
            code=f"H56.5{n:02d}",
            name=f"Xã số {n}",
            kind=commune_kind,
            parent=province["root"],
            valid_from=START,
        )
    with django_assert_max_num_queries(25):
        as_officer.get(reverse("organisations:tree"), {"q": "xa so"})


# --- 6. A unit cannot begin before its parent ---------------------------------------------


def test_the_page_refuses_a_child_that_begins_before_its_parent_and_keeps_the_input(
    as_officer: Client, province: Province
) -> None:
    late = services.create_organisation(
        actor=None,
        code="H56.60",
        name="Xã Mới",
        kind=kind("commune_pc"),
        parent=province["root"],
        valid_from=dt.date(2026, 7, 1),
    )
    data = {
        "child-code": "H56.60.01",
        "child-name": "Phòng Văn hóa",
        "child-kind": str(kind("division").pk),
        "child-valid_from": "01/01/2026",
    }
    response = as_officer.post(url("create_child", late), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ngày hiệu lực phải từ 01/07/2026 trở đi" in html
    assert 'value="Phòng Văn hóa"' in html
    assert not Organisation.objects.filter(code="H56.60.01").exists()


# --- 8. Two organisations under one parent cannot share a name ---------------------------


def test_a_rename_to_a_siblings_name_is_refused(province: Province, officer: User) -> None:
    with pytest.raises(ValidationError) as refused:
        restructuring.rename_organisation(
            province["dept_justice"], actor=officer, name="  Sở   Nội vụ ", effective=TODAY
        )
    message = refused.value.message_dict["name"][0]
    assert "H56.01" in message and "hãy chọn tên khác" in message
    assert reload(province["dept_justice"]).name == "Sở Tư pháp"


def test_a_rename_to_a_name_a_sibling_takes_later_is_refused(
    province: Province, officer: User
) -> None:
    restructuring.rename_organisation(
        province["dept_home"], actor=officer, name="Sở Nội chính", effective=NEXT_YEAR
    )
    with pytest.raises(ValidationError) as refused:
        restructuring.rename_organisation(
            province["dept_justice"], actor=officer, name="Sở Nội chính", effective=TODAY
        )
    assert dmy(NEXT_YEAR) in refused.value.message_dict["name"][0]


def test_a_name_freed_by_a_closed_organisation_may_be_taken(
    province: Province, officer: User
) -> None:
    restructuring.dissolve_organisation(province["dept_home"], actor=officer, effective=TODAY)
    restructuring.rename_organisation(
        province["dept_justice"], actor=officer, name="Sở Nội vụ", effective=TODAY
    )
    assert reload(province["dept_justice"]).name == "Sở Nội vụ"


def test_units_under_different_parents_may_share_a_name(province: Province) -> None:
    for parent, code in ((province["dept_home"], "H56.01.01"), (province["commune"], "H56.30.01")):
        services.create_organisation(
            actor=None, code=code, name="Văn phòng", kind=kind("division"), parent=parent
        )
    assert Organisation.objects.filter(name="Văn phòng").count() == 2


def test_the_page_refuses_a_duplicate_name_and_keeps_the_input(
    as_officer: Client, province: Province
) -> None:
    response = as_officer.post(
        url("rename", province["dept_justice"]),
        {"rename-name": "Sở Nội vụ", "rename-short_name": "SNV2", "rename-effective": dmy(TODAY)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "hãy chọn tên khác" in html and 'value="SNV2"' in html
    response = as_officer.post(
        url("create_child", province["root"]),
        {
            "child-code": "H56.77",
            "child-name": "Sở Tư pháp",
            "child-kind": str(kind("department").pk),
            "child-valid_from": dmy(TODAY),
        },
    )
    assert response.status_code == 200
    assert "hãy chọn tên khác" in response.content.decode()
    assert not Organisation.objects.filter(code="H56.77").exists()


# --- 7. Searching by the name an organisation bore on the day ---------------------------


PAST = dt.date(2025, 9, 15)


@pytest.fixture
def renamed(province: Province, officer: User) -> Organisation:
    """Sở Tư pháp, renamed from 01/10/2025 (after PAST)."""
    return restructuring.rename_organisation(
        province["dept_justice"],
        actor=officer,
        name="Sở Pháp chế",
        effective=dt.date(2025, 10, 1),
    )


def test_the_tree_search_finds_an_organisation_by_the_name_it_bore_that_day(
    as_officer: Client, renamed: Organisation
) -> None:
    tree = reverse("organisations:tree")
    html = as_officer.get(tree, {"q": "SO TU PHAP", "day": dmy(PAST)}).content.decode()
    assert url("detail", renamed) in html
    assert "Sở Tư pháp" in html and "nay là" in html
    # Today it is found by its new name, and not by the old one.
    html = as_officer.get(tree, {"q": "phap che"}).content.decode()
    assert url("detail", renamed) in html
    html = as_officer.get(tree, {"q": "so tu phap"}).content.decode()
    assert url("detail", renamed) not in html.split('id="tree-title"')[0]


def test_the_search_on_a_day_stays_one_query_for_many_organisations(
    province: Province, as_officer: Client, renamed: Organisation
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from congvu.organisations.selectors import with_names_on

    for n in range(40):
        services.create_organisation(
            actor=None,
            code=f"H56.5{n:02d}",
            name=f"Xã số {n}",
            kind=kind("commune_pc"),
            parent=province["root"],
            valid_from=START,
        )
    with CaptureQueriesContext(connection) as queries:
        found = list(with_names_on(Organisation.objects.search_on("xa so", PAST), PAST))
    assert len(found) == 40 and len(queries) == 1
    [justice] = with_names_on(Organisation.objects.search_on("tu phap", PAST), PAST).filter(
        pk=renamed.pk
    )
    assert justice.name_then == "Sở Tư pháp"


def test_a_merge_may_give_the_new_organisation_the_name_of_one_it_replaces(
    province: Province, officer: User
) -> None:
    department = kind("department")
    merged = restructuring.merge_organisations(
        [province["dept_justice"], province["dept_home"]],
        actor=officer,
        effective=TODAY,
        new=restructuring.NewOrganisation(code="H56.90", name="Sở Tư pháp", kind=department),
    )
    assert merged.name == "Sở Tư pháp"


def test_a_split_may_give_a_part_the_name_of_the_organisation_it_replaces(
    province: Province, officer: User
) -> None:
    department = kind("department")
    kept, _ = restructuring.split_organisation(
        province["dept_justice"],
        actor=officer,
        effective=TODAY,
        parts=[
            restructuring.NewOrganisation(code="H56.91", name="Sở Tư pháp", kind=department),
            restructuring.NewOrganisation(code="H56.92", name="Sở Pháp chế", kind=department),
        ],
    )
    assert kept.name == "Sở Tư pháp"
