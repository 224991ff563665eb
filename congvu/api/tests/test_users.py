from typing import Any

import pytest
from django.test import Client

from congvu.accounts import services
from congvu.accounts.models import Role, RoleGrant, User
from congvu.audit.models import AuditEvent
from congvu.conftest import make_user
from congvu.organisations.models import Organisation, StaffMember

Province = dict[str, Organisation]


@pytest.fixture
def clerk(province: Province) -> User:
    user = make_user("clerk", Role.FOCAL_POINT, province["dept_justice"])
    user.full_name = "Phạm Thị Hằng"
    user.save()
    return user


def usernames(response: Any) -> list[str]:
    return [item["username"] for item in response.json()["items"]]


def new_user(organisation: Organisation, **extra: Any) -> dict[str, Any]:
    return {
        "username": "lan.tran",
        "full_name": "Trần Thị Lan",
        "email": "lan@example.vn",
        "organisation": organisation.pk,
        "role": "focal_point",
    } | extra


def test_the_officer_lists_users_and_searches_without_accents(
    api_officer: Client, clerk: User, outsider: User
) -> None:
    response = api_officer.get("/api/v1/users")
    assert response.status_code == 200
    assert {"clerk", "outsider", "officer"} <= set(usernames(response))
    assert usernames(api_officer.get("/api/v1/users", {"q": "hang"})) == ["clerk"]
    [item] = api_officer.get("/api/v1/users", {"q": "clerk"}).json()["items"]
    assert item["grants"][0]["role"] == "focal_point"
    assert item["grants"][0]["organisation"]["code"] == "H56.02"


def test_an_outsider_sees_only_users_in_their_scope_and_gets_404_for_others(
    api_outsider: Client, clerk: User
) -> None:
    assert "clerk" not in usernames(api_outsider.get("/api/v1/users"))
    assert api_outsider.get(f"/api/v1/users/{clerk.pk}").status_code == 404
    grant = clerk.grants.get()
    assert api_outsider.delete(f"/api/v1/grants/{grant.pk}").status_code == 404
    body = {"role": "viewer", "organisation": clerk.grants.get().organisation_id}
    response = api_outsider.post(
        f"/api/v1/users/{clerk.pk}/grants", body, content_type="application/json"
    )
    assert response.status_code == 404


def test_a_viewer_gets_403_on_every_user_endpoint(
    api_viewer: Client, clerk: User, province: Province
) -> None:
    assert api_viewer.get("/api/v1/users").status_code == 403
    assert api_viewer.get(f"/api/v1/users/{clerk.pk}").status_code == 403
    created = api_viewer.post(
        "/api/v1/users", new_user(province["dept_justice"]), content_type="application/json"
    )
    assert created.status_code == 403
    grant = clerk.grants.get()
    assert api_viewer.delete(f"/api/v1/grants/{grant.pk}").status_code == 403
    assert not User.objects.filter(username="lan.tran").exists()


def test_the_officer_gets_one_user_with_their_grants(api_officer: Client, clerk: User) -> None:
    body = api_officer.get(f"/api/v1/users/{clerk.pk}").json()
    assert body["username"] == "clerk"
    assert body["full_name"] == "Phạm Thị Hằng"
    assert body["is_active"] is True
    assert [g["role_label"] for g in body["grants"]] == ["Đầu mối"]
    assert "password" not in body


def test_a_new_users_one_time_password_lets_them_log_in(
    api_officer: Client, province: Province
) -> None:
    response = api_officer.post(
        "/api/v1/users", new_user(province["dept_home"]), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "lan.tran"
    assert body["grants"][0]["organisation"]["code"] == "H56.01"
    # The login page itself is exercised in accounts/tests/test_users.py.
    assert User.objects.get(pk=body["id"]).check_password(body["password"])
    assert "password" not in api_officer.get(f"/api/v1/users/{body['id']}").json()


def test_a_new_user_can_be_linked_to_a_staff_member(
    api_head: Client, province: Province, staff_member: StaffMember
) -> None:
    response = api_head.post(
        "/api/v1/users",
        new_user(province["dept_justice"], role="staff", staff_member=staff_member.pk),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["staff_member_id"] == staff_member.pk


def test_service_errors_are_422_on_their_field(
    api_officer: Client, clerk: User, province: Province
) -> None:
    response = api_officer.post(
        "/api/v1/users",
        new_user(province["dept_home"], username="CLERK", email="nope"),
        content_type="application/json",
    )
    assert response.status_code == 422
    locs = [error["loc"] for error in response.json()["detail"]]
    assert ["body", "username"] in locs and ["body", "email"] in locs
    assert any("đã có người dùng" in error["msg"] for error in response.json()["detail"])


def test_a_head_can_grant_focal_point_in_their_subtree_but_not_home_affairs(
    api_head: Client, clerk: User, province: Province
) -> None:
    url = f"/api/v1/users/{clerk.pk}/grants"
    division = province["division_justice"].pk
    ok = api_head.post(
        url, {"role": "focal_point", "organisation": division}, content_type="application/json"
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["organisation"]["code"] == "H56.02.01"
    refused = api_head.post(
        url, {"role": "home_affairs", "organisation": division}, content_type="application/json"
    )
    assert refused.status_code == 403
    outside = api_head.post(
        url,
        {"role": "viewer", "organisation": province["commune"].pk},
        content_type="application/json",
    )
    assert outside.status_code == 404
    assert set(clerk.grants.values_list("role", flat=True)) == {"focal_point"}


def test_the_officer_cannot_grant_admin(
    api_officer: Client, clerk: User, province: Province
) -> None:
    response = api_officer.post(
        f"/api/v1/users/{clerk.pk}/grants",
        {"role": "admin", "organisation": province["root"].pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not clerk.grants.filter(role="admin").exists()


def test_revoking_works_and_is_audited(api_head: Client, clerk: User) -> None:
    grant = clerk.grants.get()
    response = api_head.delete(f"/api/v1/grants/{grant.pk}")
    assert response.status_code == 204
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert AuditEvent.objects.filter(
        action="accounts.revoke_grant", object_id=str(grant.pk)
    ).exists()


def test_revoking_a_grant_beyond_the_callers_roles_is_403(
    api_head: Client, officer: User, clerk: User, province: Province
) -> None:
    inspector = services.grant_role(
        clerk, role=Role.INSPECTOR, organisation=province["dept_justice"], actor=officer
    )
    assert api_head.delete(f"/api/v1/grants/{inspector.pk}").status_code == 403
    assert RoleGrant.objects.filter(pk=inspector.pk).exists()


def test_deactivated_users_cannot_use_the_api(officer: User, clerk: User) -> None:
    from .conftest import bearer

    client = bearer(clerk)
    services.deactivate_user(clerk, actor=officer)
    assert client.get("/api/v1/me").status_code == 401
