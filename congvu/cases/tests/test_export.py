"""The xlsx export: the filtered cases; personal fields only for those who may see them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from congvu.accounts.models import Role, User
from congvu.conftest import client_for, make_user
from congvu.organisations.models import Organisation, StaffMember

from ..models import Case, CaseTag, Track
from .office_helpers import (
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    file_report,
    media,  # noqa: F401
)

EXPORT = reverse("cases:export")


@pytest.fixture
def case(staff_member: StaffMember) -> Case:
    return file_report(staff=staff_member)


def rows(client: Client, **params: str) -> list[list[object]]:
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def flat(table: list[list[object]]) -> str:
    return " ".join(str(cell) for row in table for cell in row if cell is not None)


def test_a_handler_with_identity_rights_exports_the_reporters_contact(
    as_head: Client, case: Case
) -> None:
    table = rows(as_head)
    assert len(table) == 2
    text = flat(table)
    assert case.code in text
    assert REPORTER_NAME in text and REPORTER_PHONE in text and REPORTER_EMAIL in text


def test_dates_are_written_as_dates_shown_dd_mm_yyyy(as_head: Client, case: Case) -> None:
    response = as_head.get(EXPORT)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=2)
    assert cell.number_format == "DD/MM/YYYY"


def test_a_role_without_identity_rights_exports_no_personal_fields(
    province: dict[str, Organisation], case: Case
) -> None:
    inspector = make_user("inspector", Role.INSPECTOR, province["dept_justice"])
    text = flat(rows(client_for(inspector)))
    assert case.code in text
    assert REPORTER_NAME not in text and REPORTER_PHONE not in text and REPORTER_EMAIL not in text


def test_the_subject_cannot_export_and_a_handler_who_is_the_subject_gets_no_row(
    province: dict[str, Organisation], staff_user: User, staff_member: StaffMember, case: Case
) -> None:
    assert client_for(staff_user).get(EXPORT).status_code == 403
    # The subject later becomes a case handler of their organisation: still nothing of theirs.
    from congvu.accounts.models import RoleGrant

    RoleGrant.objects.create(
        user=staff_user, role=Role.CASE_HANDLER, organisation=province["dept_justice"]
    )
    text = flat(rows(client_for(staff_user)))
    assert case.code not in text
    assert REPORTER_NAME not in text


def test_the_export_follows_the_list_filters(as_head: Client, staff_member: StaffMember) -> None:
    feedback = file_report(staff=staff_member)
    denunciation = file_report(staff=staff_member, track=Track.DENUNCIATION)
    text = flat(rows(as_head, track="denunciation"))
    assert denunciation.code in text and feedback.code not in text


def test_an_outsider_exports_nothing_and_a_viewer_gets_403(
    as_outsider: Client, as_viewer: Client, case: Case
) -> None:
    assert len(rows(as_outsider)) == 1  # the header only
    assert as_viewer.get(EXPORT).status_code == 403


def test_formulas_typed_by_a_citizen_are_not_executed(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    from .. import services

    data = services.ReportInput(
        organisation=province["dept_justice"],
        subject_description='=HYPERLINK("http://evil")',
        description="Nội dung",
        is_anonymous=True,
    )
    services.submit_report(data)
    table = rows(as_head)
    assert '\'=HYPERLINK("http://evil")' in [cell for row in table for cell in row]


def test_an_organisation_named_as_a_formula_comes_out_as_text(
    as_head: Client, case: Case, province: dict[str, Organisation]
) -> None:
    from congvu.core.tests.test_cells import FORMULA

    Organisation.objects.filter(pk=province["dept_justice"].pk).update(name=FORMULA)
    table = rows(as_head)
    assert "'" + FORMULA in table[1]
    assert FORMULA not in table[1]


def test_a_long_export_asks_the_database_a_fixed_number_of_times(
    province: dict[str, Organisation],
    staff_member: StaffMember,
    django_assert_max_num_queries: Any,
) -> None:
    """Cases of every track in two organisations: the labels are the case page's, the
    reporters shown where the exporter may see them (their own organisation) only."""
    urgent = CaseTag.objects.create(
        province=province["root"], name="Khẩn", name_folded="khan", colour=CaseTag.Colour.RED
    )
    tracks = [Track.FEEDBACK, Track.COMPLAINT, Track.DENUNCIATION]
    cases = [
        file_report(staff=staff_member, track=tracks[n % 3])
        if n % 2
        else file_report(organisation=province["commune"], track=tracks[n % 3])
        for n in range(12)
    ]
    cases[1].tags.add(urgent)
    handler = make_user("handler", Role.CASE_HANDLER, province["dept_justice"])
    with django_assert_max_num_queries(40):  # as many with 12 cases as with 30,000
        table = rows(client_for(handler))
    by_code = {row[0]: row for row in table[1:]}
    theirs = [c for c in cases if c.handling_organisation_id == province["dept_justice"].pk]
    assert theirs and set(by_code) == {c.code for c in theirs}
    for case in theirs:
        row = by_code[case.code]
        assert row[2] == case.get_track_display() and row[4] == case.get_status_display()
        assert row[10] == staff_member.full_name and row[18] == REPORTER_NAME
    assert by_code[cases[1].code][9] == "Khẩn"
    inspector = make_user("inspector", Role.INSPECTOR, province["root"])
    with django_assert_max_num_queries(40):
        table = rows(client_for(inspector))
    assert len(table) == 13
    assert {row[2] for row in table[1:]} == {str(c.get_track_display()) for c in cases}
    assert REPORTER_NAME not in flat(table)
