"""The conduct record of an organisation's staff for a year (the year-end rating)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from congvu.accounts.models import Role, User
from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import client_for, make_staff, make_user
from congvu.organisations import conduct_record
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember

from .conduct_helpers import REPORTER, build_world

Province = dict[str, Organisation]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def url(organisation: Organisation, **params: Any) -> str:
    base = reverse("organisations:conduct_record", args=[organisation.pk])
    if not params:
        return base
    return f"{base}?{urlencode(params)}"


def xlsx_url(organisation: Organisation, **params: Any) -> str:
    return url(organisation, **params).replace("conduct-record/", "conduct-record.xlsx")


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


@pytest.fixture
def world(
    province: Province, staff_member: StaffMember, staff_user: User, head: User
) -> dict[str, Any]:
    """Đức: 12 counted ratings (9 satisfied) and a flagged one, a substantiated case with a
    reprimand, a breach found by an inspection, the code confirmed. Lan: 10 ratings, none
    satisfied. Hùng: left during the year. Last year: a rating and a case for Đức."""
    return build_world(province, staff_member, staff_user, head)


def rows_by_code(response: Any) -> dict[str, conduct_record.ConductRow]:
    return {row.staff_code: row for row in response.context["rows"]}


# --- numbers ---------------------------------------------------------------------------


def test_the_head_sees_each_staff_members_year_side_by_side(
    as_head: Client, world: dict[str, Any], year: int
) -> None:
    response = as_head.get(url(world["justice"]))
    assert response.status_code == 200
    rows = rows_by_code(response)
    assert list(rows) == ["STP-001", "STP-003", "STP-002"]  # Đức, Hùng, Lan: by given name
    duc, lan, hung = rows["STP-001"], rows["STP-002"], rows["STP-003"]
    # The flagged rating and last year's are not counted.
    assert (duc.index.counted, duc.index.satisfied) == (12, 9)
    assert duc.share_pct == pytest.approx(75.0)
    assert duc.substantiated == 1  # not the unsubstantiated one, nor last year's
    assert [(d.form, d.number) for d in duc.discipline] == [("Khiển trách", "12/QĐ-STP")]
    assert duc.breaches == 1
    assert duc.acknowledged is True and duc.acknowledged_on == timezone.localdate()
    assert duc.reasons == ["discipline", "case", "breach"]
    assert (lan.index.counted, lan.share_pct) == (10, 0.0)
    assert lan.reasons == ["low_index", "unconfirmed"]
    assert lan.acknowledged is False
    # Hùng never confirmed the code either, but he left: nobody can ask him now.
    assert hung.acknowledged is False
    assert hung.index.counted == 0 and hung.share_pct is None and hung.reasons == []
    html = response.content.decode()
    assert "Đã thôi công tác 31/03/" in html
    assert "75,0 %" in html or "75.0 %" in html
    assert "Bị kỷ luật trong năm" in html and "Chỉ số hài lòng dưới 70 %" in html
    assert "Có vi phạm được ghi nhận khi kiểm tra" in html
    assert "Chưa xác nhận quy tắc ứng xử" in html
    assert f"Hồ sơ thực hiện văn hóa công vụ năm {year}" in html
    assert reverse("organisations:staff_detail", args=[world["duc"].pk]) in html


def test_last_year_holds_last_years_figures(
    as_head: Client, world: dict[str, Any], year: int
) -> None:
    rows = rows_by_code(as_head.get(url(world["justice"], year=year - 1)))
    duc = rows["STP-001"]
    assert duc.index.counted == 1 and duc.share_pct is None  # under the minimum: "—"
    assert duc.substantiated == 1 and duc.discipline == [] and duc.breaches == 0
    # The code was confirmed this year, not by the end of last year.
    assert duc.acknowledged is False


def test_an_index_on_few_ratings_is_not_shown_and_the_threshold_is_a_setting(
    as_head: Client, world: dict[str, Any], settings: Any
) -> None:
    settings.CONDUCT_RECORD_MIN_RATINGS = 13
    settings.CONDUCT_RECORD_INDEX_THRESHOLD = 80
    rows = rows_by_code(as_head.get(url(world["justice"])))
    assert rows["STP-001"].share_pct is None and rows["STP-002"].share_pct is None
    settings.CONDUCT_RECORD_MIN_RATINGS = 10
    rows = rows_by_code(as_head.get(url(world["justice"])))
    assert rows["STP-001"].reasons == ["discipline", "case", "breach", "low_index"]  # 75 < 80


def test_the_search_ignores_accents_and_sorting_by_index_puts_the_lowest_first(
    as_head: Client, world: dict[str, Any]
) -> None:
    assert list(rows_by_code(as_head.get(url(world["justice"], q="duc")))) == ["STP-001"]
    ordered = list(rows_by_code(as_head.get(url(world["justice"], sort="index"))))
    assert ordered == ["STP-002", "STP-001", "STP-003"]  # 0 %, 75 %, too few


def test_only_those_needing_attention_on_the_page_in_the_workbook_and_the_api(
    as_head: Client, head: User, world: dict[str, Any]
) -> None:
    from congvu.api.tests.conftest import bearer

    response = as_head.get(url(world["justice"], attention=1, sort="index"))
    assert list(rows_by_code(response)) == ["STP-002", "STP-001"]  # Hùng needs none
    assert response.context["page"].paginator.count == 2
    assert 'checked data-testid="attention-only"' in response.content.decode()
    book = load_workbook(io.BytesIO(as_head.get(xlsx_url(world["justice"], attention=1)).content))
    codes = {cell.value for row in book.active.iter_rows() for cell in row}
    assert {"STP-001", "STP-002"} <= codes and "STP-003" not in codes
    api = bearer(head).get(
        f"/api/v1/organisations/{world['justice'].pk}/conduct-record?attention=true"
    )
    assert api.status_code == 200
    assert [item["staff_code"] for item in api.json()["items"]] == ["STP-001", "STP-002"]
    assert api.json()["count"] == 2


def test_units_are_listed_only_when_asked(
    as_head: Client, world: dict[str, Any], province: Province
) -> None:
    make_staff(province["division_justice"], "Vũ Minh Châu", "STP-DIV")
    division_only = province["division_justice"]
    assert "STP-DIV" not in rows_by_code(as_head.get(url(world["justice"])))
    assert "STP-DIV" in rows_by_code(as_head.get(url(world["justice"], subtree=1)))
    assert "STP-DIV" in rows_by_code(as_head.get(url(division_only)))


def test_someone_who_left_before_the_year_is_not_listed(
    as_head: Client, province: Province, staff_member: StaffMember, year: int
) -> None:
    gone = make_staff(province["dept_justice"], "Đỗ Văn Cũ", "STP-OLD")
    org_services.mark_staff_left(gone, actor=None, left_on=dt.date(year - 1, 6, 30))
    assert "STP-OLD" not in rows_by_code(as_head.get(url(province["dept_justice"])))
    assert "STP-OLD" in rows_by_code(as_head.get(url(province["dept_justice"], year=year - 1)))


# --- privacy ---------------------------------------------------------------------------


def test_no_reporter_data_in_the_page_or_the_workbook(
    as_head: Client, world: dict[str, Any]
) -> None:
    html = as_head.get(url(world["justice"])).content.decode()
    response = as_head.get(xlsx_url(world["justice"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    for text in (REPORTER, "0987654321", "khó dễ", "quầy số 3"):
        assert text not in html and text not in cells


def test_the_workbook_is_headed_and_in_vietnamese(
    as_head: Client, world: dict[str, Any], year: int
) -> None:
    response = as_head.get(xlsx_url(world["justice"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.title == "Ho so VHCV"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"Hồ sơ thực hiện văn hóa công vụ năm {year}: Sở Tư pháp"
    assert f"In ngày {timezone.localdate():%d/%m/%Y}" in str(rows[1][0])
    assert rows[3][:3] == ("STT", "Họ và tên", "Mã cán bộ")
    assert rows[3][-3:] == ("Xác nhận thực hiện quy tắc ứng xử", "Ngày xác nhận", "Cần lưu ý")
    by_code = {row[2]: row for row in rows[4:]}
    duc = by_code["STP-001"]
    assert duc[6] == 12 and duc[7] == 75.0 and duc[8] == 1 and duc[10] == 1
    assert "Khiển trách (số 12/QĐ-STP" in duc[9]
    assert "Bị kỷ luật trong năm" in duc[13]
    assert duc[5] == "Đang công tác" and duc[11] == "Đã xác nhận"
    assert by_code["STP-002"][11] == "Chưa xác nhận"
    assert by_code["STP-003"][5] == f"Thôi công tác từ 31/03/{year}"
    # The confirmation date is a date shown dd/mm/yyyy on every staff row, and only there.
    formats = [sheet.cell(row=r, column=13).number_format for r in range(1, len(rows) + 1)]
    assert formats[4:] == ["DD/MM/YYYY"] * (len(rows) - 4)
    assert "DD/MM/YYYY" not in formats[:4]


def test_the_workbook_follows_the_readers_english(
    as_head: Client, world: dict[str, Any], year: int
) -> None:
    as_head.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = as_head.get(xlsx_url(world["justice"], subtree=1))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.title == "Conduct record"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"Public service culture record for {year}: Sở Tư pháp"
    subtitle = str(rows[1][0])
    assert f"Printed on {timezone.localdate():%d/%m/%Y}" in subtitle
    assert "(including sub-units)" in subtitle and "at least 10 counted ratings" in subtitle
    assert rows[3] == (
        "No.",
        "Full name",
        "Staff code",
        "Position",
        "Organisation / unit",
        "Status",
        "Ratings counted",
        "Satisfaction index (%)",
        "Reports found substantiated or partly substantiated",
        "Discipline during the year",
        "Breaches found by inspections",
        "Code of conduct confirmed",
        "Confirmed on",
        "Needs attention",
    )
    by_code = {row[2]: row for row in rows[4:]}
    duc, lan, hung = by_code["STP-001"], by_code["STP-002"], by_code["STP-003"]
    # What people typed stays as typed; what the platform writes is English.
    assert duc[1] == "Nguyễn Văn Đức" and duc[4] == "Sở Tư pháp / Phòng Hành chính tư pháp"
    assert duc[5] == "In post" and duc[11] == "Acknowledged"
    assert duc[9].startswith("Reprimand (no. 12/QĐ-STP, ")
    assert duc[13] == (
        "Disciplined during the year; A report about them found substantiated; "
        "A breach recorded by an inspection"
    )
    assert lan[11] == "Not acknowledged" and "Satisfaction index below 70 %" in lan[13]
    assert hung[5] == f"Left on 31/03/{year}"
    cells = " ".join(str(c) for row in rows for c in row if c)
    for vietnamese in ("Đang công tác", "Chưa xác nhận", "Bị kỷ luật", "In ngày", "Khiển trách"):
        assert vietnamese not in cells


def test_too_few_ratings_and_a_moved_member_read_in_both_languages(
    as_head: Client, world: dict[str, Any], province: Province, settings: Any
) -> None:
    settings.CONDUCT_RECORD_MIN_RATINGS = 11  # Lan's 10 ratings are too few
    moved = make_staff(world["justice"], "Phạm Thu Hà", "STP-004")
    org_services.update_staff(
        moved,
        actor=None,
        full_name=moved.full_name,
        staff_code=moved.staff_code,
        category=moved.category,
        position_title="",
        is_leader=False,
        organisation=province["dept_home"],
        division=None,
        email="",
        phone="",
        effective=timezone.localdate(),
    )

    def cells(client: Client) -> dict[str, tuple[Any, ...]]:
        book = load_workbook(io.BytesIO(client.get(xlsx_url(world["justice"])).content))
        return {row[2]: row for row in book.active.iter_rows(min_row=5, values_only=True)}

    vietnamese = cells(as_head)
    assert vietnamese["STP-002"][7] == "Chưa đủ lượt đánh giá"
    assert vietnamese["STP-004"][5] == "Đã chuyển công tác"
    as_head.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = cells(as_head)
    assert english["STP-002"][7] == "Too few ratings"
    assert english["STP-004"][5] == "Moved to another post"
    as_head.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert cells(as_head)["STP-002"][7] == "Chưa đủ lượt đánh giá"


# --- who -------------------------------------------------------------------------------


def test_an_outsider_gets_404_and_a_viewer_403(
    as_outsider: Client, as_viewer: Client, province: Province
) -> None:
    justice = province["dept_justice"]
    assert as_outsider.get(url(justice)).status_code == 404
    assert as_outsider.get(xlsx_url(justice)).status_code == 404
    assert as_viewer.get(url(justice)).status_code == 403
    assert as_viewer.get(xlsx_url(justice)).status_code == 403


def test_a_staff_member_cannot_open_the_record_but_sees_their_own_box(
    world: dict[str, Any], staff_user: User, year: int
) -> None:
    client = client_for(staff_user)
    assert client.get(url(world["justice"])).status_code == 403
    response = client.get(reverse("organisations:my_profile"))
    own = response.context["own_conduct"]
    assert own.staff_code == "STP-001" and own.index.counted == 12
    assert own.substantiated == 1 and own.breaches == 1
    html = response.content.decode()
    assert f"Năm {year}" in html and "Khiển trách" in html
    assert "Trần Thị Lan" not in html
    assert reverse("organisations:conduct_record", args=[world["justice"].pk]) not in html


def test_the_record_is_linked_from_the_organisation_and_the_staff_page(
    as_head: Client, as_viewer: Client, world: dict[str, Any]
) -> None:
    record = reverse("organisations:conduct_record", args=[world["justice"].pk])
    detail = reverse("organisations:detail", args=[world["justice"].pk])
    staff_page = reverse("organisations:staff_detail", args=[world["duc"].pk])
    assert record in as_head.get(detail).content.decode()
    assert f"{record}?year=" in as_head.get(staff_page).content.decode()
    assert record not in as_viewer.get(detail).content.decode()
    assert record not in as_viewer.get(staff_page).content.decode()


def test_a_unit_outside_the_readers_grant_is_left_out(
    province: Province, staff_member: StaffMember
) -> None:
    make_staff(province["division_justice"], "Vũ Minh Châu", "STP-DIV")
    focal = make_user("focal-alone", Role.FOCAL_POINT, province["dept_justice"])
    focal.grants.update(include_subtree=False)
    rows = rows_by_code(client_for(focal).get(url(province["dept_justice"], subtree=1)))
    assert "STP-DIV" not in rows and "STP-001" in rows


# --- input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "year_value", ["abc", "99999", "1999", "-5", "2026.5", "٢٠٢٦", "99999999999999999999"]
)
def test_an_absurd_year_is_reported_in_both_languages_and_the_current_year_shown(
    as_head: Client, province: Province, year_value: str, year: int
) -> None:
    response = as_head.get(url(province["dept_justice"], year=year_value))
    assert response.status_code == 200
    assert response.context["record"].period.year == year
    html = response.content.decode()
    assert "Năm phải từ 2000 đến" in html
    assert '/ <span lang="en">The year must be between 2000 and' in html


def test_a_future_year_is_refused(as_head: Client, province: Province, year: int) -> None:
    response = as_head.get(url(province["dept_justice"], year=year + 1))
    assert "The year must be between 2000 and" in response.content.decode()


def test_a_missing_or_huge_organisation_is_404(as_head: Client) -> None:
    assert as_head.get("/org/99999999999999999999/conduct-record/").status_code == 404
    assert as_head.get("/org/-1/conduct-record/").status_code == 404
    assert as_head.get("/org/0/conduct-record.xlsx").status_code == 404


def test_the_labels_are_english_after_the_switch(as_head: Client, world: dict[str, Any]) -> None:
    as_head.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = as_head.get(url(world["justice"])).content.decode()
    for label in (
        "Public service culture record",
        "Needs attention",
        "Disciplined during the year",
        "Satisfaction index below 70 %",
        "Including sub-units",
        "Download Excel",
    ):
        assert label in html


# --- cost ------------------------------------------------------------------------------


def _queries(client: Client, organisation: Organisation) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(organisation, subtree=1)).status_code == 200
    return len(captured.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_staff(
    as_head: Client, province: Province, staff_member: StaffMember, staff_user: User
) -> None:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    justice = province["dept_justice"]

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            where = province["division_justice"] if i % 2 else justice
            make_staff(where, f"Cán bộ số {i}", f"Q-{i:03d}")

    add(4, 0)
    _queries(as_head, justice)  # warm the caches (session, catalogue)
    few = _queries(as_head, justice)
    add(20, 4)
    many = _queries(as_head, justice)
    assert many == few


def test_the_batch_rule_of_the_code_in_force_is_the_catalogues_own(
    province: Province, officer: User
) -> None:
    # The record reads "the code in force" for a page of staff at once (`_applicable` over
    # versions read once); it must name the same versions as `conduct.selectors` does for
    # each organisation, provincial catalogue and supplements alike.
    from congvu.conduct import selectors
    from congvu.conduct import services as conduct_services

    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    for scope in (province["dept_justice"], province["division_justice"]):
        draft = conduct_services.create_draft(scope, actor=officer, title="Bổ sung", version="1")
        section = conduct_services.add_section(draft, actor=officer, code="B.1", title="Bổ sung")
        conduct_services.add_clause(section, actor=officer, code="B.1.a", short_title="a", text="a")
        conduct_services.activate(draft, actor=officer)
    period = conduct_record.parse_year(None)
    versions = conduct_record._versions_in_force(period)
    for organisation in Organisation.objects.all():
        expected = {v.pk for v in selectors.applicable_versions(organisation)}
        assert set(conduct_record._applicable(organisation.path, versions)) == expected, (
            organisation.name
        )
    assert len(selectors.applicable_versions(province["division_justice"])) == 3


def test_the_workbook_keeps_formulas_typed_as_names_as_text(
    as_head: Client, world: dict[str, Any], staff_member: StaffMember
) -> None:
    from congvu.core.tests.test_cells import FORMULA

    StaffMember.objects.filter(pk=staff_member.pk).update(full_name=FORMULA)
    Organisation.objects.filter(pk=world["justice"].pk).update(name=FORMULA)
    sheet = load_workbook(io.BytesIO(as_head.get(xlsx_url(world["justice"])).content)).active
    assert sheet is not None
    typed = [c for row in sheet.iter_rows(min_row=5) for c in row if FORMULA in str(c.value)]
    assert {c.value for c in typed} >= {"'" + FORMULA}
    assert all(c.data_type == "s" and not str(c.value).startswith("=") for c in typed)


def test_each_workbook_taken_is_audited_without_names(
    as_head: Client, as_viewer: Client, head: User, world: dict[str, Any], year: int
) -> None:
    from congvu.audit.models import AuditEvent

    justice = world["justice"]
    assert as_viewer.get(xlsx_url(justice)).status_code == 403  # refused: not recorded
    as_head.get(url(justice))  # the page is not a file: not recorded
    assert not AuditEvent.objects.filter(action="staff.conduct_record_export").exists()
    response = as_head.get(xlsx_url(justice, subtree="1", q="duc"))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="staff.conduct_record_export")
    assert (event.actor_id, event.organisation_id) == (head.pk, justice.pk)
    assert event.data == {
        "organisation": justice.pk,
        "year": year,
        "subtree": True,
        "filters": "subtree=1&q=duc",
        "rows": 1,
    }
    assert event.summary == f"1 cán bộ, năm {year}: Sở Tư pháp"
    names = StaffMember.objects.filter(organisation=justice).values_list("full_name", flat=True)
    assert not any(name in str(event.data) + event.summary for name in names)
