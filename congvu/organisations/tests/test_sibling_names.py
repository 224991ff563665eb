"""Two siblings (same parent) may not bear names that differ only in case: a citizen's
report form would list "Văn phòng" and "VĂN PHÒNG" as two entries nobody can tell apart.
Accents still count: "Hòa" and "Hóa" are different names."""

from __future__ import annotations

import datetime as dt
import importlib
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import User
from congvu.conftest import START, kind
from congvu.core.text import name_key
from congvu.organisations import restructuring, services
from congvu.organisations.import_models import ImportJob
from congvu.organisations.models import Organisation, OrganisationVersion
from congvu.organisations.tests.test_import import ORG_HEADER, commit, last_job, upload, xlsx

Province = dict[str, Organisation]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def today() -> dt.date:
    return timezone.localdate()


def reload(org: Organisation) -> Organisation:
    return Organisation.objects.get(pk=org.pk)


def create(parent: Organisation, code: str, name: str) -> Organisation:
    return services.create_organisation(
        actor=None, code=code, name=name, kind=kind("division"), parent=parent, valid_from=START
    )


def refusal(caught: pytest.ExceptionInfo[ValidationError], field: str = "name") -> str:
    return caught.value.message_dict[field][0]


# --- creating -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["văn phòng", "VĂN PHÒNG", "  Văn   PHÒNG "])
def test_a_new_unit_named_like_a_sibling_but_for_case_is_refused(
    province: Province, name: str
) -> None:
    create(province["dept_justice"], "H56.02.02", "Văn phòng")
    with pytest.raises(ValidationError) as refused:
        create(province["dept_justice"], "H56.02.03", name)
    # The message names the sibling as it is written.
    assert refusal(refused).startswith(
        "H56.02.02 cũng trực thuộc cơ quan này và mang tên «Văn phòng»"
    )
    assert not Organisation.objects.filter(code="H56.02.03").exists()


def test_case_is_folded_beyond_ascii(province: Province) -> None:
    """SQLite's lower() would not fold "Đ" nor "Ộ": the comparison must."""
    create(province["dept_justice"], "H56.02.02", "Đội Kiểm tra liên ngành")
    with pytest.raises(ValidationError) as refused:
        create(province["dept_justice"], "H56.02.03", "ĐỘI KIỂM TRA LIÊN NGÀNH")
    assert "«Đội Kiểm tra liên ngành»" in refusal(refused)


def test_a_name_typed_with_combining_marks_is_the_same_name(province: Province) -> None:
    create(province["dept_justice"], "H56.02.02", "Tổ Hòa giải")
    decomposed = unicodedata.normalize("NFD", "Tổ hòa giải")
    assert decomposed != "Tổ hòa giải"
    with pytest.raises(ValidationError):
        create(province["dept_justice"], "H56.02.03", decomposed)


def test_the_old_tone_placement_is_the_same_name(province: Province) -> None:
    """ "Hoà" (old placement) and "Hòa" (new) are one word: two entries a citizen could
    not tell apart."""
    create(province["dept_justice"], "H56.02.02", "Tổ Hòa giải")
    with pytest.raises(ValidationError) as refused:
        create(province["dept_justice"], "H56.02.03", "Tổ hoà giải")
    assert "«Tổ Hòa giải»" in refusal(refused)


def test_names_that_differ_in_accents_are_different_names(province: Province) -> None:
    create(province["dept_justice"], "H56.02.02", "Tổ Hòa An")
    create(province["dept_justice"], "H56.02.03", "Tổ Hóa An")
    create(province["dept_justice"], "H56.02.04", "TỔ HOA AN")
    names = set(
        Organisation.objects.filter(parent=province["dept_justice"]).values_list("name", flat=True)
    )
    assert {"Tổ Hòa An", "Tổ Hóa An", "TỔ HOA AN"} <= names


def test_under_another_parent_the_same_name_in_another_case_is_fine(province: Province) -> None:
    create(province["dept_justice"], "H56.02.02", "Văn phòng")
    create(province["dept_home"], "H56.01.02", "VĂN PHÒNG")
    assert Organisation.objects.filter(code="H56.01.02").exists()


