"""Open311 GeoReport v2: the published specification's shapes, and a real client.

The shapes asserted here are those of the specification's examples
(wiki.open311.org/GeoReport_v2 and /Service_Discovery): root and item element
names in XML, field names in JSON, the error list, form-encoded POSTs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.api.tests.test_cases_api import PASSPHRASE, REPORTER_NAME, make_case
from congvu.cases import reporter
from congvu.cases.models import Case
from congvu.cases.open311 import SPECIFICATION
from congvu.conduct.models import Clause
from congvu.conduct.services import load_seed_catalogue
from congvu.organisations.models import Organisation, StaffMember

BASE = "/open311/v2"


@pytest.fixture
def seed(province: dict[str, Organisation]) -> None:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)


def xml(response: Any) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own answer, in a test


def file_report(client: Client, fmt: str = "json", **fields: str) -> Any:
    data = {
        "service_code": "II.1.c",
        "description": "Cán bộ nói phải có tiền bồi dưỡng thì hồ sơ mới xong sớm.",
        "address_string": "Bộ phận một cửa, tầng 1",
        **fields,
    }
    return client.post(f"{BASE}/requests.{fmt}", data)


# --- discovery and services -------------------------------------------------------------------


def test_discovery_names_the_endpoint_and_both_formats(client: Client, seed: None) -> None:
    response = client.get(f"{BASE}/discovery.json")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == SPECIFICATION
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]

    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    formats = root.findall("./endpoints/endpoint/formats/format")
    assert [f.text for f in formats] == ["text/xml", "application/json"]


def test_services_are_the_rateable_and_observable_clauses_plus_other(
    client: Client, seed: None
) -> None:
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    services = {s["service_code"]: s for s in response.json()}
    assert "II.1.c" in services and "II.3.b" in services and "other" in services
    # Neither rated by citizens nor observed by inspectors: not a report category.
    assert "II.1.a" not in services
    bribe = services["II.1.c"]
    assert set(bribe) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert bribe["metadata"] is True and bribe["type"] == "realtime"
    assert bribe["group"].startswith("Tinh thần, thái độ làm việc")
    assert bribe["service_name"].startswith("Cán bộ không được gây khó khăn")


def test_services_in_xml_follow_the_specifications_example(client: Client, seed: None) -> None:
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert root.findtext("./service[service_code='II.1.c']/metadata") == "true"


def test_without_a_catalogue_only_other_is_offered(client: Client, province: Any) -> None:
    assert [s["service_code"] for s in client.get(f"{BASE}/services.json").json()] == ["other"]


def test_a_service_definition_lists_badge_organisation_and_track(
    client: Client, seed: None, province: dict[str, Organisation]
) -> None:
    response = client.get(f"{BASE}/services/II.1.c.json")
    assert response.status_code == 200
    body = response.json()
    assert body["service_code"] == "II.1.c"
    attributes = {a["code"]: a for a in body["attributes"]}
    assert list(attributes) == ["badge", "organisation", "subject", "track", "occurred_on"]
    organisation = attributes["organisation"]
    assert organisation["datatype"] == "singlevaluelist"
    assert {"key": "H56.02", "name": "Sở Tư pháp"} in organisation["values"]
    # Divisions are not where a report is filed.
    assert "H56.02.01" not in {v["key"] for v in organisation["values"]}
    assert [v["key"] for v in attributes["track"]["values"]] == [
        "feedback",
        "complaint",
        "denunciation",
    ]
    assert [a["order"] for a in body["attributes"]] == [1, 2, 3, 4, 5]

    other = client.get(f"{BASE}/services/other.json").json()
    assert other["attributes"][-1]["code"] == "other_standard"
    assert other["attributes"][-1]["required"] is True


def test_a_service_definition_in_xml_nests_attributes_and_values(
    client: Client, seed: None, province: Any
) -> None:
    root = xml(client.get(f"{BASE}/services/II.1.c.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "II.1.c"
    keys = [k.text for k in root.findall("./attributes/attribute[code='track']/values/value/key")]
    assert keys == ["feedback", "complaint", "denunciation"]
    assert root.findtext("./attributes/attribute[code='badge']/variable") == "true"


def test_an_unknown_service_is_a_404_in_the_specifications_error_format(
    client: Client, seed: None
) -> None:
    response = client.get(f"{BASE}/services/XYZ.json")
    assert response.status_code == 404
    [error] = response.json()
    assert error["code"] == 404 and "service_code not found" in error["description"]
    response = client.get(f"{BASE}/services/XYZ.xml")
    assert response.status_code == 404
    root = xml(response)
    assert root.tag == "errors"
    assert root.findtext("./error/code") == "404"


def test_an_unknown_resource_or_format_is_a_404_error_list(client: Client, db: Any) -> None:
    response = client.get(f"{BASE}/services.html")
    assert response.status_code == 404
    assert xml(response).tag == "errors"
    assert client.get(f"{BASE}/nothing.json").json()[0]["code"] == 404


def test_a_wrong_method_is_refused_with_an_error_list(client: Client, seed: None) -> None:
    response = client.post(f"{BASE}/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()[0]["code"] == 405


# --- filing -----------------------------------------------------------------------------------


def test_an_app_files_an_anonymous_report_and_gets_the_code_and_passphrase_once(
    seed: None, staff_member: StaffMember
) -> None:
    client = Client(enforce_csrf_checks=True)  # an app has no CSRF token: the view is exempt
    response = file_report(client, **{"attribute[badge]": staff_member.badge_token})
    assert response.status_code == 201, response.content
    [answer] = response.json()
    assert set(answer) == {
        "service_request_id",
        "service_notice",
        "account_id",
        "tracking_passphrase",
    }
    assert answer["account_id"] is None
    case = Case.objects.get(code=answer["service_request_id"])
    assert case.channel == Case.Channel.OPEN311
    assert case.is_anonymous and case.subject_staff == staff_member
    assert [c.code for c in case.clauses.all()] == ["II.1.c"]
    assert case.occurred_place == "Bộ phận một cửa, tầng 1"
    # The notice says how to follow; the secret is only in the extension field.
    assert case.code in answer["service_notice"]
    assert "/track/" in answer["service_notice"]
    assert answer["tracking_passphrase"] not in answer["service_notice"]
    assert reporter.follow(case.code, answer["tracking_passphrase"]) == case


def test_the_specifications_example_request_is_accepted_and_keeps_no_device_data(
    seed: None, province: dict[str, Organisation]
) -> None:
    # The POST of the specification's example, with this jurisdiction's codes.
    body = (
        "api_key=xyz&jurisdiction_id=city.gov&service_code=II.1.c&lat=37.76524078"
        "&long=-122.4212043&address_string=1234+5th+street&email=smit333%40sfgov.edu"
        "&device_id=tt222111&account_id=123456&first_name=john&last_name=smith"
        "&phone=111111111&description=A+large+sinkhole+is+destroying+the+street"
        "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
        "&attribute[WHISPAWN]=123456&attribute[organisation]=H56.02"
        "&attribute[subject]=C%C3%A1n+b%E1%BB%99+qu%E1%BA%A7y+2"
    )
    response = Client().post(
        f"{BASE}/requests.xml",
        body,
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    assert response.status_code == 201, response.content
    root = xml(response)
    assert root.tag == "service_requests"
    code = root.findtext("./request/service_request_id")
    case = Case.objects.get(code=code)
    assert not case.is_anonymous
    assert (case.reporter_name, case.reporter_email, case.reporter_phone) == (
        "john smith",
        "smit333@sfgov.edu",
        "111111111",
    )
    assert case.organisation == province["dept_justice"]
    stored = " ".join(str(v) for v in Case.objects.filter(pk=case.pk).values().get().values())
    for device_data in ("tt222111", "123456", "37.76524078", "-122.4212043", "flickr"):
        assert device_data not in stored


def test_a_report_without_a_service_code_is_a_400(client: Client, seed: None) -> None:
    response = client.post(f"{BASE}/requests.json", {"description": "x"})
    assert response.status_code == 400
    assert "service_code" in response.json()[0]["description"]


def test_a_report_for_an_unknown_service_is_a_404(client: Client, seed: None) -> None:
    response = file_report(client, service_code="ZZZ", **{"attribute[organisation]": "H56.02"})
    assert response.status_code == 404
    assert Case.objects.count() == 0


def test_a_report_with_bad_input_is_a_400_listing_every_problem_and_saves_nothing(
    client: Client, seed: None
) -> None:
    response = file_report(client, description="", **{"attribute[organisation]": "NOPE"})
    assert response.status_code == 400
    assert any("organisation" in e["description"] for e in response.json())
    response = file_report(client, description="", **{"attribute[organisation]": "H56.02"})
    assert response.status_code == 400
    assert all(e["code"] == 400 for e in response.json())
    response = file_report(client, **{"attribute[badge]": "x" * 41})
    assert response.status_code == 400
    response = file_report(client, **{"attribute[organisation]": "H56.02", "description": "a\x00b"})
    assert response.status_code == 400
    response = file_report(
        client, **{"attribute[organisation]": "H56.02", "attribute[track]": "lawsuit"}
    )
    assert response.status_code == 400
    response = file_report(
        client, **{"attribute[organisation]": "H56.02", "attribute[occurred_on]": "yesterday"}
    )
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_other_needs_the_conduct_described(client: Client, seed: None) -> None:
    response = file_report(
        client,
        service_code="other",
        **{"attribute[organisation]": "H56.02", "attribute[subject]": "Cán bộ quầy 2"},
    )
    assert response.status_code == 400
    response = file_report(
        client,
        service_code="other",
        **{
            "attribute[organisation]": "H56.02",
            "attribute[subject]": "Cán bộ quầy 2",
            "attribute[other_standard]": "Hút thuốc trong phòng làm việc",
        },
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.other_standard == "Hút thuốc trong phòng làm việc"
    assert not case.clauses.exists()


# --- following --------------------------------------------------------------------------------


def test_requests_are_not_listed_without_their_codes(
    client: Client, seed: None, province: dict[str, Organisation]
) -> None:
    make_case(province["dept_justice"])
    assert client.get(f"{BASE}/requests.json").json() == []
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests" and len(root) == 0


def test_a_request_shows_only_its_public_status(
    client: Client, seed: None, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    case = make_case(province["dept_justice"], staff=staff_member, named=True)
    case.clauses.set(Clause.objects.filter(code="II.1.c"))
    response = client.get(f"{BASE}/requests/{case.code}.json")
    assert response.status_code == 200
    [request] = response.json()
    assert request["service_request_id"] == case.code
    assert request["status"] == "open"
    assert request["status_notes"] == "Đã tiếp nhận, đang xem xét"
    assert (request["service_code"], request["service_name"][:14]) == ("II.1.c", "Cán bộ không đ")
    assert request["description"] is None and request["address"] is None
    assert request["agency_responsible"] is None
    assert request["requested_datetime"] == timezone.localtime(case.received_at).isoformat(
        timespec="seconds"
    )
    text = response.content.decode()
    for secret in (REPORTER_NAME, case.description, staff_member.full_name, "Sở Tư pháp"):
        assert secret not in text


def test_a_closed_or_rejected_case_is_closed_and_a_concluded_one_still_open(
    client: Client, seed: None, province: dict[str, Organisation]
) -> None:
    closed = make_case(province["dept_justice"], status=Case.Status.CLOSED)
    rejected = make_case(province["dept_justice"], status=Case.Status.REJECTED)
    concluded = make_case(province["dept_justice"], status=Case.Status.CONCLUDED)
    response = client.get(
        f"{BASE}/requests.json",
        {"service_request_id": f"{closed.code},{rejected.code}, {concluded.code.lower()}"},
    )
    statuses = {r["service_request_id"]: r["status"] for r in response.json()}
    assert statuses == {closed.code: "closed", rejected.code: "closed", concluded.code: "open"}
    closed_row = next(r for r in response.json() if r["service_request_id"] == closed.code)
    assert closed_row["updated_datetime"] == timezone.localtime(closed.closed_at).isoformat(
        timespec="seconds"
    )
    only_open = client.get(
        f"{BASE}/requests.json",
        {"service_request_id": f"{closed.code},{concluded.code}", "status": "open"},
    ).json()
    assert [r["service_request_id"] for r in only_open] == [concluded.code]


def test_a_request_in_xml_uses_the_specifications_elements(
    client: Client, seed: None, province: dict[str, Organisation]
) -> None:
    case = make_case(province["dept_justice"])
    root = xml(client.get(f"{BASE}/requests/{case.code}.xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request is not None
    assert request.findtext("service_request_id") == case.code
    assert request.findtext("status") == "open"
    assert request.findtext("service_code") == "other"
    assert request.find("description") is not None and not request.findtext("description")


def test_an_unknown_request_or_token_is_a_404(client: Client, seed: None) -> None:
    response = client.get(f"{BASE}/requests/PA-AAAAAAAAAA.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
    assert client.get(f"{BASE}/requests/<script>.xml").status_code == 404
    assert client.get(f"{BASE}/tokens/12345.json").status_code == 404
    response = client.get(f"{BASE}/requests.json", {"service_request_id": "a,b;DROP"})
    assert response.status_code == 400


def test_the_passphrase_is_not_needed_to_read_the_public_status_and_never_shown(
    client: Client, seed: None, province: dict[str, Organisation]
) -> None:
    case = make_case(province["dept_justice"])
    text = client.get(f"{BASE}/requests/{case.code}.xml").content.decode()
    assert PASSPHRASE not in text and case.passphrase_hash not in text


# --- a real client library from PyPI ----------------------------------------------------------


@pytest.fixture
def kinds_restored(transactional_db: None) -> None:
    """An earlier live-server test (the browser tests run first) may have flushed the rows
    the migrations made: put the organisation kinds back before `province` needs them."""
    from congvu.browser_tests.helpers import restore_default_kinds

    restore_default_kinds()


# The live server needs committed data: the migrations' rows (organisation kinds) are
# restored after the flush. Not `serialized_rollback`: after another transactional test
# (flushed, content types made again by post_migrate) reloading the serialized rows
# failed on the content types' unique key, depending on the order tests run in.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_reads_services_definitions_and_requests(
    live_server: Any, kinds_restored: None, province: dict[str, Organisation], fmt: str
) -> None:
    georeport = pytest.importorskip(
        "georeport", reason="the georeport client (PyPI) is a test dependency"
    )
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    client = georeport.GeoReport(
        live_server.url + reverse("open311:services", kwargs={"fmt": "json"}).rsplit("/", 1)[0],
        output_format=fmt,
    )
    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    assert "II.1.c" in codes and codes[-1] == "other"

    definition = client.get_service_definition("II.1.c")
    assert definition["service_code"] == "II.1.c"

    # The library files no requests; an app posts the form the specification describes.
    filed = requests.post(
        f"{client.root_address}/requests.json",
        data={
            "service_code": "II.1.c",
            "description": "Cán bộ đòi tiền mới nhận hồ sơ của tôi.",
            "attribute[organisation]": "H56.02",
            "attribute[subject]": "Cán bộ quầy số 2",
        },
        timeout=10,
    )
    assert filed.status_code == 201, filed.text
    code = filed.json()[0]["service_request_id"]
    one = client.get_service_request(code)
    assert one["service_request_id"] == code and one["status"] == "open"
    found = client.get_service_requests(service_request_id=code)
    assert (found[0] if isinstance(found, list) else found)["service_code"] == "II.1.c"
