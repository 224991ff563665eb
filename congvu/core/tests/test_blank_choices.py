"""A drop-down's empty choice says what it means ("Tất cả", "— Chọn cơ quan —", "(không có)"),
never Django's bare "---------", which reads as an unfinished page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.planning.models import Plan


@pytest.fixture
def plan(province: dict[str, Any]) -> Plan:
    return Plan.objects.create(
        number="86/KH-UBND",
        title="Kế hoạch thực hiện văn hóa công vụ",
        issuing_organisation=province["root"],
        issued_on=dt.date(2019, 8, 30),
    )


PAGES = [
    ("cases:list", ()),
    ("cases:dashboard", ()),
    ("cases:new", ()),
    ("cases:rule_new", ()),
    ("planning:plan_create", ()),
    ("reporting:period_create", ()),
    ("conduct:manage", ()),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_the_officer_s_drop_downs_never_show_dashes_as_their_empty_choice(
    as_officer: Client, name: str, args: tuple[Any, ...]
) -> None:
    response = as_officer.get(reverse(name, args=args))
    assert response.status_code == 200
    assert "---------" not in response.content.decode()


def test_the_task_and_dossier_forms_never_show_dashes_as_their_empty_choice(
    as_officer: Client, plan: Plan, province: dict[str, Any]
) -> None:
    for url in (
        reverse("planning:task_create", args=[plan.pk]),
        reverse("feedback_manage:dossier_register", args=[province["root"].pk]),
    ):
        response = as_officer.get(url)
        assert response.status_code == 200, url
        assert "---------" not in response.content.decode(), url


def test_the_inspection_and_scoring_forms_never_show_dashes_as_their_empty_choice(
    as_officer: Client,
) -> None:
    """Planning an inspection or a programme, and a new scorecard, opened on "---------"
    above some 300 organisations."""
    for url in (
        reverse("inspections:new"),
        reverse("inspections:programme_new"),
        reverse("scoring:new"),
    ):
        response = as_officer.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "---------" not in html, url
        assert "— Chọn cơ quan —" in html, url
