"""The report form's own filter of the standards (report.js) in Chromium: it reads the
Vietnamese copy for a Vietnamese reader (the English only for a word no Vietnamese holds),
both copies for an English reader, queries mixing the languages included, as the server's
search does."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from congvu.conduct import services as conduct_services
from congvu.organisations.models import Organisation

from .helpers import PHONE, clear_process_caches, restore_default_kinds

# The live server reads committed data, so every test here runs on a flushed database.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_data(transactional_db: Any) -> None:
    restore_default_kinds()


def _shown(page: Any, typed: str) -> list[str]:
    """What the reader sees of the standards after typing `typed` in the search box."""
    page.locator("#id_clause_q").fill(typed)
    return page.locator(".choice:visible label > span:not(.plain)").all_inner_texts()


def test_the_report_forms_filter_reads_each_word_in_the_readers_copies(
    live_server: Any, browser: Any, province: dict[str, Organisation]
) -> None:
    conduct_services.load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    clear_process_caches()
    url = f"{live_server.url}/report/"

    vietnamese = browser.new_context(viewport=PHONE, locale="vi-VN").new_page()
    vietnamese.goto(url)
    assert len(_shown(vietnamese, "")) == 18
    # "the": thêm (II.1.c), not the English "the" of nearly every clause.
    assert _shown(vietnamese, "the") == ["Không gây khó khăn, phiền hà, vòi vĩnh"]
    drinking_vi = "Không cờ bạc, tệ nạn; không uống rượu bia trong giờ làm việc"
    # No Vietnamese holds "alcohol": it can only be English (searchmix); "the" stays
    # Vietnamese in a query mixing the languages.
    assert _shown(vietnamese, "alcohol") == [drinking_vi]
    assert _shown(vietnamese, "the alcohol") == []
    expect(vietnamese.locator("#no-clause-match")).to_be_visible()
    assert _shown(vietnamese, "ruou bia") == [drinking_vi]
    assert _shown(vietnamese, "Vòi vĩnh, harassment") == ["Không gây khó khăn, phiền hà, vòi vĩnh"]

    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.add_cookies([{"name": "congvu_lang", "value": "en", "url": live_server.url}])
    english = context.new_page()
    english.goto(url)
    drinking = "No gambling or social vices; no alcohol during working hours"
    assert _shown(english, "alcohol") == [drinking]
    assert _shown(english, "ruou") == [drinking]  # a Vietnamese word still finds it
    assert _shown(english, "alcohol rượu") == [drinking]
    assert _shown(english, "the alcohol") == [drinking]
    assert len(_shown(english, "the")) > 10
    expect(english.locator("#no-clause-match")).to_be_hidden()
