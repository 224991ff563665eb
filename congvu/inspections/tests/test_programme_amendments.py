"""Amending an approved yearly programme, approving it (Home Affairs only), adding many
items at once, and the programme as a Word and an Excel file: the rules, what the inspected
organisation sees before and after the amending decision, and the pages for an inspector,
Home Affairs, a role without the permission (403) and an outsider (404)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.core.tests.document_helpers import docx_text
from congvu.inspections import programme_amendments as amend
from congvu.inspections import programme_selectors as ps
from congvu.inspections import programme_services as services
from congvu.inspections.models import (
    Inspection,
    InspectionProgramme,
    ProgrammeAmendment,
    ProgrammeChange,
)
from congvu.organisations.models import Organisation

from ...conftest import client_for, kind
from .conftest import item_of, plan, start

pytestmark = pytest.mark.usefixtures("catalogue")
K = Inspection.Kind
THIS_YEAR = timezone.localdate().year
DECIDED = dt.date(THIS_YEAR, 6, 10)


@pytest.fixture(autouse=True)
def _the_year_of_this_test() -> None:
    """The year and day above as of the moment each test runs, not of the collection: a run that
    crosses New Year's midnight (Vietnam time) in between saw last year as this year."""
    global THIS_YEAR, DECIDED
    THIS_YEAR = timezone.localdate().year
    DECIDED = dt.date(THIS_YEAR, 6, 10)


def url(name: str, *args: Any) -> str:
    return reverse(f"inspections:{name}", args=args)


# --- the permission ---------------------------------------------------------------------------


def test_only_home_affairs_leadership_holds_the_approval_permission(
    province: dict[str, Organisation], inspector: User, officer: User
) -> None:
    assert access.can(officer, Perm.INSPECTION_PROGRAMME_APPROVE, province["root"])
    assert not access.can(inspector, Perm.INSPECTION_PROGRAMME_APPROVE, province["root"])
    assert access.can(inspector, Perm.INSPECTION_RUN, province["root"])


def test_an_inspector_cannot_approve_a_programme_or_an_amendment(
    province: dict[str, Organisation], inspector: User, approved: InspectionProgramme
) -> None:
    draft = services.create_programme(
        province["root"], actor=inspector, year=THIS_YEAR + 2, title="Dự thảo"
    )
    services.add_item(
        draft, actor=inspector, organisation=province["commune"], quarter=1, kind=K.SCHEDULED
    )
    with pytest.raises(PermissionDenied):
        services.approve(draft, actor=inspector)
    amendment = amend.open_amendment(approved, actor=inspector, reason="Bổ sung")
    amend.propose_addition(
        approved, actor=inspector, organisation=province["dept_home"], quarter=2, kind="scheduled"
    )
    with pytest.raises(PermissionDenied):
        amend.approve_amendment(
            amendment, actor=inspector, decision_number="2", decision_on=DECIDED
        )
    draft.refresh_from_db()
    amendment.refresh_from_db()
    assert draft.is_draft and amendment.is_draft


# --- amendments -------------------------------------------------------------------------------


def test_an_amendment_needs_a_reason_and_an_approved_programme(
    province: dict[str, Organisation], inspector: User, approved: InspectionProgramme
) -> None:
    with pytest.raises(ValidationError) as exc:
        amend.open_amendment(approved, actor=inspector, reason="  ")
    assert "Nhập lý do điều chỉnh" in exc.value.message_dict["reason"][0]
    draft = services.create_programme(
        province["root"], actor=inspector, year=THIS_YEAR + 2, title="Dự thảo"
    )
    with pytest.raises(ValidationError) as exc:
        amend.open_amendment(draft, actor=inspector, reason="Bổ sung")
    assert "not approved yet" in exc.value.messages[0]
    assert not ProgrammeAmendment.objects.exists()


