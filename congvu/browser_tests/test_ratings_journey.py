"""Citizens' ratings in Chromium (issue: citizen ratings and the satisfaction index, §8).

A citizen rates a staff member from the badge on a phone and a dossier from its
receipt; a second rating of the dossier is refused; the head of the organisation
sees the new ratings counted in the index; the counter's kiosk resets itself
after a rating and after a minute of idleness, keeping nothing of the citizen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from congvu.conduct import services as conduct_services
from congvu.feedback import registration
from congvu.feedback.models import Counter, Rating
from congvu.organisations.models import Organisation, StaffMember

from .conftest import ARTIFACTS
from .helpers import (
    PHONE,
    clear_process_caches,
    log_in,
    restore_default_kinds,
    restore_default_scales,
    serious_violations,
)

# The live server reads committed data, so every test here runs on a flushed database.
pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 800, "height": 1280}
#: The question of II.1.c is asked the other way round: "yes" is the breach.
IMPROPER = "Cán bộ có đòi hỏi điều gì không đúng quy định"
STAFF_NAME = "Nguyễn Văn Đức"
DOSSIER_CODE = "HS-H56-000123"


@pytest.fixture(autouse=True)
def default_data(transactional_db: Any) -> None:
    restore_default_kinds()
    restore_default_scales()


@pytest.fixture
def catalogue(province: dict[str, Organisation]) -> None:
    conduct_services.load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    clear_process_caches()


@pytest.fixture
def counter(
    province: dict[str, Organisation], staff_member: StaffMember, catalogue: None
) -> Counter:
    # Open around the clock: a rating outside the counter's hours would be flagged
    # (and left out of the index), and this test runs at any hour.
    return registration.create_counter(
        province["dept_justice"],
        name="Quầy số 3 - Lý lịch tư pháp",
        opens_at=dt.time(0, 0),
        closes_at=dt.time(23, 59),
        staff=[staff_member],
        actor=None,
    )


def phone(browser: Any) -> Any:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
    return context.new_page()


def answer_the_form(page: Any, *, level: str, comment: str = "") -> None:
    """Every behaviour observed ("Có"), nothing improper asked ("Không"), then the overall level."""
    form = page.get_by_test_id("rating-form")
    criteria = form.locator("fieldset.criterion")
    assert criteria.count() == 9  # the eight "4 xin, 4 luôn" behaviours and II.1.c
    for i in range(criteria.count()):
        criterion = criteria.nth(i)
        improper = IMPROPER in criterion.locator("legend").inner_text()
        criterion.get_by_label("Không" if improper else "Có", exact=True).check()
    form.locator("fieldset.rate-level").get_by_label(level, exact=True).check()
    if comment:
        form.get_by_label("Góp ý thêm (không bắt buộc)").fill(comment)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def card_number(page: Any, test_id: str) -> str:
    return str(page.get_by_test_id(test_id).inner_text()).strip()


def test_a_citizen_rates_from_the_badge_and_a_dossier_and_the_head_sees_the_index(
    live_server: Any,
    browser: Any,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    head: Any,
    counter: Counter,
) -> None:
    base = live_server.url
    justice = province["dept_justice"]

    # The head of Sở Tư pháp finds the organisation's index empty.
    office = browser.new_context(viewport=DESKTOP, locale="vi-VN").new_page()
    log_in(office, base, "head")
    nav = office.locator("nav.main-nav")
    nav.locator("summary", has_text="Đánh giá").click()  # the menu opens (a <details>)
    nav.get_by_role("link", name="Mức độ hài lòng").click()
    office.wait_for_url(base + "/ratings/**")
    office.get_by_role("link", name="Sở Tư pháp", exact=True).first.click()
    office.wait_for_url(f"{base}/ratings/org/{justice.pk}/**")
    org_url = office.url
    expect(office.locator("h1")).to_have_text("Sở Tư pháp")
    assert card_number(office, "index-counted") == "0"
    assert card_number(office, "index-share") == "–"

    # The head registers a dossier handled by the staff member; its receipt carries the link.
    office.goto(f"{base}/ratings/manage/org/{justice.pk}/dossiers/new/")
    office.get_by_label("Mã hồ sơ").fill(DOSSIER_CODE)
    office.get_by_label("Cán bộ tiếp nhận, xử lý").select_option(label=f"{STAFF_NAME} (STP-001)")
    office.get_by_label("Quầy").select_option(label=counter.name)
    office.get_by_label("Thủ tục").fill("Cấp Phiếu lý lịch tư pháp")
    office.get_by_role("button", name="Đăng ký và in biên nhận").click()
    expect(office.get_by_test_id("receipt-code")).to_have_text(DOSSIER_CODE)
    printed = str(office.locator(".receipt-link").inner_text()).strip()
    dossier_path = urlsplit(printed).path  # the printed link carries SITE_URL
    assert dossier_path.startswith("/d/")

    # A citizen scans the badge with a phone and rates the staff member.
    citizen = phone(browser)
    citizen.goto(f"{base}/r/{staff_member.badge_token}")
    expect(citizen.locator("h1")).to_have_text(STAFF_NAME)
    answer_the_form(citizen, level="Hài lòng", comment="Hướng dẫn tận tình, dễ hiểu.")
    citizen.get_by_role("button", name="Gửi đánh giá").click()
    expect(citizen.get_by_test_id("rate-thanks")).to_be_visible()
    expect(citizen.locator("h1")).to_have_text("Cảm ơn anh/chị đã đánh giá")
    expect(citizen.get_by_text(f"Cán bộ được đánh giá: {STAFF_NAME}")).to_be_visible()
    shot(citizen, "rating-thanks-phone")

    # Then the dossier from its receipt, in two tabs: the second one comes too late.
    citizen.goto(base + dossier_path)
    late = citizen.context.new_page()
    late.goto(base + dossier_path)
    expect(citizen.locator("h1")).to_have_text(f"Hồ sơ {DOSSIER_CODE}")
    expect(citizen.get_by_text("Đánh giá qua hồ sơ được ghi nhận là đã xác thực")).to_be_visible()
    answer_the_form(citizen, level="Rất hài lòng")
    citizen.get_by_role("button", name="Gửi đánh giá").click()
    expect(citizen.get_by_test_id("rate-thanks")).to_be_visible()

    answer_the_form(late, level="Rất không hài lòng", comment="Lần thứ hai")
    late.get_by_role("button", name="Gửi đánh giá").click()
    expect(late.get_by_test_id("already-rated")).to_be_visible()
    expect(late.locator("h1")).to_have_text("Hồ sơ này đã được đánh giá")
    shot(late, "rating-dossier-already-rated-phone")
    # Opening the link again says so too, without a form.
    late.goto(base + dossier_path)
    expect(late.get_by_test_id("already-rated")).to_be_visible()
    expect(late.get_by_test_id("rating-form")).to_have_count(0)
    assert Rating.objects.filter(dossier__code=DOSSIER_CODE).count() == 1
    assert not Rating.objects.filter(comment="Lần thứ hai").exists()

    # The head sees both ratings counted in the index, one of them verified.
    office.goto(org_url)
    assert card_number(office, "index-counted") == "2"
    assert card_number(office, "index-flagged") == "0"
    assert card_number(office, "index-share").startswith("100")
    counted_card = office.get_by_test_id("index-cards").locator("li", has_text="Lượt được tính")
    expect(counted_card).to_contain_text("2 hài lòng")
    expect(counted_card).to_contain_text("1 qua hồ sơ")
    staff_row = office.get_by_test_id("staff-table").locator("tr", has_text=STAFF_NAME)
    expect(staff_row.locator("td").first).to_have_text("2")
    expect(office.get_by_test_id("comments")).to_contain_text("Hướng dẫn tận tình, dễ hiểu.")
    shot(office, "rating-index-head")


def form_state(page: Any) -> dict[str, Any]:
    """What the kiosk's form holds: its id, the ticked answers, the comment, the staff picked."""
    form = page.get_by_test_id("rating-form")
    return {
        "submission_id": form.locator("input[name=submission_id]").input_value(),
        "ticked": form.locator(
            "fieldset.criterion input:checked, fieldset.rate-level input:checked"
        ).count(),
        "comment": form.get_by_label("Góp ý thêm (không bắt buộc)").input_value(),
        "staff": form.locator("fieldset.rate-staff input:checked").get_attribute("value"),
    }


