"""`GET /organisations/name-clashes`: siblings already sharing a name but for case or the
tone mark's place, as the page lists them, scoped to where the caller may rename."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from congvu.accounts.models import Role
from congvu.conftest import make_user
from congvu.organisations.models import Organisation, OrganisationVersion
from congvu.organisations.tests.clash_helpers import Province, clash_in_justice, force_name, unit

from .conftest import bearer

URL = "/api/v1/organisations/name-clashes"


def test_the_groups_name_the_parent_and_each_member_as_written(
    api_officer: Client, province: Province
) -> None:
    office, shouting = clash_in_justice(province)
    new_tone = unit(province["commune"], "H56.30.01", "Tổ Hòa giải")
    old_tone = force_name(unit(province["commune"], "H56.30.02", "Tạm"), "Tổ hoà giải")
    unit(province["dept_home"], "H56.01.01", "Tổ Hòa An")
    unit(province["dept_home"], "H56.01.02", "Tổ Hóa An")  # another accent: another name
    response = api_officer.get(URL)
    assert response.status_code == 200
    justice, commune = province["dept_justice"], province["commune"]
    assert response.json() == [
        {
            "parent": {"id": justice.pk, "code": "H56.02", "name": "Sở Tư pháp"},
            "members": [
                {"id": office.pk, "code": "H56.02.02", "name": "Văn phòng"},
                {"id": shouting.pk, "code": "H56.02.03", "name": "VĂN PHÒNG"},
            ],
        },
        {
            "parent": {"id": commune.pk, "code": "H56.30", "name": "Ủy ban nhân dân xã An Bình"},
            "members": [
                {"id": new_tone.pk, "code": "H56.30.01", "name": "Tổ Hòa giải"},
                {"id": old_tone.pk, "code": "H56.30.02", "name": "Tổ hoà giải"},
            ],
        },
    ]


def test_a_sibling_closed_before_the_day_counts_only_on_days_it_was_open(
    api_officer: Client, province: Province
) -> None:
    _office, shouting = clash_in_justice(province)
    closed_on = timezone.localdate() - dt.timedelta(days=1)
    Organisation.objects.filter(pk=shouting.pk).update(valid_to=closed_on)
    OrganisationVersion.objects.filter(organisation=shouting).update(valid_to=closed_on)
    assert api_officer.get(URL).json() == []
    then = api_officer.get(URL, {"as_of": closed_on.isoformat()}).json()
    assert [[m["code"] for m in group["members"]] for group in then] == [["H56.02.02", "H56.02.03"]]


def test_a_malformed_day_is_a_422(api_officer: Client, province: Province) -> None:
    assert api_officer.get(URL, {"as_of": "31/12/2025"}).status_code == 422


def test_a_caller_sees_only_the_clashes_where_they_may_rename(
    province: Province,
) -> None:
    clash_in_justice(province)
    commune_officer = bearer(make_user("commune_officer", Role.HOME_AFFAIRS, province["commune"]))
    assert commune_officer.get(URL).json() == []


def test_a_role_that_may_not_rename_gets_403(
    api_viewer: Client, api_head: Client, api_outsider: Client, province: Province
) -> None:
    clash_in_justice(province)
    for client in (api_viewer, api_head, api_outsider):
        response = client.get(URL)
        assert response.status_code == 403
        assert "VĂN PHÒNG" not in response.content.decode()


def test_the_operation_is_in_the_openapi_document(api_officer: Client) -> None:
    document = api_officer.get("/api/v1/openapi.json").json()
    operation = document["paths"][URL]["get"]
    assert "tone mark" in operation["description"]
    assert {"200", "403"} <= set(operation["responses"])
    [as_of] = operation["parameters"]
    assert as_of["name"] == "as_of"
    members = document["components"]["schemas"]["NameClashOut"]["properties"]["members"]
    assert "name_key" not in document["components"]["schemas"]["NameClashOut"]["properties"]
    assert "each name as written" in members["description"]
