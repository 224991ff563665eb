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
