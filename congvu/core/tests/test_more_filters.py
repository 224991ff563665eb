"""Long filter forms fold their less used fields into "Thêm bộ lọc" ({% morefilters %}).

On a phone the cases list's twelve filters came before the first case. What a user
notices: the search box (or the one or two most used fields) and the button in view,
the rest in a closed details; open, and saying how many, as soon as one of them is in
use or wrong, so no active filter is ever hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lxml.html
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.cases.tests.office_helpers import media  # noqa: F401
from congvu.organisations.models import Organisation


@dataclass(frozen=True)
class Listing:
    name: str
    primary: tuple[str, ...]  # fields kept in view
    folded: tuple[str, ...]  # a sample of the folded ones
    in_use: dict[str, str]  # valid values of folded filters
    wrong: dict[str, str]  # an invalid folded filter value
    error: str  # what the page says about it

    def url(self, province: dict[str, Organisation]) -> str:
        if self.name == "organisations:conduct_record":
            return reverse(self.name, args=[province["dept_justice"].pk])
        return reverse(self.name)


PAGES = [
    Listing(
        "cases:list",
        ("q",),
        ("status", "track", "organisation", "month", "tag"),
        {"status": "received"},
        {"month": "13/2026"},
        "Tháng không hợp lệ",
    ),
    Listing(
        "assignments:list",
        ("state", "plan"),
        ("period", "organisation", "due", "due_within"),
        {"due": "overdue"},
        {"due_within": "-4"},
        "Số ngày không âm",
    ),
    Listing(
        "audit:list",
        ("organisation", "actor"),
        ("date_from", "date_to", "action", "object_type"),
        {"date_from": "01/01/2026"},
        {"date_from": "32/13/2026"},
        "Từ ngày:",
    ),
    Listing(
        "organisations:staff_list",
        ("q",),
        ("organisation", "category", "active"),
        {"category": "worker"},
        {"category": "zzz"},
        "Lựa chọn không hợp lệ",
    ),
    Listing(
        "organisations:conduct_record",
        ("year", "q"),
        ("sort", "subtree", "attention"),
        {"attention": "1"},
        {"sort": "zzz"},
        "Lựa chọn không hợp lệ",
    ),
]
IDS = [listing.name for listing in PAGES]


def filter_form(client: Client, url: str, params: dict[str, str]) -> Any:
    response = client.get(url, params)
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.content.decode())
    folded = ".//details[contains(@class, 'more-filters')]"
    [form] = [f for f in tree.iter("form") if f.get("method") == "get" and f.xpath(folded)]
    return form


def details_of(form: Any) -> Any:
    [details] = form.xpath(".//details[contains(@class, 'more-filters')]")
    return details


def summary_text(form: Any) -> str:
    return " ".join(details_of(form).find("summary").text_content().split())


def folded_inside(form: Any, name: str) -> bool:
    return bool(details_of(form).xpath(f".//*[@name='{name}']"))


def in_form(form: Any, name: str) -> bool:
    return bool(form.xpath(f".//*[@name='{name}']"))


@pytest.fixture
def as_home_affairs(officer: User) -> Client:
    client = Client()
    client.force_login(officer)
    return client


@pytest.mark.parametrize("listing", PAGES, ids=IDS)
def test_without_filters_the_other_fields_are_folded_in_a_closed_details(
    listing: Listing, province: dict[str, Organisation], as_home_affairs: Client
) -> None:
    form = filter_form(as_home_affairs, listing.url(province), {})
    details = details_of(form)
    assert details.get("open") is None
    assert summary_text(form) == "Thêm bộ lọc"
    for name in listing.primary:
        assert in_form(form, name) and not folded_inside(form, name)
    for name in listing.folded:
        assert folded_inside(form, name)
    # One button, after the folded fields and outside them: it sends them too.
    [button] = form.xpath(".//button[@type='submit']")
    assert not details.xpath(".//button")
    assert button.getparent().getparent() is form


@pytest.mark.parametrize("listing", PAGES, ids=IDS)
def test_a_folded_filter_in_use_opens_the_details_and_is_counted(
    listing: Listing, province: dict[str, Organisation], as_home_affairs: Client
) -> None:
    form = filter_form(as_home_affairs, listing.url(province), listing.in_use)
    assert details_of(form).get("open") is not None
    assert summary_text(form) == "Thêm bộ lọc (1 đang dùng)"


@pytest.mark.parametrize("listing", PAGES, ids=IDS)
def test_a_wrong_folded_filter_is_explained_and_the_details_open(
    listing: Listing, province: dict[str, Organisation], as_home_affairs: Client
) -> None:
    form = filter_form(as_home_affairs, listing.url(province), listing.wrong)
    assert details_of(form).get("open") is not None
    [errors] = form.xpath(".//*[@role='alert']")
    assert listing.error in errors.text_content()


def test_a_primary_filter_alone_leaves_the_details_closed(
    province: dict[str, Organisation], as_home_affairs: Client
) -> None:
    form = filter_form(as_home_affairs, reverse("cases:list"), {"q": "abc", "page": "2"})
    assert details_of(form).get("open") is None
    assert summary_text(form) == "Thêm bộ lọc"


def test_several_folded_filters_are_counted(
    province: dict[str, Organisation], as_home_affairs: Client
) -> None:
    form = filter_form(
        as_home_affairs,
        reverse("cases:list"),
        {"q": "abc", "status": "received", "track": "", "due": "overdue", "tag": "  "},
    )
    assert summary_text(form) == "Thêm bộ lọc (2 đang dùng)"


def test_a_select_left_at_its_default_is_not_counted_as_in_use(
    province: dict[str, Organisation], as_home_affairs: Client
) -> None:
    # The conduct record's sort has no empty choice: every submission sends "name".
    url = reverse("organisations:conduct_record", args=[province["dept_justice"].pk])
    form = filter_form(as_home_affairs, url, {"sort": "name", "q": ""})
    assert details_of(form).get("open") is None
    form = filter_form(as_home_affairs, url, {"sort": "index"})
    assert summary_text(form) == "Thêm bộ lọc (1 đang dùng)"


def test_the_summary_is_in_english_on_an_english_page(
    province: dict[str, Organisation], as_home_affairs: Client
) -> None:
    as_home_affairs.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = filter_form(as_home_affairs, reverse("cases:list"), {"status": "received"})
    assert summary_text(form) == "More filters (1 in use)"


def test_a_short_form_is_not_folded(
    province: dict[str, Organisation], as_home_affairs: Client
) -> None:
    html = as_home_affairs.get(reverse("inspections:list")).content.decode()
    assert "more-filters" not in html


def bulk_panel(html: str) -> Any:
    [details] = lxml.html.fromstring(html).xpath("//details[@class='bulk-fold']")
    return details


def test_the_bulk_assignment_panel_is_folded_until_it_has_something_to_say(
    province: dict[str, Organisation], as_head: Client
) -> None:
    from congvu.cases.tests.office_helpers import file_report, make_case_handler

    handler = make_case_handler(province["dept_justice"])
    case = file_report(organisation=province["dept_justice"])
    page = as_head.get(reverse("cases:list")).content.decode()
    panel = bulk_panel(page)
    assert panel.get("open") is None
    assert panel.find("summary").text_content() == "Giao nhiều vụ việc cùng lúc"
    assert panel.xpath(".//select[@name='bulk-assignee']")
    # The boxes to tick stay in the table, outside the fold.
    assert f'name="cases" value="{case.code}"' in page
    assert not panel.xpath(".//input[@name='cases']")

    refused = as_head.post(
        reverse("cases:bulk"), {"cases": [], "bulk-action": "assign", "bulk-assignee": handler.pk}
    )
    assert refused.status_code == 400
    panel = bulk_panel(refused.content.decode())
    assert panel.get("open") is not None
