"""What a reader of the periodic reports' files sees of the ratings: figures of the stated
period only, and the province's satisfaction rate in the totals."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from congvu.feedback import rollups
from congvu.feedback import services as feedback_services
from congvu.feedback.models import Rating
from congvu.feedback.tests.ratings_helpers import load_catalogue, rate, working_hours
from congvu.reporting import exporters, indicators, selectors, services
from congvu.reporting.models import OrganisationReport, ReportPeriod

from .test_exports import all_text

pytestmark = pytest.mark.django_db


def satisfied_level(satisfied: bool) -> int:
    _scale, levels = feedback_services.active_scale()
    return next(row.value for row in levels if row.satisfied == satisfied)


@pytest.fixture
def ratings_around_the_edges(period: ReportPeriod, province: Any, staff_member: Any) -> None:
    """Sở Tư pháp, for the period 16/11/2025–15/11/2026: on its first day, in March and on
    its last day three ratings (two satisfied); on the day before and the day after, and a
    flagged one inside, ratings that must not count."""
    assert (period.covers_from, period.covers_to) == (dt.date(2025, 11, 16), dt.date(2026, 11, 15))
    load_catalogue(province)
    badge = feedback_services.target_for_badge(staff_member.badge_token)
    assert badge is not None
    yes, no = satisfied_level(True), satisfied_level(False)
    rate(badge, level=yes, now=working_hours(dt.date(2025, 11, 16)))
    rate(badge, level=no, now=working_hours(dt.date(2026, 3, 10)))
    rate(badge, level=yes, now=working_hours(dt.date(2026, 11, 15)))
    for day in (dt.date(2025, 11, 15), dt.date(2025, 11, 1), dt.date(2026, 11, 16)):
        for hour in (9, 11):
            rate(badge, level=no, now=working_hours(day, hour=hour))
    flagged = rate(badge, level=no, now=working_hours(dt.date(2026, 11, 14)))
    flagged.state = Rating.State.FLAGGED
    Rating.objects.filter(pk=flagged.pk).update(state=flagged.state)
    rollups.change_state(flagged, old_state=Rating.State.COUNTED)


def test_rating_figures_count_exactly_the_days_of_the_period(
    ratings_around_the_edges: None, period: ReportPeriod, province: Any
) -> None:
    values = indicators.compute_one(period, province["dept_justice"].pk)["values"]
    assert values["ratings_count"] == 3
    assert values["satisfaction_percent"] == 66.7


def test_a_period_inside_one_month_counts_its_own_days(
    ratings_around_the_edges: None, period: ReportPeriod, province: Any
) -> None:
    period.covers_from, period.covers_to = dt.date(2026, 11, 16), dt.date(2026, 11, 20)
    values = indicators.compute_one(period, province["dept_justice"].pk)["values"]
    assert values["ratings_count"] == 2  # the two of 16/11, not 15/11's


def test_the_organisation_report_shows_the_periods_ratings(
    ratings_around_the_edges: None, draft: OrganisationReport, head: Any
) -> None:
    report = services.submit_report(draft, actor=head)
    text = all_text(Document(io.BytesIO(exporters.OrganisationReportDocx(report).render())))
    assert "- Số lượt đánh giá\n3" in text
    assert "- Tỷ lệ hài lòng (%)\n66,7" in text


def test_the_provincial_files_show_the_provinces_satisfaction_rate(
    ratings_around_the_edges: None, period: ReportPeriod
) -> None:
    compilation = selectors.compile_period(period)
    document = Document(io.BytesIO(exporters.ProvincialReportDocx(compilation).render()))
    totals = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert ["", "- Số lượt đánh giá", "3"] in totals
    assert ["", "- Tỷ lệ hài lòng (%)", "66,7"] in totals

    workbook = load_workbook(io.BytesIO(exporters.ProvincialReportXlsx(compilation).render()))
    sheet = workbook["Tong hop"]
    header = [c.value for c in sheet[4]]
    total = [c.value for c in sheet[sheet.max_row]]
    assert total[2] == "Tổng cộng"
    assert total[header.index("Số lượt đánh giá")] == 3
    assert total[header.index("Tỷ lệ hài lòng (%)")] == 66.7
    listing = {
        row[1]: row[2] for row in workbook["Chi tieu"].iter_rows(min_row=5, values_only=True)
    }
    assert listing["Tỷ lệ hài lòng (%)"] == 66.7

    pdf = exporters.ProvincialReportPdf(compilation).html()
    assert '<td>- Tỷ lệ hài lòng (%)</td><td class="num">66,7</td>' in pdf.replace("\n", "")


def test_the_total_rate_is_over_the_summed_counts_even_for_old_snapshots() -> None:
    snapshots = [
        {"values": {"ratings_count": 10, "ratings_satisfied": 9, "satisfaction_percent": 90.0}},
        # Taken before the satisfied count was kept: recovered from the rate.
        {"values": {"ratings_count": 30, "satisfaction_percent": 33.3}},
        {"values": {"ratings_count": 0, "satisfaction_percent": None}},
    ]
    assert indicators.totals(snapshots)["satisfaction_percent"] == 47.5  # 19 / 40
    assert indicators.totals([{"values": {"ratings_count": 0}}])["satisfaction_percent"] is None
