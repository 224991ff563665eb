"""The markup the case list and the cases dashboard rely on to work on a phone.

The actions are a list (no "·" or bracket left alone on a line), the export links keep the
filters, the status tabs keep `aria-current`, every cell of the stacked table names its
column in the reader's language, and the dashboard folds its less used filters.
(How it looks at 360 px: congvu/browser_tests/test_case_list_phone.py.)
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.organisations.models import Organisation, StaffMember

from ..models import Case
from .office_helpers import file_report, media, move  # noqa: F401

LIST = reverse("cases:list")
DASHBOARD = reverse("cases:dashboard")
EXPORT = reverse("cases:export")


@pytest.fixture
def cases(head: User, staff_member: StaffMember) -> list[Case]:
    accepted = move(file_report(staff=staff_member), "accepted", actor=head)
    return [accepted, file_report(staff=staff_member)]


def actions(html: str) -> str:
    found = re.search(r'<ul class="case-links">(.*?)</ul>', html, re.S)
    assert found is not None
    return found.group(1)


def test_the_actions_are_a_list_without_loose_separators_or_brackets(
    as_head: Client, cases: list[Case]
) -> None:
    block = actions(as_head.get(LIST).content.decode())
    text = re.sub(r"<[^>]+>", " ", block)
    assert "·" not in text and "(" not in text and ")" not in text
    assert block.count("<li") >= 3
    assert "Tải các vụ việc đang lọc:" in text


def test_the_excel_and_csv_links_keep_the_filters_but_not_the_page(
    as_head: Client, cases: list[Case]
) -> None:
    html = as_head.get(LIST, {"status": "accepted", "q": "Đức", "page": "1"}).content.decode()
    block = actions(html)
    query = "status=accepted&amp;q=%C4%90%E1%BB%A9c"
    assert f'href="{EXPORT}?{query}" data-testid="export-link"' in block
    assert f'href="{EXPORT}?{query}&amp;format=csv"' in block
    # Each link says what it downloads (the note is its description).
    assert block.count('aria-describedby="export-note"') == 2
    assert 'id="export-note"' in block


def test_without_filters_the_links_download_everything(as_head: Client, cases: list[Case]) -> None:
    block = actions(as_head.get(LIST).content.decode())
    assert f'href="{EXPORT}" data-testid="export-link"' in block
    assert f'href="{EXPORT}?format=csv"' in block


def test_the_current_status_tab_is_marked_and_the_others_keep_the_filters(
    as_head: Client, cases: list[Case]
) -> None:
    html = as_head.get(LIST, {"status": "accepted", "track": "feedback"}).content.decode()
    tabs = re.search(r'<ul class="status-tabs"[^>]*>(.*?)</ul>', html, re.S)
    assert tabs is not None
    current = re.findall(r'<a [^>]*aria-current="true"[^>]*>', tabs.group(1))
    assert len(current) == 1 and 'data-status="accepted"' in current[0]
    assert 'href="?track=feedback&amp;status=received"' in tabs.group(1)
    html = as_head.get(LIST).content.decode()
    assert re.search(r'<a href="\?"\s*aria-current="true">Tất cả', html)


def test_every_cell_names_its_column_for_the_stacked_phone_view(
    as_head: Client, cases: list[Case]
) -> None:
    html = as_head.get(LIST).content.decode()
    for label in ("Mã", "Tiếp nhận", "Trạng thái", "Hạn", "Người xử lý", "Cơ quan xử lý"):
        assert html.count(f'data-label="{label}"') == len(cases), label
    # A table for screen readers whatever the CSS does with its rows.
    assert 'role="table"' in html and 'role="columnheader"' in html
    assert html.count('<tr role="row"') == len(cases) + 1
    # Tick boxes: the head may assign, each box named.
    assert 'class="case-table stacked-cases has-pick"' in html
    assert html.count('data-label="Chọn"') == len(cases)


def test_the_stacked_labels_are_in_english_too(as_head: Client, cases: list[Case]) -> None:
    as_head.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = as_head.get(LIST).content.decode()
    for label in ("Code", "Received", "Status", "Deadline", "Handler"):
        assert html.count(f'data-label="{label}"') == len(cases), label
    assert 'data-label="Tiếp nhận"' not in html
    assert "Download the filtered cases:" in html


def test_an_outsider_sees_no_case_and_a_viewer_is_refused(
    as_outsider: Client, as_viewer: Client, cases: list[Case]
) -> None:
    html = as_outsider.get(LIST).content.decode()
    assert all(case.code not in html for case in cases)
    assert 'data-label="Mã"' not in html
    assert as_viewer.get(LIST).status_code == 403
    assert as_viewer.get(DASHBOARD).status_code == 403


def folded(html: str) -> str:
    found = re.search(r'<details class="field more-filters"[^>]*>.*?</details>', html, re.S)
    assert found is not None
    return found.group(0)


def test_the_dashboard_keeps_the_period_in_view_and_folds_organisation_and_type(
    as_head: Client, cases: list[Case]
) -> None:
    html = as_head.get(DASHBOARD).content.decode()
    fold = folded(html)
    assert 'name="organisation"' in fold and 'name="track"' in fold
    assert 'name="date_from"' not in fold and 'name="date_to"' not in fold
    assert 'name="date_from"' in html and 'name="date_to"' in html
    assert fold.startswith('<details class="field more-filters">')
    assert "<summary>Thêm bộ lọc</summary>" in fold


def test_a_folded_dashboard_filter_in_use_is_not_hidden(
    as_head: Client, cases: list[Case], province: dict[str, Organisation]
) -> None:
    response = as_head.get(
        DASHBOARD, {"organisation": str(province["dept_justice"].pk), "track": "feedback"}
    )
    fold = folded(response.content.decode())
    assert fold.startswith('<details class="field more-filters" open>')
    assert "Thêm bộ lọc (2 đang dùng)" in fold
    assert response.context["board"].total == len(cases)
