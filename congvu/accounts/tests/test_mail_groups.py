"""The account page: the groups of notices a user gets by e-mail (`core.mail_groups`)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from congvu.accounts.models import User
from congvu.conftest import client_for, on_a_vietnamese_page

pytestmark = pytest.mark.django_db

URL = "accounts:mail_preferences"


def ticked(page: str) -> dict[str, bool]:
    """Each group's tick box on the page: ticked or not."""
    boxes = re.findall(r'<input type="checkbox" name="mail_groups" value="(\w+)"([^>]*)>', page)
    return {value: "checked" in rest for value, rest in boxes}


def test_every_group_is_ticked_at_first_and_security_is_said_to_be_always_mailed(
    head: User,
) -> None:
    page = client_for(head).get(reverse("accounts:settings")).content.decode()
    assert ticked(page) == {"planning": True, "inspections": True, "cases": True}
    assert "Kiểm tra và biện pháp khắc phục" in page
    assert "Nhiệm vụ mới được giao, thư nhắc việc hằng ngày, xác nhận hoàn thành" in page
    always = re.search(r'data-testid="mail-always-security">(.*?)</p>', page, re.S)
    assert always is not None
    assert "Tài khoản và bảo mật" in always.group(1)
    assert "luôn được gửi qua e-mail, không tắt được" in always.group(1)
    assert 'value="security"' not in page  # not offered
    # Each box is described, for a screen reader, by what its group holds.
    assert 'aria-describedby="id_mail_groups_1_holds"' in page
    assert 'id="id_mail_groups_1_holds">Cuộc kiểm tra được báo trước' in page


def test_unticking_a_group_keeps_it_off_and_the_page_shows_it(head: User) -> None:
    client = client_for(head)
    response = client.post(
        reverse(URL), {"mail_notices": "on", "mail_groups": ["planning", "cases"]}
    )
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.mail_muted_groups == ["inspections"] and head.mail_notices is True
    page = client.get(reverse("accounts:settings")).content.decode()
    assert ticked(page) == {"planning": True, "inspections": False, "cases": True}
    client.post(reverse(URL), {"mail_groups": []})
    head.refresh_from_db()
    assert head.mail_muted_groups == ["planning", "inspections", "cases"]
    assert head.mail_notices is False


def test_a_form_with_an_error_keeps_the_ticks_as_sent_and_saves_nothing(head: User) -> None:
    response = client_for(head).post(
        reverse(URL), {"mail_notices": "on", "mail_groups": ["cases"], "mail_language": "fr"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert ticked(page) == {"planning": False, "inspections": False, "cases": True}
    head.refresh_from_db()
    assert head.mail_muted_groups == [] and head.mail_language == ""


@pytest.mark.parametrize("value", ["security", "weekly"])
def test_a_group_not_offered_is_refused_in_both_languages(head: User, value: str) -> None:
    response = client_for(head).post(
        reverse(URL), {"mail_notices": "on", "mail_groups": ["planning", value]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    said = f"Không có nhóm thông báo “{value}”. / There is no group of notices “{value}”."
    assert on_a_vietnamese_page(said) in page
    assert ticked(page) == {"planning": True, "inspections": False, "cases": False}
    head.refresh_from_db()
    assert head.mail_muted_groups == []


def test_the_groups_read_in_english_after_the_switch(head: User) -> None:
    client = client_for(head)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("accounts:settings")).content.decode()
    assert "E-mail me about these groups of notices" in page
    assert "Inspections and corrective actions" in page
    assert "Account and security" in page
    assert "always e-mailed and cannot be turned off" in page
