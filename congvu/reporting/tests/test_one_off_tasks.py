"""A report counts each one-off task by its own period end, not by its plan's last one.

The demo walk found "1 task, 1 on time, 0 overdue" for a commune with four one-off
tasks in the report period (two of them overdue), because a fifth one-off task due
after the period took every one-off task of the plan out of the report with it.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from congvu.accounts.models import Role
from congvu.conftest import make_user
from congvu.organisations.models import Organisation
from congvu.planning import rollups
from congvu.planning import services as planning_services
from congvu.planning.models import Assignment, Plan, Schedule, Task
from congvu.reporting import exporters, indicators, selectors, services
from congvu.reporting.models import ReportPeriod

pytestmark = pytest.mark.django_db

# (code, deadline, completed on); the yearly report of 2026 covers 16/11/2025 to 15/11/2026.
ONE_OFF = (
    ("1", dt.date(2026, 3, 31), dt.date(2026, 3, 19)),  # done on time
    ("2", dt.date(2026, 6, 30), None),  # overdue
    ("3", dt.date(2026, 1, 29), None),  # overdue
    ("4", dt.date(2026, 4, 30), dt.date(2026, 4, 18)),  # done on time
    ("5", dt.date(2026, 12, 15), None),  # due after the report period: not in this report
)


def task(plan: Plan, organisation: Organisation, code: str, **schedule: Any) -> Task:
    """A task assigned to `organisation`, fanned out by the planning service."""
    created = Task.objects.create(
        plan=plan,
        code=code,
        content=f"Nhiệm vụ {code}",
        starts_on=dt.date(2026, 1, 1),
        assign_to=Task.AssignTo.NAMED,
        **schedule,
    )
    created.assignees.set([organisation])
    planning_services.fan_out(created, today=dt.date(2026, 1, 2))
    return created


@pytest.fixture
def commune_tasks(plan: Plan, province: dict[str, Organisation]) -> Organisation:
    """Five one-off tasks (four ending in the report period) and a half-yearly one."""
    commune = province["commune"]
    for code, due_on, completed_on in ONE_OFF:
        one_off = task(plan, commune, code, schedule=Schedule.ONCE, due_on=due_on)
        if completed_on is not None:
            Assignment.objects.filter(task=one_off).update(
                progress=Assignment.Progress.DONE, percent=100, completed_on=completed_on
            )
    survey = task(
        plan, commune, "7", schedule=Schedule.HALF_YEARLY, due_day=20, ends_on=dt.date(2026, 12, 31)
    )
    # 2026-H1 (ends 30/06) is in the report, done on time; 2026-H2 (ends 31/12) is not.
    Assignment.objects.filter(task=survey, period="2026-H1").update(
        progress=Assignment.Progress.DONE, percent=100, completed_on=dt.date(2026, 6, 16)
    )
    rollups.refresh(plan_id=plan.pk, organisation_ids=[commune.pk])
    return commune


def test_each_one_off_task_counts_in_the_report_whose_period_holds_its_period_end(
    commune_tasks: Organisation, period: ReportPeriod
) -> None:
    assert (period.covers_from, period.covers_to) == (dt.date(2025, 11, 16), dt.date(2026, 11, 15))
    values = indicators.compute_one(period, commune_tasks.pk)["values"]
    # Four one-off tasks ending in the period and the first half-year's survey.
    assert values["tasks_total"] == 5
    assert values["tasks_done_on_time"] == 3
    assert values["tasks_overdue"] == 2
    assert values["tasks_done_late"] == 0
    assert values["tasks_in_progress"] + values["tasks_not_started"] == 0


def test_the_next_report_counts_the_one_off_task_due_after_this_one(
    commune_tasks: Organisation, province: dict[str, Organisation], plan: Plan
) -> None:
    next_year = services.ensure_yearly_period(
        2027, issuing_organisation=province["root"], plan=plan
    )
    values = indicators.compute_one(next_year, commune_tasks.pk)["values"]
    # Task 5 (due 15/12/2026) and the second half-year's survey (ends 31/12/2026).
    assert values["tasks_total"] == 2


def test_an_extension_does_not_move_a_one_off_task_into_another_report(
    commune_tasks: Organisation, period: ReportPeriod, plan: Plan
) -> None:
    Assignment.objects.filter(task__code="2", organisation=commune_tasks).update(
        due_on=dt.date(2027, 1, 31)
    )
    rollups.refresh(plan_id=plan.pk, organisation_ids=[commune_tasks.pk])
    values = indicators.compute_one(period, commune_tasks.pk)["values"]
    assert values["tasks_total"] == 5
    assert values["tasks_overdue"] == 1
    assert values["tasks_in_progress"] + values["tasks_not_started"] == 1


def test_the_commune_report_and_the_provincial_exports_show_the_corrected_counts(
    commune_tasks: Organisation, period: ReportPeriod, province: dict[str, Organisation]
) -> None:
    commune_head = make_user("head.xa", Role.HEAD, commune_tasks)
    report = services.create_report(period, organisation=commune_tasks, actor=commune_head)
    report = services.edit_report(report, actor=commune_head, results="Đã niêm yết 4 xin, 4 luôn.")
    report = services.submit_report(report, actor=commune_head)

    document = Document(io.BytesIO(exporters.OrganisationReportDocx(report).render()))
    table = document.tables[1]
    figures = {row.cells[1].text: row.cells[2].text for row in table.rows}
    assert figures["- Tổng số nhiệm vụ được giao"] == "5"
    assert figures["- Hoàn thành đúng hạn"] == "3"
    assert figures["- Quá hạn, chưa hoàn thành"] == "2"

    content = exporters.ProvincialReportXlsx(selectors.compile_period(period)).render()
    sheet = load_workbook(io.BytesIO(content))["Tong hop"]
    header = [c.value for c in sheet[4]]
    rows = {r[2]: r for r in sheet.iter_rows(min_row=5, values_only=True)}
    commune_row = rows["Ủy ban nhân dân xã An Bình"]
    assert commune_row[header.index("Tổng số nhiệm vụ được giao")] == 5
    assert commune_row[header.index("Quá hạn, chưa hoàn thành")] == 2
