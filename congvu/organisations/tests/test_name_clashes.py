"""Siblings that already share a name but for case or the tone mark's place (data from
before the rule): listed for whoever may rename them, with a banner on the tree page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.conftest import client_for, make_user, page_form
from congvu.organisations.models import Organisation, OrganisationVersion
from congvu.organisations.selectors import name_clashes
from congvu.organisations.tests.clash_helpers import Province, clash_in_justice, force_name, unit

BANNER = "1 nhóm đơn vị cùng cấp trên có tên trùng nhau (chỉ khác chữ hoa/thường hoặc vị trí dấu)"
NONE = "Không có tên trùng."


def page(client: Client, **params: str) -> Any:
    return client.get(reverse("organisations:name_clashes"), params)


def groups(response: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each group the page lists: (parent's code, [(member's code, name as written)])."""
    return [
        (clash.parent_code, [(m.code, m.name) for m in clash.members])
        for clash in response.context["clashes"]
    ]


@pytest.fixture
def commune_officer(province: Province) -> User:
    """Home Affairs work granted on the commune alone: may rename there, nowhere else."""
    return make_user("commune_officer", Role.HOME_AFFAIRS, province["commune"])


# --- the list ---------------------------------------------------------------------------


def test_the_page_lists_siblings_differing_only_in_case_with_rename_links(
    as_officer: Client, province: Province
) -> None:
    office, shouting = clash_in_justice(province)
    response = page(as_officer)
    assert response.status_code == 200
    assert groups(response) == [
        ("H56.02", [("H56.02.02", "Văn phòng"), ("H56.02.03", "VĂN PHÒNG")])
    ]
    html = response.content.decode()
    assert "Sở Tư pháp" in html and NONE not in html
    for member in (office, shouting):
        rename = reverse("organisations:detail", args=[member.pk]) + "?open=rename#rename"
        assert f'href="{rename}"' in html


def test_the_tone_marks_place_is_a_clash_but_another_accent_is_not(
    as_officer: Client, province: Province
) -> None:
    unit(province["commune"], "H56.30.01", "Tổ Hòa giải")
    force_name(unit(province["commune"], "H56.30.02", "Tổ tạm"), "Tổ hoà giải")
    unit(province["dept_home"], "H56.01.01", "Tổ Hòa An")
    unit(province["dept_home"], "H56.01.02", "Tổ Hóa An")
    assert groups(page(as_officer)) == [
        ("H56.30", [("H56.30.01", "Tổ Hòa giải"), ("H56.30.02", "Tổ hoà giải")])
    ]


def test_the_same_name_under_two_parents_is_no_clash(
    as_officer: Client, province: Province
) -> None:
    unit(province["dept_justice"], "H56.02.02", "Văn phòng")
    unit(province["dept_home"], "H56.01.02", "VĂN PHÒNG")
    response = page(as_officer)
    assert groups(response) == []
    assert NONE in response.content.decode()


def test_a_sibling_closed_before_the_day_is_not_reported_but_is_on_a_day_it_was_open(
    as_officer: Client, province: Province
) -> None:
    _office, shouting = clash_in_justice(province)
    closed_on = timezone.localdate() - dt.timedelta(days=1)
    Organisation.objects.filter(pk=shouting.pk).update(valid_to=closed_on)
    OrganisationVersion.objects.filter(organisation=shouting).update(valid_to=closed_on)
    assert groups(page(as_officer)) == []
    then = page(as_officer, day=closed_on.strftime("%d/%m/%Y"))
    assert [codes for _parent, codes in groups(then)] == [
        [("H56.02.02", "Văn phòng"), ("H56.02.03", "VĂN PHÒNG")]
    ]
    assert f"1 nhóm tên trùng tại ngày {closed_on:%d/%m/%Y}" in then.content.decode()


def test_a_malformed_day_is_reported_and_todays_clashes_shown(
    as_officer: Client, province: Province
) -> None:
    clash_in_justice(province)
    response = page(as_officer, day="31/02/2026")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'value="31/02/2026"' in response.content.decode()
    assert len(groups(response)) == 1


def test_the_page_lists_only_the_users_subtree(commune_officer: User, province: Province) -> None:
    clash_in_justice(province)
    client = client_for(commune_officer)
    response = page(client)
    assert response.status_code == 200
    assert groups(response) == []
    html = response.content.decode()
    assert NONE in html and "H56.02.03" not in html
    unit(province["commune"], "H56.30.01", "Bộ phận một cửa")
    force_name(unit(province["commune"], "H56.30.02", "Tạm"), "BỘ PHẬN MỘT CỬA")
    assert [parent for parent, _members in groups(page(client))] == ["H56.30"]


@pytest.mark.parametrize("persona", ["as_viewer", "as_head", "as_outsider"])
def test_a_role_that_may_not_rename_gets_403(
    persona: str, province: Province, request: pytest.FixtureRequest
) -> None:
    clash_in_justice(province)
    assert page(request.getfixturevalue(persona)).status_code == 403


