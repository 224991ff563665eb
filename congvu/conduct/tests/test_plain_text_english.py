"""A clause's plain-language text in English, and search reading the English.

The English plain text is written where the Vietnamese is, seeded for the defaults,
copied into new drafts and shown to a reader who switched to English (the Vietnamese
otherwise, and when there is no English, marked as Vietnamese). The legal text stays
Vietnamese. An English reader's search finds a clause by the English words of its title,
plain text or rating question, and still by Vietnamese words without accents (what a
Vietnamese reader's search reads: test_search_language.py).
"""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from congvu.conduct import selectors, services
from congvu.conduct.models import Clause, CodeVersion, Section

pytestmark = pytest.mark.django_db

SEEDING = import_module("congvu.conduct.migrations.0009_plain_texts_in_english")

GREET_EN = "Greet citizens when receiving them."
NO_OBSTRUCTION_VI = "Cán bộ không được gây khó khăn, đòi hỏi thêm, vòi vĩnh"
NO_OBSTRUCTION_EN = "Staff must not make things difficult for citizens"


def _clause_form(**changes: str) -> dict[str, str]:
    return {
        "code": "II.4.a",
        "short_title": "Đeo thẻ công chức",
        "text": "Đeo thẻ công chức khi thi hành công vụ.",
        "plain_text": "Cán bộ đeo thẻ khi làm việc.",
        "applies_to": "all",
        "default_severity": "minor",
        **changes,
    }


def _english(client: Client, settings: Any) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _codes(html: str, catalogue: CodeVersion) -> set[str]:
    """The codes of the catalogue's clauses a standards page shows."""
    codes = Clause.objects.filter(section__version=catalogue).values_list("code", flat=True)
    return {code for code in codes if f'data-code="{code}"' in html}


# --- Writing it ------------------------------------------------------------------------------


def test_the_officer_writes_the_english_plain_text_with_the_clause(
    as_officer: Client, draft: CodeVersion
) -> None:
    dress = Section.objects.get(version=draft, code="II.4")
    add = reverse("conduct:clause_add", args=[dress.pk])
    assert "Diễn giải cho người dân (tiếng Anh)" in as_officer.get(add).content.decode()
    response = as_officer.post(
        add, _clause_form(plain_text_en="  Staff wear their badge at work. ")
    )
    assert response.status_code == 302
    clause = Clause.objects.get(section=dress, code="II.4.a")
    assert clause.plain_text_en == "Staff wear their badge at work."
    # The draft's page shows the English beside the Vietnamese.
    page = as_officer.get(reverse("conduct:edit", args=[draft.pk])).content.decode()
    assert '<span class="muted" lang="en">(Staff wear their badge at work.)</span>' in page
    edit = reverse("conduct:clause_edit", args=[clause.pk])
    assert "Staff wear their badge at work." in as_officer.get(edit).content.decode()
    response = as_officer.post(edit, _clause_form(plain_text_en=""))
    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.plain_text_en == ""


