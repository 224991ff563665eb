"""One name, one landmark: the detail pages with a table in each section, read as a screen
reader lists their landmarks.

A section named by its heading around a `{% scrolltable labelledby=… %}` named by the same
heading is two regions with one name ("Lịch sử, Lịch sử" in the landmark list; axe-core's
landmark-unique). Each page here is filled so that every such table is drawn, and parsed
from the test client: no two landmarks share a role and a name, every scrolling table is a
named region the keyboard reaches, and every table has a caption. The browser test
(browser_tests/test_accessibility_officers.py) runs axe-core on the same pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.cases import discipline, workflow
from congvu.cases.models import Case, DisciplineForm
from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import client_for, make_user
from congvu.core.tests.media_helpers import pdf
from congvu.inspections import programme_amendments as amend
from congvu.inspections import programme_services
from congvu.inspections.models import Inspection
from congvu.organisations.models import Organisation, StaffMember
from congvu.planning import services as planning
from congvu.planning.models import Task

from .test_crawl import (
    Page,
    landmark_name,
    repeated_landmarks,
    uncaptioned_tables,
    unreachable_tables,
)


def page_of(client: Client, url: str) -> Page:
    response = client.get(url)
    assert response.status_code == 200, url
    page = Page()
    page.feed(response.content.decode())
    return page


def disciplined_case(staff: StaffMember, head: User) -> str:
    """A substantiated case about the staff member, a reprimand decided on it."""
    from congvu.cases.tests.core_helpers import move, report

    case = move(report(staff).case, Case.Status.ACCEPTED, Case.Status.INVESTIGATING, actor=head)
    case = workflow.transition(
        case,
        Case.Status.CONCLUDED,
        actor=head,
        outcome=Case.Outcome.SUBSTANTIATED,
        conclusion="Phản ánh đúng.",
    )
    today = timezone.localdate()
    proposal = discipline.propose(
        case,
        form=DisciplineForm.objects.get(code="khien-trach"),
        conduct_date=today - dt.timedelta(days=40),
        note="Đề nghị khiển trách",
        actor=head,
    )
    discipline.decide(proposal, number="12/QĐ-STP", decided_on=today, file=pdf(), actor=head)
    return case.code


def programme_with_a_draft(
    province: dict[str, Organisation], officer: User, inspector: User
) -> int:
    """Next year's approved programme, a draft amendment adding an organisation."""
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    made = programme_services.create_programme(
        province["root"],
        actor=inspector,
        year=timezone.localdate().year + 1,
        title="Kế hoạch kiểm tra công vụ",
    )
    for organisation, quarter in (("dept_justice", 4), ("commune", 3)):
        programme_services.add_item(
            made,
            actor=inspector,
            organisation=province[organisation],
            quarter=quarter,
            kind=Inspection.Kind.SCHEDULED,
            lead=inspector,
        )
    programme_services.approve(made, actor=officer, decision_number="15/QĐ-SNV")
    amend.open_amendment(made, actor=inspector, reason="Sắp xếp bộ máy")
    amend.propose_addition(
        made, actor=inspector, organisation=province["dept_home"], quarter=2, kind="scheduled"
    )
    return made.pk


def plan_with_a_task(province: dict[str, Organisation]) -> tuple[int, int]:
    today = timezone.localdate()
    plan = planning.create_plan(
        actor=None,
        number="86/KH-UBND",
        title="Kế hoạch thực hiện Đề án văn hóa công vụ",
        issuing_organisation=province["root"],
        issued_on=dt.date(2025, 3, 1),
    )
    task = planning.create_task(
        plan,
        actor=None,
        code="1",
        content="Quán triệt Quyết định 1847/QĐ-TTg đến toàn thể cán bộ",
        assignees=[province["dept_justice"], province["commune"]],
        assign_to=Task.AssignTo.NAMED,
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=30),
        today=today,
    )
    return plan.pk, task.pk


Built = Callable[[dict[str, Any]], tuple[str, str]]
#: page: (who opens it, its address), and how many scrolling tables it draws with that data.
PAGES: dict[str, tuple[Built, int]] = {
    "case-file": (lambda w: ("head", reverse("cases:detail", args=[w["case"]])), 1),
    "case-rules": (lambda w: ("officer", reverse("cases:rules")), 4),
    "programme": (
        lambda w: ("officer", reverse("inspections:programme", args=[w["programme"]])),
        3,
    ),
    "organisation": (
        lambda w: ("officer", reverse("organisations:detail", args=[w["justice"]])),
        2,
    ),
    "staff-member": (
        lambda w: ("head", reverse("organisations:staff_detail", args=[w["staff"]])),
        2,
    ),
    "plan": (lambda w: ("officer", reverse("planning:plan_detail", args=[w["plan"]])), 1),
    "task": (lambda w: ("officer", reverse("planning:task_detail", args=[w["task"]])), 1),
}


@pytest.fixture
def filled(
    province: dict[str, Organisation], staff_member: StaffMember, officer: User, head: User
) -> dict[str, Any]:
    plan, task = plan_with_a_task(province)
    return {
        "case": disciplined_case(staff_member, head),
        "programme": programme_with_a_draft(
            province, officer, make_user("inspector", Role.INSPECTOR, province["root"])
        ),
        "justice": province["dept_justice"].pk,
        "staff": staff_member.pk,
        "plan": plan,
        "task": task,
        "officer": officer,
        "head": head,
    }


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_two_landmarks_of_a_detail_page_share_a_name_and_each_table_has_a_caption(
    filled: dict[str, Any], name: str, language: str
) -> None:
    built, tables = PAGES[name]
    persona, url = built(filled)
    client = client_for(filled[persona])
    client.cookies["congvu_lang"] = language

    page = page_of(client, url)

    assert len(page.tables) == tables, f"{name}: a table the test means to check is missing"
    assert repeated_landmarks(page) == []
    assert unreachable_tables(page) == []
    assert uncaptioned_tables(page) == []
    # Each scrolling table is still a landmark of its own, named by the heading above it.
    names = {landmark_name(page, mark) for mark in page.landmarks if mark.role == "region"}
    for box in page.tables:
        heading = box.attrs["aria-labelledby"]
        assert " ".join("".join(page.id_text[heading]).split()) in names


def test_the_check_reads_a_section_and_its_table_named_alike_as_a_fault() -> None:
    page = Page()
    page.feed(
        '<main><section aria-labelledby="h-a"><h2 id="h-a">Lịch sử</h2>'
        '<div class="table-scroll" role="region" tabindex="0" aria-labelledby="h-a">'
        "<table><tr><td>1</td></tr></table></div></section>"
        '<section aria-label="lịch  SỬ"></section>'
        '<section aria-labelledby="h-b"><h2 id="h-b">Cán bộ</h2></section>'
        '<nav aria-label="Phân trang"></nav><nav aria-label="Phân trang"></nav>'
        "<section></section><section></section><form></form><form></form>"
        "<article><header></header><footer></footer></article>"
        '<section aria-labelledby="h-c"><h2 id="h-c">Nhiệm vụ</h2><div class="table-scroll" '
        'role="region" tabindex="0" aria-labelledby="h-c"><table><caption> </caption>'
        "</table></div></section>"
        "<table><caption>Kỳ</caption></table></main>"
    )

    assert repeated_landmarks(page) == [
        "3 landmarks region named 'Lịch sử', lines 1, 1, 1",
        "2 landmarks navigation named 'Phân trang', lines 1, 1",
        "2 landmarks region named 'Nhiệm vụ', lines 1, 1",
    ]
    assert uncaptioned_tables(page) == ["class=''", "class=''"]
