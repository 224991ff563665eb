"""The catalogue search in the reader's language.

A Vietnamese reader's short folded word ("the": thẻ, the badge) finds the clauses whose
Vietnamese has it, not nearly every clause through English words; a word no clause's
Vietnamese holds ("alcohol") can only be English and is found through the English for
every reader (searchmix); an English reader finds a clause by its English and still by
Vietnamese words ("ruou"). Everywhere the catalogue is searched: the standards page, the
report form's chooser (its server search and the copies its script filters) and the
migration that fills both copies. Queries mixing the languages: test_search_mixed.py.
"""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from congvu.conduct import selectors
from congvu.conduct.models import Clause, CodeVersion
from congvu.organisations.models import Organisation

pytestmark = pytest.mark.django_db

ONE_COPY = import_module("congvu.conduct.migrations.0010_search_reads_english")
TWO_COPIES = import_module("congvu.conduct.migrations.0011_search_in_the_readers_language")


def _english(client: Client, settings: Any) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _codes(found: Any) -> set[str]:
    return {clause.code for clause in found}


def _page_codes(html: str) -> set[str]:
    """The codes of the clauses a standards page shows."""
    return set(re.findall(r'data-code="([^"]+)"', html))


def _drinking(catalogue: CodeVersion) -> Clause:
    return Clause.objects.get(section__version=catalogue, code="II.3.b")


def test_the_clause_picked_has_the_only_through_its_english(catalogue: CodeVersion) -> None:
    # What the tests below rest on: II.3.b says "the" in English, never in Vietnamese.
    drinking = _drinking(catalogue)
    assert "the" in drinking.search_text_en and "the" not in drinking.search_text
    assert "alcohol" not in drinking.search_text and "ruou bia" in drinking.search_text


def test_a_vietnamese_reader_typing_the_finds_the_badge_not_every_english_the(
    supplement: CodeVersion, province: dict[str, Organisation]
) -> None:
    versions = selectors.applicable_versions(province["dept_justice"])
    # thẻ (the badge) in Sở Tư pháp's supplement, thêm in II.1.c; nothing else.
    assert _codes(selectors.search_clauses("the", versions)) == {"STP.1.a", "II.1.c"}
    # The same word read as English finds the English "the" too.
    english = _codes(selectors.search_clauses("the", versions, english=True))
    assert {"STP.1.a", "II.1.c", "II.3.b", "II.2.a.1"} <= english


def test_alcohol_is_english_and_found_for_every_reader(catalogue: CodeVersion) -> None:
    assert _codes(selectors.search_clauses("alcohol", [catalogue], english=True)) == {"II.3.b"}
    # No clause's Vietnamese holds "alcohol": it can only be English (searchmix), unlike
    # "the", which the Vietnamese holds (above).
    assert _codes(selectors.search_clauses("alcohol", [catalogue], english=False)) == {"II.3.b"}


def test_vietnamese_words_find_the_same_clauses_for_every_reader(catalogue: CodeVersion) -> None:
    for english in (False, True):
        search = selectors.search_clauses
        assert _codes(search("voi vinh", [catalogue], english=english)) == {"II.1.c"}
        assert _codes(search("ruou bia", [catalogue], english=english)) == {"II.3.b"}
        assert _codes(search("ruou", [catalogue], english=english)) == {"II.3.b"}
        assert _codes(search("Cờ Bạc", [catalogue], english=english)) == {"II.3.b"}


def test_the_standards_page_searches_in_the_readers_language(
    client: Client, supplement: CodeVersion, province: dict[str, Organisation], settings: Any
) -> None:
    url = reverse("conduct:public")
    scope = province["dept_justice"].code
    vietnamese = client.get(url, {"q": "the", "scope": scope}).content.decode()
    assert _page_codes(vietnamese) == {"STP.1.a", "II.1.c"}
    english_reader = _english(Client(), settings)
    english = english_reader.get(url, {"q": "the", "scope": scope}).content.decode()
    assert {"STP.1.a", "II.1.c", "II.3.b"} <= _page_codes(english)

    nothing = client.get(url, {"q": "alcohool"}).content.decode()
    assert _page_codes(nothing) == set()
    assert "Không tìm thấy chuẩn mực phù hợp" in nothing
    assert _page_codes(client.get(url, {"q": "alcohol"}).content.decode()) == {"II.3.b"}
    assert _page_codes(english_reader.get(url, {"q": "alcohol"}).content.decode()) == {"II.3.b"}
    for reader in (client, english_reader):
        assert _page_codes(reader.get(url, {"q": "voi vinh"}).content.decode()) == {"II.1.c"}


def _chooser(html: str) -> dict[int, tuple[str, bool]]:
    """The report form's clause rows: pk → (the folded copies its script filters, shown)."""
    rows = re.findall(
        r'<div class="choice[^"]*" data-search="([^"]*)"( hidden)?>\s*'
        r'<input type="checkbox" name="clauses" value="(\d+)"',
        html,
    )
    return {int(pk): (search, not hidden) for search, hidden, pk in rows}


def test_the_report_forms_chooser_searches_in_the_readers_language(
    client: Client, catalogue: CodeVersion, settings: Any
) -> None:
    url = reverse("cases_public:report")
    drinking = _drinking(catalogue)
    extra = Clause.objects.get(section__version=catalogue, code="II.1.c")

    rows = _chooser(client.get(url, {"clause_q": "the"}).content.decode())
    assert {pk for pk, (_, shown) in rows.items() if shown} == {extra.pk}
    # The script gets both copies, one a line, and reads the English for a Vietnamese
    # reader only for a word no row's Vietnamese holds ("alcohol", not "the").
    assert rows[drinking.pk][0].split("\n") == [drinking.search_text, drinking.search_text_en]
    found = _chooser(client.get(url, {"clause_q": "alcohol"}).content.decode())
    assert {pk for pk, (_, shown) in found.items() if shown} == {drinking.pk}

    english = _english(Client(), settings)
    rows = _chooser(english.get(url, {"clause_q": "alcohol"}).content.decode())
    assert {pk for pk, (_, shown) in rows.items() if shown} == {drinking.pk}
    # Both copies, one a line: the script finds "alcohol" and "ruou" alike.
    assert rows[drinking.pk][0].split("\n") == [drinking.search_text, drinking.search_text_en]
    rows = _chooser(english.get(url, {"clause_q": "voi vinh"}).content.decode())
    assert {pk for pk, (_, shown) in rows.items() if shown} == {extra.pk}


def test_the_migration_splits_the_one_copy_in_two_and_back(catalogue: CodeVersion) -> None:
    clauses = Clause.objects.filter(section__version=catalogue)
    # As 0010 left the rows: one copy with the English in it, none of its own.
    ONE_COPY.with_english(apps, None)
    clauses.update(search_text_en="")
    together = {c.pk: c.search_text for c in clauses.all()}
    assert "alcohol" in together[_drinking(catalogue).pk]

    TWO_COPIES.split(apps, None)
    # Every row as the model itself folds it, both copies.
    for clause in clauses.all():
        copies = (clause.search_text, clause.search_text_en)
        clause.refresh_search_text()
        assert copies == (clause.search_text, clause.search_text_en), clause.code
        assert clause.search_text and clause.search_text_en.startswith(clause.code.lower())
    assert _codes(selectors.search_clauses("the", [catalogue], english=False)) == {"II.1.c"}
    assert _codes(selectors.search_clauses("alcohol", [catalogue], english=True)) == {"II.3.b"}

    TWO_COPIES.join(apps, None)
    assert {c.pk: c.search_text for c in clauses.all()} == together
