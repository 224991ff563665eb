"""Shared by the tests of the Django admin's searches (core and conduct)."""

from __future__ import annotations

import re

from django.test import Client

from congvu.accounts.models import User


def admin_client() -> Client:
    """A client signed in as a new superuser."""
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw-for-tests-123"))
    return client


def listed(client: Client, url: str, query: str) -> set[str]:
    """The links of the admin list's rows (their change pages' ids) after a search; the
    query stays in the box."""
    response = client.get(url, {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="searchbar"' in page
    return set(re.findall(r'<th class="field-[a-z_]+[^"]*"><a href="[^"]*/(\d+)/change/', page))
