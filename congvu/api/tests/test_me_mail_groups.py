"""GET/PATCH /api/v1/me: the groups of notices the caller gets by e-mail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import User
from congvu.api.tests.conftest import bearer

pytestmark = pytest.mark.django_db

ALL_ON = {"planning": True, "inspections": True, "cases": True, "security": True}


def patch(client: Client, body: Any, **headers: str) -> Any:
    return client.patch(
        "/api/v1/me", json.dumps(body), content_type="application/json", headers=headers
    )


def test_the_caller_reads_and_turns_groups_off_one_at_a_time(head: User) -> None:
    api = bearer(head)
    assert api.get("/api/v1/me").json()["mail_groups"] == ALL_ON
    first = patch(api, {"mail_groups": {"inspections": False}})
    assert first.status_code == 200
    assert first.json()["mail_groups"] == {**ALL_ON, "inspections": False}
    # Groups left out stay as they are; turning one back on works, security true is fine.
    second = patch(api, {"mail_groups": {"cases": False, "security": True}})
    assert second.json()["mail_groups"] == {**ALL_ON, "inspections": False, "cases": False}
    third = patch(api, {"mail_groups": {"inspections": True}})
    assert third.json()["mail_groups"] == {**ALL_ON, "cases": False}
    head.refresh_from_db()
    assert head.mail_muted_groups == ["cases"] and head.mail_notices is True


@pytest.mark.parametrize(
    ("groups", "vietnamese", "english"),
    [
        (
            {"weekly": False, "planning": False},
            "Không có nhóm thông báo: weekly. Các nhóm: planning, inspections, cases, security.",
            "No such group of notices: weekly. The groups: planning, inspections, cases, security.",
        ),
        (
            {"security": False},
            "Thông báo về tài khoản và bảo mật luôn được gửi qua e-mail, không tắt được.",
            "Account and security notices are always e-mailed; they cannot be turned off.",
        ),
    ],
)
def test_an_unknown_group_or_security_off_is_a_400_and_changes_nothing(
    head: User, groups: dict[str, bool], vietnamese: str, english: str
) -> None:
    api = bearer(head)
    refused = patch(api, {"mail_notices": False, "mail_groups": groups})
    assert refused.status_code == 400
    assert refused.json()["detail"] == f"{vietnamese} / {english}"
    in_english = patch(api, {"mail_groups": groups}, **{"Accept-Language": "en"})
    assert in_english.json()["detail"] == english
    head.refresh_from_db()
    assert head.mail_muted_groups == [] and head.mail_notices is True


@pytest.mark.parametrize("groups", [{"cases": "no"}, {"cases": 0}, ["cases"], "cases"])
def test_groups_not_given_as_an_object_of_true_or_false_are_a_422(head: User, groups: Any) -> None:
    assert patch(bearer(head), {"mail_groups": groups}).status_code == 422
    head.refresh_from_db()
    assert head.mail_muted_groups == []


def test_the_schema_documents_the_groups(head: User) -> None:
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    read = schema["MeOut"]["properties"]["mail_groups"]
    assert "inspections" in read["description"] and "security" in read["description"]
    assert "mail_groups" in schema["MeOut"]["required"]
    written = schema["MePatchIn"]["properties"]["mail_groups"]
    assert "400" in written["description"]
