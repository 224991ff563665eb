"""Amendments through the API: abandoning and restoring a draft, proposing many changes at
once, the amending decision as a Word document and a draft's preview workbook; a viewer gets
403 and an outsider 404."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.conduct.services import load_seed_catalogue
from congvu.inspections.models import ProgrammeAmendment, ProgrammeChange, ProgrammeItem
from congvu.organisations.models import Organisation

from ...conftest import kind, make_user
from .conftest import bearer, this_year
from .test_inspection_programmes_api import BASE, build, post

YEAR = this_year()


@pytest.fixture(autouse=True)
def _the_year_of_this_test() -> None:
    """`YEAR` as of the moment each test runs, not of the collection (`this_year`)."""
    global YEAR
    YEAR = this_year()


AMENDMENTS = "/api/v1/inspection-programme-amendments"


@pytest.fixture
def inspector(province: dict[str, Organisation]) -> User:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    return make_user("inspector", Role.INSPECTOR, province["root"])


@pytest.fixture
def approved(province: dict[str, Organisation], inspector: User, officer: User) -> int:
    """An approved programme with an amendment in preparation."""
    pk = build(bearer(inspector), province)
    assert post(bearer(officer), f"{BASE}/{pk}/approve", {}).status_code == 200
    opened = post(bearer(inspector), f"{BASE}/{pk}/amendments", {"reason": "Điều chỉnh"})
    assert opened.status_code == 201
    return pk


def refusal(response: Any) -> str:
    """A 422's messages, decoded."""
    assert response.status_code == 422, response.content
    return " ".join(str(error["msg"]) for error in response.json()["detail"])


def draft_id(pk: int) -> int:
    return ProgrammeAmendment.objects.get(programme_id=pk, status="draft").pk


def test_a_draft_amendment_is_abandoned_with_its_reason_and_a_new_one_opened(
    province: dict[str, Organisation], inspector: User, officer: User, approved: int
) -> None:
    client = bearer(inspector)
    amendment = draft_id(approved)
    commune = ProgrammeItem.objects.get(organisation=province["commune"]).pk
    post(client, f"/api/v1/inspection-programme-items/{commune}/cancel", {"reason": "Thôi"})
    assert post(client, f"{AMENDMENTS}/{amendment}/abandon", {"reason": " "}).status_code == 422
    done = post(client, f"{AMENDMENTS}/{amendment}/abandon", {"reason": "Không cần nữa"})
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "abandoned" and body["abandon_reason"] == "Không cần nữa"
    assert body["abandoned_by"]["id"] == inspector.pk and body["abandoned_at"]
    assert [c["action"] for c in body["changes"]] == ["cancel"]  # kept
    assert AuditEvent.objects.filter(action="inspection_programme.amendment_abandon").exists()
    # Not counted: the item is not cancelled; the organisation does not see the draft.
    detail = client.get(f"{BASE}/{approved}").json()
    assert all(i["state"] != "cancelled" for i in detail["items"])
    head = bearer(make_user("commune_head", Role.HEAD, province["commune"]))
    assert head.get(f"{BASE}/{approved}").json()["amendments"] == []
    assert client.get(f"{AMENDMENTS}/{amendment}/decision.docx").status_code == 404
    again = post(client, f"{BASE}/{approved}/amendments", {"reason": "Lần khác"})
    assert again.status_code == 201 and again.json()["number"] == 1
    # An approved amendment cannot be abandoned.
    post(client, f"/api/v1/inspection-programme-items/{commune}/reschedule", {"quarter": 2})
    approve = f"{AMENDMENTS}/{again.json()['id']}/approve"
    decision = {"decision_number": "7/QĐ", "decision_on": f"{YEAR}-06-10"}
    assert post(bearer(officer), approve, decision).status_code == 200
    refused = post(client, f"{AMENDMENTS}/{again.json()['id']}/abandon", {"reason": "Nhầm"})
    assert "cannot be abandoned" in refusal(refused)