def test_an_english_plain_text_too_long_is_explained_and_the_rest_kept(
    as_officer: Client, draft: CodeVersion
) -> None:
    dress = Section.objects.get(version=draft, code="II.4")
    response = as_officer.post(
        reverse("conduct:clause_add", args=[dress.pk]),
        _clause_form(plain_text_en="x" * 301, short_title="Tên giữ lại"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nội dung quá dài (tối đa 300 ký tự)" in html
    assert "Tên giữ lại" in html and "Cán bộ đeo thẻ khi làm việc." in html
    assert not Clause.objects.filter(section=dress, code="II.4.a").exists()


def test_the_viewer_may_not_write_it_and_the_outsider_does_not_see_the_clause(
    as_viewer: Client, as_outsider: Client, province: Any, head: Any
) -> None:
    version = services.create_draft(
        province["dept_justice"], actor=head, title="Bổ sung", version="STP-D"
    )
    section = services.add_section(version, actor=head, code="S.1", title="Một cửa")
    clause = services.add_clause(section, actor=head, code="S.1.a", short_title="a", text="a")
    url = reverse("conduct:clause_edit", args=[clause.pk])
    data = _clause_form(code="S.1.a", plain_text_en="Hacked")
    assert as_viewer.post(url, data).status_code == 403
    assert as_outsider.post(url, data).status_code == 404
    clause.refresh_from_db()
    assert clause.plain_text_en == ""


# --- Reading it ------------------------------------------------------------------------------


def test_the_standards_page_explains_clauses_in_the_readers_language(
    client: Client, catalogue: CodeVersion, settings: Any
) -> None:
    Clause.objects.filter(section__version=catalogue, code="II.1.b").update(plain_text_en="")
    url = reverse("conduct:public")
    vietnamese = client.get(url).content.decode()
    assert f'<span lang="vi">{NO_OBSTRUCTION_VI}' in vietnamese
    assert NO_OBSTRUCTION_EN not in vietnamese
    english = _english(client, settings).get(url).content.decode()
    assert "In plain words:" in english
    assert f'<span lang="en">{NO_OBSTRUCTION_EN}' in english
    # No English written: the Vietnamese, marked as such.
    assert '<span lang="vi">Cán bộ làm việc đúng giờ, nghiêm túc' in english
    # The legal text is the province's document: Vietnamese in both languages.
    assert '<p class="cv-text" lang="vi">Phải sẵn sàng nhận và nỗ lực' in english


def test_the_public_report_form_explains_clauses_in_english_after_the_switch(
    client: Client, catalogue: CodeVersion, settings: Any
) -> None:
    url = reverse("cases_public:report")
    vietnamese = client.get(url).content.decode()
    assert '<span class="plain" lang="vi">Chào hỏi người dân khi tiếp đón.</span>' in vietnamese
    english = _english(client, settings).get(url).content.decode()
    assert f'<span class="plain" lang="en">{GREET_EN}</span>' in english


def test_the_seed_gives_every_default_clause_its_english_and_a_draft_copies_it(
    draft: CodeVersion, catalogue: CodeVersion
) -> None:
    seeded = Clause.objects.filter(section__version=catalogue)
    assert seeded.count() == 18
    assert not seeded.filter(plain_text_en="").exists()
    assert Clause.objects.get(section__version=draft, code="II.2.a.1").plain_text_en == GREET_EN


def test_the_migration_and_the_seed_say_the_same(catalogue: CodeVersion) -> None:
    assert len(SEEDING.DEFAULTS) == 18
    for code, (vietnamese, english) in SEEDING.DEFAULTS.items():
        clause = Clause.objects.get(section__version=catalogue, code=code)
        assert (clause.plain_text, clause.plain_text_en) == (vietnamese, english)


def test_the_migration_gives_old_catalogues_the_english_of_unchanged_texts_only(
    catalogue: CodeVersion,
) -> None:
    clauses = Clause.objects.filter(section__version=catalogue)
    clauses.update(plain_text_en="")
    clauses.filter(code="II.2.a.2").update(plain_text="Xin lỗi khi để người dân chờ.")
    clauses.filter(code="II.2.a.3").update(plain_text_en="Our own English")
    SEEDING.set_english(apps, None)
    assert clauses.get(code="II.2.a.1").plain_text_en == GREET_EN
    assert clauses.get(code="II.3.b").plain_text_en.startswith("Staff do not gamble")
    assert clauses.get(code="II.2.a.2").plain_text_en == ""  # reworded: no translation
    assert clauses.get(code="II.2.a.3").plain_text_en == "Our own English"


# --- Search ----------------------------------------------------------------------------------


def test_the_standards_page_finds_a_clause_by_an_english_word(
    client: Client, catalogue: CodeVersion, settings: Any
) -> None:
    url = reverse("conduct:public")
    reader = _english(Client(), settings)
    html = reader.get(url, {"q": "alcohol"}).content.decode()
    assert _codes(html, catalogue) == {"II.3.b"}
    # Vietnamese without accents still works, and an English phrase of the plain text.
    assert _codes(client.get(url, {"q": "voi vinh"}).content.decode(), catalogue) == {"II.1.c"}
    html = reader.get(url, {"q": "Lunch Break"}).content.decode()
    assert _codes(html, catalogue) == {"II.3.b"}


def test_the_report_forms_standards_search_finds_an_english_word(
    client: Client, catalogue: CodeVersion, settings: Any
) -> None:
    html = (
        _english(client, settings)
        .get(reverse("cases_public:report"), {"clause_q": "alcohol"})
        .content.decode()
    )
    rows = re.findall(
        r'<div class="choice[^"]*" data-search="([^"]*)"( hidden)?>\s*'
        r'<input type="checkbox" name="clauses" value="(\d+)"',
        html,
    )
    shown = {int(pk) for _, hidden, pk in rows if not hidden}
    drinking = Clause.objects.get(section__version=catalogue, code="II.3.b")
    assert shown == {drinking.pk}
    # The page's own filter (report.js) reads the same folded copies, English included.
    assert all("alcohol" in search for search, _, pk in rows if int(pk) == drinking.pk)


def test_a_rating_questions_english_is_searched_too(catalogue: CodeVersion) -> None:
    hits = selectors.search_clauses("greet you when you arrived", [catalogue], english=True)
    assert [c.code for c in hits] == ["II.2.a.1"]


def test_an_english_text_written_later_is_found_at_once(draft: CodeVersion, officer: Any) -> None:
    clause = Clause.objects.get(section__version=draft, code="II.1.b")
    assert not selectors.search_clauses("punctual", [draft], english=True).exists()
    services.edit_clause(clause, actor=officer, plain_text_en="Staff are punctual.")
    found = selectors.search_clauses("punctual", [draft], english=True)
    assert [c.code for c in found] == ["II.1.b"]
