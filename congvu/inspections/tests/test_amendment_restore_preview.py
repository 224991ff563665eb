"""Restoring an abandoned draft amendment and previewing a draft's effect as a workbook: the
rules (numbering, one draft at a time, proposals as they were), the pages for an inspector,
a role without the permission (403) and an outsider (404)."""

from __future__ import annotations

import calendar
import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.inspections import programme_amendment_restore as restore
from congvu.inspections import programme_amendments as amend
from congvu.inspections.models import Inspection, InspectionProgramme
from congvu.organisations.models import Organisation

from ...conftest import client_for, make_user
from .conftest import item_of

pytestmark = pytest.mark.usefixtures("catalogue")
DECIDED = dt.date(timezone.localdate().year, 6, 10)


@pytest.fixture(autouse=True)
def _the_year_of_this_test() -> None:
    """The day above as of the moment each test runs, not of the collection: a run that
    crosses New Year's midnight (Vietnam time) in between saw last year as this year."""
    global DECIDED
    DECIDED = dt.date(timezone.localdate().year, 6, 10)


def url(name: str, *args: Any) -> str:
    return reverse(f"inspections:{name}", args=args)


def abandoned_with_changes(
    prog: InspectionProgramme, province: dict[str, Organisation], actor: User
) -> Any:
    """An abandoned draft that added the home affairs department and cancelled the commune."""
    amendment = amend.open_amendment(prog, actor=actor, reason="Sắp xếp bộ máy")
    amend.propose_addition(
        prog, actor=actor, organisation=province["dept_home"], quarter=2, kind="scheduled"
    )
    amend.propose_cancellation(item_of(prog, province["commune"]), actor=actor, reason="Sáp nhập")
    return amend.abandon_amendment(amendment, actor=actor, reason="Bấm nhầm")


# --- the rules --------------------------------------------------------------------------------


def test_a_restored_draft_comes_back_with_its_number_its_proposals_and_an_audit_event(
    province: dict[str, Organisation], inspector: User, approved: InspectionProgramme
) -> None:
    abandoned = abandoned_with_changes(approved, province, inspector)
    with pytest.raises(ValidationError) as exc:
        restore.restore_amendment(abandoned, actor=inspector, reason=" ")
    assert "Enter the reason for restoring" in exc.value.message_dict["reason"][0]
    restored = restore.restore_amendment(abandoned, actor=inspector, reason="Hủy bỏ nhầm")
    restored.refresh_from_db()
    assert restored.is_draft and restored.number == 1
    assert restored.abandoned_at is None and restored.abandon_reason == ""
    assert sorted(c.action for c in restored.changes.all()) == ["add", "cancel"]
    assert amend.draft_amendment(approved) == restored
    event = AuditEvent.objects.get(action="inspection_programme.amendment_restore")
    assert event.data["reason"] == "Hủy bỏ nhầm" and event.data["number"] == 1
    assert event.data["was"]["abandon_reason"] == "Bấm nhầm" and event.data["changes"] == 2
    with pytest.raises(ValidationError) as exc:  # a draft is not restored
        restore.restore_amendment(restored, actor=inspector, reason="Lại")
    assert "Only an abandoned draft" in exc.value.messages[0]


def test_restoring_is_refused_while_another_draft_is_open_and_takes_the_next_free_number(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    approved: InspectionProgramme,
) -> None:
    abandoned = abandoned_with_changes(approved, province, inspector)
    other = amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh khác")
    assert other.number == 1  # the abandoned draft's number, reused
    with pytest.raises(ValidationError) as exc:
        restore.restore_amendment(abandoned, actor=inspector, reason="Nhầm")
    assert "draft amendment 1 open" in exc.value.messages[0]
    abandoned.refresh_from_db()
    assert abandoned.is_abandoned and abandoned.abandon_reason == "Bấm nhầm"
    # The other one cancels the commune too, and is signed: number 1 is taken for good.
    amend.propose_cancellation(
        item_of(approved, province["commune"]), actor=inspector, reason="Giải thể"
    )
    amend.approve_amendment(other, actor=officer, decision_number="5/QĐ", decision_on=DECIDED)
    restored = restore.restore_amendment(abandoned, actor=inspector, reason="Vẫn cần bổ sung")
    assert restored.number == 2 and restored.is_draft
    event = AuditEvent.objects.get(action="inspection_programme.amendment_restore")
    assert event.data["was"]["number"] == 1 and event.data["number"] == 2
    # Its cancellation of the commune was overtaken: approval names it until withdrawn.
    with pytest.raises(ValidationError) as exc:
        amend.approve_amendment(restored, actor=officer, decision_number="6", decision_on=DECIDED)
    assert "Ủy ban nhân dân xã An Bình" in exc.value.message_dict["changes"][0]
    stale = restored.changes.get(action="cancel")
    amend.withdraw_change(stale, actor=inspector)
    amend.approve_amendment(restored, actor=officer, decision_number="6", decision_on=DECIDED)
    assert approved.items.filter(organisation=province["dept_home"], quarter=2).exists()


def test_who_may_restore_is_who_may_abandon(
    province: dict[str, Organisation],
    inspector: User,
    approved: InspectionProgramme,
    root_viewer: User,
) -> None:
    abandoned = abandoned_with_changes(approved, province, inspector)
    with pytest.raises(PermissionDenied):
        restore.restore_amendment(abandoned, actor=root_viewer, reason="Khôi phục")
    colleague = make_user("colleague", Role.INSPECTOR, province["root"])
    assert restore.restore_amendment(abandoned, actor=colleague, reason="Khôi phục").is_draft


