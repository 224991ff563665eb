"""The dossier and counter pages: what an officer sees and does; outsiders 404, viewers 403."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role
from congvu.conftest import (
    client_for,
    form_key,
    make_user,
    page_form,
    said_already_sent,
    said_changed_meanwhile,
)
from congvu.core.tests.media_helpers import zip_bomb
from congvu.feedback.models import Counter, Dossier
from congvu.organisations.models import Organisation, StaffMember

Province = dict[str, Organisation]


@pytest.fixture
def dept(province: Province) -> Organisation:
    return province["dept_justice"]


@pytest.fixture
def counter(dept: Organisation, staff_member: StaffMember) -> Counter:
    counter = Counter.objects.create(organisation=dept, name="Quầy số 1")
    counter.staff.add(staff_member)
    return counter


@pytest.fixture
def dossier(dept: Organisation, staff_member: StaffMember) -> Dossier:
    return Dossier.objects.create(
        code="HS-2026-0001",
        organisation=dept,
        staff=staff_member,
        procedure="Chứng thực bản sao",
        received_on=timezone.localdate(),
        source=Dossier.Source.FORM,
    )


def xlsx(*rows: list[Any]) -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Mã hồ sơ", "Mã cán bộ xử lý", "Quầy", "Thủ tục", "Ngày tiếp nhận"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("ho-so.xlsx", out.getvalue())


def payload(response: Any) -> str:
    found = re.search(r'name="payload" value="([^"]+)"', response.content.decode())
    assert found is not None
    return found.group(1)


# --- every page: normal, outsider 404, viewer 403 ------------------------------------------


def _pages(dept: Organisation, dossier: Dossier, counter: Counter) -> list[str]:
    return [
        reverse("feedback_manage:dossiers", args=[dept.pk]),
        reverse("feedback_manage:dossier_register", args=[dept.pk]),
        reverse("feedback_manage:dossier_import", args=[dept.pk]),
        reverse("feedback_manage:dossier_import_template", args=[dept.pk]),
        reverse("feedback_manage:receipt", args=[dossier.pk]),
        reverse("feedback_manage:counters", args=[dept.pk]),
        reverse("feedback_manage:counter_create", args=[dept.pk]),
        reverse("feedback_manage:counter_edit", args=[counter.pk]),
        reverse("feedback_manage:counter_poster", args=[counter.pk]),
    ]


def test_every_page_opens_for_the_head_of_the_organisation(
    as_head: Client, dept: Organisation, dossier: Dossier, counter: Counter
) -> None:
    for url in _pages(dept, dossier, counter):
        assert as_head.get(url).status_code == 200, url


def test_every_page_is_a_404_for_an_outsider(
    as_outsider: Client, dept: Organisation, dossier: Dossier, counter: Counter
) -> None:
    for url in _pages(dept, dossier, counter):
        assert as_outsider.get(url).status_code == 404, url
    rotate = reverse("feedback_manage:counter_rotate", args=[counter.pk])
    assert as_outsider.post(rotate, {"which": "qr"}).status_code == 404


def test_every_page_is_a_403_for_a_viewer(
    as_viewer: Client, dept: Organisation, dossier: Dossier, counter: Counter
) -> None:
    for url in _pages(dept, dossier, counter):
        assert as_viewer.get(url).status_code == 403, url
    assert as_viewer.get(reverse("feedback_manage:index")).status_code == 403
    rotate = reverse("feedback_manage:counter_rotate", args=[counter.pk])
    assert as_viewer.post(rotate, {"which": "qr"}).status_code == 403


def test_the_pages_need_a_login(client: Client, dept: Organisation) -> None:
    response = client.get(reverse("feedback_manage:dossiers", args=[dept.pk]))
    assert response.status_code == 302


# --- start page and lists -------------------------------------------------------------------


def test_the_start_page_lists_the_organisations_the_user_manages(
    as_head: Client, as_outsider: Client
) -> None:
    page = as_head.get(reverse("feedback_manage:index")).content.decode()
    assert "Sở Tư pháp" in page and "xã An Bình" not in page
    assert "Sở Tư pháp" not in as_outsider.get(reverse("feedback_manage:index")).content.decode()


def test_the_dossier_list_searches_by_code(
    as_head: Client, dept: Organisation, dossier: Dossier
) -> None:
    Dossier.objects.create(code="KHAC-1", organisation=dept, source=Dossier.Source.FORM)
    url = reverse("feedback_manage:dossiers", args=[dept.pk])
    page = as_head.get(url, {"q": "hs-2026"}).content.decode()
    assert "HS-2026-0001" in page and "KHAC-1" not in page
    assert "Không tìm thấy hồ sơ" in as_head.get(url, {"q": "zzz"}).content.decode()


# --- registering ----------------------------------------------------------------------------


def test_an_officer_registers_a_dossier_and_gets_the_receipt(
    as_head: Client, dept: Organisation, staff_member: StaffMember, counter: Counter
) -> None:
    response = as_head.post(
        reverse("feedback_manage:dossier_register", args=[dept.pk]),
        {
            "code": "hs-99",
            "staff": staff_member.pk,
            "counter": counter.pk,
            "procedure": "Đăng ký khai sinh",
            "received_on": timezone.localdate().strftime("%d/%m/%Y"),
        },
        follow=True,
    )
    dossier = Dossier.objects.get()
    assert dossier.code == "HS-99" and dossier.source == Dossier.Source.FORM
    page = response.content.decode()
    assert "HS-99" in page
    assert f"/d/{dossier.rating_token}" in page
    assert 'src="data:image/svg+xml' in page
    assert "style=" not in page and "<script>" not in page


def test_a_dossier_sent_twice_is_registered_once_without_a_code_taken_error(
    as_head: Client, dept: Organisation
) -> None:
    # Before, the second sending was refused: "this code is already registered".
    url = reverse("feedback_manage:dossier_register", args=[dept.pk])
    data = {
        "code": "hs-99",
        "received_on": timezone.localdate().strftime("%d/%m/%Y"),
        "once": form_key(as_head.get(url)),
    }
    first, second = as_head.post(url, data), as_head.post(url, data)
    dossier = Dossier.objects.get()
    assert first["Location"] == second["Location"]
    assert second["Location"] == reverse("feedback_manage:receipt", args=[dossier.pk])
    assert said_already_sent(as_head, second)


def test_a_taken_code_keeps_the_input_and_explains(
    as_head: Client, dept: Organisation, dossier: Dossier
) -> None:
    response = as_head.post(
        reverse("feedback_manage:dossier_register", args=[dept.pk]),
        {
            "code": "HS-2026-0001",
            "procedure": "Thủ tục khác",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "đã được đăng ký" in page
    assert 'value="Thủ tục khác"' in page
    assert Dossier.objects.count() == 1


def test_the_receipt_says_when_the_dossier_was_rated(
    as_head: Client, dossier: Dossier, staff_member: StaffMember
) -> None:
    page = as_head.get(reverse("feedback_manage:receipt", args=[dossier.pk])).content.decode()
    assert "HS-2026-0001" in page and "Nguyễn Văn Đức" in page
    assert "Quét mã QR" in page
    assert "đã được đánh giá" not in page


# --- upload ---------------------------------------------------------------------------------


def test_an_upload_is_previewed_then_committed(
    as_head: Client, dept: Organisation, staff_member: StaffMember
) -> None:
    preview = as_head.post(
        reverse("feedback_manage:dossier_import", args=[dept.pk]),
        {"file": xlsx(["HS-A", "STP-001", "", "", ""], ["HS-B", "", "", "", ""])},
    )
    assert preview.status_code == 200
    assert "Sẽ đăng ký 2 hồ sơ mới" in preview.content.decode()
    assert not Dossier.objects.exists()
    done = as_head.post(
        reverse("feedback_manage:dossier_import_commit", args=[dept.pk]),
        {"payload": payload(preview)},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("feedback_manage:dossiers", args=[dept.pk])
    assert set(Dossier.objects.values_list("code", flat=True)) == {"HS-A", "HS-B"}
    assert Dossier.objects.get(code="HS-A").staff == staff_member


def test_an_upload_with_errors_shows_them_and_offers_no_commit(
    as_head: Client, dept: Organisation
) -> None:
    response = as_head.post(
        reverse("feedback_manage:dossier_import", args=[dept.pk]),
        {"file": xlsx(["HS A", "", "", "", ""])},
    )
    page = response.content.decode()
    assert "khoảng trắng" in page
    assert 'name="payload"' not in page


def test_a_file_that_is_not_a_workbook_is_refused_with_a_message(
    as_head: Client, dept: Organisation
) -> None:
    response = as_head.post(
        reverse("feedback_manage:dossier_import", args=[dept.pk]),
        {"file": SimpleUploadedFile("ho-so.xlsx", b"not a zip")},
    )
    assert response.status_code == 400
    assert "không phải bảng tính Excel" in response.content.decode()


def test_a_zip_bomb_workbook_is_refused_by_name_and_a_normal_one_still_works(
    as_head: Client, dept: Organisation
) -> None:
    url = reverse("feedback_manage:dossier_import", args=[dept.pk])
    real = xlsx(["HS-A", "", "", "", ""]).read()
    bomb = SimpleUploadedFile("ho-so-thang-11.xlsx", zip_bomb(real, entry="xl/extra.xml"))
    response = as_head.post(url, {"file": bomb})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tệp ho-so-thang-11.xlsx là tệp nén bất thường (có thể là “bom nén”)" in page
    assert 'name="payload"' not in page
    fine = as_head.post(url, {"file": SimpleUploadedFile("ho-so-thang-11.xlsx", real)})
    assert fine.status_code == 200
    assert "Sẽ đăng ký 1 hồ sơ mới" in fine.content.decode()
    assert not Dossier.objects.exists()


def test_a_preview_for_another_organisation_is_refused(
    as_officer: Client, province: Province
) -> None:
    preview = as_officer.post(
        reverse("feedback_manage:dossier_import", args=[province["dept_justice"].pk]),
        {"file": xlsx(["HS-A", "", "", "", ""])},
    )
    response = as_officer.post(
        reverse("feedback_manage:dossier_import_commit", args=[province["commune"].pk]),
        {"payload": payload(preview)},
    )
    assert response.status_code == 302
    assert not Dossier.objects.exists()


def test_a_viewer_cannot_commit_an_upload(as_viewer: Client, dept: Organisation) -> None:
    url = reverse("feedback_manage:dossier_import_commit", args=[dept.pk])
    assert as_viewer.post(url, {"payload": "x"}).status_code == 403


# --- counters -------------------------------------------------------------------------------


def test_a_counter_is_created_with_its_staff_on_duty(
    as_head: Client, dept: Organisation, staff_member: StaffMember
) -> None:
    response = as_head.post(
        reverse("feedback_manage:counter_create", args=[dept.pk]),
        {
            "name": "Quầy số 2",
            "opens_at": "07:30",
            "closes_at": "17:00",
            "staff": [staff_member.pk],
        },
        follow=True,
    )
    counter = Counter.objects.get(name="Quầy số 2")
    assert list(counter.staff.all()) == [staff_member]
    page = response.content.decode()
    assert f"/kiosk/{counter.kiosk_token}" in page
    assert f"/q/{counter.qr_token}" in page


def test_a_counter_sent_twice_is_created_once(as_head: Client, dept: Organisation) -> None:
    url = reverse("feedback_manage:counter_create", args=[dept.pk])
    data = {"name": "Quầy số 2", "opens_at": "07:30", "closes_at": "17:00"}
    data["once"] = form_key(as_head.get(url))
    first, second = as_head.post(url, data), as_head.post(url, data)
    counter = Counter.objects.get()
    assert first["Location"] == second["Location"]
    assert second["Location"] == reverse("feedback_manage:counter_edit", args=[counter.pk])
    assert said_already_sent(as_head, second)


def test_closing_before_opening_is_refused_and_the_input_kept(
    as_head: Client, dept: Organisation
) -> None:
    response = as_head.post(
        reverse("feedback_manage:counter_create", args=[dept.pk]),
        {"name": "Quầy đêm", "opens_at": "18:00", "closes_at": "07:00"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Giờ đóng cửa phải sau giờ mở cửa" in page and 'value="Quầy đêm"' in page
    assert not Counter.objects.exists()


def test_a_counter_is_edited_and_closed(
    as_head: Client, counter: Counter, staff_member: StaffMember
) -> None:
    as_head.post(
        reverse("feedback_manage:counter_edit", args=[counter.pk]),
        {"name": "Quầy tiếp nhận 1", "opens_at": "08:00", "closes_at": "17:00"},
    )
    counter.refresh_from_db()
    assert counter.name == "Quầy tiếp nhận 1" and not counter.is_active
    assert not counter.staff.exists()


def test_rotating_the_kiosk_link_changes_it(as_head: Client, counter: Counter) -> None:
    old = counter.kiosk_token
    response = as_head.post(
        reverse("feedback_manage:counter_rotate", args=[counter.pk]), {"which": "kiosk"}
    )
    assert response.status_code == 302
    counter.refresh_from_db()
    assert counter.kiosk_token != old


def test_the_poster_shows_the_counter_qr_and_not_the_kiosk_link(
    as_head: Client, counter: Counter
) -> None:
    page = as_head.get(reverse("feedback_manage:counter_poster", args=[counter.pk]))
    text = page.content.decode()
    assert f"/q/{counter.qr_token}" in text
    assert counter.kiosk_token not in text
    assert "Nguyễn Văn Đức" in text
    assert "style=" not in text


def test_a_focal_point_manages_counters_of_their_organisation_only(province: Province) -> None:
    focal = make_user("focal", Role.FOCAL_POINT, province["commune"])
    client = client_for(focal)
    ok = client.get(reverse("feedback_manage:counters", args=[province["commune"].pk]))
    assert ok.status_code == 200
    other = client.get(reverse("feedback_manage:counters", args=[province["dept_justice"].pk]))
    assert other.status_code == 404


def test_a_counter_saved_from_a_page_someone_else_saved_since_is_refused_and_keeps_the_input(
    as_head: Client, counter: Counter
) -> None:
    url = reverse("feedback_manage:counter_edit", args=[counter.pk])
    counter.refresh_from_db()
    opens_at = counter.opens_at
    tab_a, tab_b = page_form(as_head.get(url)), page_form(as_head.get(url))
    assert as_head.post(url, {**tab_b, "name": "Quầy một cửa"}).status_code == 302
    refused = as_head.post(url, {**tab_a, "opens_at": "07:30"})
    assert refused.status_code == 400 and said_changed_meanwhile(refused)
    assert 'value="07:30"' in refused.content.decode()
    assert "hiện là: «Quầy một cửa»" in refused.content.decode()
    counter.refresh_from_db()
    assert (counter.name, counter.opens_at) == ("Quầy một cửa", opens_at)
