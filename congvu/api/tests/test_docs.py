import re
from typing import Any
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders
from django.test import Client


def test_the_openapi_document_is_3_1_and_public(anonymous: Client) -> None:
    response = anonymous.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/organisations/tree" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"


def test_the_docs_page_loads_only_same_origin_scripts(anonymous: Client) -> None:
    response = anonymous.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    sources = [m.group(1) for s in scripts if (m := re.search(r'src="([^"]+)"', s))]
    assert sources, "Swagger UI must be loaded"
    for source in sources:
        assert not urlsplit(source).netloc, source
        assert source.startswith("/static/"), source
        assert finders.find(source.removeprefix("/static/")), f"{source} is not vendored"
    # The only script element without src is the JSON settings block, which never runs.
    inline = [s for s in scripts if "src=" not in s]
    assert all('type="application/json"' in s for s in inline)
    for href in re.findall(r'<link[^>]+href="([^"]+)"', html):
        assert not urlsplit(href).netloc, href


def test_the_docs_page_is_served_under_our_csp(anonymous: Client, settings: Any) -> None:
    response = anonymous.get("/api/v1/docs")
    policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy
    assert "cdn" not in policy


def test_the_site_mounts_the_api_at_api_v1(settings: Any) -> None:
    from django.urls import reverse

    settings.ROOT_URLCONF = "config.urls"
    assert reverse("api:openapi-json") == "/api/v1/openapi.json"
    assert reverse("api:openapi-view") == "/api/v1/docs"


def test_operation_ids_name_the_package_whatever_file_holds_the_handler(
    anonymous: Client,
) -> None:
    # feedback and cases were single modules; their clients keep the ids they had.
    paths = anonymous.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        ("/api/v1/dossiers", "post"): "congvu_api_feedback_register_dossier",
        ("/api/v1/counters/{id}", "patch"): "congvu_api_feedback_update_counter",
        ("/api/v1/ratings", "post"): "congvu_api_feedback_submit_rating",
        ("/api/v1/ratings/review", "post"): "congvu_api_feedback_review_ratings",
        ("/api/v1/public/satisfaction", "get"): "congvu_api_feedback_public_satisfaction",
        ("/api/v1/cases", "get"): "congvu_api_cases_list_cases",
        ("/api/v1/cases/{code}/events", "post"): "congvu_api_cases_add_case_event",
        ("/api/v1/public/cases/follow", "post"): "congvu_api_cases_follow_report",
        ("/api/v1/organisations/tree", "get"): "congvu_api_organisations_organisation_tree",
    }
    found = {key: paths[key[0]][key[1]]["operationId"] for key in expected}
    assert found == expected
