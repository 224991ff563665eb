"""The box above a long drop-down of organisations (selectfilter.js) reads the words as
every search box does: accents optional, the punctuation around a word dropped."""

from __future__ import annotations

from typing import Any

import pytest

from congvu.accounts.models import User
from congvu.conftest import START, kind
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation

from .helpers import clear_process_caches, restore_default_kinds, share_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_data(transactional_db: Any) -> None:
    restore_default_kinds()


def test_the_drop_down_filter_drops_the_punctuation_around_words(
    live_server: Any, page: Any, province: dict[str, Organisation], officer: User
) -> None:
    for number in range(10):  # 12 options or more get the box
        org_services.create_organisation(
            actor=None,
            code=f"H56.{50 + number}",
            name=f"Trường tiểu học số {number}",
            kind=kind("department"),
            parent=province["root"],
            valid_from=START,
        )
    clear_process_caches()
    share_session(page, live_server.url, officer)
    page.goto(f"{live_server.url}/inspections/new/")
    select = page.locator("select#id_organisation")
    box = page.locator(".select-filter input[type=search]").first

    def shown() -> list[str]:
        return [text.strip() for text in select.locator("option:not([hidden])").all_inner_texts()]

    box.fill("(Tư pháp),")
    names = [text for text in shown() if not text.startswith("—")]
    assert names and all("tư pháp" in text.lower() for text in names)
    assert any("Sở Tư pháp" in text for text in names)
