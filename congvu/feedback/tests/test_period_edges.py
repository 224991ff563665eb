"""Periods at the edges of the calendar never crash a ratings page (found by schemathesis
on the API; the pages take the same kind of input from the query string)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import User
from congvu.conftest import client_for

EDGES = [
    "?from=01/0001&to=01/0001",
    "?from=0001-01&to=9999-12",
    "?from=12/9999",
    "?to=01/0001",
    "?to=0001-01-01",
    "?from=31/12/9999&to=31/12/9999",
]


@pytest.mark.parametrize("query", EDGES)
def test_the_public_page_and_its_data_answer_any_period_without_a_crash(
    province: dict[str, Any], query: str
) -> None:
    client = Client(raise_request_exception=False)
    for path in ("/transparency/", "/transparency/data.csv", "/transparency/data.json"):
        assert client.get(path + query).status_code in (200, 400), path + query


@pytest.mark.parametrize("query", EDGES)
def test_the_dashboards_answer_any_period_without_a_crash(
    province: dict[str, Any], officer: User, query: str
) -> None:
    client = client_for(officer)
    client.raise_request_exception = False
    pk = province["dept_justice"].pk
    for path in ("/ratings/", f"/ratings/org/{pk}/", "/ratings/flagged/"):
        assert client.get(path + query).status_code in (200, 400), path + query
