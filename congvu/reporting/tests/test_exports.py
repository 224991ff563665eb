from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from congvu.planning.models import Plan
from congvu.reporting import exporters, selectors, services
from congvu.reporting.models import OrganisationReport, ReportPeriod

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def all_text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def runs(document: Any) -> list[Any]:
    found = [run for p in document.paragraphs for run in p.runs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found.extend(run for p in cell.paragraphs for run in p.runs)
    return found


@pytest.fixture
def submitted(draft: OrganisationReport, head: Any) -> OrganisationReport:
    return services.submit_report(draft, actor=head)


def test_the_organisation_report_docx_follows_the_administrative_format(
    justice_tasks: Plan, submitted: OrganisationReport
) -> None:
    document = Document(io.BytesIO(exporters.OrganisationReportDocx(submitted).render()))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    text = all_text(document)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND TỈNH HƯNG YÊN" in text and "SỞ TƯ PHÁP" in text
    assert "Số: 15/BC-STP" in text
    assert "Hưng Yên, ngày" in text
    assert "BÁO CÁO" in [p.text for p in document.paragraphs]
    assert "Kết quả thực hiện văn hóa công vụ năm 2026" in text
    assert "Đã quán triệt Quyết định 1847" in text
    assert "Nơi nhận:" in text and "NGUYỄN VĂN AN" not in text and "Nguyễn Văn An" in text
    assert "chưa có dữ liệu" in text
    all_runs = [r for r in runs(document) if r.text.strip()]
    assert all_runs and all(r.font.name == "Times New Roman" for r in all_runs)
    east_asia = all_runs[0]._element.rPr.rFonts.get(qn("w:eastAsia"))
    assert east_asia == "Times New Roman"
    sizes = {r.font.size.pt for r in all_runs if r.font.size}
    assert 14 in sizes


def test_the_motto_is_bold_and_underlined_and_the_date_italic(
    submitted: OrganisationReport,
) -> None:
    document = Document(io.BytesIO(exporters.OrganisationReportDocx(submitted).render()))
    motto = next(r for r in runs(document) if r.text == "Độc lập - Tự do - Hạnh phúc")
    assert motto.bold and motto.underline
    date = next(r for r in runs(document) if r.text.startswith("Hưng Yên, ngày"))
    assert date.italic


def test_the_provincial_docx_has_a_row_per_organisation_and_the_non_submitters(
    justice_tasks: Plan, submitted: OrganisationReport, period: ReportPeriod
) -> None:
    compilation = selectors.compile_period(period)
    exporter = exporters.ProvincialReportDocx(compilation)
    assert exporter.filename.endswith(".docx")
    document = Document(io.BytesIO(exporter.render()))
    assert round(document.sections[0].page_width.mm) == 210
    text = all_text(document)
    assert "SỞ NỘI VỤ" in text and "UBND TỈNH HƯNG YÊN" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    appendix = document.tables[-1]
    names = [row.cells[1].text for row in appendix.rows]
    assert names[0] == "Cơ quan, đơn vị"
    assert names[1:4] == ["Sở Nội vụ", "Sở Tư pháp", "Ủy ban nhân dân xã An Bình"]
    assert names[-1] == "Tổng cộng"
    assert appendix.rows[2].cells[4].text == "5"
    missing = document.tables[2]  # heading, totals, non-submitters, signer, appendix
    assert [row.cells[1].text for row in missing.rows][1:] == [
        "Sở Nội vụ",
        "Ủy ban nhân dân xã An Bình",
    ]


def test_the_provincial_xlsx_has_a_row_per_organisation_and_totals(
    justice_tasks: Plan, submitted: OrganisationReport, period: ReportPeriod
) -> None:
    content = exporters.ProvincialReportXlsx(selectors.compile_period(period)).render()
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Tong hop"]
    assert sheet.freeze_panes == "D5"
    header = [c.value for c in sheet[4]]
    assert header[2] == "Cơ quan, đơn vị"
    total_col = header.index("Tổng số nhiệm vụ được giao") + 1
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert [r[2] for r in rows] == [
        "Sở Nội vụ",
        "Sở Tư pháp",
        "Ủy ban nhân dân xã An Bình",
        "Tổng cộng",
    ]
    assert rows[1][total_col - 1] == 5
    assert rows[-1][total_col - 1] == 6
    assert rows[-1][4] == "1/3"
    assert sheet.cell(row=8, column=3).font.bold
    missing = [r[2] for r in workbook["Chua nop"].iter_rows(min_row=5, values_only=True)]
    assert missing == ["Sở Nội vụ", "Ủy ban nhân dân xã An Bình"]


def test_the_pdf_is_a_pdf_and_renders_its_first_page(
    justice_tasks: Plan, submitted: OrganisationReport
) -> None:
    import pypdfium2 as pdfium

    content = exporters.OrganisationReportPdf(submitted).render()
    assert content.startswith(b"%PDF")
    pdf = pdfium.PdfDocument(content)
    page = pdf[0]
    width, height = page.get_size()
    assert round(width / 72 * 25.4) == 210 and round(height / 72 * 25.4) == 297
    text = page.get_textpage().get_text_range()
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "BÁO CÁO" in text
    image = page.render(scale=2).to_pil()
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / "report-page-1.png")
    assert image.size[0] > 1000


def test_the_provincial_pdf_is_a_pdf(submitted: OrganisationReport, period: ReportPeriod) -> None:
    content = exporters.ProvincialReportPdf(selectors.compile_period(period)).render()
    assert content.startswith(b"%PDF")


def test_dates_follow_the_decree_30_padding() -> None:
    import datetime as dt

    from congvu.reporting.documents import vn_date

    assert vn_date(dt.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert vn_date(dt.date(2026, 11, 15)) == "ngày 15 tháng 11 năm 2026"


def test_the_provincial_xlsx_keeps_a_formula_typed_as_a_name_as_text(
    justice_tasks: Plan, submitted: OrganisationReport, period: ReportPeriod
) -> None:
    from congvu.core.tests.test_cells import FORMULA
    from congvu.organisations.models import Organisation

    OrganisationReport.objects.filter(pk=submitted.pk).update(organisation_name=FORMULA)
    Organisation.objects.filter(code="H56.01").update(name=FORMULA)  # Sở Nội vụ, not filed
    content = exporters.ProvincialReportXlsx(selectors.compile_period(period)).render()
    workbook = load_workbook(io.BytesIO(content))
    names = [
        cell
        for sheet in (workbook["Tong hop"], workbook["Chua nop"])
        for (cell,) in sheet.iter_rows(min_row=5, min_col=3, max_col=3)
        if FORMULA in str(cell.value)
    ]
    assert len(names) == 3  # filed in the main sheet; not filed in both
    assert all(cell.data_type == "s" and cell.value == "'" + FORMULA for cell in names)
