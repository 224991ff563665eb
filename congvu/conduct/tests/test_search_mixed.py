"""Catalogue queries mixing the languages: "voi vinh bribe", "alcohol rượu".

Each word must match somewhere, in a copy the reader reads it in: an English reader
either copy; a Vietnamese reader the Vietnamese, and the English only for a word that no
clause's Vietnamese holds (so "the" — thẻ, thêm — never reaches the English "the").
Everywhere the catalogue is searched: the selector, the standards page, the report form's
chooser, the API.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.conduct import selectors
from congvu.conduct.models import Clause, CodeVersion
from congvu.organisations.models import Organisation

pytestmark = pytest.mark.django_db

ENGLISH = {"Accept-Language": "en"}


def _codes(found: Any) -> set[str]:
    return {clause.code for clause in found}


def _search(query: str, catalogue: CodeVersion, *, english: bool) -> set[str]:
    return _codes(selectors.search_clauses(query, [catalogue], english=english))


def test_the_words_picked_are_each_in_one_language_only(catalogue: CodeVersion) -> None:
    # What the tests below rest on.
    extra = Clause.objects.get(section__version=catalogue, code="II.1.c")
    assert "voi vinh" in extra.search_text and "voi vinh" not in extra.search_text_en
    assert "harassment" in extra.search_text_en
    assert not Clause.objects.filter(search_text__contains="harassment").exists()
    assert not Clause.objects.filter(search_text__contains="alcohol").exists()
    assert not Clause.objects.filter(search_text_en__contains="ruou").exists()


@pytest.mark.parametrize("english", [False, True])
def test_a_query_mixing_the_languages_finds_the_clause_for_every_reader(
    catalogue: CodeVersion, english: bool
) -> None:
    assert _search("voi vinh harassment", catalogue, english=english) == {"II.1.c"}
    assert _search("Vòi vĩnh, harassment!", catalogue, english=english) == {"II.1.c"}
    assert _search("alcohol rượu", catalogue, english=english) == {"II.3.b"}
    assert _search("ruou alcohol gambling", catalogue, english=english) == {"II.3.b"}
    # Every word must match: a word found nowhere finds nothing.
    assert _search("voi vinh xyzzy", catalogue, english=english) == set()
    # The two languages' words must meet in one clause.
    assert _search("voi vinh alcohol", catalogue, english=english) == set()


def test_a_vietnamese_readers_short_word_stays_vietnamese_in_a_mixed_query(
    supplement: CodeVersion, province: dict[str, Organisation]
) -> None:
    versions = selectors.applicable_versions(province["dept_justice"])
    # "the" is Vietnamese here (thêm in II.1.c, thẻ in STP.1.a): with "harassment" it
    # finds II.1.c only, not every clause whose English has "the" and "harassment".
    assert _codes(selectors.search_clauses("the harassment", versions, english=False)) == {"II.1.c"}
    # "the alcohol": II.3.b's English has both, its Vietnamese no "the": nothing.
    assert not selectors.search_clauses("the alcohol", versions, english=False).exists()
    # An English reader reads "the" in either copy.
    assert _codes(selectors.search_clauses("the alcohol", versions, english=True)) == {"II.3.b"}


def test_words_in_one_language_keep_their_stricter_match(catalogue: CodeVersion) -> None:
    # A phrase in one copy, then every word in one copy, win before the mixed reading.
    for english in (False, True):
        assert _search("voi vinh", catalogue, english=english) == {"II.1.c"}
        assert _search("co bac", catalogue, english=english) == {"II.3.b"}
    assert _search("alcohol during working hours", catalogue, english=True) == {"II.3.b"}


def _page_codes(html: str) -> set[str]:
    return set(re.findall(r'data-code="([^"]+)"', html))


def test_the_standards_page_finds_a_mixed_query_and_keeps_it_in_the_box(
    client: Client, catalogue: CodeVersion, settings: Any
) -> None:
    url = reverse("conduct:public")
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for reader in (client, english):
        page = reader.get(url, {"q": "voi vinh bribe"})
        assert page.status_code == 200
        html = page.content.decode()
        # "bribe" is no word of the seed; "harassment" is.
        assert _page_codes(html) == set()
        html = reader.get(url, {"q": "vòi vĩnh harassment"}).content.decode()
        assert _page_codes(html) == {"II.1.c"}
        assert 'value="vòi vĩnh harassment"' in html
        assert _page_codes(reader.get(url, {"q": "alcohol rượu"}).content.decode()) == {"II.3.b"}


def test_the_report_forms_chooser_finds_a_mixed_query(
    client: Client, catalogue: CodeVersion
) -> None:
    html = client.get(reverse("cases_public:report"), {"clause_q": "ruou alcohol"}).content
    rows = re.findall(
        r'<div class="choice[^"]*" data-search="[^"]*"( hidden)?>\s*'
        r'<input type="checkbox" name="clauses" value="(\d+)"',
        html.decode(),
    )
    drinking = Clause.objects.get(section__version=catalogue, code="II.3.b")
    assert {int(pk) for hidden, pk in rows if not hidden} == {drinking.pk}


def test_the_api_finds_a_mixed_query_for_every_client(
    client: Client, catalogue: CodeVersion
) -> None:
    for headers in ({}, ENGLISH, {"Accept-Language": "vi"}):
        response = client.get(
            "/api/v1/catalogue/clauses", {"q": "voi vinh harassment"}, headers=headers
        )
        assert response.status_code == 200
        assert [hit["code"] for hit in response.json()["items"]] == ["II.1.c"], headers