def test_the_kiosk_resets_itself_after_a_rating_and_after_a_minute_idle(
    live_server: Any, browser: Any, staff_member: StaffMember, counter: Counter
) -> None:
    kiosk_url = f"{live_server.url}/kiosk/{counter.kiosk_token}"
    context = browser.new_context(viewport=TABLET, has_touch=True, locale="vi-VN")
    # The idle timer is a minute of the page's own clock: the test moves that clock.
    context.clock.install()
    page = context.new_page()
    page.goto(kiosk_url)
    expect(page.locator("h1")).to_have_text("Anh/chị hài lòng với cách phục vụ hôm nay không?")
    blank = form_state(page)
    assert blank["ticked"] == 0 and blank["comment"] == "" and blank["staff"] == "0"

    # A citizen picks the staff member on duty, rates and comments.
    form = page.get_by_test_id("rating-form")
    form.get_by_label(f"{STAFF_NAME} — Chuyên viên").check()
    answer_the_form(page, level="Rất hài lòng", comment="Chị Lan ở quầy 3 rất chu đáo")
    shot(page, "kiosk-filled-tablet")
    form.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_test_id("kiosk-thanks")).to_be_visible()
    shot(page, "kiosk-thanks-tablet")
    rating = Rating.objects.get()
    assert (rating.channel, rating.staff_id, rating.counter_id) == (
        "kiosk",
        staff_member.pk,
        counter.pk,
    )
    assert rating.device_hash == ""  # one tablet for every citizen: nothing to keep

    # A few seconds later the next citizen gets a blank form, not the last one's answers.
    page.wait_for_url(kiosk_url, timeout=15_000)
    after_rating = form_state(page)
    assert after_rating["submission_id"] != blank["submission_id"]
    assert (after_rating["ticked"], after_rating["comment"], after_rating["staff"]) == (0, "", "0")

    # The next citizen starts, then walks away: the form waits half a minute...
    form = page.get_by_test_id("rating-form")
    form.get_by_label(f"{STAFF_NAME} — Chuyên viên").check()
    form.locator("fieldset.rate-level").get_by_label("Không hài lòng", exact=True).check()
    form.get_by_label("Góp ý thêm (không bắt buộc)").fill("Số điện thoại của tôi là 0912 000 111")
    started = form_state(page)
    page.clock.fast_forward("00:30")
    page.wait_for_timeout(300)
    assert form_state(page) == started

    # ... and after a minute without a touch it is blank again.
    page.clock.fast_forward("00:35")
    expect(page.locator("input[name=submission_id]")).not_to_have_value(started["submission_id"])
    idle = form_state(page)
    assert (idle["ticked"], idle["comment"], idle["staff"]) == (0, "", "0")
    assert "0912 000 111" not in page.content()
    shot(page, "kiosk-reset-tablet")
    # The walked-away citizen's answers were never sent; "back" does not bring them back.
    assert Rating.objects.count() == 1
    page.go_back()
    assert "0912 000 111" not in page.content()


