"""Abandoning a draft amendment, proposing many changes at once in it, and the amending
decision as a Word document: the rules, the pages for an inspector, a role without the
permission (403) and an outsider (404), and what the inspected organisation sees."""

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

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.inspections import programme_amendment_bulk as bulk
from congvu.inspections import programme_amendments as amend
from congvu.inspections import programme_selectors as ps
from congvu.inspections.models import (
    Inspection,
    InspectionProgramme,
    ProgrammeAmendment,
    ProgrammeChange,
)
from congvu.organisations.models import Organisation

from ...conftest import client_for, kind, make_user
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


# --- abandoning -------------------------------------------------------------------------------


def test_an_abandoned_draft_is_kept_counts_nowhere_and_a_new_one_takes_its_number(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    approved: InspectionProgramme,
) -> None:
    first = amend.open_amendment(approved, actor=inspector, reason="Bổ sung Sở Nội vụ")
    amend.propose_addition(
        approved, actor=inspector, organisation=province["dept_home"], quarter=1, kind="scheduled"
    )
    amend.propose_cancellation(
        item_of(approved, province["commune"]), actor=inspector, reason="Sáp nhập"
    )
    with pytest.raises(ValidationError) as exc:
        amend.abandon_amendment(first, actor=inspector, reason="  ")
    assert "Enter the reason for abandoning" in exc.value.message_dict["reason"][0]
    amend.abandon_amendment(first, actor=inspector, reason="Chờ sáp nhập xong")
    first.refresh_from_db()
    assert first.is_abandoned and first.abandoned_by == inspector
    assert first.abandon_reason == "Chờ sáp nhập xong" and first.abandoned_at is not None
    assert first.changes.count() == 2  # kept, never deleted
    # Counted nowhere: no draft any more, the items untouched, nothing pending.
    assert amend.draft_amendment(approved) is None
    assert not item_of(approved, province["commune"]).is_cancelled
    assert not approved.items.filter(organisation=province["dept_home"]).exists()
    assert province["dept_home"] in ps.never_inspected(
        inspector, year=approved.year, exclude_programme=approved
    )
    with pytest.raises(ValidationError):  # no amendment to propose into
        amend.propose_addition(
            approved, actor=inspector, organisation=province["root"], quarter=1, kind="scheduled"
        )
    with pytest.raises(ValidationError) as exc:
        amend.approve_amendment(first, actor=officer, decision_number="2", decision_on=DECIDED)
    assert "abandoned" in exc.value.messages[0]
    second = amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh khác")
    assert second.number == 1 and second.is_draft
    amend.propose_reschedule(item_of(approved, province["commune"]), actor=inspector, quarter=2)
    amend.approve_amendment(second, actor=officer, decision_number="9/QĐ", decision_on=DECIDED)
    found = ps.coverage(inspector, approved, timezone.localdate())
    assert found.totals["cancelled"] == 0 and len(found.rows) == 2
    history = ps.histories([item_of(approved, province["commune"])])
    assert [c.amendment.number for c in next(iter(history.values()))] == [1]
    event = AuditEvent.objects.get(action="inspection_programme.amendment_abandon")
    assert event.data["reason"] == "Chờ sáp nhập xong" and event.data["changes"] == 2


def test_an_approved_amendment_cannot_be_abandoned(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    approved: InspectionProgramme,
) -> None:
    amendment = amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh")
    amend.propose_reschedule(item_of(approved, province["commune"]), actor=inspector, month=5)
    amend.approve_amendment(amendment, actor=officer, decision_number="3/QĐ", decision_on=DECIDED)
    with pytest.raises(ValidationError) as exc:
        amend.abandon_amendment(amendment, actor=inspector, reason="Nhầm")
    message = exc.value.messages[0]
    assert "không hủy bỏ được" in message and "cannot be abandoned" in message
    amendment.refresh_from_db()
    assert amendment.status == ProgrammeAmendment.Status.APPROVED
    response = client_for(inspector).post(
        url("amendment_abandon", amendment.pk), {"x-reason": "Nhầm"}, follow=True
    )
    assert response.redirect_chain[-1][0] == url("programme", approved.pk)
    assert "cannot be abandoned" in response.content.decode()