def test_many_additions_cancellations_and_reschedulings_are_proposed_at_once(
    province: dict[str, Organisation], inspector: User, approved: int
) -> None:
    client = bearer(inspector)
    departments = {"organisation_kind": kind("department").pk, "kind": "scheduled"}
    clash = post(client, f"{BASE}/{approved}/amendment/items/bulk", {**departments, "quarter": 4})
    assert refusal(clash).startswith("Sở Tư pháp: Cơ quan này đã có trong kế hoạch ở quý 4")
    assert not ProgrammeChange.objects.exists()
    added = post(client, f"{BASE}/{approved}/amendment/items/bulk", {**departments, "month": 5})
    assert added.status_code == 201
    assert {c["organisation"]["id"] for c in added.json()["changes"]} == {
        province["dept_home"].pk,
        province["dept_justice"].pk,
    }
    items = list(ProgrammeItem.objects.filter(programme_id=approved).values_list("pk", flat=True))
    no_reason = post(client, f"{BASE}/{approved}/amendment/cancellations", {"items": items})
    assert no_reason.status_code == 422
    unknown = post(
        client,
        f"{BASE}/{approved}/amendment/cancellations",
        {"items": [*items, 999_999], "reason": "Thôi"},
    )
    assert "999999" in refusal(unknown)
    commune = ProgrammeItem.objects.get(organisation=province["commune"]).pk
    cancelled = post(
        client,
        f"{BASE}/{approved}/amendment/cancellations",
        {"items": [commune], "reason": "Xã sáp nhập"},
    )
    assert cancelled.status_code == 201
    justice = list(
        ProgrammeItem.objects.filter(organisation=province["dept_justice"]).values_list(
            "pk", flat=True
        )
    )
    # Both justice items into one quarter: the second would meet the first.
    twice = post(
        client, f"{BASE}/{approved}/amendment/reschedules", {"items": justice, "quarter": 1}
    )
    assert "quarter 1" in refusal(twice)
    fourth = ProgrammeItem.objects.get(organisation=province["dept_justice"], quarter=4).pk
    moved = post(
        client,
        f"{BASE}/{approved}/amendment/reschedules",
        {"items": [fourth], "month": 12, "reason": "Cuối năm"},
    )
    assert moved.status_code == 201
    actions = [c["action"] for c in moved.json()["changes"]]
    assert actions.count("add") == 2 and actions.count("cancel") == 1
    assert actions.count("reschedule") == 1
    docx = client.get(f"{AMENDMENTS}/{draft_id(approved)}/decision.docx")
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "Điều chỉnh Kế hoạch kiểm tra công vụ năm" in text and "Xã sáp nhập" in text
    assert "Cuối năm" in text and "DỰ THẢO" in text


def test_the_new_amendment_endpoints_refuse_a_viewer_and_hide_from_an_outsider(
    province: dict[str, Organisation], approved: int
) -> None:
    amendment = draft_id(approved)
    item = ProgrammeItem.objects.filter(programme_id=approved).first()
    assert item is not None
    viewer = bearer(make_user("root_viewer", Role.VIEWER, province["root"]))
    outsider = bearer(make_user("stranger", Role.HEAD, province["dept_home"]))
    calls: list[tuple[str, dict[str, object] | None]] = [
        (f"{AMENDMENTS}/{amendment}/abandon", {"reason": "X"}),
        (f"{BASE}/{approved}/amendment/items/bulk", {"organisations": [], "kind": "scheduled"}),
        (f"{BASE}/{approved}/amendment/cancellations", {"items": [item.pk], "reason": "X"}),
        (f"{BASE}/{approved}/amendment/reschedules", {"items": [item.pk], "quarter": 2}),
        (f"{AMENDMENTS}/{amendment}/decision.docx", None),
    ]
    who: Client
    for who, expected in ((viewer, 403), (outsider, 404)):
        for path, body in calls:
            response = who.get(path) if body is None else post(who, path, body)
            assert response.status_code == expected, (path, response.status_code)
    assert ProgrammeAmendment.objects.get(pk=amendment).is_draft
    assert not ProgrammeChange.objects.exists()


# --- restoring an abandoned draft, previewing a draft ---------------------------------------