def test_the_page_needs_a_login(province: Province) -> None:
    response = Client().get(reverse("organisations:name_clashes"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_list_takes_three_queries_however_many_groups(
    province: Province, django_assert_num_queries: Any
) -> None:
    clash_in_justice(province)
    unit(province["commune"], "H56.30.01", "Tổ Hòa giải")
    force_name(unit(province["commune"], "H56.30.02", "Tạm"), "Tổ hoà giải")
    force_name(province["dept_home"], "SỞ TƯ PHÁP")
    with django_assert_num_queries(3):
        found = name_clashes(Organisation.objects.all(), on=timezone.localdate())
    assert [(c.parent_code, [m.code for m in c.members]) for c in found] == [
        ("H56", ["H56.01", "H56.02"]),
        ("H56.02", ["H56.02.02", "H56.02.03"]),
        ("H56.30", ["H56.30.01", "H56.30.02"]),
    ]
    assert found[0].parent_name == "Ủy ban nhân dân tỉnh Hưng Yên"


# --- the tree page's banner ---------------------------------------------------------------


def test_the_tree_warns_whoever_may_rename_and_links_to_the_list(
    as_officer: Client, province: Province
) -> None:
    clash_in_justice(province)
    html = as_officer.get(reverse("organisations:tree")).content.decode()
    assert BANNER in html
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert f'href="{reverse("organisations:name_clashes")}?day={today}"' in html


def test_the_banner_speaks_english_through_the_language_switch(
    as_officer: Client, province: Province
) -> None:
    clash_in_justice(province)
    as_officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = as_officer.get(reverse("organisations:tree")).content.decode()
    assert "1 group of units under one parent shares a name" in html
    listing = page(as_officer).content.decode()
    assert "Units under one parent sharing a name" in listing and "Rename" in listing


def test_the_tree_warns_of_the_clashes_of_its_day(as_officer: Client, province: Province) -> None:
    _office, shouting = clash_in_justice(province)
    closed_on = timezone.localdate() - dt.timedelta(days=1)
    Organisation.objects.filter(pk=shouting.pk).update(valid_to=closed_on)
    OrganisationVersion.objects.filter(organisation=shouting).update(valid_to=closed_on)
    tree = reverse("organisations:tree")
    assert BANNER not in as_officer.get(tree).content.decode()
    assert BANNER in as_officer.get(tree, {"day": closed_on.strftime("%d/%m/%Y")}).content.decode()


@pytest.mark.parametrize("persona", ["as_viewer", "as_head"])
def test_users_who_may_not_rename_see_no_banner(
    persona: str, province: Province, request: pytest.FixtureRequest
) -> None:
    clash_in_justice(province)
    html = request.getfixturevalue(persona).get(reverse("organisations:tree")).content.decode()
    assert "VĂN PHÒNG" in html and "H56.02.03" in html  # they see both units in the tree…
    assert "tên trùng nhau" not in html  # …but are not asked to do what they cannot


def test_no_banner_without_clashes_in_the_users_subtree(
    commune_officer: User, province: Province
) -> None:
    clash_in_justice(province)
    html = client_for(commune_officer).get(reverse("organisations:tree")).content.decode()
    assert "tên trùng nhau" not in html


# --- renaming one member ends the clash ----------------------------------------------------


def test_renaming_one_member_through_its_rename_form_ends_the_group(
    as_officer: Client, province: Province
) -> None:
    _office, shouting = clash_in_justice(province)
    detail = as_officer.get(reverse("organisations:detail", args=[shouting.pk]), {"open": "rename"})
    assert 'id="rename" open' in detail.content.decode()
    form = page_form(detail, "rename-stale")
    renamed = as_officer.post(
        reverse("organisations:rename", args=[shouting.pk]),
        {**form, "rename-name": "Phòng Văn thư"},
    )
    assert renamed.status_code == 302
    assert groups(page(as_officer)) == []
    assert NONE in page(as_officer).content.decode()
    assert "tên trùng nhau" not in as_officer.get(reverse("organisations:tree")).content.decode()


def test_two_tops_of_trees_sharing_a_name_are_a_group_without_parent(
    province: Province,
) -> None:
    """Seen by the administrator: the officer of one province does not hold the other."""
    other = Organisation.objects.create(
        code="H99",
        name="Tạm",
        kind=province["root"].kind,
        valid_from=province["root"].valid_from,
        path="",
    )
    Organisation.objects.filter(pk=other.pk).update(path=str(other.pk).zfill(8))
    OrganisationVersion.objects.create(
        organisation=other, name="Tạm", kind=other.kind, valid_from=other.valid_from
    )
    force_name(other, "ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN")
    admin = User.objects.create_superuser("admin", password="pw-for-tests-123")
    response = page(client_for(admin))
    assert groups(response) == [
        ("", [("H56", "Ủy ban nhân dân tỉnh Hưng Yên"), ("H99", "ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN")])
    ]
    assert "Cơ quan cấp cao nhất" in response.content.decode()
