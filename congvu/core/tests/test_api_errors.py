"""Under /api/ every error is JSON, even where no API operation answered."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("api/v1/crash", crash), path("org/crash", crash), *site_urlpatterns]
handler404 = "congvu.core.views.page_not_found"
handler500 = "congvu.core.views.server_error"


def test_an_unknown_api_path_answers_json_404(db, client: Client) -> None:
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Không tìm thấy. / Not found."}


def test_the_wrong_method_on_an_api_path_answers_json_405_with_the_allowed_ones(
    db, client: Client
) -> None:
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.json()["detail"].endswith("Method not allowed.")
    assert "GET" in response["Allow"]


@pytest.mark.urls(__name__)
def test_a_crash_under_the_api_answers_json_500_and_elsewhere_the_error_page(db) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/crash")
    assert response.status_code == 500
    assert response.json()["detail"].startswith("Lỗi máy chủ")
    page = client.get("/org/crash")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


def test_pages_outside_the_api_keep_the_html_404(db, client: Client) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