def test_only_its_drafter_or_someone_who_may_edit_the_programme_abandons_a_draft(
    province: dict[str, Organisation],
    inspector: User,
    approved: InspectionProgramme,
    root_viewer: User,
) -> None:
    amendment = amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh")
    with pytest.raises(PermissionDenied):
        amend.abandon_amendment(amendment, actor=root_viewer, reason="Không cần")
    colleague = make_user("colleague", Role.INSPECTOR, province["root"])
    amend.abandon_amendment(amendment, actor=colleague, reason="Không cần")
    amendment.refresh_from_db()
    assert amendment.is_abandoned and amendment.abandoned_by == colleague
    # Its drafter, moved to another post since, may still give up their own draft.
    drafter = make_user("drafter", Role.INSPECTOR, province["root"])
    mine = amend.open_amendment(approved, actor=drafter, reason="Của tôi")
    drafter.grants.all().delete()
    response = client_for(drafter).post(url("amendment_abandon", mine.pk), {"x-reason": "Thôi"})
    assert response.status_code == 302 and response["Location"] == url("programmes")
    mine.refresh_from_db()
    assert mine.is_abandoned and mine.abandoned_by == drafter


def test_the_abandon_page_keeps_the_reason_asks_for_one_and_shows_the_history(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    head: User,
    approved: InspectionProgramme,
    root_viewer: User,
    stranger: User,
) -> None:
    amendment = amend.open_amendment(approved, actor=inspector, reason="Lý do riêng tư")
    as_inspector = client_for(inspector)
    assert client_for(root_viewer).post(url("amendment_abandon", amendment.pk)).status_code == 403
    assert client_for(stranger).post(url("amendment_abandon", amendment.pk)).status_code == 404
    empty = as_inspector.post(url("amendment_abandon", amendment.pk), {"x-reason": ""})
    assert empty.status_code == 400 and "Nhập lý do hủy bỏ điều chỉnh" in empty.content.decode()
    done = as_inspector.post(
        url("amendment_abandon", amendment.pk), {"x-reason": "Đổi hướng điều chỉnh"}
    )
    assert done.status_code == 302
    page = as_inspector.get(url("programme", approved.pk)).content.decode()
    assert "Đã hủy bỏ" in page and "Đổi hướng điều chỉnh" in page and "Hủy bỏ bởi inspector" in page
    assert 'data-testid="amendment-open"' in page  # a new amendment can be opened
    # The inspected organisation sees neither the abandoned draft nor its reasons.
    theirs = client_for(head).get(url("programme", approved.pk)).content.decode()
    assert "Đổi hướng điều chỉnh" not in theirs and "Lý do riêng tư" not in theirs
    assert "Đã hủy bỏ" not in theirs
    twice = as_inspector.post(
        url("amendment_abandon", amendment.pk), {"x-reason": "Lại"}, follow=True
    )
    assert "already abandoned" in twice.content.decode()
    assert ProgrammeAmendment.objects.get().abandon_reason == "Đổi hướng điều chỉnh"


# --- many changes at once ---------------------------------------------------------------------


def test_additions_are_proposed_in_bulk_all_or_nothing(
    province: dict[str, Organisation], inspector: User, officer: User, approved: InspectionProgramme
) -> None:
    amendment = amend.open_amendment(approved, actor=inspector, reason="Bổ sung")
    departments = list(ps.bulk_organisations(inspector, approved, kind=kind("department")))
    # The justice department is already there in Q4: nobody is proposed.
    with pytest.raises(ValidationError) as exc:
        bulk.propose_additions(
            approved, actor=inspector, organisations=departments, quarter=4, kind="scheduled"
        )
    [refused] = exc.value.message_dict["organisations"]
    assert refused.startswith("Sở Tư pháp: Cơ quan này đã có trong kế hoạch ở quý 4")
    assert not amendment.changes.exists()
    changes = bulk.propose_additions(
        approved, actor=inspector, organisations=departments, month=2, kind="unannounced"
    )
    assert {(c.action, c.quarter, c.month) for c in changes} == {("add", 1, 2)}
    # A second batch into the same quarter meets the pending additions.
    with pytest.raises(ValidationError) as exc:
        bulk.propose_additions(
            approved,
            actor=inspector,
            organisations=[province["dept_home"]],
            quarter=1,
            kind="scheduled",
        )
    assert "Sở Nội vụ" in exc.value.message_dict["organisations"][0]
    # "Not inspected for N years" leaves out those already proposed.
    never = ps.bulk_organisations(inspector, approved, never_years=3)
    assert province["dept_home"] not in never and province["root"] in never
    assert approved.items.count() == 2  # proposals only, until approved
    amend.approve_amendment(amendment, actor=officer, decision_number="4/QĐ", decision_on=DECIDED)
    assert approved.items.filter(quarter=1, month=2).count() == 2
    assert AuditEvent.objects.filter(action="inspection_programme.changes_add").count() == 1


