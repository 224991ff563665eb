"""The planning journey in Chromium: progress with evidence, an extension, the dashboard,
the yearly report and the provincial export (issue: plans, tasks and periodic reports)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pypdfium2
import pytest
from django.utils import timezone
from docx import Document

from congvu.accounts.models import Role
from congvu.conftest import make_user
from congvu.core.tests.media_helpers import pdf_bytes
from congvu.planning import services as planning
from congvu.planning.models import Assignment, Plan
from congvu.reporting.models import OrganisationReport
from congvu.reporting.services import ensure_yearly_period

from .conftest import ARTIFACTS
from .helpers import PASSWORD, restore_default_kinds

PDF_EVIDENCE = pdf_bytes()


def log_in(browser: Any, base_url: str, username: str) -> Any:
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base_url + "/")
    return page


def card(page: Any, label: str) -> str:
    item = page.locator(".dash-cards li", has_text=label).first
    return str(item.locator(".card-number").inner_text()).strip()


@pytest.mark.django_db(transaction=True)
def test_a_focal_point_reports_progress_gets_an_extension_and_the_officer_exports_the_report(
    live_server: Any, browser: Any, request: Any, tmp_path: Path
) -> None:
    # An earlier live-server test flushed the kinds a data migration made; restore them
    # before the province fixture needs them.
    restore_default_kinds()
    province = request.getfixturevalue("province")
    today = timezone.localdate()
    officer = make_user("officer", Role.HOME_AFFAIRS, province["root"])
    make_user("daumoi", Role.FOCAL_POINT, province["dept_justice"])
    plan = Plan.objects.create(
        number="86/KH-UBND",
        title="Triển khai văn hóa công vụ",
        issuing_organisation=province["root"],
        issued_on=dt.date(2019, 8, 30),
    )
    task = planning.create_task(
        plan,
        actor=officer,
        code="1",
        content="Quán triệt Quyết định 1847 đến toàn thể cán bộ",
        assignees=[province["dept_justice"]],
        starts_on=today - dt.timedelta(days=40),
        due_on=today - dt.timedelta(days=1),
    )
    assignment = Assignment.objects.get(task=task)
    period = ensure_yearly_period(today.year, actor=officer)
    base = live_server.url

    # The officer sees the task overdue on the dashboard.
    officer_page = log_in(browser, base, "officer")
    officer_page.goto(base + "/dashboard/")
    assert card(officer_page, "Quá hạn") == "1"

    # The focal point reports progress with an evidence file and asks for more time.
    focal = log_in(browser, base, "daumoi")
    focal.goto(base + "/assignments/")
    focal.get_by_role("link", name="Quán triệt Quyết định 1847").first.click()
    assert "Quá hạn" in focal.locator("main").inner_text()
    evidence = tmp_path / "bien-ban-quan-triet.pdf"
    evidence.write_bytes(PDF_EVIDENCE)
    focal.locator("#id_progress").select_option("in_progress")
    focal.locator("#id_percent").fill("60")
    focal.locator("#id_note").fill("Đã tổ chức hội nghị quán triệt.")
    focal.locator("#id_evidence").set_input_files(str(evidence))
    focal.get_by_role("button", name="Lưu cập nhật").click()
    assert focal.get_by_role("link", name="bien-ban-quan-triet.pdf").is_visible()

    new_due = today + dt.timedelta(days=20)
    focal.locator("summary", has_text="Đề nghị gia hạn").click()
    focal.locator("#id_requested_due_on").fill(new_due.strftime("%d/%m/%Y"))
    focal.locator("#id_reason").fill("Chờ tập huấn của Sở Nội vụ.")
    focal.get_by_role("button", name="Gửi đề nghị").click()
    assert "Chờ duyệt" in focal.locator("main").inner_text()

    # The assigning officer approves it; the original deadline stays visible.
    officer_page.goto(base + "/assignments/extensions/")
    officer_page.get_by_role("button", name="Chấp thuận", exact=True).click()
    assignment.refresh_from_db()
    assert assignment.due_on == new_due
    assert assignment.original_due_on == today - dt.timedelta(days=1)

    # The dashboard shows the change: no longer overdue, in progress within the deadline.
    officer_page.goto(base + "/dashboard/")
    assert card(officer_page, "Quá hạn") == "0"
    assert card(officer_page, "Đang thực hiện trong hạn") == "1"
    officer_page.screenshot(
        path=str(ARTIFACTS / "dashboard-after-extension-vi.png"), full_page=True
    )

    # The organisation submits its yearly report.
    focal.goto(base + f"/reports/periods/{period.pk}/")
    focal.locator("#id_organisation").select_option(str(province["dept_justice"].pk))
    focal.get_by_role("button", name="Lập báo cáo").click()
    focal.locator("#id_results").fill("Toàn thể cán bộ đã được quán triệt.")
    focal.get_by_role("button", name="Nộp báo cáo").click()
    report = OrganisationReport.objects.get(period=period, organisation=province["dept_justice"])
    assert report.status == OrganisationReport.Status.SUBMITTED

    # The officer exports the provincial report in the three formats.
    officer_page.goto(base + f"/reports/periods/{period.pk}/")
    files = {}
    for kind in ("docx", "xlsx", "pdf"):
        with officer_page.expect_download() as download_info:
            officer_page.get_by_test_id(f"export-{kind}").click()
        target = tmp_path / f"bao-cao.{kind}"
        download_info.value.save_as(str(target))
        files[kind] = target
    document = Document(str(files["docx"]))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Sở Tư pháp" in text
    sheet = openpyxl.load_workbook(files["xlsx"]).worksheets[0]
    assert any("Sở Tư pháp" in str(cell.value) for row in sheet.iter_rows() for cell in row)
    pdf = pypdfium2.PdfDocument(str(files["pdf"]))
    image = pdf[0].render(scale=1.5).to_pil()
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / "provincial-report-page-1.png")
    assert image.width > 500
