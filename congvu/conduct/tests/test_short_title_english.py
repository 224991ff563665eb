"""A clause's short title in English: written where the Vietnamese is, seeded for the
defaults, shown to a reader who switched to English (the Vietnamese otherwise, and when
there is no English)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation

from congvu.conduct import services
from congvu.conduct.models import Clause, CodeVersion, Section

pytestmark = pytest.mark.django_db

MIGRATION = import_module("congvu.conduct.migrations.0007_short_titles_in_english")


def _clause_form(**changes: str) -> dict[str, str]:
    return {
        "code": "II.4.a",
        "short_title": "Đeo thẻ công chức",
        "text": "Đeo thẻ công chức khi thi hành công vụ.",
        "applies_to": "all",
        "default_severity": "minor",
        **changes,
    }


def _english(client: Client, settings: Any) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_officer_writes_the_english_title_with_the_clause(
    as_officer: Client, draft: CodeVersion
) -> None:
    dress = Section.objects.get(version=draft, code="II.4")
    add = reverse("conduct:clause_add", args=[dress.pk])
    assert "Tên ngắn (tiếng Anh)" in as_officer.get(add).content.decode()
    response = as_officer.post(add, _clause_form(short_title_en="  Wearing   the badge "))
    assert response.status_code == 302
    clause = Clause.objects.get(section=dress, code="II.4.a")
    assert clause.short_title_en == "Wearing the badge"
    # The draft's page shows the English beside the Vietnamese.
    page = as_officer.get(reverse("conduct:edit", args=[draft.pk])).content.decode()
    assert '<span class="muted" lang="en">(Wearing the badge)</span>' in page
    edit = reverse("conduct:clause_edit", args=[clause.pk])
    response = as_officer.post(edit, _clause_form(short_title_en=""))
    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.short_title_en == ""


def test_an_english_title_too_long_is_explained_and_the_rest_kept(
    as_officer: Client, draft: CodeVersion
) -> None:
    dress = Section.objects.get(version=draft, code="II.4")
    response = as_officer.post(
        reverse("conduct:clause_add", args=[dress.pk]),
        _clause_form(short_title_en="x" * 201, short_title="Tên giữ lại"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nội dung quá dài (tối đa 200 ký tự)" in html and "Tên giữ lại" in html
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
    data = _clause_form(code="S.1.a", short_title_en="Hacked")
    assert as_viewer.post(url, data).status_code == 403
    assert as_outsider.post(url, data).status_code == 404
    clause.refresh_from_db()
    assert clause.short_title_en == ""


def test_the_standards_page_names_clauses_in_the_readers_language(
    client: Client, catalogue: CodeVersion, settings: Any
) -> None:
    Clause.objects.filter(section__version=catalogue, code="II.1.b").update(short_title_en="")
    url = reverse("conduct:public")
    vietnamese = client.get(url).content.decode()
    assert '<span lang="vi">Không gây khó khăn, phiền hà, vòi vĩnh</span>' in vietnamese
    assert "No obstruction" not in vietnamese
    english = _english(client, settings).get(url).content.decode()
    assert '<span lang="en">No obstruction, harassment or soliciting favours</span>' in english
    # No English written: the Vietnamese, marked as such.
    assert '<span lang="vi">Kỷ luật, giờ giấc, nội quy</span>' in english


def test_the_public_report_form_offers_clauses_in_english_after_the_switch(
    client: Client, catalogue: CodeVersion, settings: Any
) -> None:
    url = reverse("cases_public:report")
    assert '<span lang="vi">Xin chào</span>' in client.get(url).content.decode()
    english = _english(client, settings).get(url).content.decode()
    assert '<span lang="en">Greet</span>' in english


def test_rows_read_as_values_follow_the_language_too(catalogue: CodeVersion) -> None:
    clause = Clause.objects.get(section__version=catalogue, code="II.2.a.8")
    with translation.override("en"):
        assert clause.reader_label == "II.2.a.8 Always help"
        assert clause.reader_title_lang == "en"
    with translation.override("vi"):
        assert clause.reader_label == "II.2.a.8 Luôn giúp đỡ"
        assert clause.reader_title_lang == "vi"


def test_the_seed_gives_every_default_clause_its_english_and_a_draft_copies_it(
    draft: CodeVersion, catalogue: CodeVersion
) -> None:
    seeded = Clause.objects.filter(section__version=catalogue)
    assert seeded.count() == 18
    assert not seeded.filter(short_title_en="").exists()
    copy = Clause.objects.get(section__version=draft, code="II.2.a.1")
    assert copy.short_title_en == "Greet"


def test_the_migration_and_the_seed_say_the_same(catalogue: CodeVersion) -> None:
    for code, (vietnamese, english) in MIGRATION.DEFAULTS.items():
        clause = Clause.objects.get(section__version=catalogue, code=code)
        assert (clause.short_title, clause.short_title_en) == (vietnamese, english)


def test_the_migration_gives_old_catalogues_the_english_of_unchanged_titles_only(
    catalogue: CodeVersion,
) -> None:
    clauses = Clause.objects.filter(section__version=catalogue)
    clauses.update(short_title_en="")
    clauses.filter(code="II.2.a.2").update(short_title="Xin lỗi khi để chờ")
    clauses.filter(code="II.2.a.3").update(short_title_en="Our own English")
    MIGRATION.set_english(apps, None)
    assert clauses.get(code="II.2.a.1").short_title_en == "Greet"
    assert clauses.get(code="II.3.b").short_title_en.startswith("No gambling")
    assert clauses.get(code="II.2.a.2").short_title_en == ""  # renamed: no translation
    assert clauses.get(code="II.2.a.3").short_title_en == "Our own English"


def test_the_catalogue_api_gives_the_title_in_both_languages(catalogue: CodeVersion) -> None:
    body = Client().get(f"/api/v1/catalogue/versions/{catalogue.pk}").json()
    clauses = {c["code"]: c for s in body["sections"] for c in s["clauses"]}
    assert clauses["II.2.a.5"]["short_title"] == "Luôn mỉm cười"
    assert clauses["II.2.a.5"]["short_title_en"] == "Always smile"