# --- the pages --------------------------------------------------------------------------------


def test_the_restore_page_confirms_with_a_reason_and_brings_the_draft_back(
    province: dict[str, Organisation],
    inspector: User,
    approved: InspectionProgramme,
    root_viewer: User,
    stranger: User,
) -> None:
    abandoned = abandoned_with_changes(approved, province, inspector)
    as_inspector = client_for(inspector)
    programme_page = as_inspector.get(url("programme", approved.pk)).content.decode()
    assert url("amendment_restore", abandoned.pk) in programme_page
    page = as_inspector.get(url("amendment_restore", abandoned.pk))
    body = page.content.decode()
    assert page.status_code == 200 and "Sáp nhập" in body and "Sở Nội vụ" in body
    assert "số lần điều chỉnh 1" in body and "Bấm nhầm" in body
    for who, expected in ((root_viewer, 403), (stranger, 404)):
        client = client_for(who)
        assert client.get(url("amendment_restore", abandoned.pk)).status_code == expected
        posted = client.post(url("amendment_restore", abandoned.pk), {"r-reason": "X"})
        assert posted.status_code == expected
    empty = as_inspector.post(url("amendment_restore", abandoned.pk), {"r-reason": ""})
    assert empty.status_code == 400 and "Nhập lý do khôi phục dự thảo" in empty.content.decode()
    done = as_inspector.post(url("amendment_restore", abandoned.pk), {"r-reason": "Nhầm"})
    assert done.status_code == 302 and done["Location"] == url("programme", approved.pk)
    after = as_inspector.get(url("programme", approved.pk)).content.decode()
    assert 'data-testid="draft-changes"' in after and "Đã hủy bỏ" not in after
    assert AuditEvent.objects.filter(action="inspection_programme.amendment_restore").exists()


def test_the_restore_page_names_the_open_draft_and_keeps_the_reason_when_refused(
    province: dict[str, Organisation], inspector: User, approved: InspectionProgramme
) -> None:
    abandoned = abandoned_with_changes(approved, province, inspector)
    amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh khác")
    client = client_for(inspector)
    page = client.get(url("amendment_restore", abandoned.pk)).content.decode()
    assert "dự thảo điều chỉnh lần 1" in page
    refused = client.post(url("amendment_restore", abandoned.pk), {"r-reason": "Lý do của tôi"})
    body = refused.content.decode()
    assert refused.status_code == 400 and "draft amendment 1 open" in body
    assert "Lý do của tôi" in body
    abandoned.refresh_from_db()
    assert abandoned.is_abandoned


def test_the_preview_workbook_shows_every_item_before_and_after_the_draft(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    head: User,
    approved: InspectionProgramme,
    stranger: User,
) -> None:
    year = approved.year
    amendment = amend.open_amendment(approved, actor=inspector, reason="Sắp xếp bộ máy")
    amend.propose_addition(
        approved, actor=inspector, organisation=province["dept_home"], month=2, kind="scheduled"
    )
    amend.propose_reschedule(
        item_of(approved, province["dept_justice"]), actor=inspector, month=5, reason="Trùng lịch"
    )
    as_inspector = client_for(inspector)
    page = as_inspector.get(url("programme", approved.pk)).content.decode()
    assert url("amendment_preview", amendment.pk) in page
    response = as_inspector.get(url("amendment_preview", amendment.pk))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert str(sheet["A1"].value).startswith("DỰ THẢO")
    rows = {row[2]: row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    assert rows["Sở Tư pháp"][4:7] == (
        f"Quý IV (01/10/{year} – 31/12/{year})",
        "Đổi thời gian",
        f"Tháng 5 (01/05/{year} – 31/05/{year})",
    )
    commune = rows["Ủy ban nhân dân xã An Bình"]
    assert commune[5] == "Giữ nguyên" and commune[4] == commune[6]
    february = calendar.monthrange(year, 2)[1]
    added = rows["Sở Nội vụ"]
    assert not added[4] and added[5:7] == (
        "Bổ sung",
        f"Tháng 2 (01/02/{year} – {february}/02/{year})",
    )
    assert Inspection.objects.count() == 0 and not approved.items.filter(month=5).exists()
    assert client_for(head).get(url("amendment_preview", amendment.pk)).status_code == 403
    assert client_for(stranger).get(url("amendment_preview", amendment.pk)).status_code == 404
    amend.approve_amendment(amendment, actor=officer, decision_number="7", decision_on=DECIDED)
    assert as_inspector.get(url("amendment_preview", amendment.pk)).status_code == 404


def test_in_english_the_restore_page_and_its_refusal_speak_english(
    settings: Any, province: dict[str, Organisation], inspector: User, approved: InspectionProgramme
) -> None:
    abandoned = abandoned_with_changes(approved, province, inspector)
    amend.open_amendment(approved, actor=inspector, reason="Điều chỉnh khác")
    client = client_for(inspector)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(url("amendment_restore", abandoned.pk)).content.decode()
    assert "Restore the draft" in body and "draft amendment 1 open" in body
    assert "Kế hoạch đang có dự thảo" not in body
