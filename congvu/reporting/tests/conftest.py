from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from congvu.organisations.models import Organisation
from congvu.planning import rollups
from congvu.planning.models import Assignment, Dissemination, Plan, Task
from congvu.reporting import services
from congvu.reporting.models import OrganisationReport, ReportPeriod

YEAR = 2026
DUE = dt.date(YEAR, 11, 15)


@pytest.fixture
def plan(province: dict[str, Organisation]) -> Plan:
    return Plan.objects.create(
        number="86/KH-UBND",
        title="Triển khai Quyết định 1847/QĐ-TTg",
        issuing_organisation=province["root"],
        issued_on=dt.date(2019, 8, 30),
    )


def assign(
    task: Task,
    organisation: Organisation,
    *,
    due_on: dt.date,
    completed_on: dt.date | None = None,
    progress: str = Assignment.Progress.NOT_STARTED,
    period: str = "2026",
) -> Assignment:
    return Assignment.objects.create(
        task=task,
        organisation=organisation,
        period=period,
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 10, 31),
        original_due_on=due_on,
        due_on=due_on,
        progress=Assignment.Progress.DONE if completed_on else progress,
        completed_on=completed_on,
    )


@pytest.fixture
def justice_tasks(plan: Plan, province: dict[str, Organisation], officer: Any) -> Plan:
    """Sở Tư pháp: 2 done on time, 1 done late, 1 overdue, 1 in progress (within deadline)."""
    justice = province["dept_justice"]
    tasks = [
        Task.objects.create(
            plan=plan, code=str(n), content=f"Nhiệm vụ {n}", starts_on=dt.date(2026, 1, 1)
        )
        for n in range(1, 6)
    ]
    assign(tasks[0], justice, due_on=dt.date(2026, 3, 31), completed_on=dt.date(2026, 3, 1))
    assign(tasks[1], justice, due_on=dt.date(2026, 3, 31), completed_on=dt.date(2026, 3, 31))
    assign(tasks[2], justice, due_on=dt.date(2026, 3, 31), completed_on=dt.date(2026, 4, 10))
    assign(tasks[3], justice, due_on=dt.date(2020, 1, 31), progress=Assignment.Progress.IN_PROGRESS)
    assign(
        tasks[4], justice, due_on=dt.date(2999, 12, 31), progress=Assignment.Progress.IN_PROGRESS
    )
    # Another organisation's assignment and one outside the period must not count.
    assign(tasks[0], province["commune"], due_on=dt.date(2026, 3, 31))
    outside = assign(tasks[1], justice, due_on=dt.date(2024, 3, 31), period="2024")
    Assignment.objects.filter(pk=outside.pk).update(period_end=dt.date(2024, 10, 31))
    rollups.refresh(plan_id=plan.pk, organisation_ids=[justice.pk, province["commune"].pk])
    Dissemination.objects.create(
        organisation=justice,
        held_on=dt.date(2026, 2, 10),
        format=Dissemination.Format.CONFERENCE,
        content="Quán triệt Quyết định 1847",
        participants=40,
        recorded_by=officer,
    )
    Dissemination.objects.create(
        organisation=justice,
        held_on=dt.date(2026, 6, 10),
        format=Dissemination.Format.ONLINE,
        content="Tuyên truyền 4 xin, 4 luôn",
        participants=25,
        recorded_by=officer,
    )
    Dissemination.objects.create(  # before the period
        organisation=justice,
        held_on=dt.date(2025, 1, 10),
        format=Dissemination.Format.OTHER,
        content="Cũ",
        participants=99,
        recorded_by=officer,
    )
    return plan


@pytest.fixture
def period(province: dict[str, Organisation], plan: Plan) -> ReportPeriod:
    return services.ensure_yearly_period(YEAR, issuing_organisation=province["root"], plan=plan)


@pytest.fixture
def draft(period: ReportPeriod, province: dict[str, Organisation], head: Any) -> OrganisationReport:
    report = services.create_report(period, organisation=province["dept_justice"], actor=head)
    return services.edit_report(
        report,
        actor=head,
        results="Đã quán triệt Quyết định 1847 đến toàn thể công chức.",
        shortcomings_and_causes="Một số nhiệm vụ còn chậm.",
        proposals="Đề nghị tập huấn thêm.",
        number="15/BC-STP",
        signer_name="Nguyễn Văn An",
        signer_title="Giám đốc",
    )
