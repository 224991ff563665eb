"""Reading one's notifications as a user would, in a chosen language (no tests here)."""

from __future__ import annotations

import html

from django.conf import settings
from django.urls import reverse

from congvu.accounts.models import User
from congvu.conftest import client_for


def notifications_page(user: User, language: str) -> str:
    """The text of `user`'s notification list, with the site switched to `language`."""
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def shows_all(page: str, texts: list[str]) -> bool:
    missing = [text for text in texts if text not in page]
    assert not missing, f"not on the page: {missing}"
    return True
