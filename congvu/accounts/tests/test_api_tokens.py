"""Personal API tokens: revoked when trust in the account ends, seen and revoked by an
account manager, and expiring (security walk, finding 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts import services
from congvu.accounts.models import ApiToken, Role, RoleGrant, User
from congvu.accounts.services import create_api_token
from congvu.accounts.tests.test_two_factor import turn_on
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for, make_user
from congvu.core.models import Notification
from congvu.organisations.models import Organisation

pytestmark = pytest.mark.django_db

Province = dict[str, Organisation]
ME = "/api/v1/me"


@pytest.fixture
def clerk(province: Province) -> User:
    """A focal point of Sở Tư pháp, with a token for the one-stop system."""
    return make_user("clerk", Role.FOCAL_POINT, province["dept_justice"])


def works(key: str) -> bool:
    response = Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code in (200, 401), response.content
    return response.status_code == 200


def revoked_for(user: User, reason: str) -> bool:
    return AuditEvent.objects.filter(
        action="accounts.revoke_api_token", object_id=str(user.pk), data__reason=reason
    ).exists()


# --- each event that ends trust revokes them ---------------------------------------------


def test_a_password_reset_by_an_account_manager_revokes_the_users_tokens(
    as_head: Client, clerk: User
) -> None:
    token, key = create_api_token(clerk, name="một cửa")
    assert works(key)
    as_head.post(reverse("accounts:user_reset_password", args=[clerk.pk]))
    assert not works(key)
    token.refresh_from_db()
    assert token.revoked_at is not None  # kept, marked, not deleted
    assert revoked_for(clerk, "password_reset")


def test_changing_ones_own_password_revokes_ones_tokens(clerk: User) -> None:
    _, key = create_api_token(clerk, name="một cửa")
    client = client_for(clerk)
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "pw-for-tests-123",
            "new_password1": "mat-khau-moi-2026",
            "new_password2": "mat-khau-moi-2026",
        },
    )
    clerk.refresh_from_db()
    assert clerk.check_password("mat-khau-moi-2026")
    assert not works(key)
    assert revoked_for(clerk, "password_change")


def test_resetting_two_step_sign_in_revokes_the_users_tokens(as_head: Client, clerk: User) -> None:
    turn_on(client_for(clerk), clerk)
    _, key = create_api_token(clerk, name="một cửa")
    as_head.post(reverse("accounts:user_reset_two_factor", args=[clerk.pk]))
    assert not works(key)
    assert revoked_for(clerk, "two_factor_reset")


def test_deactivating_revokes_the_tokens_and_reactivating_does_not_bring_them_back(
    as_head: Client, clerk: User
) -> None:
    _, key = create_api_token(clerk, name="một cửa")
    as_head.post(reverse("accounts:user_deactivate", args=[clerk.pk]))
    as_head.post(reverse("accounts:user_reactivate", args=[clerk.pk]))
    clerk.refresh_from_db()
    assert clerk.is_active
    assert not works(key)
    assert revoked_for(clerk, "deactivated")


# --- an account manager sees and revokes them ---------------------------------------------


def test_an_account_manager_sees_a_users_tokens_without_their_keys(
    as_head: Client, clerk: User
) -> None:
    token, key = create_api_token(clerk, name="Hệ thống một cửa")
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 3, 5, 9)),
        last_used_at=timezone.make_aware(dt.datetime(2026, 11, 20, 9)),
    )
    page = as_head.get(reverse("accounts:user_detail", args=[clerk.pk])).content.decode()
    assert "Hệ thống một cửa" in page
    assert "05/03/2026" in page and "20/11/2026" in page
    assert key not in page and token.key_prefix not in page


def test_an_account_manager_revokes_one_token_and_the_owner_is_told(
    as_head: Client, head: User, clerk: User
) -> None:
    token, key = create_api_token(clerk, name="một cửa")
    _, other = create_api_token(clerk, name="báo cáo")
    response = as_head.post(reverse("accounts:user_token_revoke", args=[clerk.pk, token.pk]))
    assert response.status_code == 302
    assert not works(key) and works(other)
    assert ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=False).exists()
    assert AuditEvent.objects.filter(action="accounts.revoke_api_token", actor=head).exists()
    notice = Notification.objects.get(user=clerk, key="accounts.api_tokens_revoked")
    assert "thu hồi" in notice.title
    page = as_head.get(reverse("accounts:user_detail", args=[clerk.pk])).content.decode()
    assert "Đã thu hồi ngày" in page


def test_an_account_manager_revokes_every_token(as_head: Client, clerk: User) -> None:
    _, one = create_api_token(clerk, name="một cửa")
    _, two = create_api_token(clerk, name="báo cáo")
    as_head.post(reverse("accounts:user_tokens_revoke", args=[clerk.pk]))
    assert not works(one) and not works(two)
    assert Notification.objects.filter(user=clerk, key="accounts.api_tokens_revoked").count() == 1


def test_an_outsider_gets_404_and_a_role_without_user_management_403(
    as_outsider: Client, as_viewer: Client, clerk: User
) -> None:
    token, key = create_api_token(clerk, name="một cửa")
    one = reverse("accounts:user_token_revoke", args=[clerk.pk, token.pk])
    every = reverse("accounts:user_tokens_revoke", args=[clerk.pk])
    assert as_outsider.post(one).status_code == 404
    assert as_outsider.post(every).status_code == 404
    assert as_viewer.post(one).status_code == 403
    assert as_viewer.post(every).status_code == 403
    assert as_viewer.get(reverse("accounts:user_detail", args=[clerk.pk])).status_code == 403
    assert works(key)


def test_a_manager_who_sees_but_may_not_manage_the_user_is_403(
    province: Province, clerk: User
) -> None:
    # A head of the division sees the department's focal point (a grant above theirs) but
    # could not give that grant, so may not manage the account.
    division_head = client_for(make_user("dhead", Role.HEAD, province["division_justice"]))
    token, key = create_api_token(clerk, name="một cửa")
    RoleGrant.objects.create(
        user=clerk, role=Role.VIEWER, organisation=province["division_justice"]
    )
    url = reverse("accounts:user_token_revoke", args=[clerk.pk, token.pk])
    assert division_head.post(url).status_code == 403
    assert works(key)


def test_the_api_lists_and_revokes_a_users_tokens(
    head: User, viewer: User, outsider: User, clerk: User
) -> None:
    token, key = create_api_token(clerk, name="một cửa")
    create_api_token(clerk, name="báo cáo")

    def api(user: User) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user, name='api')[1]}")

    as_head = api(head)
    listed = as_head.get(f"/api/v1/users/{clerk.pk}/tokens")
    assert listed.status_code == 200
    assert {t["name"] for t in listed.json()} == {"một cửa", "báo cáo"}
    assert all("key" not in t and "key_prefix" not in t for t in listed.json())
    assert key not in listed.content.decode()

    one = f"/api/v1/users/{clerk.pk}/tokens/{token.pk}/revoke"
    every = f"/api/v1/users/{clerk.pk}/tokens/revoke"
    assert api(outsider).get(f"/api/v1/users/{clerk.pk}/tokens").status_code == 404
    assert api(outsider).post(one).status_code == 404
    assert api(viewer).get(f"/api/v1/users/{clerk.pk}/tokens").status_code == 403
    assert api(viewer).post(every).status_code == 403
    assert works(key)

    revoked = as_head.post(one)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert not works(key)
    assert as_head.post(every).json() == {"revoked": 1}


# --- expiry --------------------------------------------------------------------------------


def test_a_token_expires_after_the_lifetime_chosen_when_made(as_officer: Client) -> None:
    page = as_officer.get(reverse("accounts:settings")).content.decode()
    assert 'value="365" selected' in page and "Không hết hạn" not in page
    response = as_officer.post(reverse("accounts:settings"), {"name": "báo cáo", "days": "30"})
    key = response.context["new_key"]
    token = ApiToken.objects.get(name="báo cáo")
    assert token.expires_at is not None
    assert (token.expires_at - timezone.now()).days in (29, 30)
    assert works(key)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert "Đã hết hạn" in as_officer.get(reverse("accounts:settings")).content.decode()


def test_never_is_offered_only_when_the_setting_allows_it(
    as_officer: Client, settings: Any
) -> None:
    refused = as_officer.post(reverse("accounts:settings"), {"name": "mãi", "days": "never"})
    assert "not allowed" in refused.content.decode()
    assert not ApiToken.objects.filter(name="mãi").exists()
    settings.API_TOKEN_NEVER_EXPIRES = True
    assert "Không hết hạn" in as_officer.get(reverse("accounts:settings")).content.decode()
    as_officer.post(reverse("accounts:settings"), {"name": "mãi", "days": "never"})
    assert ApiToken.objects.get(name="mãi").expires_at is None


def test_the_service_refuses_a_lifetime_not_offered(clerk: User) -> None:
    with pytest.raises(ValidationError):
        services.create_api_token(clerk, name="x", days=None)
    with pytest.raises(ValidationError):
        services.create_api_token(clerk, name="x", days=7)