def test_one_amendment_is_prepared_at_a_time_and_they_are_numbered(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    approved: InspectionProgramme,
) -> None:
    first = amend.open_amendment(approved, actor=inspector, reason="Lần 1")
    with pytest.raises(ValidationError):
        amend.open_amendment(approved, actor=inspector, reason="Lần 2")
    amend.propose_cancellation(
        item_of(approved, province["commune"]), actor=inspector, reason="Sáp nhập"
    )
    amend.approve_amendment(first, actor=officer, decision_number="5/QĐ", decision_on=DECIDED)
    second = amend.open_amendment(approved, actor=inspector, reason="Lần 2")
    assert (first.number, second.number) == (1, 2)


def test_the_organisation_keeps_seeing_the_approved_version_until_the_amendment_is_approved(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    head: User,
    approved: InspectionProgramme,
) -> None:
    mine = item_of(approved, province["dept_justice"])
    amendment = amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh lịch")
    amend.propose_reschedule(mine, actor=inspector, month=5, reason="Trùng lịch")
    amend.propose_addition(
        approved, actor=inspector, organisation=province["dept_home"], quarter=1, kind="scheduled"
    )
    as_head = client_for(head)
    page = as_head.get(url("programme", approved.pk)).content.decode()
    assert "Quý 4" in page and "Tháng 5" not in page and "Trùng lịch" not in page
    assert "Điều chỉnh lần 1" not in page and "Điều chỉnh lịch" not in page
    assert approved.items.count() == 2
    amend.approve_amendment(
        amendment, actor=officer, decision_number="45/QĐ-SNV", decision_on=DECIDED
    )
    mine.refresh_from_db()
    assert (mine.quarter, mine.month) == (2, 5)
    assert approved.items.filter(organisation=province["dept_home"], quarter=1).exists()
    page = as_head.get(url("programme", approved.pk)).content.decode()
    assert "Tháng 5" in page and "Điều chỉnh lần 1" in page and "45/QĐ-SNV" in page
    assert "Quý 4 → Tháng 5" in page  # the item's history
    actions = set(
        AuditEvent.objects.filter(action__startswith="inspection_programme.").values_list(
            "action", flat=True
        )
    )
    assert {
        "inspection_programme.amendment_open",
        "inspection_programme.change_reschedule",
        "inspection_programme.change_add",
        "inspection_programme.amendment_approve",
    } <= actions


def test_a_cancelled_item_is_kept_with_its_reason_and_counted_apart_from_overdue(
    province: dict[str, Organisation], inspector: User, officer: User
) -> None:
    last_year = services.create_programme(
        province["root"], actor=inspector, year=THIS_YEAR - 1, title="Năm trước"
    )
    for organisation in (province["commune"], province["dept_home"]):
        services.add_item(
            last_year, actor=inspector, organisation=organisation, quarter=2, kind="scheduled"
        )
    services.approve(last_year, actor=officer)
    amendment = amend.open_amendment(last_year, actor=inspector, reason="Điều chỉnh")
    amend.propose_cancellation(
        item_of(last_year, province["commune"]), actor=inspector, reason="Xã đã sáp nhập"
    )
    amend.approve_amendment(amendment, actor=officer, decision_number="9/QĐ", decision_on=DECIDED)
    cancelled = item_of(last_year, province["commune"])
    assert cancelled.is_cancelled and cancelled.cancel_reason == "Xã đã sáp nhập"
    found = ps.coverage(inspector, last_year, timezone.localdate())
    assert found.totals["cancelled"] == 1 and found.totals["overdue"] == 1
    assert found.quarters[2]["cancelled"] == 1
    with pytest.raises(ValidationError) as exc:
        plan(province["commune"], inspector, item=cancelled)
    assert "cancelled" in exc.value.message_dict["item"][0]


