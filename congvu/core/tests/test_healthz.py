from __future__ import annotations

from django.test import Client
from django.urls import reverse


def test_the_health_check_answers_ok_without_touching_the_database(client: Client) -> None:
    # No `db` fixture: pytest-django makes any query raise, so this also proves the
    # view (and the middleware on its way) never reaches the database.
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
