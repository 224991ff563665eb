from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from congvu.conduct import selectors, services
from congvu.conduct.models import CodeVersion

pytestmark = pytest.mark.django_db


def codes(qs: Any) -> list[str]:
    return list(qs.values_list("code", flat=True))


def test_active_version_is_the_scope_s_version_in_force(catalogue: CodeVersion) -> None:
    assert selectors.active_version(catalogue.scope) == catalogue


def test_an_organisation_gets_the_provincial_catalogue(
    catalogue: CodeVersion, province: Any
) -> None:
    applicable = codes(selectors.applicable_clauses(province["division_justice"]))
    assert len(applicable) == 18
    assert applicable[:6] == ["II.1.a", "II.1.b", "II.1.c", "II.1.d", "II.2.a", "II.2.a.1"]
    assert applicable[-3:] == ["II.2.d", "II.3.a", "II.3.b"]


def test_a_supplement_applies_to_its_organisation_and_below(
    supplement: CodeVersion, province: Any
) -> None:
    assert "STP.1.a" in codes(selectors.applicable_clauses(province["dept_justice"]))
    assert "STP.1.a" in codes(selectors.applicable_clauses(province["division_justice"]))
    assert "STP.1.a" not in codes(selectors.applicable_clauses(province["commune"]))
    # The provincial catalogue comes first, the supplement after it.
    assert codes(selectors.applicable_clauses(province["dept_justice"]))[-1] == "STP.1.a"


def test_search_ignores_accents(catalogue: CodeVersion) -> None:
    assert codes(selectors.search_clauses("voi vinh", [catalogue])) == ["II.1.c"]
    assert codes(selectors.search_clauses("ruou bia", [catalogue])) == ["II.3.b"]
    assert codes(selectors.search_clauses("Cờ Bạc", [catalogue])) == ["II.3.b"]
    assert codes(selectors.search_clauses("nhung nhieu", [catalogue])) == ["II.1.c"]
    assert codes(selectors.search_clauses("xin chao", [catalogue])) == ["II.2.a", "II.2.a.1"]


def test_rateable_items_include_the_eight_courtesies_and_ii_1_c(
    supplement: CodeVersion, province: Any
) -> None:
    items = codes(selectors.rateable_items(province["dept_justice"]))
    assert "II.1.c" in items and "STP.1.a" in items
    assert len([c for c in items if c.startswith("II.2.a.")]) == 8


def test_the_catalogue_on_a_past_date_is_the_one_then_in_force(
    catalogue: CodeVersion, draft: CodeVersion, province: Any, officer: Any
) -> None:
    services.edit_clause(
        draft.sections.get(code="II.1").clauses.get(code="II.1.a"),
        actor=officer,
        short_title="Tên mới",
    )
    services.activate(draft, actor=officer)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    then = selectors.applicable_clauses(province["commune"], on=yesterday)
    assert then.get(code="II.1.a").section.version == catalogue
    now = selectors.applicable_clauses(province["commune"])
    assert now.get(code="II.1.a").short_title == "Tên mới"
    assert selectors.applicable_clauses(province["commune"], on=dt.date(2000, 1, 1)).count() == 0


def test_a_search_keeps_the_parent_of_a_matching_item(catalogue: CodeVersion) -> None:
    hits = set(selectors.search_clauses("mim cuoi", [catalogue]).values_list("pk", flat=True))
    blocks = selectors.catalogue_blocks([catalogue], only=hits)
    rows = [row for s in blocks[0].sections for row in s.rows]
    assert [r.clause.code for r in rows] == ["II.2.a"]
    assert [i.code for i in rows[0].items] == ["II.2.a.5"]