def test_ticked_items_are_cancelled_in_bulk_with_one_reason_or_none_is(
    province: dict[str, Organisation], inspector: User, officer: User, approved: InspectionProgramme
) -> None:
    amendment = amend.open_amendment(approved, actor=inspector, reason="Thu gọn")
    justice = item_of(approved, province["dept_justice"])
    commune = item_of(approved, province["commune"])
    start(plan(province["dept_justice"], inspector, item=justice), inspector)
    with pytest.raises(ValidationError) as exc:
        bulk.propose_cancellations(approved, actor=inspector, items=[justice, commune], reason="")
    errors = exc.value.message_dict
    assert "Nhập lý do hủy" in errors["reason"][0]
    assert [e for e in errors["items"] if e.startswith("Sở Tư pháp:") and "has started" in e]
    assert not amendment.changes.exists()
    changes = bulk.propose_cancellations(
        approved, actor=inspector, items=[commune], reason="Xã sáp nhập"
    )
    assert [(c.action, c.reason) for c in changes] == [("cancel", "Xã sáp nhập")]
    with pytest.raises(ValidationError) as exc:  # already proposed
        bulk.propose_cancellations(approved, actor=inspector, items=[commune], reason="Lại")
    assert "withdraw it first" in exc.value.message_dict["items"][0]
    amend.approve_amendment(amendment, actor=officer, decision_number="5/QĐ", decision_on=DECIDED)
    commune.refresh_from_db()
    assert commune.is_cancelled and commune.cancel_reason == "Xã sáp nhập"


def test_ticked_items_are_rescheduled_in_bulk_and_a_clash_refuses_them_all(
    province: dict[str, Organisation], inspector: User, officer: User, approved: InspectionProgramme
) -> None:
    amendment = amend.open_amendment(approved, actor=inspector, reason="Dồn lịch")
    justice = item_of(approved, province["dept_justice"])
    commune = item_of(approved, province["commune"])
    amend.propose_addition(
        approved, actor=inspector, organisation=province["commune"], quarter=2, kind="scheduled"
    )
    with pytest.raises(ValidationError) as exc:
        bulk.propose_reschedules(
            approved, actor=inspector, items=[justice, commune], quarter=2, reason="Sớm hơn"
        )
    [refused] = exc.value.message_dict["items"]
    assert refused.startswith("Ủy ban nhân dân xã An Bình:") and "quarter 2" in refused
    with pytest.raises(ValidationError) as exc:
        bulk.propose_reschedules(approved, actor=inspector, items=[justice], quarter=4)
    assert "current one" in exc.value.message_dict["items"][0]
    assert amendment.changes.count() == 1
    changes = bulk.propose_reschedules(
        approved, actor=inspector, items=[justice, commune], month=7, reason="Sau bầu cử"
    )
    assert {(c.old_quarter, c.quarter, c.month, c.reason) for c in changes} == {
        (4, 3, 7, "Sau bầu cử"),
        (3, 3, 7, "Sau bầu cử"),
    }
    amend.approve_amendment(amendment, actor=officer, decision_number="6/QĐ", decision_on=DECIDED)
    justice.refresh_from_db()
    assert (justice.quarter, justice.month) == (3, 7)


def test_the_bulk_pages_of_an_amendment_propose_and_keep_the_input_on_error(
    province: dict[str, Organisation],
    inspector: User,
    approved: InspectionProgramme,
    root_viewer: User,
    stranger: User,
) -> None:
    as_inspector = client_for(inspector)
    # No amendment in preparation yet: sent back to the programme.
    assert as_inspector.get(url("amendment_items_bulk", approved.pk)).status_code == 302
    amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh")
    for name in ("amendment_items_bulk", "amendment_changes_bulk"):
        assert as_inspector.get(url(name, approved.pk)).status_code == 200
        assert client_for(root_viewer).get(url(name, approved.pk)).status_code == 403
        assert client_for(stranger).get(url(name, approved.pk)).status_code == 404
        assert client_for(root_viewer).post(url(name, approved.pk)).status_code == 403
        assert client_for(stranger).post(url(name, approved.pk)).status_code == 404
    ticked = [province["dept_justice"].pk, province["dept_home"].pk]
    refused = as_inspector.post(
        url("amendment_items_bulk", approved.pk),
        {"organisations": ticked, "period": "q4", "kind": "scheduled"},
    )
    body = refused.content.decode()
    assert refused.status_code == 400 and "Sở Tư pháp: Cơ quan này đã có" in body
    assert f'value="{province["dept_home"].pk}" checked' in body
    added = as_inspector.post(
        url("amendment_items_bulk", approved.pk),
        {"organisations": ticked, "period": "q1", "kind": "scheduled"},
    )
    assert added.status_code == 302
    assert ProgrammeChange.objects.filter(action="add").count() == 2
    listed = as_inspector.get(url("amendment_changes_bulk", approved.pk), {"q": "an binh"})
    assert "Ủy ban nhân dân xã An Bình" in listed.content.decode()
    assert "Sở Tư pháp — " not in listed.content.decode()
    items = [i.pk for i in approved.items.all()]
    no_reason = as_inspector.post(
        url("amendment_changes_bulk", approved.pk), {"items": items, "action": "cancel"}
    )
    assert no_reason.status_code == 400 and "Nhập lý do hủy" in no_reason.content.decode()
    assert f'value="{items[1]}" checked' in no_reason.content.decode()
    moved = as_inspector.post(
        url("amendment_changes_bulk", approved.pk),
        {"items": items, "action": "reschedule", "period": "m8", "reason": "Trùng lịch"},
    )
    assert moved.status_code == 302
    assert ProgrammeChange.objects.filter(action="reschedule", month=8).count() == 2
    page = as_inspector.get(url("programme", approved.pk)).content.decode()
    assert page.count("Tháng 8") >= 2 and "Trùng lịch" in page


