"""The plan page counts each task's assignments by state, a page of tasks at a time."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from typing import Any

from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role
from congvu.conftest import client_for, make_user
from congvu.planning import rollups, services
from congvu.planning.models import Assignment, Plan, Task
from congvu.planning.views import TASKS_PER_PAGE

P = Assignment.Progress


def plan_with_tasks(province: Any, tasks: int) -> Plan:
    plan = services.create_plan(
        actor=None,
        number="86/KH-UBND",
        title="Triển khai Đề án Văn hóa công vụ",
        issuing_organisation=province["root"],
        issued_on=dt.date(2019, 8, 30),
    )
    for n in range(1, tasks + 1):
        Task.objects.create(
            plan=plan, code=str(n), content=f"Nhiệm vụ số {n}", starts_on=dt.date(2024, 1, 1)
        )
    return plan


def every_state(plan: Plan, province: Any) -> None:
    """Assignments in every state, for several organisations and periods, task by task."""
    today = timezone.localdate()
    shapes = [
        (today - dt.timedelta(days=9), today - dt.timedelta(days=10), P.DONE),  # on time
        (today - dt.timedelta(days=9), today - dt.timedelta(days=2), P.DONE),  # late
        (today - dt.timedelta(days=1), None, P.IN_PROGRESS),  # overdue
        (today, None, P.IN_PROGRESS),  # in progress, due today
        (today + dt.timedelta(days=5), None, P.NOT_STARTED),  # not started
    ]
    organisations = [province[k] for k in ("dept_home", "dept_justice", "commune")]
    cycle = itertools.cycle(shapes)
    for task in plan.tasks.order_by("pk"):
        for n, organisation in enumerate(organisations):
            for year in range(2024, 2024 + 1 + (task.pk + n) % 3):
                due, completed, progress = next(cycle)
                Assignment.objects.create(
                    task=task,
                    organisation=organisation,
                    period=str(year),
                    period_start=dt.date(year, 1, 1),
                    period_end=dt.date(year, 12, 31),
                    original_due_on=due,
                    due_on=due,
                    completed_on=completed,
                    progress=progress,
                )
    rollups.refresh(plan_id=plan.pk, organisation_ids=[o.pk for o in organisations])


def counted_one_by_one(plan: Plan, organisations: Any = None) -> dict[int, Counter[str]]:
    """What the page must show, from `Assignment.state_on`, one assignment at a time."""
    today = timezone.localdate()
    counts: dict[int, Counter[str]] = {}
    assignments = Assignment.objects.filter(task__plan=plan)
    if organisations is not None:
        assignments = assignments.filter(organisation__in=organisations)
    for assignment in assignments:
        task = counts.setdefault(assignment.task_id, Counter())
        task[assignment.state_on(today).value] += 1
        task["total"] += 1
    return counts


def shown(response: Any) -> dict[int, Counter[str]]:
    return {
        task.pk: Counter({k: v for k, v in c.items() if v})
        for task, c in response.context["rows"]
        if c
    }


def test_the_counts_are_those_of_each_assignments_own_state(as_officer, province):
    plan = plan_with_tasks(province, 7)
    every_state(plan, province)
    response = as_officer.get(reverse("planning:plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    expected = counted_one_by_one(plan)
    assert shown(response) == expected
    assert {s for c in expected.values() for s in c} == {"total", *Assignment.State.values}
    # The cells of the first task, in the table's order: total, then the five states.
    first = plan.tasks.order_by("pk").first()
    assert first is not None
    html = response.content.decode()
    cells = "".join(
        f'<td class="num">{expected[first.pk][key]}</td>'
        for key in ["total", "not_started", "in_progress", "overdue", "done_on_time", "done_late"]
    )
    assert cells in html.replace("\n    ", "")


def test_a_head_sees_the_counts_of_their_own_organisation_only(province):
    plan = plan_with_tasks(province, 3)
    every_state(plan, province)
    head = client_for(make_user("head.xa", Role.HEAD, province["commune"]))
    response = head.get(reverse("planning:plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    assert shown(response) == counted_one_by_one(plan, [province["commune"]])


def test_a_long_plan_shows_its_tasks_a_page_at_a_time_with_the_same_counts(as_officer, province):
    plan = plan_with_tasks(province, TASKS_PER_PAGE + 3)
    every_state(plan, province)
    url = reverse("planning:plan_detail", args=[plan.pk])
    first, second = as_officer.get(url), as_officer.get(url, {"page": "2"})
    assert len(first.context["rows"]) == TASKS_PER_PAGE
    in_order = [task.code for task in Task.objects.filter(plan=plan)]  # "1", "10", "11", …
    assert [task.code for task, _ in second.context["rows"]] == in_order[TASKS_PER_PAGE:]
    assert "Trang 1/2" in first.content.decode() and "?page=2" in first.content.decode()
    assert {**shown(first), **shown(second)} == counted_one_by_one(plan)
    assert as_officer.get(url, {"page": "x"}).status_code == 200  # a bad page: the first


def test_a_change_of_state_shows_at_once_despite_the_cache(as_officer, province):
    plan = plan_with_tasks(province, 2)
    every_state(plan, province)
    url = reverse("planning:plan_detail", args=[plan.pk])
    assert shown(as_officer.get(url)) == counted_one_by_one(plan)
    # An open assignment reported done, as the progress service does: rollups recounted.
    assignment = Assignment.objects.filter(task__plan=plan, completed_on__isnull=True).first()
    assert assignment is not None
    assignment.completed_on = assignment.due_on
    assignment.progress = P.DONE
    assignment.save()
    rollups.refresh(plan_id=plan.pk, organisation_ids=[assignment.organisation_id])
    assert shown(as_officer.get(url)) == counted_one_by_one(plan)


def test_the_plan_page_is_404_for_an_outsider_and_editing_it_403_for_a_viewer(
    as_outsider, as_viewer, province
):
    plan = services.create_plan(
        actor=None,
        number="12/KH-STP",
        title="Kế hoạch của Sở Tư pháp",
        issuing_organisation=province["dept_justice"],
        issued_on=dt.date(2019, 10, 1),
    )
    url = reverse("planning:plan_detail", args=[plan.pk])
    assert as_outsider.get(url).status_code == 404
    assert as_outsider.get(url, {"page": "2"}).status_code == 404
    page = as_viewer.get(url)
    assert page.status_code == 200 and "Sửa kế hoạch" not in page.content.decode()
    assert as_viewer.get(reverse("planning:plan_edit", args=[plan.pk])).status_code == 403
