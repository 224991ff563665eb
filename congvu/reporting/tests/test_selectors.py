from __future__ import annotations

from typing import Any

import pytest

from congvu.planning.models import Plan
from congvu.reporting import selectors, services
from congvu.reporting.models import OrganisationReport, ReportPeriod

pytestmark = pytest.mark.django_db


def test_the_expected_organisations_leave_out_divisions_and_the_province(
    period: ReportPeriod, province: Any
) -> None:
    expected = set(selectors.expected_organisations(period))
    assert expected == {province["dept_home"], province["dept_justice"], province["commune"]}


def test_the_compilation_lists_the_organisations_that_have_not_submitted(
    justice_tasks: Plan, draft: OrganisationReport, period: ReportPeriod, province: Any, head: Any
) -> None:
    services.submit_report(draft, actor=head)
    compilation = selectors.compile_period(period)
    assert compilation.expected == 3
    assert compilation.filed == 1
    assert {row.organisation for row in compilation.not_submitted} == {
        province["dept_home"],
        province["commune"],
    }
    # Sở Tư pháp's 5 tasks plus the commune's one, from live figures for the commune.
    assert compilation.totals["tasks_total"] == 6


def test_a_draft_does_not_count_as_submitted(
    draft: OrganisationReport, period: ReportPeriod, province: Any
) -> None:
    compilation = selectors.compile_period(period)
    assert province["dept_justice"] in {row.organisation for row in compilation.not_submitted}


def test_a_head_sees_only_their_own_row(period: ReportPeriod, province: Any, head: Any) -> None:
    compilation = selectors.compile_period(period, user=head)
    assert [row.organisation for row in compilation.rows] == [province["dept_justice"]]