def test_an_item_whose_inspection_started_can_be_neither_cancelled_nor_rescheduled(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    approved: InspectionProgramme,
) -> None:
    mine = item_of(approved, province["dept_justice"])
    other = item_of(approved, province["commune"])
    amendment = amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh")
    # Proposed while nothing had started; the inspection starts before the decision.
    amend.propose_cancellation(other, actor=inspector, reason="Thôi")
    start(plan(province["dept_justice"], inspector, item=mine), inspector)
    for propose in (
        lambda: amend.propose_cancellation(mine, actor=inspector, reason="Thôi"),
        lambda: amend.propose_reschedule(mine, actor=inspector, quarter=1),
    ):
        with pytest.raises(ValidationError) as exc:
            propose()
        assert "has started" in exc.value.messages[0]
    start(plan(province["commune"], inspector, item=other), inspector)
    with pytest.raises(ValidationError) as exc:
        amend.approve_amendment(amendment, actor=officer, decision_number="1", decision_on=DECIDED)
    assert province["commune"].name in exc.value.message_dict["changes"][0]
    other.refresh_from_db()
    assert not other.is_cancelled


def test_a_reschedule_into_a_quarter_the_organisation_already_has_is_refused(
    province: dict[str, Organisation], inspector: User, approved: InspectionProgramme
) -> None:
    amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh")
    amend.propose_addition(
        approved,
        actor=inspector,
        organisation=province["dept_justice"],
        quarter=1,
        kind="scheduled",
    )
    with pytest.raises(ValidationError) as exc:
        amend.propose_reschedule(
            item_of(approved, province["dept_justice"]), actor=inspector, quarter=1
        )
    assert "quarter 1" in exc.value.message_dict["quarter"][0]
    with pytest.raises(ValidationError):
        amend.propose_addition(
            approved, actor=inspector, organisation=province["commune"], quarter=3, kind="scheduled"
        )
    assert ProgrammeChange.objects.count() == 1


def test_an_amendment_without_a_decision_or_a_change_is_not_approved(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    approved: InspectionProgramme,
) -> None:
    amendment = amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh")
    with pytest.raises(ValidationError) as exc:
        amend.approve_amendment(amendment, actor=officer, decision_number="", decision_on=None)
    errors = exc.value.message_dict
    assert {"decision_number", "decision_on", "changes"} <= set(errors)
    amendment.refresh_from_db()
    assert amendment.is_draft


# --- bulk -------------------------------------------------------------------------------------


def test_many_organisations_are_added_at_once_or_none_when_one_is_already_there(
    province: dict[str, Organisation], inspector: User
) -> None:
    prog = services.create_programme(
        province["root"], actor=inspector, year=THIS_YEAR + 1, title="Kế hoạch"
    )
    services.add_item(
        prog, actor=inspector, organisation=province["commune"], quarter=2, kind="scheduled"
    )
    departments = ps.bulk_organisations(inspector, prog, kind=kind("department"))
    assert {o.pk for o in departments} == {province["dept_home"].pk, province["dept_justice"].pk}
    with pytest.raises(ValidationError) as exc:
        services.add_items(
            prog,
            actor=inspector,
            organisations=[*departments, province["commune"]],
            month=5,
            kind="scheduled",
        )
    [refused] = exc.value.message_dict["organisations"]
    assert refused.startswith("Ủy ban nhân dân xã An Bình: Cơ quan này đã có trong kế hoạch")
    assert prog.items.count() == 1
    added = services.add_items(
        prog, actor=inspector, organisations=list(departments), month=5, kind="unannounced"
    )
    assert {(i.quarter, i.month, i.kind) for i in added} == {(2, 5, "unannounced")}
    assert AuditEvent.objects.filter(action="inspection_programme.items_add").count() == 1


