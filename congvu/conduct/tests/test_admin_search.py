"""The catalogue's admin searches: accents ignored, both languages for clauses (the
standards page's own search), titles folded for the small tables with no folded copy."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from congvu.conduct.models import CodeVersion
from congvu.core.tests.admin_helpers import admin_client, listed

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_admin(db: Any) -> Client:
    return admin_client()


def test_the_clause_admin_searches_both_languages_as_the_standards_page(
    as_admin: Client, catalogue: CodeVersion
) -> None:
    url = "/admin/conduct/clause/"
    clauses = {c.code: str(c.pk) for c in catalogue.sections.get(code="II.1").clauses.all()}
    drinking = str(catalogue.sections.get(code="II.3").clauses.get(code="II.3.b").pk)
    assert listed(as_admin, url, "vòi vĩnh") == {clauses["II.1.c"]}
    assert listed(as_admin, url, "VOI VINH") == {clauses["II.1.c"]}
    assert listed(as_admin, url, "alcohol") == {drinking}
    assert listed(as_admin, url, "alcohol rượu") == {drinking}


def test_small_tables_fold_their_own_fields(as_admin: Client, catalogue: CodeVersion) -> None:
    # A code version has no folded copy: its title is folded as the list is searched.
    assert listed(as_admin, "/admin/conduct/codeversion/", "chuan muc van hoa") == {
        str(catalogue.pk)
    }
    sections = listed(as_admin, "/admin/conduct/section/", "ung xu")
    assert sections and sections == {
        str(s.pk) for s in catalogue.sections.all() if "ứng xử" in s.title.lower()
    }
