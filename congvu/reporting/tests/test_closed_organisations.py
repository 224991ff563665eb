"""The provincial compilation counts an organisation closed during the period (finding 3
of the reorganisation walk): its row is marked, it is not expected to report, and its
figures stay in the province's totals."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from congvu.conftest import client_for
from congvu.organisations import restructuring
from congvu.organisations.models import Organisation
from congvu.planning.models import Plan, Task
from congvu.reporting import exporters, selectors, services
from congvu.reporting.models import OrganisationReport, ReportPeriod

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


def test_the_closed_mark_of_an_organisation_that_filed_is_in_the_word_excel_and_pdf_files(
    period: ReportPeriod,
    draft: OrganisationReport,
    province: dict[str, Organisation],
    officer: Any,
    head: Any,
) -> None:
    services.submit_report(draft, actor=head)
    restructuring.merge_organisations(
        [province["dept_justice"]],
        actor=officer,
        effective=dt.date(2026, 9, 1),
        into=province["dept_home"],
    )
    marked = "Sở Tư pháp (đã sáp nhập/giải thể từ 01/09/2026)"
    as_officer = client_for(officer)
    page = as_officer.get(reverse("reporting:period", args=[period.pk])).content.decode()
    assert "đã sáp nhập/giải thể từ 01/09/2026" in page

    word = as_officer.get(reverse("reporting:period_export", args=[period.pk, "docx"]))
    assert word.status_code == 200
    appendix = Document(io.BytesIO(word.content)).tables[-1]
    names = [row.cells[1].text for row in appendix.rows]
    assert marked in names
    assert "Sở Nội vụ" in names  # an open organisation's name is as it was

    excel = as_officer.get(reverse("reporting:period_export", args=[period.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(excel.content))["Tong hop"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows["H56.02"][2] == marked
    assert rows["H56.01"][2] == "Sở Nội vụ"

    pdf = exporters.ProvincialReportPdf(selectors.compile_period(period)).html()
    assert marked in pdf

    # The workbook follows the reader's language; the Word file is the official Vietnamese.
    as_officer.cookies["congvu_lang"] = "en"
    excel = as_officer.get(reverse("reporting:period_export", args=[period.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(excel.content))["Tong hop"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows["H56.02"][2] == "Sở Tư pháp (merged/dissolved from 01/09/2026)"
    word = as_officer.get(reverse("reporting:period_export", args=[period.pk, "docx"]))
    appendix = Document(io.BytesIO(word.content)).tables[-1]
    assert marked in [row.cells[1].text for row in appendix.rows]


def test_an_organisation_that_did_not_close_has_no_mark_in_the_files(
    period: ReportPeriod, draft: OrganisationReport, head: Any
) -> None:
    services.submit_report(draft, actor=head)
    compilation = selectors.compile_period(period)
    row = next(r for r in compilation.rows if r.report is not None)
    assert (row.closed_note, row.name_with_note) == ("", "Sở Tư pháp")
