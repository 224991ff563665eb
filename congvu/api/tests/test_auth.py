from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import ApiToken, User
from congvu.accounts.services import create_api_token, revoke_api_token
from congvu.organisations.models import Organisation

PROTECTED = [
    "/api/v1/me",
    "/api/v1/organisations",
    "/api/v1/organisations/tree",
    "/api/v1/organisations/1",
    "/api/v1/organisations/1/subtree",
    "/api/v1/staff",
    "/api/v1/staff/1",
]


@pytest.mark.parametrize("url", PROTECTED)
def test_anonymous_callers_get_a_json_401(anonymous: Client, url: str) -> None:
    response = anonymous.get(url)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_post_is_401_not_a_csrf_403(anonymous: Client) -> None:
    response = anonymous.post("/api/v1/organisations", {}, content_type="application/json")
    assert response.status_code == 401


def test_me_tells_the_officer_their_roles_and_grants(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    response = api_officer.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "officer"
    assert [role["code"] for role in body["roles"]] == ["home_affairs"]
    [grant] = body["grants"]
    assert grant["organisation"]["code"] == "H56"
    assert grant["include_subtree"] is True


def test_me_links_a_staff_member_to_their_record(staff_user: User) -> None:
    client = Client()
    client.force_login(staff_user)
    assert client.get("/api/v1/me").json()["staff_member_id"] == staff_user.staff_member.pk


def test_a_bearer_token_authenticates_and_is_marked_as_used(officer: User) -> None:
    token, key = create_api_token(officer, name="script")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "officer"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_401(officer: User) -> None:
    token, key = create_api_token(officer, name="script")
    revoke_api_token(token, actor=officer)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/me").status_code == 401


def test_an_unknown_or_malformed_token_is_401(db: Any) -> None:
    for header in ["Bearer cv_nope", "Bearer ", "Bearer nope", "Basic abc", "Bearer cv_\u00e9"]:
        client = Client(HTTP_AUTHORIZATION=header)
        assert client.get("/api/v1/me").status_code == 401, header


def test_a_deactivated_users_token_is_401(officer: User) -> None:
    _, key = create_api_token(officer, name="script")
    User.objects.filter(pk=officer.pk).update(is_active=False)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/me").status_code == 401


def test_the_session_works_for_reads(as_officer: Client) -> None:
    assert as_officer.get("/api/v1/organisations").status_code == 200


def org_body(province: dict[str, Organisation]) -> dict[str, Any]:
    return {"code": "H56.09", "name": "Sở Mới", "kind": "department", "parent": province["root"].pk}


def test_a_session_post_without_the_csrf_token_is_403(
    officer: User, province: dict[str, Organisation]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(
        "/api/v1/organisations", org_body(province), content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_session_post_with_the_csrf_token_is_accepted(
    officer: User, province: dict[str, Organisation]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    docs = client.get("/api/v1/docs")  # any page that renders the token sets the cookie
    token = docs.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/organisations",
        org_body(province),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content


def test_a_bearer_post_needs_no_csrf_token(
    officer: User, province: dict[str, Organisation]
) -> None:
    _, key = create_api_token(officer, name="script")
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.post(
        "/api/v1/organisations", org_body(province), content_type="application/json"
    )
    assert response.status_code == 201, response.content


def test_tokens_are_stored_only_as_hashes(officer: User) -> None:
    _, key = create_api_token(officer, name="script")
    stored = ApiToken.objects.get(user=officer)
    assert key not in {stored.key_hash, stored.key_prefix}
    assert stored.created_at <= timezone.now()
