from __future__ import annotations

import pytest
from django.db import OperationalError, connections
from django.test import Client, override_settings
from django.urls import reverse


def test_the_health_check_answers_ok_without_touching_the_database(client: Client) -> None:
    # No `db` fixture: pytest-django makes any query raise, so this also proves the
    # view (and the middleware on its way) never reaches the database.
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_answers_ok_when_the_database_answers(db: None, client: Client) -> None:
    response = client.get(reverse("core:ready"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "local"}}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_answers_503_with_the_reason_when_the_database_is_down(
    db: None, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connections["default"], "cursor", refused)
        response = client.get(reverse("core:ready"))
        live = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "down"
    assert "Not ready: database" in body["detail"]
    # Liveness still says the process is up: only readiness takes it out of rotation.
    assert live.status_code == 200


def test_readiness_answers_503_when_the_shared_cache_is_missing(db: None) -> None:
    # A database cache whose table was never made (`createcachetable` forgotten).
    missing = {"default": {"BACKEND": "congvu.core.cache.DatabaseCache", "LOCATION": "nope"}}
    with override_settings(CACHES=missing):
        response = Client().get(reverse("core:ready"))
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "down"}


def test_a_plain_http_probe_is_not_redirected_to_https(db: None) -> None:
    # Behind the TLS proxy a load balancer probes over plain HTTP; every other page is
    # still redirected to HTTPS.
    with override_settings(SECURE_SSL_REDIRECT=True):
        probe = Client()
        assert probe.get("/healthz").status_code == 200
        assert probe.get("/healthz/ready").status_code == 200
        home = probe.get("/")
    assert home.status_code == 301
    assert home["Location"].startswith("https://")