def test_bulk_can_take_every_organisation_not_inspected_for_years(
    province: dict[str, Organisation], inspector: User
) -> None:
    prog = services.create_programme(
        province["root"], actor=inspector, year=THIS_YEAR + 1, title="Kế hoạch"
    )
    services.add_item(
        prog, actor=inspector, organisation=province["commune"], quarter=2, kind="scheduled"
    )
    found = ps.bulk_organisations(inspector, prog, never_years=3, picked=[province["root"].pk])
    assert province["commune"] not in found
    assert {province["dept_home"], province["dept_justice"], province["root"]} <= set(found)


# --- pages ------------------------------------------------------------------------------------


def test_an_inspector_amends_through_the_pages_and_home_affairs_approves(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    approved: InspectionProgramme,
) -> None:
    as_inspector = client_for(inspector)
    empty = as_inspector.post(url("amendment_new", approved.pk), {"m-reason": ""})
    assert empty.status_code == 400 and "Nhập lý do điều chỉnh" in empty.content.decode()
    opened = as_inspector.post(url("amendment_new", approved.pk), {"m-reason": "Bổ sung"})
    assert opened.status_code == 302
    mine = item_of(approved, province["dept_justice"])
    bad = as_inspector.post(url("item_reschedule", mine.pk), {"period": "q4", "reason": "Giữ"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "The new period is the current one" in body or "trùng thời gian" in body
    assert "Giữ" in body  # the reason typed stays in the form
    ok = as_inspector.post(url("item_reschedule", mine.pk), {"period": "m2", "reason": "Sớm"})
    assert ok.status_code == 302
    no_reason = as_inspector.post(url("item_cancel", item_of(approved, province["commune"]).pk))
    assert no_reason.status_code == 400 and "Nhập lý do hủy" in no_reason.content.decode()
    added = as_inspector.post(
        url("amendment_item_new", approved.pk),
        {"organisation": province["dept_home"].pk, "period": "q1", "kind": K.SCHEDULED},
    )
    assert added.status_code == 302
    page = as_inspector.get(url("programme", approved.pk)).content.decode()
    assert "Phê duyệt điều chỉnh" not in page and "Sở Nội vụ" in page
    assert ProgrammeChange.objects.count() == 2
    refused = as_inspector.post(
        url("amendment_approve", ProgrammeAmendment.objects.get().pk),
        {"d-decision_number": "7/QĐ", "d-decision_on": "10/06/2027"},
    )
    assert refused.status_code == 403
    as_officer = client_for(officer)
    amendment = ProgrammeAmendment.objects.get()
    missing = as_officer.post(url("amendment_approve", amendment.pk), {"d-decision_number": "7/QĐ"})
    assert missing.status_code == 400 and "7/QĐ" in missing.content.decode()
    done = as_officer.post(
        url("amendment_approve", amendment.pk),
        {"d-decision_number": "7/QĐ", "d-decision_on": "10/06/2027"},
    )
    assert done.status_code == 302
    mine.refresh_from_db()
    assert mine.month == 2
    assert approved.items.filter(organisation=province["dept_home"]).exists()


def test_a_proposed_change_can_be_withdrawn(
    province: dict[str, Organisation], inspector: User, approved: InspectionProgramme
) -> None:
    amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh")
    change = amend.propose_cancellation(
        item_of(approved, province["commune"]), actor=inspector, reason="Thôi"
    )
    response = client_for(inspector).post(url("change_withdraw", change.pk))
    assert response.status_code == 302 and not ProgrammeChange.objects.exists()
    assert AuditEvent.objects.filter(action="inspection_programme.change_withdraw").exists()


def test_the_amendment_pages_refuse_a_viewer_and_hide_from_an_outsider(
    province: dict[str, Organisation],
    inspector: User,
    approved: InspectionProgramme,
    root_viewer: User,
    stranger: User,
) -> None:
    amendment = amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh")
    mine = item_of(approved, province["dept_justice"])
    change = amend.propose_cancellation(mine, actor=inspector, reason="Thôi")
    gets = [
        ("item_cancel", mine.pk),
        ("item_reschedule", mine.pk),
        ("amendment_item_new", approved.pk),
    ]
    posts = [
        ("amendment_new", approved.pk),
        ("amendment_approve", amendment.pk),
        ("change_withdraw", change.pk),
        *gets,
    ]
    for name, pk in gets:
        assert client_for(root_viewer).get(url(name, pk)).status_code == 403
        assert client_for(stranger).get(url(name, pk)).status_code == 404
    for name, pk in posts:
        assert client_for(root_viewer).post(url(name, pk)).status_code == 403, name
        assert client_for(stranger).post(url(name, pk)).status_code == 404, name
    assert ProgrammeChange.objects.count() == 1


def test_the_bulk_page_adds_the_ticked_organisations_and_keeps_them_ticked_on_error(
    province: dict[str, Organisation],
    inspector: User,
    root_viewer: User,
    stranger: User,
) -> None:
    prog = services.create_programme(
        province["root"], actor=inspector, year=THIS_YEAR + 1, title="Kế hoạch"
    )
    as_inspector = client_for(inspector)
    listed = as_inspector.get(url("items_bulk", prog.pk), {"q": "tu phap"}).content.decode()
    assert "Sở Tư pháp" in listed and "Ủy ban nhân dân xã An Bình" not in listed
    ticked = [province["dept_justice"].pk, province["commune"].pk]
    no_period = as_inspector.post(
        url("items_bulk", prog.pk), {"organisations": ticked, "kind": "scheduled"}
    )
    assert no_period.status_code == 400 and not prog.items.exists()
    assert f'value="{province["commune"].pk}" checked' in no_period.content.decode()
    ok = as_inspector.post(
        url("items_bulk", prog.pk),
        {"organisations": ticked, "period": "q3", "kind": "scheduled"},
    )
    assert ok.status_code == 302 and prog.items.filter(quarter=3).count() == 2
    again = as_inspector.post(
        url("items_bulk", prog.pk),
        {"organisation_kind": kind("department").pk, "period": "q3", "kind": "scheduled"},
    )
    assert again.status_code == 400 and "Sở Tư pháp: Cơ quan này đã có" in again.content.decode()
    assert prog.items.count() == 2
    assert client_for(root_viewer).get(url("items_bulk", prog.pk)).status_code == 403
    assert client_for(stranger).get(url("items_bulk", prog.pk)).status_code == 404


def test_the_programme_downloads_as_a_decree_30_document_and_a_workbook(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    head: User,
    stranger: User,
    approved: InspectionProgramme,
) -> None:
    amendment = amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh")
    amend.propose_cancellation(
        item_of(approved, province["commune"]), actor=inspector, reason="Xã sáp nhập"
    )
    amend.approve_amendment(amendment, actor=officer, decision_number="8/QĐ", decision_on=DECIDED)
    as_inspector = client_for(inspector)
    response = as_inspector.get(url("programme_document", approved.pk, "docx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.docx"')
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs) + "".join(
        cell.text
        for table in Document(io.BytesIO(response.content)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "KẾ HOẠCH" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Quý IV" in text and "Sở Tư pháp" in text
    assert "Điều chỉnh lần 1: Quyết định số 8/QĐ ngày 10/06/" in text and "Xã sáp nhập" in text
    sheet = load_workbook(
        io.BytesIO(as_inspector.get(url("programme_document", approved.pk, "xlsx")).content)
    ).active
    assert sheet is not None
    rows = [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]
    assert {row[2] for row in rows} == {"Sở Tư pháp", "Ủy ban nhân dân xã An Bình"}
    assert [row[8] for row in rows if row[2] == "Ủy ban nhân dân xã An Bình"] == ["x"]
    # The inspected organisation sees its own items, not the whole programme's file.
    assert client_for(head).get(url("programme_document", approved.pk, "docx")).status_code == 403
    assert (
        client_for(stranger).get(url("programme_document", approved.pk, "xlsx")).status_code == 404
    )
    assert as_inspector.get(url("programme_document", approved.pk, "pdf")).status_code == 404


def test_in_english_the_amendment_pages_speak_english(
    settings: Any, inspector: User, approved: InspectionProgramme
) -> None:
    client = client_for(inspector)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    refused = client.post(url("amendment_new", approved.pk), {"m-reason": ""})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "Enter the reason for the amendment." in body and "Nhập lý do" not in body
    assert "Open an amendment" in body and "Download the programme (Word)" in body


@pytest.mark.parametrize(
    "name", ["amendment_item_new", "item_cancel", "item_reschedule", "amendment_changes_bulk"]
)
def test_a_change_without_an_amendment_in_preparation_sends_back_with_the_reason(
    name: str,
    province: dict[str, Organisation],
    inspector: User,
    approved: InspectionProgramme,
) -> None:
    as_inspector = client_for(inspector)
    item = item_of(approved, province["dept_justice"])
    target = item.pk if name.startswith("item_") else approved.pk
    response = as_inspector.post(url(name, target), {"reason": "Lý do", "period": "q1"})
    assert response.status_code == 302
    assert response["Location"] == url("programme", approved.pk)
    page = as_inspector.get(response["Location"]).content.decode()
    assert "Hãy mở một điều chỉnh kế hoạch (kèm lý do) trước." in page
    assert not ProgrammeChange.objects.exists()


def test_the_decision_and_the_workbook_say_the_year_and_each_full_stop_once(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    approved: InspectionProgramme,
) -> None:
    year = approved.year
    approved.title = f"Kế hoạch kiểm tra công vụ năm {year}"
    approved.decision_on = dt.date(THIS_YEAR, 1, 15)
    approved.save(update_fields=["title", "decision_on"])
    first = amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh lịch")
    amend.propose_cancellation(
        item_of(approved, province["commune"]), actor=inspector, reason="Xã sáp nhập"
    )
    amend.approve_amendment(first, actor=officer, decision_number="8/QĐ", decision_on=DECIDED)
    second = amend.open_amendment(
        approved, actor=inspector, reason="Điều chỉnh theo tình hình thực tế."
    )
    as_inspector = client_for(inspector)
    decision = docx_text(as_inspector.get(url("amendment_document", second.pk)).content)
    assert f"Căn cứ Kế hoạch kiểm tra công vụ năm {year} được phê duyệt" in decision
    assert f"năm {year} năm {year}" not in decision
    assert "với lý do: Điều chỉnh theo tình hình thực tế.\n" in decision
    sheet = load_workbook(
        io.BytesIO(as_inspector.get(url("programme_document", approved.pk, "xlsx")).content)
    ).active
    assert sheet is not None
    assert sheet["A1"].value == f"Kế hoạch kiểm tra công vụ năm {year}"
    assert sheet["A2"].value == (
        f"Phê duyệt: Quyết định số 1/QĐ-SNV ngày 15/01/{THIS_YEAR}. "
        f"Điều chỉnh lần 1: Quyết định số 8/QĐ ngày {DECIDED:%d/%m/%Y}."
    )


def test_the_programme_xlsx_keeps_formulas_typed_as_names_and_notes_as_text(
    as_inspector: Any, approved: InspectionProgramme
) -> None:
    from congvu.core.tests.test_cells import FORMULA

    Organisation.objects.filter(code="H56.02").update(name=FORMULA)
    approved.items.update(note="@" + FORMULA[1:])
    sheet = load_workbook(
        io.BytesIO(as_inspector.get(url("programme_document", approved.pk, "xlsx")).content)
    ).active
    assert sheet is not None
    rows = [row for row in sheet.iter_rows(min_row=5) if row[0].value]
    [name] = [row[2] for row in rows if FORMULA in str(row[2].value)]
    assert name.data_type == "s" and name.value == "'" + FORMULA
    assert {row[7].value for row in rows} == {"'@" + FORMULA[1:]}
