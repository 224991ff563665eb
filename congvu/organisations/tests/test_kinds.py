"""The default organisation kinds, as the migrations leave them."""

import re

import pytest

from congvu.organisations.models import OrganisationKind

pytestmark = pytest.mark.django_db


def test_a_date_in_a_default_kinds_name_is_written_dd_mm_yyyy_in_both_languages() -> None:
    district = OrganisationKind.objects.get(code="district_pc")
    assert district.name == "Ủy ban nhân dân huyện (trước 01/07/2025)"
    assert district.name_en == "District People's Committee (before 01/07/2025)"
    for kind in OrganisationKind.objects.all():
        for name in (kind.name, kind.name_en):
            for date in re.findall(r"\d{1,2}/\d{1,2}/\d{4}", name):
                assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", date), (kind.code, name)
