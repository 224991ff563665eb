"""The officer's main journey and the public pages, in Debian's Chromium against a live server."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from congvu.conduct import services as conduct_services

from .helpers import (
    BEFORE_MERGER,
    COMMUNE_NEW,
    COMMUNE_OLD,
    LABOUR,
    PHONE,
    build_history,
    english_for,
    log_in,
    restore_default_kinds,
    share_session,
    staff_workbook,
)

# The live server reads committed data, so every test here runs on a flushed database.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_kinds(transactional_db: Any) -> None:
    restore_default_kinds()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def staff_row(code: str, name: str, organisation: str = "H56.02") -> dict[str, str]:
    return {
        "staff_code": code,
        "full_name": name,
        "category": "Công chức",
        "position_title": "Chuyên viên",
        "is_leader": "Không",
        "organisation": organisation,
        "division": "H56.02.01" if organisation == "H56.02" else "",
        "email": f"{code.lower()}@example.vn",
        "phone": "0912000111",
    }


GOOD_ROWS = [
    staff_row("STP-101", "Trần Thị Lan"),
    staff_row("STP-102", "Lê Văn Hùng"),
    staff_row("SNV-103", "Phạm Minh Châu", organisation="H56.01"),
]
BAD_ROW = staff_row("STP-104", "Đỗ Quang Vinh", organisation="H99.99")


def test_an_officer_logs_in_and_sees_the_tree_today_on_an_earlier_date_and_in_english(
    live_server: Any, page: Any, screenshot: Any, officer: Any, province: Any
) -> None:
    build_history(province)
    base = live_server.url

    page.goto(base + "/accounts/login/")
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    screenshot("login-vi")
    log_in(page, base, "officer")
    expect(page.locator("header .user-name")).to_have_text("officer")

    nav = page.locator("nav.main-nav")
    nav.get_by_text("Tổ chức", exact=True).click()  # the menu opens (a <details>)
    nav.get_by_role("link", name="Cơ quan, đơn vị").click()
    page.wait_for_url(base + "/org/")
    tree = page.locator("section[aria-labelledby=tree-title]")
    expect(tree.get_by_role("link", name="Ủy ban nhân dân tỉnh Hưng Yên")).to_be_visible()
    expect(tree.get_by_role("link", name="Sở Nội vụ", exact=True)).to_be_visible()
    expect(tree.get_by_role("link", name=COMMUNE_NEW)).to_be_visible()
    expect(tree.get_by_text(LABOUR)).to_have_count(0)
    screenshot("org-tree-vi")

    main = page.locator("main")
    main.get_by_role("textbox", name="Cây tổ chức tại ngày").fill(
        BEFORE_MERGER.strftime("%d/%m/%Y")
    )
    main.get_by_role("button", name="Xem").click()
    expect(page.locator("#tree-title")).to_have_text("Cây tổ chức tại ngày 15/02/2025")
    expect(tree.get_by_role("link", name=LABOUR)).to_be_visible()
    expect(tree.get_by_role("link", name=COMMUNE_OLD)).to_be_visible()
    expect(tree.get_by_role("link", name=COMMUNE_NEW)).to_have_count(0)
    expect(tree.get_by_role("link", name="Sở Tư pháp")).to_be_visible()
    screenshot("org-tree-earlier-date-vi")

    html = page.locator("html")
    expect(html).to_have_attribute("lang", "vi")
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("lang-vi")).to_have_text("Tiếng Việt")
    assert page.evaluate("document.documentElement.lang") == "en"
    # Still the tree on the chosen day: the switch keeps the page and its query.
    expect(page.locator("#tree-title")).to_contain_text("15/02/2025")
    nav_label = english_for("Cơ quan, đơn vị")
    if nav_label is not None:  # only once the English catalogue is compiled
        expect(page.locator("nav.main-nav")).to_contain_text(nav_label)
    screenshot("org-tree-en")
    page.get_by_test_id("lang-vi").click()
    expect(page.get_by_test_id("lang-en")).to_have_text("English")
    assert page.evaluate("document.documentElement.lang") == "vi"
    expect(page.locator("nav.main-nav")).to_contain_text("Cơ quan, đơn vị")

    page.goto(base + "/org/")
    tree.get_by_role("link", name="Sở Tư pháp").click()
    expect(page.locator("h1")).to_contain_text("Sở Tư pháp")
    expect(main).to_contain_text("Phòng Hành chính tư pháp")
    screenshot("org-detail-vi")


def test_a_citizen_scanning_a_badge_on_a_phone_sees_the_name_position_and_organisation(
    live_server: Any, page: Any, screenshot: Any, staff_member: Any
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/r/{staff_member.badge_token}")

    card = page.locator("article.staff-card")
    expect(card.get_by_role("heading", level=1)).to_have_text("Nguyễn Văn Đức")
    expect(card).to_contain_text("Chuyên viên")
    expect(card).to_contain_text("Phòng Hành chính tư pháp")
    expect(card).to_contain_text("Sở Tư pháp")
    expect(card).to_contain_text("Thẻ đang có hiệu lực")
    # Nothing sticks out sideways on a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("badge-card-phone-vi")


def test_an_officer_imports_staff_from_excel_after_fixing_the_rejected_row(
    live_server: Any, page: Any, screenshot: Any, officer: Any, province: Any
) -> None:
    base = live_server.url
    share_session(page, base, officer)

    def upload(name: str, rows: list[dict[str, str]]) -> None:
        page.goto(base + "/org/import/")
        section = page.get_by_test_id("import-staff")
        section.get_by_label("Phạm vi").select_option(label="Ủy ban nhân dân tỉnh Hưng Yên")
        section.get_by_label("Tệp Excel (.xlsx)").set_input_files(
            {"name": name, "mimeType": XLSX, "buffer": staff_workbook(rows)}
        )
        section.get_by_role("button", name="Tải lên và kiểm tra").click()
        page.wait_for_url(base + "/org/import/jobs/*/")
        expect(page.get_by_test_id("job-status")).to_have_text("Chờ xác nhận", timeout=10_000)

    upload("can-bo.xlsx", [*GOOD_ROWS[:2], BAD_ROW, GOOD_ROWS[2]])
    expect(page.get_by_test_id("error-count")).to_have_text("1")
    errors = page.get_by_test_id("row-errors").locator("tbody tr")
    expect(errors).to_have_count(1)
    # The bad row is the third data row, so row 4 of the sheet.
    expect(errors.first.locator("td").first).to_have_text("4")
    expect(errors.first).to_contain_text("H99.99")
    expect(errors.first).to_contain_text("Không có cơ quan với mã này.")
    expect(page.locator("main")).to_contain_text("Không có dữ liệu nào được ghi.")
    expect(page.get_by_test_id("commit")).to_have_count(0)
    screenshot("import-preview-row-error-vi")

    upload("can-bo-da-sua.xlsx", GOOD_ROWS)
    expect(page.get_by_test_id("error-count")).to_have_text("0")
    expect(page.get_by_test_id("to-create")).to_have_text("3")
    page.get_by_test_id("commit").click()
    expect(page.get_by_test_id("job-result")).to_contain_text("3 thêm mới", timeout=10_000)

    page.goto(base + "/org/staff/")
    main = page.locator("main")
    main.get_by_label("Tìm theo tên hoặc mã").fill("tran thi lan")
    main.get_by_role("button", name="Lọc").click()
    rows = page.locator("table.staff-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Trần Thị Lan")
    expect(rows.first).to_contain_text("STP-101")
    expect(rows.first).to_contain_text("Sở Tư pháp")
    screenshot("staff-list-search-vi")

    rows.first.get_by_role("link", name="Trần Thị Lan").click()
    expect(page.locator("h1")).to_contain_text("Trần Thị Lan")
    expect(main).to_contain_text("Phòng Hành chính tư pháp")
    screenshot("staff-detail-vi")


def test_a_visitor_finds_the_standards_about_alcohol_from_the_public_home_page(
    live_server: Any, page: Any, screenshot: Any, province: Any
) -> None:
    conduct_services.load_seed_catalogue(scope=province["root"], actor=None)
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("Văn hóa công vụ")
    screenshot("home-public-vi")

    page.locator("main").get_by_role("link", name="Xem chuẩn mực ứng xử").click()
    main = page.locator("main")
    main.get_by_label("Tìm chuẩn mực").fill("ruou bia")
    main.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.locator(".cv-hits")).to_contain_text("chuẩn mực cho “ruou bia”")
    expect(main).to_contain_text("rượu bia")
    screenshot("standards-search-vi")
