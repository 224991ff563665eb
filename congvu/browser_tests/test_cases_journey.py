"""A misconduct report in Chromium, from the badge to the reprimand (issue: cases, §8).

A citizen files an anonymous report with a photo from a staff member's badge and
keeps the tracking code and passphrase; the organisation's focal point accepts
it, investigates, asks the staff member for a statement and concludes it
substantiated; the head records the reprimand (deciding is theirs); the citizen
follows the case with the code and passphrase and reads the conclusion. The
staff member answers without ever seeing anything of the reporter.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from congvu.accounts.models import Role, User
from congvu.cases.models import Case, CaseFile, DisciplineDecision
from congvu.conduct import services as conduct_services
from congvu.conftest import make_user
from congvu.organisations.models import Organisation, StaffMember

from .conftest import ARTIFACTS
from .helpers import (
    PHONE,
    clear_process_caches,
    log_in,
    restore_case_rules,
    restore_default_kinds,
    restore_default_scales,
)

# The live server reads committed data, so every test here runs on a flushed database.
pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
STAFF_NAME = "Nguyễn Văn Đức"
PHOTO_NAME = "anh-quay-so-3.jpg"
PLACE = "Bộ phận một cửa Sở Tư pháp, quầy số 3"
DESCRIPTION = (
    "Khi tôi nộp hồ sơ xin Phiếu lý lịch tư pháp, cán bộ nói phải bồi dưỡng thêm "
    "200 nghìn đồng thì mới trả kết quả đúng hẹn."
)
TO_REPORTER = "Cảm ơn anh chị đã phản ánh, cơ quan đang xác minh nội dung."
INTERNAL_NOTE = "Đã trích xuất camera quầy số 3 ngày hôm qua."
STATEMENT_REQUEST = "Đề nghị anh giải trình về việc đòi tiền bồi dưỡng khi trả hồ sơ."
STATEMENT = "Tôi xin giải trình: tôi chỉ hướng dẫn nộp lệ phí theo quy định."
CONCLUSION = "Có căn cứ: cán bộ đã đòi tiền ngoài quy định. Kiến nghị xử lý kỷ luật."
DECISION_NUMBER = "125/QĐ-STP"
#: What the handlers see of the report and of their own notes, and the subject must not.
REPORTER_SIDE = (
    DESCRIPTION,
    "bồi dưỡng thêm",  # a fragment too, in case the text were cut or reflowed
    PLACE,
    PHOTO_NAME,
    TO_REPORTER,
    INTERNAL_NOTE,
    "Ẩn danh",
    "QR trên thẻ cán bộ",  # the channel: the reporter stood in front of the staff member
)
#: GPS tag of EXIF (GPSInfo), and the phone model the photo would give away.
GPS_IFD = 0x8825
MODEL = "SecretPhone 9"


@pytest.fixture(autouse=True)
def default_data(transactional_db: Any, settings: Any, tmp_path: Path) -> None:
    restore_default_kinds()
    restore_default_scales()
    restore_case_rules()
    settings.MEDIA_ROOT = tmp_path / "media"


def photo_with_gps(path: Path) -> Path:
    """A small real JPEG that says where it was taken and with which phone."""
    image = Image.new("RGB", (96, 64), (180, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = MODEL  # Model
    exif[GPS_IFD] = {1: "N", 2: (20.0, 39.0, 12.0), 3: "E", 4: (106.0, 3.0, 27.0)}
    image.save(path, format="JPEG", exif=exif.tobytes())
    with Image.open(path) as written:  # the test starts from a photo that does tell
        assert written.getexif().get_ifd(GPS_IFD)
    return path


def assert_no_metadata(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info
    assert MODEL.encode() not in data


def assert_shows_nothing_of_the_reporter(html: str, passphrase: str) -> None:
    """The subject's page: no word the reporter wrote, no file, no hint who or how."""
    for secret in (*REPORTER_SIDE, passphrase):
        assert secret not in html, f"the subject's page shows {secret!r}"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def desktop(browser: Any, base: str, username: str) -> Any:
    page = browser.new_context(viewport=DESKTOP, locale="vi-VN").new_page()
    log_in(page, base, username)
    return page


def open_menu(page: Any, menu: str, link: str) -> None:
    nav = page.locator("nav.main-nav")
    nav.locator("summary", has_text=re.compile(f"^{menu}$")).click()  # a <details> menu opens
    nav.get_by_role("link", name=link, exact=True).click()


def move_case(page: Any, status: str, label: str, **fill: str) -> None:
    """Open "Chuyển sang: <label>", fill its fields, press its button."""
    action = page.locator(f"details[data-transition={status}]")
    action.locator("summary").click()
    for name, value in fill.items():
        field = action.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    action.get_by_role("button", name=label, exact=True).click()
    expect(page.get_by_test_id("case-status")).to_have_text(label)


