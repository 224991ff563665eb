"""Numbers in links and forms that parse as digits to Python but not to int() or the
database: "²" (str.isdigit() says yes, int() refuses it) and ids beyond a bigint (SQLite
raises OverflowError where PostgreSQL answers no rows). Each was a server error; each
is now ignored or refused like any other unknown value (core.text.as_id)."""

from __future__ import annotations

import pytest
from django.test import Client

from congvu.core.text import MAX_ID, as_id

TOO_BIG = "99999999999999999999"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 12 ", None),
        ("0", None),
        ("-3", None),
        ("²", None),
        ("١٢", None),
        ("1_000", None),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        (TOO_BIG, None),
        ("", None),
        (None, None),
    ],
)
def test_only_plain_ascii_ids_within_a_bigint_are_ids(text: str | None, expected: int | None):
    assert as_id(text) == expected


@pytest.mark.parametrize("value", ["²", TOO_BIG, "9223372036854775808"])
@pytest.mark.parametrize("name", ["task", "organisation"])
def test_the_assignment_list_ignores_an_impossible_task_or_organisation_id(
    as_officer: Client, name: str, value: str
):
    response = as_officer.get("/assignments/", {name: value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", TOO_BIG])
def test_a_new_plan_under_an_impossible_parent_starts_without_one(as_officer: Client, value: str):
    response = as_officer.get("/plans/new/", {"parent": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "¹²", TOO_BIG])
@pytest.mark.parametrize("name", ["after", "before"])
def test_the_audit_log_ignores_an_impossible_cursor(as_officer: Client, name: str, value: str):
    response = as_officer.get("/audit/", {name: value})
    assert response.status_code == 200