def test_the_page_refuses_a_name_differing_only_in_case_and_keeps_the_input(
    as_officer: Client, province: Province
) -> None:
    response = as_officer.post(
        reverse("organisations:create_child", args=[province["root"].pk]),
        {
            "child-code": "H56.77",
            "child-name": "SỞ TƯ PHÁP",
            "child-kind": str(kind("department").pk),
            "child-valid_from": today().strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "H56.02 cũng trực thuộc cơ quan này" in html and "hãy chọn tên khác" in html
    assert 'value="SỞ TƯ PHÁP"' in html
    assert not Organisation.objects.filter(code="H56.77").exists()


# --- renaming and moving ----------------------------------------------------------------


def test_a_rename_onto_a_siblings_name_in_another_case_is_refused(
    province: Province, officer: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        restructuring.rename_organisation(
            province["dept_justice"], actor=officer, name="SỞ NỘI VỤ", effective=today()
        )
    assert refusal(refused).startswith("H56.01 cũng trực thuộc cơ quan này và mang tên «Sở Nội vụ»")
    assert reload(province["dept_justice"]).name == "Sở Tư pháp"
    assert province["dept_justice"].versions.count() == 1


def test_an_organisation_may_change_the_case_of_its_own_name(
    province: Province, officer: User
) -> None:
    restructuring.rename_organisation(
        province["dept_justice"], actor=officer, name="SỞ TƯ PHÁP", effective=today()
    )
    assert reload(province["dept_justice"]).name == "SỞ TƯ PHÁP"


def test_a_move_under_a_parent_with_a_namesake_in_another_case_is_refused(
    province: Province, officer: User
) -> None:
    create(province["dept_home"], "H56.01.07", "PHÒNG HÀNH CHÍNH TƯ PHÁP")
    division = province["division_justice"]
    with pytest.raises(ValidationError) as refused:
        restructuring.move_organisation(
            division, actor=officer, parent=province["dept_home"], effective=today()
        )
    assert "H56.01.07" in refusal(refused, "parent")
    assert "«PHÒNG HÀNH CHÍNH TƯ PHÁP»" in refusal(refused, "parent")
    assert reload(division).parent_id == province["dept_justice"].pk


def test_a_merges_new_organisation_may_take_a_replaced_ones_name_in_another_case(
    province: Province, officer: User
) -> None:
    merged = restructuring.merge_organisations(
        [province["dept_justice"], province["dept_home"]],
        actor=officer,
        effective=today(),
        new=restructuring.NewOrganisation(code="H56.90", name="SỞ NỘI VỤ", kind=kind("department")),
    )
    assert merged.name == "SỞ NỘI VỤ"


# --- the Excel import --------------------------------------------------------------------


def name_errors(job: ImportJob) -> dict[int, str]:
    return {e["row"]: e["message"] for e in job.row_errors if e["column"] == "Tên"}


def test_the_import_refuses_names_differing_only_in_case_from_the_database_or_the_file(
    as_head: Client, province: Province
) -> None:
    rows = [
        ["H56.02.05", "PHÒNG HÀNH CHÍNH TƯ PHÁP", "", "division", "H56.02", ""],
        ["H56.02.06", "Đội Kiểm tra", "", "division", "H56.02", ""],
        ["H56.02.07", "ĐỘI KIỂM TRA", "", "division", "H56.02", ""],
        ["H56.02.08", "Tổ Hòa An", "", "division", "H56.02", ""],
        ["H56.02.09", "Tổ Hóa An", "", "division", "H56.02", ""],
    ]
    upload(as_head, "organisations", xlsx(ORG_HEADER, rows), province["dept_justice"])
    job = last_job()
    errors = name_errors(job)
    assert set(errors) == {2, 4}
    assert errors[2].startswith("H56.02.01 cũng trực thuộc cơ quan này")
    assert "«Phòng Hành chính tư pháp»" in errors[2]
    assert "dòng 3 trong tệp" in errors[4]
    job = commit(as_head, job)
    assert job.status == ImportJob.Status.PREVIEWED
    assert not Organisation.objects.filter(code__in=["H56.02.05", "H56.02.08"]).exists()


def test_the_import_refuses_a_rename_onto_a_siblings_name_in_another_case(
    as_officer: Client, officer: User, province: Province
) -> None:
    rename = [["H56.01", "sở tư pháp", "", "department", "H56", ""]]
    upload(as_officer, "organisations", xlsx(ORG_HEADER, rename), province["root"])
    errors = name_errors(last_job())
    assert errors[2].startswith("H56.02 cũng trực thuộc cơ quan này và mang tên «Sở Tư pháp»")
    # The services refuse it with the same words.
    with pytest.raises(ValidationError) as refused:
        restructuring.rename_organisation(province["dept_home"], actor=officer, name="sở tư pháp")
    assert refusal(refused) == errors[2]


def test_the_import_still_lets_two_siblings_swap_names_and_change_their_case(
    as_officer: Client, province: Province
) -> None:
    swap = [
        ["H56.01", "SỞ TƯ PHÁP", "", "department", "H56", ""],
        ["H56.02", "Sở nội vụ", "", "department", "H56", ""],
    ]
    upload(as_officer, "organisations", xlsx(ORG_HEADER, swap), province["root"])
    job = last_job()
    assert job.row_errors == []
    job = commit(as_officer, job)
    assert job.status == ImportJob.Status.DONE
    names = dict(
        Organisation.objects.filter(code__in=["H56.01", "H56.02"]).values_list("code", "name")
    )
    assert names == {"H56.01": "SỞ TƯ PHÁP", "H56.02": "Sở nội vụ"}
    # The new names are compared as the services compare them.
    with pytest.raises(ValidationError):
        create(province["root"], "H56.77", "sở tư pháp")


def test_a_case_only_rename_in_the_file_does_not_free_the_name_for_another_row(
    as_officer: Client, province: Province
) -> None:
    rows = [
        ["H56.77", "sở nội vụ", "", "department", "H56", ""],
        ["H56.01", "SỞ NỘI VỤ", "", "department", "H56", ""],
    ]
    upload(as_officer, "organisations", xlsx(ORG_HEADER, rows), province["root"])
    errors = name_errors(last_job())
    assert errors[2].startswith("H56.01 cũng trực thuộc cơ quan này")
    assert "dòng 2 trong tệp" in errors[3]


# --- the stored key ------------------------------------------------------------------------


def test_the_migration_keys_existing_names_even_where_siblings_already_clash(
    province: Province,
) -> None:
    """Data written before the rule: two siblings differing only in case. The migration
    fills their keys without failing; the next name like theirs is refused."""
    parent = province["dept_justice"]
    twin = Organisation.objects.create(
        code="H56.02.02",
        name="VĂN PHÒNG",
        kind=kind("division"),
        parent=parent,
        path="",
        depth=2,
        valid_from=START,
    )
    first = create(parent, "H56.02.03", "Văn phòng")
    OrganisationVersion.objects.bulk_create(
        [
            OrganisationVersion(
                organisation=twin, name=twin.name, kind=twin.kind, parent=parent, valid_from=START
            )
        ]
    )
    OrganisationVersion.objects.update(name_key="")
    migration = importlib.import_module("congvu.organisations.migrations.0008_version_name_key")
    migration.key_names(apps, None)
    keys = dict(
        OrganisationVersion.objects.filter(organisation__in=[twin, first]).values_list(
            "organisation__code", "name_key"
        )
    )
    assert keys == {"H56.02.02": name_key("Văn phòng"), "H56.02.03": name_key("Văn phòng")}
    with pytest.raises(ValidationError) as refused:
        create(parent, "H56.02.04", "Văn Phòng")
    assert "H56.02.02" in refusal(refused) or "H56.02.03" in refusal(refused)


def test_every_write_of_a_version_keeps_its_key(province: Province, officer: User) -> None:
    org = province["dept_justice"]
    restructuring.rename_organisation(org, actor=officer, name="Sở TƯ PHÁP", effective=today())
    later = today() + dt.timedelta(days=30)
    restructuring.rename_organisation(org, actor=officer, name="SỞ PHÁP CHẾ", effective=later)
    restructuring.rename_organisation(org, actor=officer, name="Sở Pháp Chế", effective=later)
    rows = list(OrganisationVersion.objects.values_list("name", "name_key"))
    assert ("Sở Pháp Chế", name_key("sở pháp chế")) in rows
    assert all(key and key == name_key(name) for name, key in rows)