def send_from(page: Any, summary: str, body: str, button: str) -> None:
    action = page.locator("details.action", has=page.locator("summary", has_text=summary))
    action.locator("summary").click()
    action.locator("textarea").fill(body)
    action.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("ul.messages")).to_be_visible()


def test_an_anonymous_report_with_a_photo_ends_in_a_reprimand_the_reporter_can_read(
    live_server: Any,
    browser: Any,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    staff_user: User,
    head: User,
    tmp_path: Path,
) -> None:
    conduct_services.load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    clear_process_caches()
    make_user("daumoi", Role.FOCAL_POINT, province["dept_justice"])
    base = live_server.url
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    photo = photo_with_gps(tmp_path / PHOTO_NAME)

    # The citizen scans the badge and goes from the card to the report form.
    citizen = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN"
    ).new_page()
    citizen.goto(f"{base}/r/{staff_member.badge_token}")
    citizen.get_by_role("link", name="Phản ánh sai phạm").click()
    citizen.wait_for_url(f"{base}/report/s/{staff_member.badge_token}")
    expect(citizen.get_by_test_id("subject-card")).to_contain_text(STAFF_NAME)
    citizen.get_by_label("Phản ánh, kiến nghị").check()
    citizen.get_by_label(re.compile(r"^Không gây khó khăn")).check()
    citizen.get_by_label("Ngày xảy ra").fill(yesterday.strftime("%d/%m/%Y"))
    citizen.get_by_label("Nơi xảy ra").fill(PLACE)
    citizen.get_by_label("Nội dung phản ánh").fill(DESCRIPTION)
    citizen.get_by_label("Ảnh, tài liệu, ghi âm làm bằng chứng").set_input_files(str(photo))
    expect(citizen.get_by_label("Ẩn danh", exact=True)).to_be_checked()
    shot(citizen, "case-report-form-phone")
    citizen.get_by_role("button", name="Gửi phản ánh").click()

    # The receipt shows the code and the passphrase once: the citizen writes them down.
    expect(citizen.locator("h1")).to_have_text("Đã nhận phản ánh của bạn")
    code = str(citizen.get_by_test_id("tracking-code").inner_text()).strip()
    passphrase = str(citizen.get_by_test_id("passphrase").inner_text()).strip()
    assert code and passphrase
    expect(citizen.get_by_test_id("personal-link")).to_have_count(0)  # anonymous: no link
    shot(citizen, "case-receipt-phone")
    citizen.reload()
    expect(citizen.get_by_test_id("passphrase")).to_have_count(0)  # shown once

    case = Case.objects.get(code=code)
    assert case.is_anonymous and case.subject_staff_id == staff_member.pk
    assert case.handling_organisation_id == province["dept_justice"].pk
    assert (case.reporter_name, case.reporter_phone, case.reporter_email) == ("", "", "")
    stored = CaseFile.objects.get(case=case)
    assert stored.original_name == PHOTO_NAME
    assert PHOTO_NAME not in stored.file.name  # stored under a random name
    with stored.file.open("rb") as handle:
        assert_no_metadata(handle.read())

    # The focal point finds the case in the list, sees an anonymous reporter and the photo.
    focal = desktop(browser, base, "daumoi")
    open_menu(focal, "Vụ việc", "Vụ việc")
    focal.get_by_role("link", name=code).click()
    focal.wait_for_url(f"{base}/cases/{code}/")
    expect(focal.get_by_test_id("case-status")).to_have_text("Mới tiếp nhận")
    expect(focal.get_by_test_id("reporter")).to_have_text("Ẩn danh")
    expect(focal.locator(".case-description")).to_contain_text("bồi dưỡng thêm")
    with focal.expect_download() as download_info:
        focal.get_by_role("link", name=PHOTO_NAME).click()
    downloaded = tmp_path / "downloaded.jpg"
    download_info.value.save_as(str(downloaded))
    assert_no_metadata(downloaded.read_bytes())

    # Accept, investigate, tell the reporter, note internally, ask the staff member.
    move_case(focal, "accepted", "Đã thụ lý")
    move_case(focal, "investigating", "Đang xác minh")
    send_from(focal, "Trả lời người phản ánh", TO_REPORTER, "Gửi người phản ánh")
    send_from(focal, "Ghi chú nội bộ", INTERNAL_NOTE, "Lưu ghi chú")
    send_from(
        focal,
        "Yêu cầu người bị phản ánh giải trình",
        STATEMENT_REQUEST,
        "Gửi yêu cầu giải trình",
    )
    expect(focal.get_by_test_id("timeline")).to_contain_text(STATEMENT_REQUEST)
    shot(focal, "case-focal-point-investigating")
    handler_view = focal.content()
    for text in REPORTER_SIDE:  # what the subject must not see is there for the handler
        assert text in handler_view, text

    # The staff member reads the request under "Của tôi" and answers it.
    subject = desktop(browser, base, "staffer")
    open_menu(subject, "Của tôi", "Phản ánh về tôi")
    subject.wait_for_url(f"{base}/cases/mine/")
    subject.get_by_test_id("subject-cases").get_by_role("link", name=code).click()
    subject.wait_for_url(f"{base}/cases/mine/{code}/")
    expect(subject.get_by_test_id("timeline")).to_contain_text(STATEMENT_REQUEST)
    subject.get_by_label("Nội dung giải trình").fill(STATEMENT)
    subject.get_by_role("button", name="Gửi giải trình").click()
    expect(subject.locator("ul.messages")).to_contain_text("Đã gửi giải trình")
    expect(subject.get_by_test_id("timeline")).to_contain_text(STATEMENT)
    shot(subject, "case-subject-statement")
    assert_shows_nothing_of_the_reporter(subject.content(), passphrase)

    # The focal point reads the statement, concludes, and proposes a reprimand...
    focal.reload()
    expect(focal.get_by_test_id("timeline")).to_contain_text(STATEMENT)
    move_case(
        focal,
        "concluded",
        "Đã kết luận",
        outcome="Đúng",
        conclusion=CONCLUSION,
    )
    propose = focal.locator("details.action", has=focal.locator("summary", has_text="Đề xuất"))
    propose.locator("summary").click()
    propose.get_by_label("Hình thức kỷ luật").select_option(label="Khiển trách")
    expect(propose.get_by_label("Ngày có hành vi vi phạm")).to_have_value(
        yesterday.strftime("%d/%m/%Y")
    )
    propose.get_by_role("button", name="Đề xuất", exact=True).click()
    table = focal.get_by_test_id("discipline-table")
    expect(table).to_contain_text("Khiển trách")
    expect(table).to_contain_text("Đề xuất")
    # ... but deciding is the head's: the focal point has no form for it.
    expect(focal.get_by_text("Ghi nhận quyết định kỷ luật")).to_have_count(0)

    # The head records the decision with its number and date.
    boss = desktop(browser, base, "head")
    boss.goto(f"{base}/cases/{code}/")
    decide = boss.locator(
        "details.action", has=boss.locator("summary", has_text="Ghi nhận quyết định kỷ luật")
    )
    decide.locator("summary").click()
    decide.get_by_label("Số quyết định").fill(DECISION_NUMBER)
    decide.get_by_label("Ngày quyết định").fill(today.strftime("%d/%m/%Y"))
    decide.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(boss.get_by_test_id("discipline-table")).to_contain_text(
        f"Số {DECISION_NUMBER}, {today:%d/%m/%Y}"
    )
    shot(boss, "case-head-reprimand")
    decision = DisciplineDecision.objects.get(case=case)
    assert decision.stage == DisciplineDecision.Stage.DECIDED
    assert (decision.form.code, decision.decision_number) == ("khien-trach", DECISION_NUMBER)

    # The staff member sees the decision about them, and still nothing of the reporter.
    subject.reload()
    expect(subject.locator("section[aria-labelledby=h-discipline]")).to_contain_text(
        f"Khiển trách — Số {DECISION_NUMBER}"
    )
    assert_shows_nothing_of_the_reporter(subject.content(), passphrase)

    # The citizen follows the case with the code and passphrase and reads the conclusion.
    citizen.goto(f"{base}/track/")
    citizen.get_by_label("Mã theo dõi").fill(code)
    citizen.get_by_label("Mật khẩu theo dõi").fill(passphrase)
    citizen.get_by_role("button", name="Xem phản ánh").click()
    citizen.wait_for_url(f"{base}/track/{code}/")
    expect(citizen.get_by_test_id("public-status")).to_have_text("Đã có kết luận")
    conclusion = citizen.get_by_test_id("conclusion")
    expect(conclusion.locator("h2")).to_have_text("Kết luận: Đúng")
    expect(conclusion).to_contain_text(CONCLUSION)
    timeline = citizen.get_by_test_id("timeline")
    expect(timeline).to_contain_text(TO_REPORTER)
    # The other side's words stay with the office: the request, the statement, the notes.
    for hidden in (STATEMENT_REQUEST, STATEMENT, INTERNAL_NOTE):
        assert hidden not in citizen.content()
    shot(citizen, "case-tracked-conclusion-phone")