def abandoned(client: Client, pk: int, province: dict[str, Organisation]) -> int:
    """The draft of `pk`, with the commune's cancellation proposed, abandoned."""
    amendment = draft_id(pk)
    commune = ProgrammeItem.objects.get(programme_id=pk, organisation=province["commune"]).pk
    post(client, f"/api/v1/inspection-programme-items/{commune}/cancel", {"reason": "Sáp nhập"})
    assert post(client, f"{AMENDMENTS}/{amendment}/abandon", {"reason": "Nhầm"}).status_code == 200
    return amendment


def test_an_abandoned_draft_is_restored_with_its_proposals_unless_another_draft_is_open(
    province: dict[str, Organisation], inspector: User, officer: User, approved: int
) -> None:
    client = bearer(inspector)
    amendment = abandoned(client, approved, province)
    other = post(client, f"{BASE}/{approved}/amendments", {"reason": "Khác"}).json()
    refused = post(client, f"{AMENDMENTS}/{amendment}/restore", {"reason": "Nhầm"})
    assert "draft amendment 1 open" in refusal(refused)
    justice = ProgrammeItem.objects.filter(
        programme_id=approved, organisation=province["dept_justice"]
    ).first()
    assert justice is not None
    post(client, f"/api/v1/inspection-programme-items/{justice.pk}/reschedule", {"quarter": 2})
    decision = {"decision_number": "7/QĐ", "decision_on": f"{YEAR}-06-10"}
    assert post(bearer(officer), f"{AMENDMENTS}/{other['id']}/approve", decision).status_code == 200
    assert post(client, f"{AMENDMENTS}/{amendment}/restore", {"reason": " "}).status_code == 422
    done = post(client, f"{AMENDMENTS}/{amendment}/restore", {"reason": "Hủy bỏ nhầm"})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "draft" and body["number"] == 2  # 1 is signed meanwhile
    assert body["abandoned_at"] is None and [c["action"] for c in body["changes"]] == ["cancel"]
    event = AuditEvent.objects.get(action="inspection_programme.amendment_restore")
    assert event.data["reason"] == "Hủy bỏ nhầm"


def test_a_drafts_preview_workbook_is_downloaded(
    province: dict[str, Organisation], inspector: User, approved: int
) -> None:
    client = bearer(inspector)
    commune = ProgrammeItem.objects.get(programme_id=approved, organisation=province["commune"])
    post(client, f"/api/v1/inspection-programme-items/{commune.pk}/cancel", {"reason": "Giải thể"})
    response = client.get(f"{AMENDMENTS}/{draft_id(approved)}/preview.xlsx")
    assert response.status_code == 200, response.content
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and str(sheet["A1"].value).startswith("DỰ THẢO")
    rows = [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]
    cancelled = [row for row in rows if row[2] == "Ủy ban nhân dân xã An Bình"]
    assert [(row[5], row[6], row[7]) for row in cancelled] == [("Hủy", "Hủy", "Giải thể")]
    assert len(rows) == 3 and sum(row[5] == "Giữ nguyên" for row in rows) == 2


def test_restore_and_preview_refuse_a_viewer_and_hide_from_an_outsider(
    province: dict[str, Organisation], inspector: User, approved: int
) -> None:
    client = bearer(inspector)
    draft = draft_id(approved)
    viewer = bearer(make_user("root_viewer", Role.VIEWER, province["root"]))
    outsider = bearer(make_user("stranger", Role.HEAD, province["dept_home"]))
    for who, expected in ((viewer, 403), (outsider, 404)):
        assert who.get(f"{AMENDMENTS}/{draft}/preview.xlsx").status_code == expected
    gone = abandoned(client, approved, province)
    assert client.get(f"{AMENDMENTS}/{gone}/preview.xlsx").status_code == 404  # not a draft
    for who, expected in ((viewer, 403), (outsider, 404)):
        response = post(who, f"{AMENDMENTS}/{gone}/restore", {"reason": "X"})
        assert response.status_code == expected
    assert ProgrammeAmendment.objects.get(pk=gone).is_abandoned
