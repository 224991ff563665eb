"""The header menus: what each user is offered, and that every offer opens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import Role, User
from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import client_for, make_user


def menus(client: Client) -> dict[str, list[str]]:
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return {g.key: [item.key for item in g.items] for g in response.context["nav_groups"]}


@pytest.fixture
def seeded(province: dict[str, Any]) -> dict[str, Any]:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    return province


def test_the_home_affairs_officer_gets_every_menu_and_every_entry_opens(
    seeded: dict[str, Any], officer: User
) -> None:
    client = client_for(officer)
    offered = menus(client)
    assert list(offered) == [
        "home",
        "work",
        "ratings",
        "cases",
        "organisation",
        "notifications",
        "public",
    ]
    assert offered["ratings"] == ["satisfaction", "flagged", "one_stop"]
    assert offered["cases"] == ["case_list", "case_dashboard", "case_rules", "inspections"]
    assert offered["work"][-1] == "scoring"
    for item in client.get(reverse("core:home")).context["nav_items"]:
        assert client.get(item.url).status_code == 200, item.url


def test_a_staff_member_gets_their_own_pages_and_nothing_of_the_back_office(
    seeded: dict[str, Any], staff_user: User
) -> None:
    client = client_for(staff_user)
    offered = menus(client)
    assert offered["mine"] == ["me", "acknowledge", "my_ratings", "my_cases"]
    assert "ratings" not in offered and "cases" not in offered and "work" not in offered
    for item in client.get(reverse("core:home")).context["nav_items"]:
        assert client.get(item.url).status_code == 200, item.url


def test_an_inspector_gets_the_inspections_beside_the_cases_and_every_entry_opens(
    seeded: dict[str, Any],
) -> None:
    client = client_for(make_user("thanhtra", Role.INSPECTOR, seeded["root"]))
    assert menus(client)["cases"] == ["case_list", "case_dashboard", "inspections"]
    for item in client.get(reverse("core:home")).context["nav_items"]:
        assert client.get(item.url).status_code == 200, item.url


def test_a_viewer_sees_satisfaction_but_not_the_review_queue_nor_cases(
    seeded: dict[str, Any], viewer: User
) -> None:
    offered = menus(client_for(viewer))
    assert offered["ratings"] == ["satisfaction"]
    assert "cases" not in offered


def test_a_visitor_gets_the_public_pages_in_one_menu(seeded: dict[str, Any]) -> None:
    client = Client()
    assert menus(client) == {"public": ["standards", "report", "track", "transparency", "rankings"]}
    html = client.get(reverse("core:home")).content.decode()
    assert "<details>" in html  # a menu that opens without JavaScript
    for url in ("/report/", "/track/", "/transparency/", "/standards/"):
        assert client.get(url).status_code == 200, url
