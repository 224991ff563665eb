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


def _body_schema(schema: dict[str, Any], path: str) -> dict[str, Any]:
    ref = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]


def test_each_request_body_is_documented_as_its_own_endpoint_takes_it(anonymous: Client) -> None:
    # Two schemas of one name were one component: the case extension's body was documented
    # as the assignment's, an inspection's cancellation reason with another's length.
    schema = anonymous.get("/api/v1/openapi.json").json()
    assignment = _body_schema(schema, "/api/v1/assignments/{id}/extension-requests")
    case = _body_schema(schema, "/api/v1/cases/{code}/extensions")
    assert "requested_due_on" in assignment["required"]
    assert "requested_due_on" not in case["properties"]
    cancel = _body_schema(schema, "/api/v1/inspections/{code}/cancel")
    assert cancel["properties"]["reason"]["maxLength"] == 10_000
    decision = _body_schema(schema, "/api/v1/reports/{id}/decision")
    assert set(decision["properties"]["decision"]["enum"]) == {"return", "accept"}


def test_every_schema_of_the_api_has_a_name_of_its_own() -> None:
    # The OpenAPI document names a schema by its class's name alone.
    from pydantic import BaseModel

    from congvu.api import urls  # noqa: F401 (every router imported)

    where: dict[str, set[str]] = {}
    todo: list[type[Any]] = [BaseModel]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("congvu.") and ".tests" not in cls.__module__:
            where.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(places) for name, places in where.items() if len(places) > 1}
    assert not shared


#: A Vietnamese letter (one with a diacritic, or đ).
VIETNAMESE = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE
)
#: What may stay Vietnamese in an English text: a quoted term (“DỰ THẢO”), an official
#: document's number (123/QĐ-SNV, 1847/QĐ-TTg) and the product's name.
KEPT = re.compile(r"“[^”]*”|\"[^\"]*\"|\b\d+/[A-ZĐ0-9-]+|Công vụ")


def read_texts(node: Any) -> list[str]:
    """The summaries, descriptions and titles of an OpenAPI document."""
    if isinstance(node, dict):
        return [
            text
            for key, value in node.items()
            for text in (
                [value]
                if key in {"summary", "description", "title"} and isinstance(value, str)
                else read_texts(value)
            )
        ]
    if isinstance(node, list):
        return [text for item in node for text in read_texts(item)]
    return []


def test_the_openapi_document_reads_in_english_for_an_english_client(anonymous: Client) -> None:
    english = anonymous.get("/api/v1/openapi.json", headers={"Accept-Language": "en"}).json()
    texts = read_texts(english)
    assert len(texts) > 500
    assert [text for text in texts if VIETNAMESE.search(KEPT.sub("", text))] == []
    paths = english["paths"]
    assert paths["/api/v1/organisations"]["get"]["summary"] == "list organisations"
    assert "**safe retries:** With `Idempotency-Key`" in english["info"]["description"]
    # The default stays both languages, Vietnamese first.
    default = anonymous.get("/api/v1/openapi.json").json()
    assert default["paths"]["/api/v1/organisations"]["get"]["summary"] == (
        "Danh sách cơ quan / list organisations"
    )


def test_the_docs_page_says_its_language(anonymous: Client) -> None:
    assert (
        '<html lang="en">'
        in anonymous.get("/api/v1/docs", headers={"Accept-Language": "en"}).content.decode()
    )
    assert '<html lang="vi">' in anonymous.get("/api/v1/docs").content.decode()
