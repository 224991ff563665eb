"""An inspection on a 320 px phone without JavaScript, from the checklist to the answer.

The inspector fills in the checklist on the smallest phone with scripts off: a
breach without a note is refused with the rest of the answers kept, then saved
with the staff member typed without accents and a photo; the inspection is
concluded with a corrective action; the head of the inspected organisation reads
the finding, sees the photo and reports the fix with a photo of their own.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from congvu.accounts.models import Role, User
from congvu.conduct import services as conduct_services
from congvu.conftest import make_user
from congvu.inspections import services, workflow
from congvu.inspections.models import CorrectiveAction, Inspection, InspectionFile
from congvu.organisations.models import Organisation, StaffMember

from .helpers import clear_process_caches, restore_default_kinds, share_session

pytestmark = pytest.mark.django_db(transaction=True)

SMALLEST_PHONE = {"width": 320, "height": 640}
BREACH = "Cán bộ quầy số 2 không đeo thẻ công chức."


def photo(name: str) -> dict[str, Any]:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 90, 160)).save(out, format="JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.fixture(autouse=True)
def default_data(transactional_db: Any, settings: Any, tmp_path: Path) -> None:
    restore_default_kinds()
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_checklist_works_on_a_320_px_phone_without_javascript(
    live_server: Any,
    browser: Any,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    head: User,
) -> None:
    conduct_services.load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    clear_process_caches()
    inspector = make_user("thanhtra", Role.INSPECTOR, province["root"])
    inspection = services.plan_inspection(
        province["dept_justice"],
        actor=inspector,
        kind=Inspection.Kind.UNANNOUNCED,
        planned_on=timezone.localdate(),
        lead=inspector,
    )
    workflow.transition(inspection, Inspection.Status.IN_PROGRESS, actor=inspector)
    observations = list(inspection.observations.order_by("order"))
    base = live_server.url
    checklist = f"{base}/inspections/{inspection.code}/checklist/"

    # Nothing spills sideways on the smallest phone.
    look = browser.new_context(viewport=SMALLEST_PHONE, is_mobile=True).new_page()
    share_session(look, base, inspector)
    look.goto(checklist)
    assert look.evaluate("document.documentElement.scrollWidth") <= SMALLEST_PHONE["width"]

    phone = browser.new_context(
        viewport=SMALLEST_PHONE, is_mobile=True, java_script_enabled=False
    ).new_page()
    share_session(phone, base, inspector)
    phone.goto(checklist)
    first = phone.locator(f"#o{observations[0].pk}")
    first.get_by_label("Vi phạm").check()
    phone.locator(f"#o{observations[1].pk}").get_by_label("Thực hiện đúng").check()
    phone.get_by_role("button", name="Lưu kết quả").click()
    expect(phone.locator(f"#o{observations[0].pk}")).to_contain_text("Ghi rõ vi phạm đã thấy")
    expect(phone.locator(f"#o{observations[1].pk}").get_by_label("Thực hiện đúng")).to_be_checked()
    first = phone.locator(f"#o{observations[0].pk}")
    first.get_by_label("Ghi chú").fill(BREACH)
    # Typed without accents, as on a phone keyboard: the page needs no script to find him.
    first.get_by_label("Cán bộ được quan sát").fill("nguyen van duc")
    first.get_by_label("Ảnh, tài liệu minh chứng").set_input_files(photo("khong-deo-the.jpg"))
    for observation in observations[2:]:
        phone.locator(f"#o{observation.pk}").get_by_label("Thực hiện đúng").check()
    phone.get_by_role("button", name="Lưu kết quả").click()
    expect(phone.get_by_role("status")).to_contain_text("Đã lưu kết quả kiểm tra.")
    expect(phone.get_by_test_id("progress")).to_contain_text(
        f"Đã trả lời {len(observations)}/{len(observations)}"
    )
    first = phone.locator(f"#o{observations[0].pk}")
    expect(first.get_by_label("Cán bộ được quan sát")).to_have_value("Nguyễn Văn Đức (STP-001)")
    expect(first.get_by_test_id("evidence")).to_contain_text("khong-deo-the.jpg")

    # The inspection file: a corrective action for the breach, then the conclusion.
    phone.goto(f"{base}/inspections/{inspection.code}/")
    phone.get_by_text("Giao biện pháp khắc phục").click()
    phone.get_by_label("Nội dung phải khắc phục").fill("Nhắc toàn bộ cán bộ đeo thẻ.")
    phone.get_by_role("button", name="Giao", exact=True).click()
    expect(phone.get_by_test_id("corrective-action")).to_contain_text("Nhắc toàn bộ cán bộ")
    phone.get_by_text("Kết luận cuộc kiểm tra").click()
    phone.get_by_label("Kết luận kiểm tra").fill("Còn một vi phạm về đeo thẻ.")
    phone.get_by_role("button", name="Kết luận", exact=True).click()
    expect(phone.get_by_test_id("inspection-status")).to_have_text("Đã kết luận")

    # The head reads the finding and reports the fix.
    boss = browser.new_context(viewport=SMALLEST_PHONE, is_mobile=True).new_page()
    share_session(boss, base, head)
    boss.goto(f"{base}/inspections/{inspection.code}/")
    expect(boss.get_by_test_id("finding")).to_contain_text(BREACH)
    expect(
        boss.get_by_test_id("finding").get_by_role("link", name="khong-deo-the.jpg")
    ).to_be_visible()
    boss.get_by_text("Báo cáo kết quả khắc phục").click()
    boss.get_by_label("Kết quả khắc phục").fill("Đã nhắc và kiểm tra lại ngày hôm sau.")
    boss.get_by_label("Ảnh, tài liệu chứng minh đã khắc phục").set_input_files(photo("da-deo.jpg"))
    boss.get_by_label("Đã khắc phục xong").check()
    boss.get_by_role("button", name="Gửi báo cáo").click()
    expect(boss.get_by_test_id("corrective-action")).to_contain_text("Đã khắc phục")
    expect(boss.get_by_test_id("corrective-action")).to_contain_text("da-deo.jpg")
    assert CorrectiveAction.objects.get().status == CorrectiveAction.Status.DONE
    assert sorted(InspectionFile.objects.values_list("original_name", flat=True)) == [
        "da-deo.jpg",
        "khong-deo-the.jpg",
    ]
