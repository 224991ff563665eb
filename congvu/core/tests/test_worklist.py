"""The home page's work list (`core.worklist`): most urgent first, in the reader's language,
a bounded number of queries, nothing for visitors."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from congvu.accounts.models import User
from congvu.conftest import client_for
from congvu.organisations.models import Organisation
from congvu.planning.models import Assignment
from congvu.planning.tests.test_progress_helpers import days, make_assignment, make_plan


def _head_with_work(province: dict[str, Organisation]) -> None:
    plan = make_plan(province["root"])
    for code in "12345678":  # more than the page lists
        make_assignment(plan, province["dept_justice"], code=code, due=days(-int(code)))
    make_assignment(
        plan,
        province["dept_justice"],
        code="9",
        progress=Assignment.Progress.DONE,
        percent=100,
        completed_on=days(-1),
    )


def test_the_head_s_home_lists_overdue_work_first_and_links_the_rest(
    province: dict[str, Organisation], head: User
) -> None:
    _head_with_work(province)

    html = client_for(head).get("/").content.decode()

    assert html.index("Nhiệm vụ quá hạn") < html.index("Báo cáo hoàn thành chờ bạn xác nhận")
    assert 'data-key="planning.assignments_overdue"' in html
    assert "và 3 việc khác…" in html  # 8 overdue, 5 listed
    assert 'href="/assignments/?due=overdue"' in html
    assert re.search(r"hạn \d\d/\d\d/\d{4}", html)  # dates dd/mm/yyyy


def test_the_home_page_in_english(province: dict[str, Organisation], head: User) -> None:
    _head_with_work(province)
    client = client_for(head)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Your work" in html and "Overdue tasks" in html and "and 3 more…" in html


def test_the_home_page_costs_a_bounded_number_of_queries(
    province: dict[str, Organisation], head: User
) -> None:
    _head_with_work(province)
    client = client_for(head)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    plan = make_plan(province["root"], number="99/KH-UBND")
    for code in range(20):
        make_assignment(plan, province["dept_justice"], code=f"x{code}", due=days(-1))
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many.captured_queries) == len(few.captured_queries)  # not one per row
    assert len(few.captured_queries) < 60


def test_a_visitor_gets_the_public_home_without_a_work_list(
    province: dict[str, Organisation],
) -> None:
    html = Client().get("/").content.decode()
    assert "Việc cần làm" not in html
