"""GET /api/v1/me/work: the caller's work list, as on the home page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from congvu.conftest import make_user
from congvu.organisations.models import Organisation
from congvu.planning.models import Assignment
from congvu.planning.tests.test_progress_helpers import days, make_assignment, make_plan

from .conftest import bearer

WORK = "/api/v1/me/work"


@pytest.fixture(autouse=True)
def site_urls(settings: Any) -> None:
    """The whole site's URLs: every item links to its page on the site."""
    settings.ROOT_URLCONF = "config.urls"


def test_the_caller_gets_their_work_most_urgent_first(
    province: dict[str, Organisation], api_head: Client
) -> None:
    plan = make_plan(province["root"])
    late = make_assignment(plan, province["dept_justice"], code="1", due=days(-2))
    make_assignment(
        plan,
        province["dept_justice"],
        code="2",
        progress=Assignment.Progress.DONE,
        percent=100,
        completed_on=days(-1),
    )

    response = api_head.get(WORK)

    assert response.status_code == 200
    items = response.json()
    assert [item["key"] for item in items] == [
        "planning.assignments_overdue",
        "planning.completions_to_confirm",
    ]
    overdue = items[0]
    assert overdue["urgency"] == "overdue" and overdue["count"] == 1
    assert overdue["title"] == "Nhiệm vụ quá hạn"
    assert overdue["url"] == "/assignments/?due=overdue"
    assert overdue["entries"][0]["url"] == f"/assignments/{late.pk}/"
    assert overdue["entries"][0]["due_on"] == late.due_on.isoformat()


def test_titles_come_in_english_when_asked(
    province: dict[str, Organisation], api_head: Client
) -> None:
    make_assignment(make_plan(province["root"]), province["dept_justice"], due=days(-2))
    items = api_head.get(WORK, headers={"accept-language": "en"}).json()
    assert items[0]["title"] == "Overdue tasks"


def test_someone_with_nothing_to_do_gets_an_empty_list_and_a_stranger_a_401(
    province: dict[str, Organisation],
) -> None:
    assert bearer(make_user("nobody")).get(WORK).json() == []
    assert Client().get(WORK).status_code == 401
