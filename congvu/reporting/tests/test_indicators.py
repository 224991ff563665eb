from __future__ import annotations

from typing import Any

import pytest

from congvu.conduct import services as conduct_services
from congvu.planning.models import Acknowledgement, Plan
from congvu.reporting import indicators, services
from congvu.reporting.models import ReportPeriod

pytestmark = pytest.mark.django_db


def test_task_and_dissemination_indicators_come_from_the_system(
    justice_tasks: Plan, period: ReportPeriod, province: Any
) -> None:
    values = indicators.compute_one(period, province["dept_justice"].pk)["values"]
    assert values["tasks_total"] == 5
    assert values["tasks_done_on_time"] == 2
    assert values["tasks_done_late"] == 1
    assert values["tasks_overdue"] == 1
    assert values["tasks_in_progress"] == 1
    assert values["tasks_not_started"] == 0
    assert values["dissemination_sessions"] == 2
    assert values["dissemination_participants"] == 65


def test_an_organisation_without_assignments_has_zeros(
    justice_tasks: Plan, period: ReportPeriod, province: Any
) -> None:
    values = indicators.compute_one(period, province["dept_home"].pk)["values"]
    assert values["tasks_total"] == 0
    assert values["dissemination_sessions"] == 0


def test_coverage_counts_staff_who_acknowledged_the_active_catalogue(
    period: ReportPeriod, province: Any, staff_member: Any, officer: Any
) -> None:
    version = conduct_services.load_seed_catalogue(scope=province["root"], actor=None)
    Acknowledgement.objects.create(
        staff=staff_member,
        code_version=version,
        method=Acknowledgement.Method.SELF,
        recorded_by=officer,
    )
    values = indicators.compute_one(period, province["dept_justice"].pk)["values"]
    assert values["staff_active"] == 1
    assert values["staff_acknowledged"] == 1
    assert indicators.derived(values)["coverage_share"] == 100.0


def test_ratings_cases_and_inspections_are_marked_as_having_no_data_yet(
    period: ReportPeriod, province: Any
) -> None:
    snapshot = indicators.compute_one(period, province["dept_justice"].pk)
    assert {"ratings", "cases", "inspections"} <= set(snapshot["missing"])
    assert snapshot["values"]["cases_received"] is None
    pending = [g for g in indicators.grouped(snapshot) if not g.available]
    assert pending and all(line.display == "chưa có dữ liệu" for g in pending for line in g.lines)


def test_a_draft_takes_its_indicators_when_it_is_created(
    justice_tasks: Plan, period: ReportPeriod, province: Any, head: Any
) -> None:
    report = services.create_report(period, organisation=province["dept_justice"], actor=head)
    assert indicators.values_of(report.indicators)["tasks_total"] == 5
    assert report.organisation_name == "Sở Tư pháp"


def test_totals_add_counts_and_leave_missing_data_empty() -> None:
    snapshots = [
        {"values": {"tasks_total": 2, "cases_received": None}},
        {"values": {"tasks_total": 3, "cases_received": None}},
    ]
    totals = indicators.totals(snapshots)
    assert totals["tasks_total"] == 5
    assert totals["cases_received"] is None
