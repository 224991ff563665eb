from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from congvu.accounts.models import Role
from congvu.conduct import services as conduct_services
from congvu.conftest import make_user
from congvu.inspections.models import Inspection
from congvu.inspections.tests.conftest import answer_all, conclude, plan, start
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


def test_inspections_count_those_concluded_in_the_period(
    period: ReportPeriod, province: Any
) -> None:
    conduct_services.load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    inspector = make_user("inspector", Role.INSPECTOR, province["root"])
    inside, outside, unfinished = (plan(province["dept_justice"], inspector) for _ in range(3))
    for inspection in (inside, outside):
        answer_all(start(inspection, inspector), inspector)
        conclude(inspection, inspector)
    start(unfinished, inspector)
    last_day = dt.datetime.combine(period.covers_to, dt.time(12), tzinfo=dt.timezone.utc)
    Inspection.objects.filter(pk=inside.pk).update(concluded_at=last_day)
    Inspection.objects.filter(pk=outside.pk).update(concluded_at=last_day + dt.timedelta(days=2))
    snapshot = indicators.compute_one(period, province["dept_justice"].pk)
    assert snapshot["missing"] == []
    assert snapshot["values"]["inspections"] == 1
    assert indicators.compute_one(period, province["commune"].pk)["values"]["inspections"] == 0


def test_a_snapshot_taken_before_a_source_existed_still_says_no_data() -> None:
    snapshot = {"values": {"inspections": None}, "missing": ["inspections"]}
    pending = [g for g in indicators.grouped(snapshot) if not g.available]
    assert [line.indicator.key for g in pending for line in g.lines] == ["inspections"]
    assert all(line.display == "chưa có dữ liệu" for g in pending for line in g.lines)


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


def test_rating_indicators_of_whole_months_come_from_the_rating_rollups(
    period: ReportPeriod, province: Any
) -> None:
    from congvu.feedback.models import OrganisationMonthRollup

    first_whole = (period.covers_from.replace(day=1) + dt.timedelta(days=31)).replace(day=1)
    OrganisationMonthRollup.objects.create(
        organisation=province["dept_justice"], month=first_whole, total=12, counted=10, satisfied=8
    )
    # The month the period starts in is only partly inside: its days come from the raw
    # ratings (there are none here), never from its whole month's rollup.
    OrganisationMonthRollup.objects.create(
        organisation=province["dept_justice"],
        month=period.covers_from.replace(day=1),
        counted=5,
        satisfied=0,
    )
    values = indicators.compute_one(period, province["dept_justice"].pk)["values"]
    assert values["ratings_count"] == 10
    assert values["satisfaction_percent"] == 80.0
    empty = indicators.compute_one(period, province["dept_home"].pk)["values"]
    assert empty["ratings_count"] == 0 and empty["satisfaction_percent"] is None


def test_case_indicators_count_reports_breaches_and_discipline_in_the_period(
    period: ReportPeriod, province: Any, head: Any, staff_member: Any
) -> None:
    from django.utils import timezone

    from congvu.cases import discipline, workflow
    from congvu.cases import services as case_services
    from congvu.cases.models import Case, DisciplineDecision

    def report() -> Case:
        data = case_services.ReportInput(
            subject_staff=staff_member, description="Đòi tiền khi nhận hồ sơ.", is_anonymous=True
        )
        return case_services.submit_report(data).case

    inside = dt.datetime.combine(
        period.covers_from, dt.time(9), tzinfo=timezone.get_current_timezone()
    )
    concluded = report()
    for status in (Case.Status.ACCEPTED, Case.Status.INVESTIGATING, Case.Status.CONCLUDED):
        concluded = workflow.transition(
            concluded,
            status,
            actor=head,
            outcome=Case.Outcome.SUBSTANTIATED,
            conclusion="Có căn cứ.",
        )
    form = discipline.allowed_forms(staff_member).first()
    decision = DisciplineDecision.objects.create(
        case=concluded,
        staff=staff_member,
        form=form,
        conduct_date=period.covers_from,
        stage=DisciplineDecision.Stage.DECIDED,
        decision_number="1/QĐ",
        decided_on=period.covers_from + dt.timedelta(days=5),
    )
    assert decision.pk
    Case.objects.filter(pk=concluded.pk).update(
        received_at=inside, concluded_at=inside + dt.timedelta(days=3)
    )
    elsewhere = report()
    Case.objects.filter(pk=elsewhere.pk).update(
        received_at=inside.replace(year=period.covers_from.year - 3)
    )
    values = indicators.compute_one(period, province["dept_justice"].pk)["values"]
    assert values["cases_received"] == 1
    assert values["cases_substantiated"] == 1
    assert values["cases_disciplined"] == 1
