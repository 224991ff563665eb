import pytest
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import ApiToken
from congvu.accounts.services import user_for_api_key

pytestmark = pytest.mark.django_db


def test_a_user_logs_in_with_the_right_password(officer):
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "officer", "password": "pw-for-tests-123"}
    )
    assert response.status_code == 302
    assert client.get(reverse("core:home")).context["user"] == officer


def test_a_wrong_password_shows_a_vietnamese_error_and_keeps_the_username(officer):
    response = Client().post(reverse("accounts:login"), {"username": "officer", "password": "sai"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in content
    assert 'value="officer"' in content


def test_an_empty_password_says_so_on_the_field_and_keeps_the_username(officer):
    response = Client().post(reverse("accounts:login"), {"username": "officer", "password": ""})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Hãy nhập tên đăng nhập và mật khẩu." in content
    assert '<span lang="en">Enter your username and password.</span>' in content
    assert 'id="id_password_error"' in content
    assert 'aria-describedby="id_password_error"' in content
    assert 'value="officer"' in content
    empty = Client().post(reverse("accounts:login"), {"username": "", "password": ""})
    assert 'aria-describedby="id_username_error" autofocus' in empty.content.decode()


def test_repeated_failed_logins_lock_the_account(officer, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "officer", "password": "sai"})
    response = client.post(
        reverse("accounts:login"), {"username": "officer", "password": "pw-for-tests-123"}
    )
    assert response.status_code == 429
    assert "tạm bị khóa" in response.content.decode()


def _sign_in_from(address: str, password: str, **meta: str):
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address, **meta).post(
        reverse("accounts:login"), {"username": "officer", "password": password}
    )


def test_behind_the_trusted_proxy_a_lockout_holds_only_the_guessing_address(officer, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in_from("203.0.113.7", "sai")
    locked = _sign_in_from("203.0.113.7", "pw-for-tests-123")
    assert locked.status_code == 429
    # The official, from their own office, still signs in.
    assert _sign_in_from("198.51.100.20", "pw-for-tests-123").status_code == 302


def test_without_the_trusted_proxy_the_forwarded_address_is_ignored(officer, settings):
    settings.TRUST_X_FORWARDED_FOR = False
    # An attacker sending a new X-Forwarded-For each time is still one address.
    for number in range(settings.AXES_FAILURE_LIMIT):
        _sign_in_from(f"203.0.113.{number}", "sai")
    assert _sign_in_from("203.0.113.99", "pw-for-tests-123").status_code == 429


def test_passwords_are_hashed_with_argon2_outside_tests():
    import os
    import subprocess
    import sys

    env = {**os.environ, "CONGVU_TESTING": "0"}
    out = subprocess.run(
        [sys.executable, "-c", "from config import settings; print(settings.PASSWORD_HASHERS[0])"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_settings_page_creates_a_token_shown_once_and_stored_hashed(as_officer, officer):
    response = as_officer.post(reverse("accounts:settings"), {"name": "Một cửa"})
    key = response.context["new_key"]
    assert key.startswith("cv_")
    token = ApiToken.objects.get(user=officer)
    assert token.key_hash != key and key not in token.key_hash
    assert user_for_api_key(key) == officer
    assert key not in as_officer.get(reverse("accounts:settings")).content.decode()


def test_an_empty_token_name_gets_a_clear_error(as_officer):
    response = as_officer.post(reverse("accounts:settings"), {"name": ""})
    assert "Vui lòng nhập tên" in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_a_revoked_token_no_longer_authenticates(as_officer, officer):
    key = as_officer.post(reverse("accounts:settings"), {"name": "x"}).context["new_key"]
    token = ApiToken.objects.get(user=officer)
    as_officer.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert user_for_api_key(key) is None


def test_nobody_revokes_another_users_token(as_outsider, officer):
    from congvu.accounts.services import create_api_token

    token, key = create_api_token(officer, name="x")
    response = as_outsider.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert response.status_code == 404
    assert user_for_api_key(key) == officer


def test_the_settings_page_needs_a_login(province):
    response = Client().get(reverse("accounts:settings"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_password_change_works(as_officer, officer):
    response = as_officer.post(
        reverse("accounts:password_change"),
        {
            "old_password": "pw-for-tests-123",
            "new_password1": "một-mật-khẩu-mới-2026",
            "new_password2": "một-mật-khẩu-mới-2026",
        },
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("một-mật-khẩu-mới-2026")
