"""Registering dossiers (one, a batch, an Excel file) and managing counters: the services."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.feedback import dossier_import, registration
from congvu.feedback.models import Counter, Dossier
from congvu.feedback.registration import DossierInput, RowsRejected
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember

Province = dict[str, Organisation]


def workbook(*rows: list[Any], header: list[str] | None = None) -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header or ["Mã hồ sơ", "Mã cán bộ xử lý", "Quầy", "Thủ tục", "Ngày tiếp nhận"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_a_dossier_code_is_normalised_and_registered_once(
    head: User, province: Province, staff_member: StaffMember
) -> None:
    dossier = registration.register_dossier(
        "  hs-2026-001 ", organisation=province["dept_justice"], staff=staff_member, actor=head
    )
    assert dossier.code == "HS-2026-001"
    assert dossier.received_on == timezone.localdate()
    assert dossier.registered_by == head
    again = registration.register_dossier(
        "HS-2026-001", organisation=province["dept_justice"], staff=staff_member, actor=head
    )
    assert again.pk == dossier.pk
    assert AuditEvent.objects.filter(action="feedback.dossier_register").count() == 1


def test_a_taken_code_with_other_details_is_refused_in_both_languages(
    head: User, province: Province, staff_member: StaffMember
) -> None:
    registration.register_dossier("HS-1", organisation=province["dept_justice"], actor=head)
    with pytest.raises(ValidationError) as caught:
        registration.register_dossier(
            "hs-1", organisation=province["dept_justice"], staff=staff_member, actor=head
        )
    message = caught.value.message_dict["code"][0]
    assert "Mã hồ sơ HS-1 đã được đăng ký" in message and "already registered" in message


def test_a_staff_member_of_a_division_may_handle_the_division_s_dossiers(
    officer: User, province: Province, staff_member: StaffMember
) -> None:
    dossier = registration.register_dossier(
        "HS-DIV", organisation=province["division_justice"], staff=staff_member, actor=officer
    )
    assert dossier.staff == staff_member


def test_staff_and_counters_of_another_organisation_are_refused(
    officer: User, province: Province, staff_member: StaffMember
) -> None:
    counter = Counter.objects.create(organisation=province["dept_justice"], name="Quầy 1")
    with pytest.raises(ValidationError) as caught:
        registration.register_dossier(
            "HS-X",
            organisation=province["commune"],
            staff=staff_member,
            counter=counter,
            actor=officer,
        )
    assert set(caught.value.message_dict) == {"staff", "counter"}
    assert not Dossier.objects.exists()


def test_a_date_in_the_future_is_refused(head: User, province: Province) -> None:
    with pytest.raises(ValidationError) as caught:
        registration.register_dossier(
            "HS-F",
            organisation=province["dept_justice"],
            received_on=timezone.localdate() + dt.timedelta(days=5),
            actor=head,
        )
    assert "received_on" in caught.value.message_dict


def test_registering_needs_the_permission_on_the_organisation(
    viewer: User, outsider: User, province: Province
) -> None:
    with pytest.raises(PermissionDenied):
        registration.register_dossier("HS-V", organisation=province["dept_justice"], actor=viewer)
    with pytest.raises(Http404):
        registration.register_dossier("HS-O", organisation=province["dept_justice"], actor=outsider)
    assert not Dossier.objects.exists()


def test_a_batch_is_all_or_nothing_with_every_wrong_row_named(
    head: User, province: Province
) -> None:
    dept = province["dept_justice"]
    rows = [
        DossierInput("HS-A", dept),
        DossierInput("HS A", dept),
        DossierInput("hs-a", dept),
        DossierInput("HS-B", province["commune"]),
    ]
    with pytest.raises(RowsRejected) as caught:
        registration.register_dossiers(rows, actor=head)
    assert set(caught.value.rows) == {1, 2, 3}
    assert "organisation" in caught.value.rows[3]
    assert not Dossier.objects.exists()
    made = registration.register_dossiers([rows[0], DossierInput("HS-C", dept)], actor=head)
    assert [d.code for d in made] == ["HS-A", "HS-C"]


def test_counters_keep_staff_of_their_organisation_and_hours_in_order(
    head: User, province: Province, staff_member: StaffMember
) -> None:
    counter = registration.create_counter(
        province["dept_justice"], name=" Quầy  số 1 ", staff=[staff_member], actor=head
    )
    assert counter.name == "Quầy số 1"
    assert list(counter.staff.all()) == [staff_member]
    with pytest.raises(ValidationError) as caught:
        registration.update_counter(
            counter, actor=head, opens_at=dt.time(18, 0), closes_at=dt.time(8, 0)
        )
    assert "closes_at" in caught.value.message_dict
    stranger = org_services.create_staff(
        actor=None,
        organisation=province["commune"],
        full_name="Trần Thị Hoa",
        staff_code="XA-001",
        category=StaffMember.Category.CIVIL_SERVANT,
        valid_from=dt.date(2025, 1, 1),
    )
    with pytest.raises(ValidationError):
        registration.update_counter(counter, actor=head, staff=[stranger])
    registration.update_counter(counter, actor=head, is_active=False, staff=[])
    counter.refresh_from_db()
    assert not counter.is_active and not counter.staff.exists()


def test_rotating_a_counter_token_retires_the_old_link(head: User, province: Province) -> None:
    counter = registration.create_counter(province["dept_justice"], name="Quầy", actor=head)
    old_qr, old_kiosk = counter.qr_token, counter.kiosk_token
    registration.rotate_counter_token(counter, which="kiosk", actor=head)
    counter.refresh_from_db()
    assert counter.kiosk_token != old_kiosk and counter.qr_token == old_qr
    assert not Counter.objects.filter(kiosk_token=old_kiosk).exists()


def test_the_excel_upload_is_previewed_then_committed(
    head: User, province: Province, staff_member: StaffMember
) -> None:
    dept = province["dept_justice"]
    Counter.objects.create(organisation=dept, name="Quầy số 1")
    rows = dossier_import.rows_for_storage(
        dossier_import.read_rows(
            workbook(
                ["HS-1", "stp-001", "quay so 1", "Chứng thực bản sao", "05/01/2026"],
                ["HS-2", "", "", "", ""],
            )
        )
    )
    preview = dossier_import.validate(dept, rows, actor=head)
    assert preview.error_count == 0 and preview.to_create == 2
    assert not Dossier.objects.exists()
    _preview, made = dossier_import.commit(dept, rows, actor=head)
    first = Dossier.objects.get(code="HS-1")
    assert first.staff == staff_member and first.counter is not None
    assert first.received_on == dt.date(2026, 1, 5)
    assert first.source == Dossier.Source.UPLOAD
    assert len(made) == 2
    again = dossier_import.validate(dept, rows, actor=head)
    assert again.existing == 2 and again.to_create == 0


def test_an_upload_with_wrong_rows_shows_each_error_and_writes_nothing(
    head: User, province: Province
) -> None:
    rows = dossier_import.rows_for_storage(
        dossier_import.read_rows(
            workbook(
                ["HS-1", "NO-SUCH", "", "", ""],
                ["HS-2", "", "Quầy ma", "", "31/02/2026"],
                ["HS-1", "", "", "", ""],
            )
        )
    )
    preview, made = dossier_import.commit(province["dept_justice"], rows, actor=head)
    assert made == []
    assert [bool(row.errors) for row in preview.rows] == [True, True, True]
    assert "NO-SUCH" in preview.rows[0].errors[0]
    assert len(preview.rows[1].errors) == 2
    assert not Dossier.objects.exists()


def test_a_file_without_the_code_column_is_refused(db: Any) -> None:
    with pytest.raises(dossier_import.ImportFileError):
        dossier_import.read_rows(workbook(["x"], header=["Tên", "Ngày"]))


def test_the_template_reads_back_as_an_empty_file(db: Any) -> None:
    template = io.BytesIO(dossier_import.build_template())
    with pytest.raises(dossier_import.ImportFileError) as caught:
        dossier_import.read_rows(template)
    assert "không có dòng dữ liệu" in str(caught.value)


def test_a_dossier_code_with_an_emoji_or_a_symbol_is_refused_but_accents_are_kept() -> None:
    assert registration.code_errors("😀Ệ") == [
        "Mã hồ sơ chỉ gồm chữ, số và dấu, không có khoảng trắng hay ký tự điều khiển. / "
        "A dossier code has no spaces or control characters."
    ]
    assert registration.code_errors("H56-ĐKKD/2026#1") == []
    assert registration.code_errors("000.00.12.H56-241128-0001") == []