# --- the amending decision and the workbook ---------------------------------------------------


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_amending_decision_downloads_in_the_decree_30_format(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    head: User,
    approved: InspectionProgramme,
    stranger: User,
) -> None:
    amendment = amend.open_amendment(approved, actor=inspector, reason="Sắp xếp bộ máy")
    amend.propose_addition(
        approved,
        actor=inspector,
        organisation=province["dept_home"],
        quarter=2,
        kind="scheduled",
        note="Theo đề nghị của Sở",
    )
    amend.propose_cancellation(
        item_of(approved, province["commune"]), actor=inspector, reason="Xã sáp nhập"
    )
    amend.propose_reschedule(
        item_of(approved, province["dept_justice"]), actor=inspector, month=5, reason="Trùng lịch"
    )
    as_inspector = client_for(inspector)
    draft = as_inspector.get(url("amendment_document", amendment.pk))
    assert draft.status_code == 200 and draft["Content-Disposition"].endswith('.docx"')
    text = _docx_text(draft.content)
    assert "DỰ THẢO" in text and "Số:         /QĐ" in text
    # The stranger's organisation is not in the approved programme (yet): 404.
    assert client_for(stranger).get(url("amendment_document", amendment.pk)).status_code == 404
    amend.approve_amendment(
        amendment, actor=officer, decision_number="45/QĐ-SNV", decision_on=DECIDED
    )
    text = _docx_text(as_inspector.get(url("amendment_document", amendment.pk)).content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 45/QĐ-SNV" in text and "DỰ THẢO" not in text
    assert f"ngày 10 tháng 6 năm {THIS_YEAR}" in text
    assert "QUYẾT ĐỊNH" in text
    assert f"Điều chỉnh Kế hoạch kiểm tra công vụ năm {approved.year}" in text
    assert "Quyết định số 1/QĐ-SNV" in text and "Sắp xếp bộ máy" in text
    for expected in ("Bổ sung", "Sở Nội vụ", "Quý II", "Theo đề nghị của Sở"):
        assert expected in text
    for expected in ("Hủy", "Ủy ban nhân dân xã An Bình", "Quý III", "Xã sáp nhập"):
        assert expected in text
    assert "Đổi thời gian" in text and "Quý IV → Tháng 5" in text and "Trùng lịch" in text
    assert client_for(head).get(url("amendment_document", amendment.pk)).status_code == 403
    # The workbook gives each item's state and what the decisions changed.
    sheet = load_workbook(
        io.BytesIO(as_inspector.get(url("programme_document", approved.pk, "xlsx")).content)
    ).active
    assert sheet is not None
    rows = {row[2]: row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    assert rows["Ủy ban nhân dân xã An Bình"][10] == "Đã hủy"
    assert rows["Sở Tư pháp"][10] == "Chưa lên kế hoạch kiểm tra"
    assert "Điều chỉnh lần 1 (Quyết định số 45/QĐ-SNV" in rows["Sở Tư pháp"][11]
    assert "Đổi thời gian Quý IV → Tháng 5 — Trùng lịch" in rows["Sở Tư pháp"][11]
    assert "Bổ sung Quý II" in rows["Sở Nội vụ"][11]


def test_an_abandoned_amendment_has_no_document(
    inspector: User, approved: InspectionProgramme
) -> None:
    amendment = amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh")
    amend.abandon_amendment(amendment, actor=inspector, reason="Thôi")
    assert client_for(inspector).get(url("amendment_document", amendment.pk)).status_code == 404


def test_in_english_the_abandon_refusal_and_the_bulk_pages_speak_english(
    settings: Any, inspector: User, approved: InspectionProgramme
) -> None:
    amendment = amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh")
    client = client_for(inspector)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    refused = client.post(url("amendment_abandon", amendment.pk), {"x-reason": ""})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "Enter the reason for abandoning the amendment." in body and "Nhập lý do" not in body
    assert "Abandon this draft amendment" in body
    page = client.get(url("amendment_changes_bulk", approved.pk)).content.decode()
    assert "Cancel or reschedule several items (amendment)" in page
