import datetime as dt
from typing import Any

from django.test import Client

from congvu.accounts.models import Role
from congvu.api.tests.conftest import bearer
from congvu.conftest import make_user
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, OrganisationKind

URL = "/api/v1/organisations"


def codes(response: Any) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


def tree_codes(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    return {node["code"]: tree_codes(node["children"]) for node in nodes}


def test_officer_lists_every_organisation_of_the_province(api_officer: Client) -> None:
    response = api_officer.get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 5
    assert codes(response) == ["H56", "H56.01", "H56.02", "H56.02.01", "H56.30"]


def test_head_lists_only_their_department_and_its_divisions(api_head: Client) -> None:
    assert codes(api_head.get(URL)) == ["H56.02", "H56.02.01"]


def test_the_list_is_paginated(api_officer: Client) -> None:
    body = api_officer.get(URL, {"limit": 2, "offset": 1}).json()
    assert body["count"] == 5
    assert [item["code"] for item in body["items"]] == ["H56.01", "H56.02"]


def test_an_oversized_page_is_refused_with_422(api_officer: Client) -> None:
    assert api_officer.get(URL, {"limit": 10_000}).status_code == 422


def test_search_ignores_accents(api_officer: Client) -> None:
    assert codes(api_officer.get(URL, {"q": "tu phap"})) == ["H56.02", "H56.02.01"]
    assert codes(api_officer.get(URL, {"q": "SỞ NỘI VỤ"})) == ["H56.01"]


def test_kind_and_parent_filter_the_list(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    assert codes(api_officer.get(URL, {"kind": "department"})) == ["H56.01", "H56.02"]
    parent = province["dept_justice"].pk
    assert codes(api_officer.get(URL, {"parent": parent})) == ["H56.02.01"]


def test_as_of_leaves_out_organisations_not_valid_that_day(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    org_services.create_organisation(
        actor=None,
        code="H56.40",
        name="Xã Mới Lập",
        kind=OrganisationKind.objects.get(code="commune_pc"),
        parent=province["root"],
        valid_from=dt.date(2026, 1, 1),
    )
    assert "H56.40" not in codes(api_officer.get(URL, {"as_of": "2025-06-01"}))
    assert "H56.40" in codes(api_officer.get(URL, {"as_of": "2026-01-01"}))


def test_a_malformed_date_is_a_422_not_a_crash(api_officer: Client) -> None:
    response = api_officer.get(URL, {"as_of": "31/12/2025"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "as_of"


def test_officer_reads_one_organisation(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    response = api_officer.get(f"{URL}/{province['dept_justice'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Sở Tư pháp"
    assert body["kind"]["code"] == "department"
    assert body["parent_id"] == province["root"].pk
    assert body["valid_from"] == "2025-01-01"


def test_outsider_gets_404_for_another_organisation(
    api_outsider: Client, province: dict[str, Organisation]
) -> None:
    response = api_outsider.get(f"{URL}/{province['dept_justice'].pk}")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_malformed_and_impossible_ids_are_422(api_officer: Client) -> None:
    for bad in ["abc", "0", "-1", str(2**70)]:
        assert api_officer.get(f"{URL}/{bad}").status_code == 422, bad


def test_a_missing_organisation_is_404(api_officer: Client) -> None:
    assert api_officer.get(f"{URL}/999999").status_code == 404


def test_tree_nests_children_under_their_parents(api_officer: Client) -> None:
    response = api_officer.get(f"{URL}/tree", {"as_of": "2025-06-01"})
    assert response.status_code == 200
    assert tree_codes(response.json()) == {
        "H56": {"H56.01": {}, "H56.02": {"H56.02.01": {}}, "H56.30": {}}
    }


def test_tree_before_the_province_existed_is_empty(api_officer: Client) -> None:
    assert api_officer.get(f"{URL}/tree", {"as_of": "2020-01-01"}).json() == []


def test_a_heads_tree_starts_at_their_department(api_head: Client) -> None:
    assert tree_codes(api_head.get(f"{URL}/tree").json()) == {"H56.02": {"H56.02.01": {}}}


def test_subtree_holds_the_organisation_and_everything_below(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    response = api_officer.get(f"{URL}/{province['dept_justice'].pk}/subtree")
    assert response.status_code == 200
    assert tree_codes(response.json()) == {"H56.02": {"H56.02.01": {}}}


def test_outsider_gets_404_for_another_organisations_subtree(
    api_outsider: Client, province: dict[str, Organisation]
) -> None:
    assert api_outsider.get(f"{URL}/{province['dept_justice'].pk}/subtree").status_code == 404


def new_org(parent: Organisation | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": "H56.02.09", "name": "Phòng Bổ trợ tư pháp", "kind": "division"}
    if parent is not None:
        body["parent"] = parent.pk
    return body | extra


def test_officer_creates_an_organisation(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    response = api_officer.post(
        URL,
        new_org(province["dept_justice"], valid_from="2025-07-01"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "H56.02.09"
    assert body["parent_id"] == province["dept_justice"].pk
    assert body["valid_from"] == "2025-07-01"
    assert Organisation.objects.get(code="H56.02.09").depth == 2


def test_viewer_gets_403_creating_an_organisation(
    api_viewer: Client, province: dict[str, Organisation]
) -> None:
    response = api_viewer.post(
        URL, new_org(province["dept_justice"]), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Organisation.objects.filter(code="H56.02.09").exists()


def test_outsider_gets_404_creating_under_an_invisible_parent(
    api_outsider: Client, province: dict[str, Organisation]
) -> None:
    response = api_outsider.post(
        URL, new_org(province["dept_justice"]), content_type="application/json"
    )
    assert response.status_code == 404


def test_only_province_wide_roles_create_at_the_top(api_head: Client, db: Any) -> None:
    assert api_head.post(URL, new_org(None), content_type="application/json").status_code == 403


def test_a_duplicate_code_is_a_422_with_a_bilingual_message(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    response = api_officer.post(
        URL, new_org(province["root"], code="H56.01"), content_type="application/json"
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "code"]
    assert "đã tồn tại" in error["msg"]
    assert "already exists" in error["msg"]


def test_an_unknown_kind_is_a_422(api_officer: Client, province: dict[str, Organisation]) -> None:
    response = api_officer.post(
        URL, new_org(province["root"], kind="galaxy"), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "kind"]


def test_missing_and_blank_fields_are_422(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    assert api_officer.post(URL, {}, content_type="application/json").status_code == 422
    blank = new_org(province["root"], name="   ")
    assert api_officer.post(URL, blank, content_type="application/json").status_code == 422
    assert api_officer.post(URL, "not json", content_type="application/json").status_code in {
        400,
        422,
    }


def test_parent_id_the_name_the_api_answers_with_places_the_new_organisation(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    body = {**new_org(None), "parent_id": province["dept_justice"].pk}
    response = api_officer.post(URL, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["parent_id"] == province["dept_justice"].pk
    assert Organisation.objects.get(code="H56.02.09").parent == province["dept_justice"]


def test_parent_and_parent_id_that_disagree_are_a_422(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    body = new_org(province["dept_home"], parent_id=province["dept_justice"].pk)
    response = api_officer.post(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert "parent and parent_id disagree" in response.json()["detail"][0]["msg"]
    assert not Organisation.objects.filter(code="H56.02.09").exists()


def test_an_unknown_field_is_a_422_not_silently_ignored(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    body = new_org(province["dept_justice"], parentid=province["dept_justice"].pk)
    response = api_officer.post(URL, body, content_type="application/json")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "parentid"
    assert "Không nhận trường này" in error["msg"]
    assert not Organisation.objects.filter(code="H56.02.09").exists()


def test_a_unit_cannot_begin_before_its_parent(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    parent = org_services.create_organisation(
        actor=None,
        code="H56.60",
        name="Xã Mới",
        kind=OrganisationKind.objects.get(code="commune_pc"),
        parent=province["root"],
        valid_from=dt.date(2026, 7, 1),
    )
    early = new_org(parent, code="H56.60.01", valid_from="2026-01-01")
    response = api_officer.post(URL, early, content_type="application/json")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "valid_from"]
    assert "01/07/2026" in error["msg"] and "before its parent" in error["msg"]
    assert not Organisation.objects.filter(code="H56.60.01").exists()
    same_day = new_org(parent, code="H56.60.01", valid_from="2026-07-01")
    assert api_officer.post(URL, same_day, content_type="application/json").status_code == 201


def test_search_with_as_of_finds_and_names_an_organisation_as_it_was_that_day(
    api_officer: Client, province: dict[str, Organisation], officer: Any
) -> None:
    from congvu.organisations import restructuring

    restructuring.rename_organisation(
        province["dept_justice"], actor=officer, name="Sở Pháp chế", effective=dt.date(2025, 10, 1)
    )
    body = api_officer.get(URL, {"q": "so tu phap", "as_of": "2025-09-15"}).json()
    assert [(i["code"], i["name"]) for i in body["items"]] == [("H56.02", "Sở Tư pháp")]
    body = api_officer.get(URL, {"q": "so tu phap"}).json()
    assert "H56.02" not in [i["code"] for i in body["items"]]
    [today] = api_officer.get(URL, {"q": "phap che"}).json()["items"]
    assert today["name"] == "Sở Pháp chế"


def test_a_future_rename_is_not_shown_by_the_api_before_its_day(
    api_officer: Client, province: dict[str, Organisation], officer: Any
) -> None:
    from django.utils import timezone

    from congvu.organisations import restructuring

    coming = timezone.localdate() + dt.timedelta(days=40)
    restructuring.rename_organisation(
        province["dept_justice"], actor=officer, name="Sở Pháp chế", effective=coming
    )
    assert api_officer.get(f"{URL}/{province['dept_justice'].pk}").json()["name"] == "Sở Tư pháp"
    assert codes(api_officer.get(URL, {"q": "phap che"})) == []
    later = api_officer.get(URL, {"q": "phap che", "as_of": coming.isoformat()}).json()
    assert [i["name"] for i in later["items"]] == ["Sở Pháp chế"]


def test_province_wide_home_affairs_creates_at_the_top(api_officer: Client, db: Any) -> None:
    response = api_officer.post(
        URL, new_org(None, code="H99", kind="province_pc"), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Organisation.objects.get(code="H99").parent is None


def test_home_affairs_of_one_department_may_not_create_at_the_top(
    province: dict[str, Organisation],
) -> None:
    client = bearer(make_user("noivu.so", Role.HOME_AFFAIRS, province["dept_justice"]))
    response = client.post(URL, new_org(None, code="H99"), content_type="application/json")
    assert response.status_code == 403
    assert not Organisation.objects.filter(code="H99").exists()
    # Under the department they were granted on, they still may.
    response = client.post(URL, new_org(province["dept_justice"]), content_type="application/json")
    assert response.status_code == 201
