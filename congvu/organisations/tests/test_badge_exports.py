"""Large badge sheets are made on the background worker, like the provincial report's PDF."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from django.conf import settings
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for, make_staff, make_user
from congvu.organisations import badge_exports, badges
from congvu.organisations.models import BadgeExport, Organisation, StaffMember

Province = dict[str, Organisation]
S = BadgeExport.Status


@pytest.fixture(autouse=True)
def large(settings: Any, tmp_path: Path) -> None:
    """Sheets of more than two cards count as large: the fixture has a handful of staff."""
    settings.MEDIA_ROOT = tmp_path
    settings.ORGANISATIONS_BADGE_INLINE_MAX_CARDS = 2


@pytest.fixture
def justice_staff(province: Province, staff_member: StaffMember) -> list[StaffMember]:
    return [staff_member] + [
        make_staff(province["dept_justice"], f"Lê Văn Số {n}", f"STP-B{n}") for n in range(2)
    ]


def sheet_url(organisation: Organisation) -> str:
    return reverse("organisations:badges_pdf", args=[organisation.pk])


def qr_codes(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    image = document[0].render(scale=3).to_pil()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_a_large_sheet_is_made_in_the_background_then_downloaded(
    as_officer: Client,
    province: Province,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        asked = as_officer.get(sheet_url(province["dept_justice"]))
    export = BadgeExport.objects.get()
    assert asked.status_code == 302
    assert asked["Location"] == reverse("organisations:badge_export", args=[export.pk])
    export.refresh_from_db()
    assert export.status == S.DONE and export.rows == 3

    page = as_officer.get(asked["Location"]).content.decode()
    assert "Bản PDF đã sẵn sàng" in page
    download = as_officer.get(reverse("organisations:badge_export_file", args=[export.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="the-h5602.pdf"'
    pdf = body(download)
    expected = {settings.SITE_URL + "/r/" + member.badge_token for member in justice_staff}
    assert set(qr_codes(pdf)) == expected

    # Asked again with nobody changed: the same file at once, nothing queued.
    again = as_officer.get(sheet_url(province["dept_justice"]))
    assert again.status_code == 200 and body(again) == pdf
    assert BadgeExport.objects.count() == 1


def test_while_it_is_made_the_page_counts_the_cards_and_polls(
    as_officer: Client, province: Province, justice_staff: list[StaffMember]
) -> None:
    asked = as_officer.get(sheet_url(province["dept_justice"]))  # no commit: not run yet
    export = BadgeExport.objects.get()
    assert export.status == S.QUEUED
    page = as_officer.get(asked["Location"]).content.decode()
    assert "Đang tạo tệp thẻ gồm 3 thẻ" in page
    assert f'hx-get="{asked["Location"]}"' in page
    assert (
        as_officer.get(reverse("organisations:badge_export_file", args=[export.pk])).status_code
        == 404
    )
    # Asked again meanwhile: the same export, not a second one.
    assert as_officer.get(sheet_url(province["dept_justice"]))["Location"] == asked["Location"]
    badge_exports.make(export.pk)
    done = as_officer.get(asked["Location"], headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_a_badge_rotated_since_makes_a_new_sheet(
    as_officer: Client,
    province: Province,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from congvu.organisations import services

    with django_capture_on_commit_callbacks(execute=True):
        as_officer.get(sheet_url(province["dept_justice"]))
    first = BadgeExport.objects.get()
    services.rotate_badge(justice_staff[0], actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        asked = as_officer.get(sheet_url(province["dept_justice"]))
    latest = BadgeExport.objects.get()  # the out-of-date one is gone
    assert latest.pk != first.pk and asked["Location"].endswith(f"/{latest.pk}/")
    justice_staff[0].refresh_from_db()
    pdf = body(as_officer.get(reverse("organisations:badge_export_file", args=[latest.pk])))
    assert settings.SITE_URL + "/r/" + justice_staff[0].badge_token in qr_codes(pdf)


def test_a_small_sheet_is_still_made_in_the_request(
    as_officer: Client, province: Province, staff_member: StaffMember
) -> None:
    response = as_officer.get(sheet_url(province["dept_justice"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert not BadgeExport.objects.exists()


def test_each_part_of_a_large_scope_is_its_own_file(
    as_officer: Client,
    province: Province,
    justice_staff: list[StaffMember],
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(badges, "SHEET_MAX", 3)
    make_staff(province["dept_home"], "Phạm Thị Hoa", "SNV-1")
    target = sheet_url(province["root"])
    assert "Tệp 2: thẻ 4–4" in as_officer.get(target, {"subtree": "1"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        first = as_officer.get(target, {"subtree": "1", "part": "1"})
    assert first.status_code == 302  # three cards: above the two made in the request
    second = as_officer.get(target, {"subtree": "1", "part": "2"})
    assert second["Content-Type"] == "application/pdf"  # one card: made at once
    export = BadgeExport.objects.get()
    assert (export.sheet.part, export.sheet.subtree, export.status) == (1, True, S.DONE)
    assert len(qr_codes(body(as_officer.get(f"{first['Location']}file")))) == 3


def test_the_sheet_and_its_export_are_403_without_the_right_and_404_to_others(
    as_officer: Client,
    as_viewer: Client,
    as_outsider: Client,
    province: Province,
    justice_staff: list[StaffMember],
) -> None:
    assert as_viewer.get(sheet_url(province["dept_justice"])).status_code == 403
    assert as_outsider.get(sheet_url(province["dept_justice"])).status_code == 404
    asked = as_officer.get(sheet_url(province["dept_justice"]))
    export = BadgeExport.objects.get()
    pages = [asked["Location"], reverse("organisations:badge_export_file", args=[export.pk])]
    # Another officer who may print there still does not get someone else's file.
    other = client_for(make_user("officer2", Role.HOME_AFFAIRS, province["root"]))
    for url in pages:
        assert as_outsider.get(url).status_code == 404
        assert other.get(url).status_code == 404
    # The requester lost the right to print (now only a viewer): 403, no cards handed out.
    officer = export.sheet.user
    officer.grants.update(role=Role.VIEWER)
    for url in pages:
        assert client_for(officer).get(url).status_code == 403


def test_each_sheet_asked_on_the_page_is_audited_without_names(
    as_officer: Client,
    as_viewer: Client,
    officer: User,
    province: Province,
    justice_staff: list[StaffMember],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    justice = province["dept_justice"]
    assert as_viewer.get(sheet_url(justice)).status_code == 403  # refused: not recorded
    with django_capture_on_commit_callbacks(execute=True):
        as_officer.get(sheet_url(justice))  # queued, then made
    export = BadgeExport.objects.get()
    as_officer.get(sheet_url(justice))  # the finished file given back
    settings.ORGANISATIONS_BADGE_INLINE_MAX_CARDS = 10
    as_officer.get(sheet_url(justice))  # made in the request
    events = list(AuditEvent.objects.filter(action="staff.badge_sheet").order_by("pk"))
    assert [(e.actor_id, e.organisation_id) for e in events] == [(officer.pk, justice.pk)] * 3
    common = {"organisation": justice.pk, "subtree": False, "part": 0, "rows": 3, "source": "web"}
    assert [e.data for e in events] == [
        {**common, "background": True, "status": "queued"},
        {**common, "background": True, "status": "done"},
        {**common, "background": False},
    ]
    assert [e.object_id for e in events] == [str(export.pk), str(export.pk), ""]
    assert events[0].summary == "3 thẻ: Sở Tư pháp"
    recorded = " ".join(str(e.data) + e.summary for e in events)
    assert not any(member.full_name in recorded for member in justice_staff)
    assert not any(member.badge_token in recorded for member in justice_staff)


def test_each_download_of_a_finished_sheet_is_audited_without_names(
    as_officer: Client,
    officer: User,
    province: Province,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    justice = province["dept_justice"]
    with django_capture_on_commit_callbacks() as queued:
        as_officer.get(sheet_url(justice))
    export = BadgeExport.objects.get()
    file_url = reverse("organisations:badge_export_file", args=[export.pk])
    assert as_officer.get(file_url).status_code == 404  # not made yet: nothing served
    assert not AuditEvent.objects.filter(action="staff.badge_sheet_download").exists()
    for callback in queued:  # the worker
        callback()
    for _time in range(2):  # the same file fetched again is a second reading of the cards
        assert as_officer.get(file_url).status_code == 200
    events = list(AuditEvent.objects.filter(action="staff.badge_sheet_download").order_by("pk"))
    assert len(events) == 2
    assert {(e.actor_id, e.organisation_id, e.object_id) for e in events} == {
        (officer.pk, justice.pk, str(export.pk))
    }
    assert events[0].data == {
        "organisation": justice.pk,
        "subtree": False,
        "part": 0,
        "rows": 3,
        "source": "web",
    }
    assert events[0].summary == "3 thẻ: Sở Tư pháp"
    recorded = " ".join(str(e.data) + e.summary for e in events)
    assert not any(member.full_name in recorded for member in justice_staff)
    assert not any(member.badge_token in recorded for member in justice_staff)
    # Someone else's file is a 404 and records nothing.
    other = client_for(make_user("officer2", Role.HOME_AFFAIRS, province["root"]))
    assert other.get(file_url).status_code == 404
    assert AuditEvent.objects.filter(action="staff.badge_sheet_download").count() == 2
