"""GET /api/v1/me/sign-ins: the caller's own sign-in history, newest first, labels in the
request's language; an API token's calls are not sign-ins."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from congvu.accounts import sign_ins
from congvu.accounts.models import SignIn, User

from .conftest import bearer

URL = "/api/v1/me/sign-ins"
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def test_the_caller_gets_their_own_sign_ins_newest_first(officer: User, head: User) -> None:
    older = sign_ins.record(officer, method=SignIn.Method.RECOVERY_CODE, user_agent=FIREFOX_LINUX)
    SignIn.objects.filter(pk=older.pk).update(
        at=dt.datetime(2026, 11, 1, 1, 30, tzinfo=dt.timezone.utc)
    )
    sign_ins.record(officer, method=SignIn.Method.PASSKEY)
    sign_ins.record(head, method=SignIn.Method.REMEMBERED_BROWSER)
    response = bearer(officer).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert [row["method"] for row in body] == ["passkey", "recovery_code"]
    assert body[0]["method_label"] == "Mật khẩu và khóa truy cập (passkey)"
    assert (body[0]["browser"], body[0]["platform"]) == ("", "")
    assert body[1] == {
        "at": "2026-11-01T01:30:00Z",
        "method": "recovery_code",
        "method_label": "Mật khẩu và mã dự phòng",
        "browser": "Firefox",
        "platform": "Linux",
        "outcome": "success",
        "outcome_label": "Thành công",
        "attempts": 1,
        "last_at": None,
    }
    # The caller's token made no sign-in; the other user's sign-in is not theirs.
    assert SignIn.objects.filter(user=officer).count() == 2
    assert [row["method"] for row in bearer(head).get(URL).json()] == ["remembered_browser"]


def test_the_labels_follow_the_requests_language(officer: User) -> None:
    sign_ins.record(officer, method=SignIn.Method.CODE)
    body = bearer(officer).get(URL, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body[0]["method"] == "code"
    assert body[0]["method_label"] == "Password and authenticator app code"


def test_no_sign_ins_is_an_empty_list(officer: User) -> None:
    assert bearer(officer).get(URL).json() == []


def test_anonymous_callers_get_401(anonymous: Client) -> None:
    response = anonymous.get(URL)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_failed_attempts_come_with_their_outcome(officer: User) -> None:
    sign_ins.record(officer, method=SignIn.Method.CODE)
    for _n in range(3):
        sign_ins.record_failure(
            officer, outcome=SignIn.Outcome.WRONG_PASSWORD, user_agent=FIREFOX_LINUX
        )
    sign_ins.record_failure(
        officer, outcome=SignIn.Outcome.WRONG_CODE, method=SignIn.Method.RECOVERY_CODE
    )
    body = bearer(officer).get(URL, HTTP_ACCEPT_LANGUAGE="en").json()
    assert [(row["outcome"], row["attempts"]) for row in body] == [
        ("wrong_code", 1),
        ("wrong_password", 3),
        ("success", 1),
    ]
    assert body[0]["method"] == "recovery_code"
    assert body[0]["outcome_label"] == "Wrong verification code"
    assert body[1]["outcome_label"] == "Wrong password" and body[1]["browser"] == "Firefox"
    assert body[1]["last_at"] is not None and body[1]["last_at"] >= body[1]["at"]
    assert body[2]["last_at"] is None


def test_the_schema_documents_the_outcome(anonymous: Client) -> None:
    schemas = anonymous.get("/api/v1/openapi.json").json()["components"]["schemas"]
    fields = schemas["SignInOut"]["properties"]
    assert {"at", "method", "method_label", "browser", "platform"} <= set(fields)
    outcome = fields["outcome"]
    assert "locked_out" in outcome["description"] and "wrong_code" in outcome["description"]
    assert schemas[outcome["$ref"].rsplit("/", 1)[1]]["enum"] == [
        "success",
        "wrong_password",
        "wrong_code",
        "locked_out",
    ]
    assert fields["attempts"]["type"] == "integer"
