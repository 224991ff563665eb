"""Excel import: validation, preview, commit, re-import, bad files."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conftest import kind, on_a_vietnamese_page
from congvu.core.tests.media_helpers import zip_bomb
from congvu.organisations import restructuring
from congvu.organisations import services as org_services
from congvu.organisations.import_models import ImportJob
from congvu.organisations.importing import reading
from congvu.organisations.importing.columns import ORG_COLUMNS, STAFF_COLUMNS
from congvu.organisations.models import (
    Organisation,
    OrganisationVersion,
    StaffAssignment,
    StaffMember,
)

STAFF_HEADER = [c.label for c in STAFF_COLUMNS]
ORG_HEADER = [c.label for c in ORG_COLUMNS]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def staff_row(code: str, name: str = "Trần Văn An", **over: Any) -> list[Any]:
    values = {
        "staff_code": code,
        "full_name": name,
        "category": "Công chức",
        "position_title": "Chuyên viên",
        "is_leader": "Không",
        "organisation": "H56.02",
        "division": "H56.02.01",
        "email": f"{code.lower()}@example.vn",
        "phone": "0912345678",
    }
    values.update(over)
    return [values[c.key] for c in STAFF_COLUMNS]


def upload(
    client: Client, kind: str, content: bytes, scope: Organisation, name: str = "data.xlsx"
) -> Any:
    return client.post(
        reverse("imports:upload"),
        {"kind": kind, "scope": scope.pk, "file": SimpleUploadedFile(name, content)},
    )


def last_job() -> ImportJob:
    return ImportJob.objects.latest("pk")


def commit(client: Client, job: ImportJob) -> ImportJob:
    response = client.post(reverse("imports:commit", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def test_the_staff_template_has_a_vietnamese_header_a_guide_and_an_example(
    as_head: Client,
) -> None:
    response = as_head.get(reverse("imports:template", args=["staff"]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb.worksheets[0][1]] == STAFF_HEADER
    guide = wb["Hướng dẫn"]
    texts = [str(c.value) for row in guide.iter_rows() for c in row if c.value]
    assert "Thư điện tử" in texts
    assert "STP-0001" in texts  # the example row


def test_the_organisation_template_lists_the_kind_codes(as_officer: Client) -> None:
    response = as_officer.get(reverse("imports:template", args=["organisations"]))
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb.worksheets[0][1]] == ORG_HEADER
    codes = {row[0] for row in wb["Hướng dẫn"].iter_rows(values_only=True)}
    assert {"department", "division", "commune_pc"} <= codes


def test_an_unknown_template_kind_is_not_found(as_head: Client) -> None:
    assert as_head.get(reverse("imports:template", args=["ratings"])).status_code == 404


def test_preview_lists_row_errors_and_writes_nothing(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    org_services.create_organisation(
        actor=None,
        code="H56.02.50",
        name="Trung tâm Trợ giúp pháp lý",
        kind=kind("public_service_unit"),
        parent=province["dept_justice"],
    )
    rows = [
        staff_row("STP-100"),
        staff_row("bad code!"),
        staff_row("STP-101", organisation="H99"),
        staff_row("STP-100", name="Lê Thị Bình"),
        staff_row("STP-102", name=""),
        staff_row("STP-103", email="not-an-email"),
        staff_row("STP-104", organisation="H56.30", division=""),
        staff_row("STP-105", organisation="H56.02.50", division="H56.02.01"),
        staff_row("STP-106", category="Bộ đội"),
        staff_row("STP-107", is_leader="có lẽ"),
    ]
    upload(as_head, "staff", xlsx(STAFF_HEADER, rows), province["dept_justice"])
    job = last_job()
    assert job.status == ImportJob.Status.PREVIEWED
    response = as_head.get(reverse("imports:preview", args=[job.pk]))
    page = response.content.decode()
    errors = {(e["row"], e["column"]): e["message"] for e in job.row_errors}
    assert "Mã không hợp lệ" in errors[(3, "Mã cán bộ")]
    assert "Unknown organisation code" in errors[(4, "Mã cơ quan")]
    assert "trùng với dòng 2" in errors[(5, "Mã cán bộ")]
    assert "Thiếu dữ liệu bắt buộc" in errors[(6, "Họ và tên")]
    assert "Invalid e-mail" in errors[(7, "Thư điện tử")]
    assert "ngoài phạm vi" in errors[(8, "Mã cơ quan")]
    assert "not under the organisation" in errors[(9, "Mã phòng/bộ phận")]
    assert (10, "Loại") in errors
    assert (11, "Lãnh đạo") in errors
    assert {e["row"] for e in job.row_errors} == set(range(3, 12))
    assert on_a_vietnamese_page("Thư điện tử không hợp lệ. / Invalid e-mail address.") in page
    assert 'data-testid="commit"' not in page
    assert not StaffMember.objects.filter(staff_code__startswith="STP-1").exists()
    assert not AuditEvent.objects.filter(action="import.commit").exists()


def test_a_job_with_errors_cannot_be_committed(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    upload(
        as_head,
        "staff",
        xlsx(STAFF_HEADER, [staff_row("STP-1", name="")]),
        province["dept_justice"],
    )
    job = commit(as_head, last_job())
    assert job.status == ImportJob.Status.PREVIEWED
    assert StaffMember.objects.count() == 0


def test_commit_writes_staff_with_their_assignments_and_one_audit_event(
    as_head: Client, head: User, province: dict[str, Organisation]
) -> None:
    rows = [
        staff_row("STP-200", "Nguyễn Văn Đức"),
        staff_row("STP-201", "Phạm Thị Lan", category="vien chuc", is_leader="Có", division=""),
        staff_row("STP-202", "Hoàng Minh", category="worker", phone=912000111),
    ]
    upload(as_head, "staff", xlsx(STAFF_HEADER, rows), province["dept_justice"])
    job = last_job()
    assert (job.to_create, job.to_update, job.to_keep) == (3, 0, 0)
    preview = as_head.get(reverse("imports:preview", args=[job.pk])).content.decode()
    assert 'data-testid="commit"' in preview
    job = commit(as_head, job)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.unchanged_count) == (3, 0, 0)
    duc = StaffMember.objects.get(staff_code="STP-200")
    assert duc.organisation == province["dept_justice"]
    assert duc.division == province["division_justice"]
    assert duc.search_name == "nguyen van duc stp-200"
    assert duc.sort_name
    lan = StaffMember.objects.get(staff_code="STP-201")
    assert lan.category == StaffMember.Category.PUBLIC_EMPLOYEE
    assert lan.is_leader
    assert StaffMember.objects.get(staff_code="STP-202").phone == "0912000111"
    assert StaffAssignment.objects.filter(staff__staff_code__startswith="STP-2").count() == 3
    events = AuditEvent.objects.filter(action="import.commit")
    assert events.count() == 1
    assert events.get().data["created"] == 3
    assert events.get().actor == head
    result = as_head.get(reverse("imports:preview", args=[job.pk])).content.decode()
    assert "3 thêm mới" in result


def test_re_import_updates_by_code_instead_of_duplicating(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    rows = [staff_row("STP-300", "Ngô Văn Hải"), staff_row("STP-301", "Đỗ Thị Mai")]
    content = xlsx(STAFF_HEADER, rows)
    upload(as_head, "staff", content, province["dept_justice"])
    commit(as_head, last_job())

    upload(as_head, "staff", content, province["dept_justice"])
    again = commit(as_head, last_job())
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    result = as_head.get(reverse("imports:preview", args=[again.pk])).content.decode()
    assert "0 thêm mới, 0 cập nhật, 2 không thay đổi" in result

    rows[1] = staff_row("STP-301", "Đỗ Thị Mai", position_title="Phó Chánh Văn phòng", division="")
    upload(as_head, "staff", xlsx(STAFF_HEADER, rows), province["dept_justice"])
    changed = commit(as_head, last_job())
    assert (changed.created_count, changed.updated_count, changed.unchanged_count) == (0, 1, 1)
    assert StaffMember.objects.filter(staff_code__startswith="STP-3").count() == 2
    mai = StaffMember.objects.get(staff_code="STP-301")
    assert mai.position_title == "Phó Chánh Văn phòng"
    assert mai.division is None
    open_assignments = StaffAssignment.objects.filter(staff=mai, valid_to__isnull=True)
    assert [a.position_title for a in open_assignments] == ["Phó Chánh Văn phòng"]


def test_a_staff_code_of_another_scope_is_a_row_error(
    as_head: Client, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    staff_member.organisation = province["commune"]
    staff_member.division = None
    staff_member.save()
    upload(as_head, "staff", xlsx(STAFF_HEADER, [staff_row("STP-001")]), province["dept_justice"])
    job = last_job()
    assert job.error_count == 1
    assert "ngoài phạm vi" in job.row_errors[0]["message"]


def test_organisation_import_creates_children_listed_before_their_parents(
    as_officer: Client, province: dict[str, Organisation]
) -> None:
    rows = [
        ["H56.40.01", "Phòng Văn hóa - Xã hội", "", "division", "H56.40", "01/07/2025"],
        [
            "H56.40",
            "Ủy ban nhân dân xã Tân Hưng",
            "UBND xã Tân Hưng",
            "commune_pc",
            "H56",
            "01/07/2025",
        ],
        ["H56.02", "Sở Tư pháp tỉnh Hưng Yên", "STP", "department", "H56", ""],
        ["H56.01", "Sở Nội vụ", "", "department", "", ""],
    ]
    upload(as_officer, "organisations", xlsx(ORG_HEADER, rows), province["root"])
    job = last_job()
    assert job.row_errors == []
    assert (job.to_create, job.to_update, job.to_keep) == (2, 1, 1)
    job = commit(as_officer, job)
    assert job.status == ImportJob.Status.DONE
    commune = Organisation.objects.get(code="H56.40")
    division = Organisation.objects.get(code="H56.40.01")
    assert commune.parent == province["root"]
    assert division.parent == commune
    assert division.path == commune.path + str(division.pk).zfill(8)
    assert division.depth == 2
    assert str(division.valid_from) == "2025-07-01"
    assert OrganisationVersion.objects.filter(organisation__in=[commune, division]).count() == 2
    justice = Organisation.objects.get(code="H56.02")
    assert justice.short_name == "STP"
    assert justice.versions.filter(valid_to__isnull=True).get().name == "Sở Tư pháp tỉnh Hưng Yên"
    assert Organisation.objects.search("tan hung").get() == commune

    upload(as_officer, "organisations", xlsx(ORG_HEADER, rows), province["root"])
    again = commit(as_officer, last_job())
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 4)


def test_organisation_rows_are_checked_for_parents_dates_and_scope(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    rows = [
        ["H56.02.09", "Phòng A", "", "division", "H56.02", "31/02/2025"],
        ["H56.02.10", "Phòng B", "", "division", "H56.77", ""],
        ["H56.02.11", "Phòng C", "", "division", "H56.30", ""],
        ["H56.02.12", "Phòng D", "", "khong-co", "H56.02", ""],
        ["H56.02.13", "Phòng E", "", "division", "H56.02.14", ""],
        ["H56.02.14", "Phòng F", "", "division", "H56.02.13", ""],
        ["H56.02.15", "Phòng G", "", "division", "", ""],
        ["H56.02.16", "", "", "division", "H56.02", ""],
    ]
    upload(as_head, "organisations", xlsx(ORG_HEADER, rows), province["dept_justice"])
    job = last_job()
    errors = {(e["row"], e["column"]): e["message"] for e in job.row_errors}
    assert "dd/mm/yyyy" in errors[(2, "Hiệu lực từ")]
    assert "Unknown organisation code" in errors[(3, "Mã cơ quan cấp trên")]
    assert "outside your permitted scope" in errors[(4, "Mã cơ quan cấp trên")]
    assert "Unknown organisation kind" in errors[(5, "Mã loại")]
    assert "cycle" in errors[(6, "Mã cơ quan cấp trên")]
    assert "cycle" in errors[(7, "Mã cơ quan cấp trên")]
    assert "required for a new organisation" in errors[(8, "Mã cơ quan cấp trên")]
    assert "Required value missing" in errors[(9, "Tên")]
    assert Organisation.objects.count() == 5


def test_rows_under_a_parent_row_with_errors_are_reported(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    rows = [
        ["H56.02.20", "", "", "division", "H56.02", ""],
        ["H56.02.20.1", "Tổ 1", "", "division", "H56.02.20", ""],
    ]
    upload(as_head, "organisations", xlsx(ORG_HEADER, rows), province["dept_justice"])
    messages = [e["message"] for e in last_job().row_errors]
    assert any("dòng 2" in m for m in messages)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"Ma can bo;Ho va ten\nSTP-1;An\n", "data.csv", "không phải bảng tính Excel"),
        (b"PK\x03\x04 broken zip", "data.xlsx", "không phải bảng tính Excel"),
        (xlsx(["Họ và tên"], [["An"]]), "data.xlsx", "Thiếu cột bắt buộc"),
        (xlsx(STAFF_HEADER, []), "data.xlsx", "không có dòng dữ liệu"),
    ],
)
def test_an_invalid_file_gets_a_clear_error(
    as_head: Client,
    province: dict[str, Organisation],
    content: bytes,
    name: str,
    expected: str,
) -> None:
    response = upload(as_head, "staff", content, province["dept_justice"], name=name)
    if response.status_code == 302:
        page = as_head.get(response["Location"]).content.decode()
        assert last_job().status == ImportJob.Status.FAILED
    else:
        assert response.status_code == 400
        page = response.content.decode()
        assert not ImportJob.objects.exists()
    assert expected in page
    assert StaffMember.objects.count() == 0


def test_a_zip_bomb_workbook_is_refused_by_name_and_nothing_is_stored(
    as_head: Client, province: dict[str, Organisation], settings: Any
) -> None:
    real = xlsx(STAFF_HEADER, [staff_row("STP-1")])
    bomb = zip_bomb(real, entry="xl/extra.xml")
    response = upload(as_head, "staff", bomb, province["dept_justice"], name="can-bo-so.xlsx")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tệp can-bo-so.xlsx là tệp nén bất thường (có thể là “bom nén”)" in page
    assert "a possible zip bomb" in page
    assert not ImportJob.objects.exists()
    assert not [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    # The same workbook without the extra part is taken.
    fine = upload(as_head, "staff", real, province["dept_justice"], name="can-bo-so.xlsx")
    assert fine.status_code == 302
    assert last_job().status == ImportJob.Status.PREVIEWED
    assert last_job().to_create == 1


def test_a_file_over_the_size_limit_is_refused(
    as_head: Client, province: dict[str, Organisation], settings: Any
) -> None:
    settings.CONGVU_IMPORT_MAX_BYTES = 1024
    response = upload(
        as_head, "staff", xlsx(STAFF_HEADER, [staff_row("STP-1")]), province["dept_justice"]
    )
    assert response.status_code == 400
    assert "giới hạn" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_with_too_many_rows_is_refused(
    as_head: Client, province: dict[str, Organisation], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [staff_row(f"STP-{i}") for i in range(5)]
    response = upload(as_head, "staff", xlsx(STAFF_HEADER, rows), province["dept_justice"])
    assert response.status_code == 400
    assert "quá 3 dòng" in response.content.decode()


def test_a_2000_row_staff_import_runs_through(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    rows = [
        staff_row(f"STP-{i:05d}", f"Nguyễn Văn Người {i}", division="" if i % 3 else "H56.02.01")
        for i in range(2000)
    ]
    started = time.perf_counter()
    upload(as_head, "staff", xlsx(STAFF_HEADER, rows), province["dept_justice"])
    job = commit(as_head, last_job())
    elapsed = time.perf_counter() - started
    assert job.status == ImportJob.Status.DONE
    assert job.created_count == 2000
    assert StaffMember.objects.count() == 2000
    assert StaffAssignment.objects.count() == 2000
    assert AuditEvent.objects.filter(action="import.commit").count() == 1
    assert elapsed < 30


def test_a_move_by_import_closes_the_old_assignment_and_opens_a_new_one(
    as_head: Client, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    row = staff_row("STP-001", "Nguyễn Văn Đức", position_title="Trưởng phòng", is_leader="Có")
    upload(as_head, "staff", xlsx(STAFF_HEADER, [row]), province["dept_justice"])
    job = commit(as_head, last_job())
    assert (job.created_count, job.updated_count) == (0, 1)
    history = list(StaffAssignment.objects.filter(staff=staff_member).order_by("valid_from"))
    assert len(history) == 2
    assert history[0].valid_to is not None
    assert history[0].position_title == "Chuyên viên"
    assert (history[1].position_title, history[1].is_leader, history[1].valid_to) == (
        "Trưởng phòng",
        True,
        None,
    )


def test_imported_staff_get_their_own_badge_tokens(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    rows = [staff_row(f"STP-5{i}") for i in range(3)]
    upload(as_head, "staff", xlsx(STAFF_HEADER, rows), province["dept_justice"])
    commit(as_head, last_job())
    tokens = set(StaffMember.objects.values_list("badge_token", flat=True))
    assert len(tokens) == 3
    assert all(len(token) >= 20 for token in tokens)
    assert all(StaffMember.objects.values_list("is_active", flat=True))


# --- names under one parent (the services' rule: `services.check_name_free`) -------------------


def name_errors(job: ImportJob) -> dict[int, str]:
    return {e["row"]: e["message"] for e in job.row_errors if e["column"] == "Tên"}


def test_a_new_unit_named_like_a_sibling_in_the_database_or_the_file_is_refused(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    rows = [
        # The name of Phòng Hành chính tư pháp (H56.02.01), under the same department.
        ["H56.02.05", "Phòng  Hành chính tư pháp", "", "division", "H56.02", ""],
        ["H56.02.06", "Văn phòng Sở", "", "division", "H56.02", ""],
        ["H56.02.07", "Văn phòng Sở", "", "division", "H56.02", ""],
        # A new parent in the file, and two of its children with one name.
        ["H56.02.08", "Trung tâm Trợ giúp pháp lý", "", "division", "H56.02", ""],
        ["H56.02.08.1", "Tổ hành chính", "", "division", "H56.02.08", ""],
        ["H56.02.08.2", "Tổ hành chính", "", "division", "H56.02.08", ""],
        # Under different parents one name is fine ("Văn phòng" in every department).
        ["H56.02.01.1", "Văn phòng Sở", "", "division", "H56.02.01", ""],
    ]
    upload(as_head, "organisations", xlsx(ORG_HEADER, rows), province["dept_justice"])
    job = last_job()
    errors = name_errors(job)
    assert set(errors) == {2, 4, 7}
    assert errors[2].startswith("H56.02.01 cũng trực thuộc cơ quan này")
    assert "«Phòng Hành chính tư pháp»" in errors[2]
    assert "dòng 3 trong tệp" in errors[4] and "row 3 of the file" in errors[4]
    assert "dòng 6 trong tệp" in errors[7]
    assert {e["row"] for e in job.row_errors} == {2, 4, 7}
    # Nothing is written, and the job cannot be committed.
    job = commit(as_head, job)
    assert job.status == ImportJob.Status.PREVIEWED
    assert not Organisation.objects.filter(code__startswith="H56.02.0", depth__gt=2).exists()
    assert Organisation.objects.count() == 5
    # Read in English, the message speaks English.
    preview = as_head.get(
        reverse("imports:preview", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "row 3 of the file" in preview


def test_a_rename_onto_a_siblings_name_is_refused_but_two_siblings_may_swap(
    as_officer: Client, officer: User, province: dict[str, Organisation]
) -> None:
    rename = [["H56.01", "Sở Tư pháp", "", "department", "H56", ""]]
    upload(as_officer, "organisations", xlsx(ORG_HEADER, rename), province["root"])
    errors = name_errors(last_job())
    assert errors[2].startswith("H56.02 cũng trực thuộc cơ quan này và mang tên «Sở Tư pháp»")
    # The services refuse it too, with the same words.
    with pytest.raises(ValidationError) as exc:
        restructuring.rename_organisation(province["dept_home"], actor=officer, name="Sở Tư pháp")
    assert exc.value.message_dict["name"][0] == errors[2]

    # A rename onto the name of a sibling the same file renames away is a swap: fine.
    swap = [
        ["H56.01", "Sở Tư pháp", "", "department", "H56", ""],
        ["H56.02", "Sở Nội vụ", "", "department", "H56", ""],
    ]
    upload(as_officer, "organisations", xlsx(ORG_HEADER, swap), province["root"])
    job = last_job()
    assert job.row_errors == []
    job = commit(as_officer, job)
    assert job.status == ImportJob.Status.DONE
    names = dict(
        Organisation.objects.filter(code__in=["H56.01", "H56.02"]).values_list("code", "name")
    )
    assert names == {"H56.01": "Sở Tư pháp", "H56.02": "Sở Nội vụ"}

    # Two renames onto one name in a file: the second is refused.
    both = [
        ["H56.01", "Sở Văn hóa", "", "department", "H56", ""],
        ["H56.30", "Sở Văn hóa", "", "commune_pc", "H56", ""],
    ]
    upload(as_officer, "organisations", xlsx(ORG_HEADER, both), province["root"])
    assert set(name_errors(last_job())) == {3}


def test_a_sibling_named_between_the_preview_and_the_commit_stops_the_commit(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    rows = [["H56.02.05", "Phòng Bổ trợ tư pháp", "", "division", "H56.02", ""]]
    upload(as_head, "organisations", xlsx(ORG_HEADER, rows), province["dept_justice"])
    job = last_job()
    assert job.row_errors == []
    org_services.create_organisation(
        actor=None,
        code="H56.02.09",
        name="Phòng Bổ trợ tư pháp",
        kind=kind("division"),
        parent=province["dept_justice"],
    )
    job = commit(as_head, job)
    assert job.status == ImportJob.Status.PREVIEWED
    assert "Data changed since the preview" in job.message
    assert name_errors(job)[2].startswith("H56.02.09 cũng trực thuộc")
    assert not Organisation.objects.filter(code="H56.02.05").exists()
