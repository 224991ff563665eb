"""What each role met walking the product on a phone (360 and 320 px wide).

A citizen choosing the kind of report, a staff member ticking the code of conduct, a head
granting a new badge or opening a folded section, a focal point looking for where to
register a dossier, an inspector reading the list of inspections: each tapped something
smaller than a thumb (a 24 px label, a 19 px button in the browser's default type) or did
not see what they came for. The thumb's target is 44 px high (static/css/app.css).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from congvu.accounts.models import Role, User
from congvu.conduct import services as conduct_services
from congvu.conftest import make_user
from congvu.core.models import Notification
from congvu.inspections import services as inspection_services
from congvu.inspections.models import CorrectiveAction, Inspection
from congvu.organisations.models import Organisation, StaffMember
from congvu.scoring import services as scoring
from congvu.scoring.models import Scorecard

from .helpers import (
    NARROWEST,
    PHONE,
    clear_process_caches,
    restore_default_kinds,
    restore_default_scales,
    share_session,
    sideways,
)

# A concluded inspection with its corrective action, as the officers' pages' tests build it.
from .test_accessibility_officers import World, concluded, scored

# The live server reads committed data, so every test here runs on a flushed database.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_data(transactional_db: Any) -> None:
    restore_default_kinds()
    restore_default_scales()


def height(locator: Any) -> float:
    box = locator.bounding_box()
    assert box is not None
    return float(box["height"])


def test_a_citizen_taps_the_kind_of_report_and_anonymity_on_the_smallest_phone(
    live_server: Any, page: Any, province: dict[str, Organisation]
) -> None:
    page.set_viewport_size(NARROWEST)
    page.goto(live_server.url + "/report/")

    for name in ("Phản ánh, kiến nghị", "Khiếu nại", "Tố cáo", "Ẩn danh", "Có ghi tên"):
        label = page.locator("label", has_text=name).first
        assert height(label) >= 44, name
    # The label is the target: a tap on it, beside the small box, chooses it.
    page.locator("label", has_text="Tố cáo").first.click(position={"x": 200, "y": 40})
    expect(page.get_by_role("radio", name="Tố cáo")).to_be_checked()
    assert sideways(page) == 0


def test_a_staff_member_ticks_the_code_of_conduct_with_a_thumb(
    live_server: Any, page: Any, province: dict[str, Organisation], staff_user: User
) -> None:
    conduct_services.load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    clear_process_caches()
    share_session(page, live_server.url, staff_user)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/dissemination/acknowledge/")

    label = page.locator("label", has_text="Tôi đã đọc và cam kết thực hiện")
    assert height(label) >= 44
    label.click(position={"x": 250, "y": 5})
    expect(page.get_by_role("checkbox", name="Tôi đã đọc và cam kết thực hiện")).to_be_checked()


def test_a_secondary_button_is_as_big_as_the_others(
    live_server: Any, page: Any, head: User, staff_member: StaffMember
) -> None:
    share_session(page, live_server.url, head)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + f"/org/staff/{staff_member.pk}/")

    rotate = page.get_by_role("button", name="Cấp mã thẻ mới (vô hiệu mã QR cũ)")
    edit = page.get_by_role("link", name="Sửa thông tin")
    assert height(rotate) >= 44
    # Written in the page's type, not the browser's 13 px default for buttons.
    size = "el => getComputedStyle(el).fontSize"
    assert rotate.evaluate(size) == edit.evaluate(size)
    assert height(page.locator("summary", has_text="Ghi nhận thôi công tác")) >= 44


def test_a_notices_details_its_mark_read_button_and_the_next_page_are_44_px_on_a_phone(
    live_server: Any, page: Any, head: User
) -> None:
    Notification.objects.bulk_create(
        Notification(user=head, kind="digest", title=f"Nhắc việc {n}", body="Hai việc quá hạn.")
        for n in range(31)
    )
    share_session(page, live_server.url, head)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/notifications/")

    assert height(page.locator("main summary", has_text="Chi tiết").first) >= 44
    assert height(page.get_by_role("button", name="Đánh dấu đã đọc").first) >= 44
    assert height(page.get_by_role("link", name="Trang sau ›")) >= 44
    assert sideways(page) == 0


def test_a_focal_point_sees_where_to_register_dossiers_without_scrolling_sideways(
    live_server: Any, page: Any, head: User
) -> None:
    share_session(page, live_server.url, head)
    for size in (PHONE, NARROWEST):
        page.set_viewport_size(size)
        page.goto(live_server.url + "/ratings/manage/")
        table = page.get_by_test_id("manage-organisations")
        dossiers = table.get_by_role("link", name="Hồ sơ").first
        box = dossiers.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= size["width"], size
        counters = table.get_by_role("link", name="Quầy một cửa").first
        assert height(counters) < 30  # one line, not "Quầy" above "một cửa"


def test_an_inspection_code_stays_on_one_line_in_the_list(
    live_server: Any, page: Any, province: dict[str, Organisation]
) -> None:
    conduct_services.load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    clear_process_caches()
    inspector = make_user("inspector", Role.INSPECTOR, province["root"])
    inspection = inspection_services.plan_inspection(
        province["dept_justice"],
        actor=inspector,
        kind=Inspection.Kind.UNANNOUNCED,
        planned_on=timezone.localdate(),
        lead=inspector,
        purpose="Kiểm tra thái độ tiếp dân tại Bộ phận một cửa.",
    )
    share_session(page, live_server.url, inspector)
    page.set_viewport_size(NARROWEST)
    page.goto(live_server.url + "/inspections/")

    code = page.get_by_test_id("inspection-table").get_by_role("link", name=inspection.code)
    line = float(code.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    assert height(code) < 1.5 * line


# A separator "·" that ends a line belongs to nothing: it is bound to what follows it.
ORPHAN_SEPARATORS = """(root) => {
  const out = [];
  const walker = document.createTreeWalker(
    document.querySelector(root || 'main'), NodeFilter.SHOW_TEXT);
  const rectOf = (node, at) => {
    const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + 1);
    return range.getClientRects()[0];
  };
  let node;
  while ((node = walker.nextNode())) {
    const text = node.textContent;
    for (let i = text.indexOf('·'); i >= 0; i = text.indexOf('·', i + 1)) {
      const dot = rectOf(node, i);
      if (!dot) continue;
      let next = null, j = i + 1;
      while (j < text.length && /\\s/.test(text[j])) j++;
      if (j < text.length) next = rectOf(node, j);
      else {
        let sibling = node.nextSibling;
        while (sibling && sibling.nodeType === 3 && !sibling.textContent.trim()) {
          sibling = sibling.nextSibling;
        }
        if (sibling && sibling.nodeType === 1) next = sibling.getClientRects()[0];
        else if (sibling) next = rectOf(sibling, sibling.textContent.search(/\\S/));
      }
      if (next && next.top > dot.bottom - 2) out.push(node.parentElement.innerText.trim());
    }
  }
  return out;
}"""


def test_no_separator_is_left_at_the_end_of_a_line_on_inspection_organisation_standard_pages(
    live_server: Any,
    page: Any,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    officer: User,
    head: User,
) -> None:
    conduct_services.load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    world = World(province, staff_member, officer=officer, head=head)
    concluded(world)
    # Overdue: "Hạn: … · Chưa khắc phục · Quá hạn" is the line that broke after its dot.
    CorrectiveAction.objects.update(due_on=timezone.localdate().replace(year=2025))
    share_session(page, live_server.url, head)
    for size in (PHONE, NARROWEST):
        page.set_viewport_size(size)
        page.goto(live_server.url + f"/inspections/{world.args['code']}/")
        page.locator("main").get_by_text("Quá hạn", exact=True).wait_for()
        assert page.evaluate(ORPHAN_SEPARATORS) == [], size

    share_session(page, live_server.url, officer)
    for size in (PHONE, NARROWEST):
        page.set_viewport_size(size)
        page.goto(live_server.url + f"/org/{province['root'].pk}/")
        assert page.evaluate(ORPHAN_SEPARATORS) == [], size

    # The citizen's standards: "Phiên bản … · áp dụng từ … · Kế hoạch số 86/KH-UBND …".
    page.context.clear_cookies()
    for size in (PHONE, NARROWEST):
        page.set_viewport_size(size)
        page.goto(live_server.url + "/standards/")
        assert page.evaluate(ORPHAN_SEPARATORS) == [], size
        # Every page's footer: "Công vụ — … · Chuẩn mực ứng xử · API" (base.html).
        assert page.evaluate(ORPHAN_SEPARATORS, "footer") == [], size


def test_a_citizen_reads_the_rankings_criteria_caption_on_the_smallest_phone(
    live_server: Any,
    page: Any,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    officer: User,
) -> None:
    world = World(province, staff_member, officer=officer)
    scored(world)
    scoring.publish(Scorecard.objects.get(), actor=officer)
    page.set_viewport_size(NARROWEST)
    page.goto(live_server.url + f"/rankings/{world.args['scorecard']}/")

    caption = page.get_by_test_id("criteria-table").locator("caption")
    text = caption.evaluate(
        """el => { const range = document.createRange(); range.selectNodeContents(el);
                   const box = range.getBoundingClientRect(); return [box.left, box.right]; }"""
    )
    assert text[0] >= 0 and text[1] <= NARROWEST["width"], text
    assert sideways(page) == 0
