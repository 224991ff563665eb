"""A rating question's English: written where the question is, seeded for the defaults.

The citizen who switched the rating form to English reads it (feedback's tests show
that); here: the catalogue's editor writes it, a draft copies it, the seed and the data
migration give the default questions theirs, and the catalogue's API shows it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from congvu.conduct import services
from congvu.conduct.models import Clause, CodeVersion, Section

pytestmark = pytest.mark.django_db

MIGRATION = import_module("congvu.conduct.migrations.0005_rating_questions_in_english")
GREETING_EN = "Did the staff member greet you when you arrived?"


def _clause_form(**changes: str) -> dict[str, str]:
    return {
        "code": "II.4.a",
        "short_title": "Đeo thẻ",
        "text": "Đeo thẻ công chức khi thi hành công vụ.",
        "applies_to": "all",
        "default_severity": "minor",
        "rateable": "on",
        "rating_question": "Cán bộ có đeo thẻ không?",
        **changes,
    }


def test_the_officer_writes_the_questions_english_with_the_clause(
    as_officer: Client, draft: CodeVersion
) -> None:
    dress = Section.objects.get(version=draft, code="II.4")
    add = reverse("conduct:clause_add", args=[dress.pk])
    assert "Câu hỏi trên phiếu đánh giá (tiếng Anh)" in as_officer.get(add).content.decode()
    response = as_officer.post(
        add, _clause_form(rating_question_en="Was the staff member wearing their badge?")
    )
    assert response.status_code == 302
    clause = Clause.objects.get(section=dress, code="II.4.a")
    assert clause.rating_question_en == "Was the staff member wearing their badge?"
    edit = reverse("conduct:clause_edit", args=[clause.pk])
    assert "Was the staff member wearing their badge?" in as_officer.get(edit).content.decode()
    response = as_officer.post(edit, _clause_form(rating_question_en="Did they wear a badge?"))
    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.rating_question_en == "Did they wear a badge?"


def test_an_english_question_too_long_is_explained_and_the_rest_kept(
    as_officer: Client, draft: CodeVersion
) -> None:
    dress = Section.objects.get(version=draft, code="II.4")
    response = as_officer.post(
        reverse("conduct:clause_add", args=[dress.pk]),
        _clause_form(rating_question_en="x" * 301, short_title="Tên giữ lại"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tên giữ lại" in html and "Cán bộ có đeo thẻ không?" in html
    assert not Clause.objects.filter(section=dress, code="II.4.a").exists()


def test_the_viewer_may_not_edit_and_the_outsider_does_not_see_the_clause(
    as_viewer: Client, as_outsider: Client, province: Any, head: Any
) -> None:
    version = services.create_draft(
        province["dept_justice"], actor=head, title="Bổ sung", version="STP-D"
    )
    section = services.add_section(version, actor=head, code="S.1", title="Một cửa")
    clause = services.add_clause(section, actor=head, code="S.1.a", short_title="a", text="a")
    url = reverse("conduct:clause_edit", args=[clause.pk])
    data = _clause_form(code="S.1.a", rating_question_en="Hacked?")
    assert as_viewer.post(url, data).status_code == 403
    assert as_outsider.post(url, data).status_code == 404
    clause.refresh_from_db()
    assert clause.rating_question_en == ""


def test_the_seed_gives_every_default_question_its_english(catalogue: CodeVersion) -> None:
    rateable = Clause.objects.filter(section__version=catalogue, rateable=True)
    assert rateable.count() == 9
    assert not rateable.filter(rating_question_en="").exists()
    assert rateable.get(code="II.2.a.1").rating_question_en == GREETING_EN


def test_a_draft_copies_the_english(draft: CodeVersion) -> None:
    assert Clause.objects.get(section__version=draft, code="II.2.a.1").rating_question_en == (
        GREETING_EN
    )


def test_the_migration_and_the_seed_say_the_same(catalogue: CodeVersion) -> None:
    for code, (vietnamese, english) in MIGRATION.DEFAULTS.items():
        clause = Clause.objects.get(section__version=catalogue, code=code)
        assert (clause.rating_question or clause.plain_text) == vietnamese
        assert clause.rating_question_en == english


def test_the_migration_gives_old_catalogues_the_english_of_unchanged_questions_only(
    catalogue: CodeVersion,
) -> None:
    clauses = Clause.objects.filter(section__version=catalogue)
    clauses.update(rating_question_en="")
    clauses.filter(code="II.2.a.2").update(plain_text="Có xin lỗi khi để chờ không?")
    clauses.filter(code="II.2.a.3").update(rating_question_en="Our own English")
    MIGRATION.set_english(apps, None)
    assert clauses.get(code="II.2.a.1").rating_question_en == GREETING_EN
    assert clauses.get(code="II.1.c").rating_question_en.startswith("Did the staff member ask")
    assert clauses.get(code="II.2.a.2").rating_question_en == ""  # reworded: no translation
    assert clauses.get(code="II.2.a.3").rating_question_en == "Our own English"
    assert clauses.get(code="II.1.a").rating_question_en == ""  # not rated


def test_the_catalogue_api_gives_the_question_in_both_languages(catalogue: CodeVersion) -> None:
    body = Client().get(f"/api/v1/catalogue/versions/{catalogue.pk}").json()
    clauses = {c["code"]: c for s in body["sections"] for c in s["clauses"]}
    assert clauses["II.2.a.1"]["rating_question_en"] == GREETING_EN
    assert clauses["II.1.c"]["rating_question"].startswith("Cán bộ có đòi hỏi")
    assert clauses["II.1.c"]["rating_yes_is_breach"] is True