def test_a_citizen_switches_the_kiosk_to_english_and_the_next_one_gets_vietnamese(
    live_server: Any, browser: Any, staff_member: StaffMember, counter: Counter
) -> None:
    kiosk_url = f"{live_server.url}/kiosk/{counter.kiosk_token}"
    # An English-language browser: the kiosk is Vietnamese until a citizen asks.
    context = browser.new_context(viewport=TABLET, has_touch=True, locale="en-US")
    context.clock.install()
    page = context.new_page()
    page.goto(kiosk_url)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Anh/chị hài lòng với cách phục vụ hôm nay không?")

    # A foreign visitor taps "English" and rates in English.
    page.get_by_test_id("kiosk-lang-en").tap()
    page.wait_for_url(f"{kiosk_url}?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Are you satisfied with the service today?")
    shot(page, "kiosk-english-tablet")
    form = page.get_by_test_id("rating-form")
    form.get_by_label(f"{STAFF_NAME} — Chuyên viên").check()
    criteria = form.locator("fieldset.criterion")
    for i in range(criteria.count()):
        criterion = criteria.nth(i)
        improper = IMPROPER in criterion.locator("legend").inner_text()
        criterion.get_by_label("No" if improper else "Yes", exact=True).check()
    form.locator("fieldset.rate-level").get_by_label("Very satisfied", exact=True).check()
    form.get_by_label("Further comments (optional)").fill("Very helpful, thank you")
    form.get_by_role("button", name="Send rating").click()

    # The thank-you screen is the kiosk's own again: Vietnamese, with an English line.
    expect(page.get_by_test_id("kiosk-thanks")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Cảm ơn anh/chị đã đánh giá!")
    expect(page.get_by_text("Thank you for your rating.")).to_be_visible()
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.comment) == (
        "kiosk",
        1,
        "Very helpful, thank you",
    )
    # ... and the next citizen's form is Vietnamese.
    page.wait_for_url(kiosk_url, timeout=15_000)
    expect(page.locator("h1")).to_have_text("Anh/chị hài lòng với cách phục vụ hôm nay không?")

    # Another visitor switches to English and walks away: a minute later, Vietnamese.
    page.get_by_test_id("kiosk-lang-en").tap()
    page.wait_for_url(f"{kiosk_url}?lang=en")
    page.get_by_test_id("rating-form").get_by_label("Further comments (optional)").fill("Hello")
    page.clock.fast_forward("01:05")
    page.wait_for_url(kiosk_url)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Anh/chị hài lòng với cách phục vụ hôm nay không?")
    assert "Hello" not in page.content()
    # The language lived in the address only: the tablet keeps no language cookie.
    assert "congvu_lang" not in {cookie["name"] for cookie in context.cookies()}
    assert Rating.objects.count() == 1
    context.close()

    # Without JavaScript the switch is the same link.
    plain = browser.new_context(viewport=TABLET, java_script_enabled=False, locale="vi-VN")
    page = plain.new_page()
    page.goto(kiosk_url)
    page.get_by_test_id("kiosk-lang-en").click()
    page.wait_for_url(f"{kiosk_url}?lang=en")
    expect(page.locator("h1")).to_have_text("Are you satisfied with the service today?")
    plain.close()


@pytest.mark.parametrize("target", ["badge", "dossier", "kiosk"])
def test_the_public_rating_pages_have_no_critical_or_serious_accessibility_violation(
    live_server: Any,
    page: Any,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    counter: Counter,
    target: str,
) -> None:
    dossier = registration.register_dossier(
        DOSSIER_CODE, organisation=province["dept_justice"], staff=staff_member, actor=None
    )
    path = {
        "badge": f"/r/{staff_member.badge_token}",
        "dossier": f"/d/{dossier.rating_token}",
        "kiosk": f"/kiosk/{counter.kiosk_token}",
    }[target]
    page.set_viewport_size(TABLET if target == "kiosk" else PHONE)
    response = page.goto(live_server.url + path)
    assert response is not None and response.ok
    expect(page.get_by_test_id("rating-form")).to_be_visible()

    violations = serious_violations(page)

    assert violations == [], f"axe-core on {path}:\n" + "\n".join(violations)
