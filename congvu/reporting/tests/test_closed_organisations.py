"""The provincial compilation counts an organisation closed during the period (finding 3
of the reorganisation walk): its row is marked, it is not expected to report, and its
figures stay in the province's totals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from congvu.conftest import client_for
from congvu.organisations import restructuring
from congvu.organisations.models import Organisation
from congvu.planning.models import Plan, Task
from congvu.reporting import selectors
from congvu.reporting.models import ReportPeriod

from .conftest import assign


def test_an_organisation_merged_during_the_period_keeps_its_row_and_its_figures(
    period: ReportPeriod, plan: Plan, province: dict[str, Organisation], officer: Any, head: Any
) -> None:
    commune = province["commune"]
    task = Task.objects.create(
        plan=plan, code="9", content="Nhiệm vụ", starts_on=dt.date(2026, 1, 1)
    )
    assign(task, commune, due_on=dt.date(2026, 3, 31), completed_on=dt.date(2026, 3, 1))
    before = selectors.compile_period(period).totals["tasks_done_on_time"]
    restructuring.merge_organisations(
        [commune], actor=officer, effective=dt.date(2026, 9, 1), into=province["dept_home"]
    )
    compilation = selectors.compile_period(period)
    assert compilation.totals["tasks_done_on_time"] == before
    row = next(r for r in compilation.rows if r.organisation.pk == commune.pk)
    assert row.closed and row.status_label == "Đã sáp nhập/giải thể từ 01/09/2026"
    assert commune.pk not in {r.organisation.pk for r in compilation.not_submitted}
    page = client_for(officer).get(reverse("reporting:period", args=[period.pk])).content.decode()
    assert "Đã sáp nhập/giải thể từ 01/09/2026" in page
    assert client_for(head).get(reverse("reporting:period", args=[period.pk])).status_code == 200
