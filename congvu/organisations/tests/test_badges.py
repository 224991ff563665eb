from __future__ import annotations

import io
from typing import Any

import pypdfium2
import zxingcpp
from django.conf import settings
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.conftest import client_for, make_staff
from congvu.organisations import badges, restructuring, services
from congvu.organisations.models import Organisation, StaffMember

Province = dict[str, Organisation]


def decode_first_page(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    image = document[0].render(scale=3).to_pil()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def test_the_badge_sheet_carries_a_qr_code_for_the_staff_members_card(
    as_officer: Client, province: Province, staff_member: StaffMember
) -> None:
    response = as_officer.get(
        reverse("organisations:badges_pdf", args=[province["dept_justice"].pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    expected = settings.SITE_URL + "/r/" + staff_member.badge_token
    assert decode_first_page(pdf) == [expected]


def test_the_badge_sheet_can_include_the_subtree(
    as_officer: Client, province: Province, staff_member: StaffMember
) -> None:
    services.create_staff(
        actor=None,
        organisation=province["dept_home"],
        full_name="Trần Thị Hoa",
        staff_code="SNV-1",
        category=StaffMember.Category.CIVIL_SERVANT,
    )
    target = reverse("organisations:badges_pdf", args=[province["root"].pk])
    assert decode_first_page(as_officer.get(target).content) == []
    decoded = decode_first_page(as_officer.get(target, {"subtree": "1"}).content)
    assert len(decoded) == 2


def test_the_badge_sheet_is_403_for_a_viewer_and_404_for_an_outsider(
    as_viewer: Client, as_outsider: Client, province: Province
) -> None:
    target = reverse("organisations:badges_pdf", args=[province["dept_justice"].pk])
    assert as_viewer.get(target).status_code == 403
    assert as_outsider.get(target).status_code == 404


# --- The public badge card -------------------------------------------------------------


def test_a_valid_badge_shows_name_position_and_organisation_without_login(
    province: Province, staff_member: StaffMember
) -> None:
    response = Client().get(reverse("portal:badge", args=[staff_member.badge_token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nguyễn Văn Đức" in html
    assert "Chuyên viên" in html
    assert "Sở Tư pháp" in html
    assert "<script" not in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_badge_card_shows_todays_organisation_name(
    province: Province, staff_member: StaffMember
) -> None:
    restructuring.rename_organisation(
        province["dept_justice"], actor=None, name="Sở Tư pháp tỉnh Hưng Yên"
    )
    html = Client().get(reverse("portal:badge", args=[staff_member.badge_token])).content
    assert "Sở Tư pháp tỉnh Hưng Yên" in html.decode()


def test_a_rotated_badge_is_no_longer_valid(
    province: Province, staff_member: StaffMember, head: User
) -> None:
    old = staff_member.badge_token
    services.rotate_badge(staff_member, actor=head)
    response = Client().get(reverse("portal:badge", args=[old]))
    assert response.status_code == 404
    assert "Thẻ này không còn hiệu lực" in response.content.decode()
    new = Client().get(reverse("portal:badge", args=[staff_member.badge_token]))
    assert new.status_code == 200


def test_an_unknown_badge_is_a_friendly_404(province: Province) -> None:
    for token in ("nope", "x" * 500, "' OR 1=1 --"):
        response = Client().get("/r/" + token)
        assert response.status_code == 404
        assert "This badge is no longer valid." in response.content.decode()
    # A NUL byte is refused before any lookup (PostgreSQL cannot compare it).
    response = Client().get("/r/%00")
    assert response.status_code == 400
    assert "ký tự không hợp lệ" in response.content.decode()


def test_the_badge_of_someone_who_left_is_no_longer_valid(
    province: Province, staff_member: StaffMember
) -> None:
    services.mark_staff_left(staff_member, actor=None, left_on=staff_member.created_at.date())
    response = client_for(None).get(reverse("portal:badge", args=[staff_member.badge_token]))
    assert response.status_code == 404


def test_eight_badges_fill_a_page_and_the_ninth_starts_the_next(
    as_officer: Client, province: Province, staff_member: StaffMember
) -> None:
    for n in range(8):
        make_staff(province["dept_justice"], f"Lê Văn Số {n}", f"STP-B{n}")
    response = as_officer.get(
        reverse("organisations:badges_pdf", args=[province["dept_justice"].pk])
    )
    document = pypdfium2.PdfDocument(io.BytesIO(response.content))
    assert len(document) == 2  # nine cards: eight on the first page, none cut in two
    assert len(decode_first_page(response.content)) == 8


def test_a_scope_larger_than_one_sheet_is_printed_in_parts(
    as_officer: Client, province: Province, staff_member: StaffMember, monkeypatch: Any
) -> None:
    monkeypatch.setattr(badges, "SHEET_MAX", 2)
    for n in range(4):
        make_staff(province["dept_home"], f"Phạm Thị Số {n}", f"SNV-B{n}")
    target = reverse("organisations:badges_pdf", args=[province["root"].pk])
    page = as_officer.get(target, {"subtree": "1"})
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "Có 5 cán bộ trong phạm vi này" in html
    assert html.count("part=") == 3 and "Tệp 3: thẻ 5–5" in html
    cards = []
    for part in ("1", "2", "3"):
        sheet = as_officer.get(target, {"subtree": "1", "part": part})
        assert sheet["Content-Type"] == "application/pdf"
        cards += decode_first_page(sheet.content)
    assert len(cards) == len(set(cards)) == 5  # every badge once, none twice
    assert as_officer.get(target, {"subtree": "1", "part": "9"}).status_code == 400
