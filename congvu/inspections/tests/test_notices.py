"""Who is told what about an inspection: the inspected organisation's own people when an
announced inspection is planned or cancelled, when it is concluded and when a signed copy
of its papers is recorded; the team when the organisation answers a corrective action.
Never the Department of Home Affairs' oversight, never an unannounced inspection ahead of
time, never a change that was refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from congvu.accounts.models import Role, User
from congvu.core import notices as core_notices
from congvu.core.models import Notification
from congvu.core.tests.media_helpers import pdf_bytes
from congvu.inspections import programme_amendments, services, signed_papers, workflow
from congvu.inspections.models import (
    Inspection,
    InspectionProgramme,
    ProgrammeItem,
    SignedPaper,
)
from congvu.organisations.models import Organisation

from ...conftest import client_for, make_user
from .conftest import PLANNED_ON, answer_all, item_of, plan, start

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.fixture
def head(province: dict[str, Organisation]) -> User:
    return make_user("head_justice", Role.HEAD, province["dept_justice"])


@pytest.fixture
def member(province: dict[str, Organisation]) -> User:
    return make_user("member", Role.INSPECTOR, province["root"])


def told(user: User) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("title", flat=True)
    )


def test_an_announced_inspection_is_told_to_the_organisations_own_people_only(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    head: User,
    officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other = make_user("other_head", Role.HEAD, province["commune"])
    with django_capture_on_commit_callbacks(execute=True):
        inspection = plan(province["dept_justice"], inspector)
    expected = (
        f"Thông báo kiểm tra công vụ tại {province['dept_justice'].name} ngày {PLANNED_ON:%d/%m/%Y}"
    )
    assert told(focal) == [expected]
    assert told(head) == [expected]
    # Home Affairs oversees every organisation: the work is not theirs to prepare.
    assert told(officer) == []
    assert told(other) == []
    assert told(inspector) == []
    notice = Notification.objects.get(user=focal)
    assert notice.url == f"/inspections/{inspection.code}/"
    assert inspection.code in notice.body


def test_an_unannounced_inspection_is_told_to_nobody_ahead_of_time_even_when_cancelled(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        inspection = plan(province["dept_justice"], inspector, kind=Inspection.Kind.UNANNOUNCED)
        workflow.transition(
            inspection, Inspection.Status.CANCELLED, actor=inspector, reason="Đổi lịch."
        )
    assert told(focal) == []


def test_cancelling_an_announced_inspection_tells_the_organisation(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    inspection = plan(province["dept_justice"], inspector)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(
            inspection, Inspection.Status.CANCELLED, actor=inspector, reason="Đổi lịch."
        )
    assert told(focal)[-1] == (
        f"Cuộc kiểm tra {inspection.code} tại {province['dept_justice'].name} đã được hủy"
    )


def test_the_conclusion_tells_the_organisation_its_breaches_actions_and_first_deadline(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    inspection = start(
        plan(province["dept_justice"], inspector, kind=Inspection.Kind.UNANNOUNCED), inspector
    )
    observations = answer_all(inspection, inspector, breach=2)
    first = services.add_corrective_action(
        observations[0], actor=inspector, description="Đeo thẻ khi tiếp dân.", days=5
    )
    services.add_corrective_action(
        observations[1], actor=inspector, description="Niêm yết quy tắc.", days=15
    )
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(
            inspection, Inspection.Status.CONCLUDED, actor=inspector, conclusion="Có vi phạm."
        )
    notice = Notification.objects.get(user=focal)
    assert notice.title == (
        f"Kết luận kiểm tra công vụ {inspection.code} tại {province['dept_justice'].name}"
    )
    assert "Số vi phạm ghi nhận: 2. Biện pháp khắc phục phải thực hiện: 2." in notice.body
    assert f"Hạn khắc phục sớm nhất: {first.due_on:%d/%m/%Y}" in notice.body
    # The finding's words (which may name a staff member) are not in the notice.
    assert "Cán bộ không đeo thẻ" not in notice.body
    assert told(officer) == []
    # Read in English after the switch, from the same record.
    with translation.override("en"):
        worded = core_notices.worded(notice)
    assert worded.title.startswith(f"Conclusion of public-service inspection {inspection.code}")
    assert "Breaches found: 2" in worded.body
    assert client_for(focal).get(notice.url).status_code == 200


def test_a_corrective_action_set_after_the_conclusion_tells_the_organisation(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The conclusion's notice counts the actions set before it; one set afterwards was
    told of to nobody (the work list shows it only 7 days before its deadline)."""
    inspection = start(
        plan(province["dept_justice"], inspector, kind=Inspection.Kind.UNANNOUNCED), inspector
    )
    observation = answer_all(inspection, inspector, breach=1)[0]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(
            inspection, Inspection.Status.CONCLUDED, actor=inspector, conclusion="Có vi phạm."
        )
    with django_capture_on_commit_callbacks(execute=True):
        action = services.add_corrective_action(
            observation, actor=inspector, description="Cán bộ Đức đeo thẻ khi tiếp dân.", days=10
        )
    assert told(focal)[-1] == (
        f"Biện pháp khắc phục mới sau kiểm tra {inspection.code}, hạn {action.due_on:%d/%m/%Y}"
    )
    notice = Notification.objects.filter(user=focal).last()
    assert notice is not None and "Đức" not in notice.body  # never the finding's words
    assert told(officer) == [] and told(inspector) == []


def test_a_refused_conclusion_tells_nobody(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        # No clause answered: refused.
        workflow.transition(
            inspection, Inspection.Status.CONCLUDED, actor=inspector, conclusion="Xong."
        )
    assert told(focal) == []


def test_an_answer_to_a_corrective_action_tells_the_team_but_not_the_one_who_answered(
    province: dict[str, Organisation],
    inspector: User,
    member: User,
    focal: User,
    head: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    inspection = start(plan(province["dept_justice"], inspector, members=[member]), inspector)
    observations = answer_all(inspection, inspector, breach=1)
    action = services.add_corrective_action(
        observations[0], actor=inspector, description="Đeo thẻ khi tiếp dân.", days=5
    )
    workflow.transition(
        inspection, Inspection.Status.CONCLUDED, actor=inspector, conclusion="Có vi phạm."
    )
    Notification.objects.all().delete()
    name = province["dept_justice"].name
    with django_capture_on_commit_callbacks(execute=True):
        services.respond(action, actor=focal, response="Đã nhắc nhở, đang theo dõi.")
    progress = f"{name} báo cáo tiến độ khắc phục (cuộc kiểm tra {inspection.code})"
    assert told(inspector) == [progress]
    assert told(member) == [progress]
    assert told(focal) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.respond(action, actor=head, response="Đã khắc phục xong.", done=True)
    done = f"{name} báo cáo đã hoàn thành khắc phục (cuộc kiểm tra {inspection.code})"
    assert told(inspector) == [progress, done]


def test_a_signed_copy_tells_the_organisation_its_number_and_date(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    answer_all(inspection, inspector)
    workflow.transition(inspection, Inspection.Status.CONCLUDED, actor=inspector, conclusion="Tốt.")
    Notification.objects.all().delete()
    today = timezone.localdate()
    scan = SimpleUploadedFile("tb.pdf", pdf_bytes(), content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        signed_papers.record_signed_paper(
            inspection,
            document=SignedPaper.Document.NOTICE,
            actor=inspector,
            number="27/TB-SNV",
            signed_on=today,
            file=scan,
        )
    notice = Notification.objects.get(user=focal)
    assert notice.title == (
        f"Đã có bản đã ký: Thông báo kết luận kiểm tra, cuộc kiểm tra {inspection.code}"
    )
    assert notice.body.startswith(f"Số 27/TB-SNV, ngày {today:%d/%m/%Y}.")
    with translation.override("en"):
        assert core_notices.worded(notice).title.startswith("Signed copy recorded:")
    assert told(inspector) == []


# --- a programme item cancelled by an approved amendment ---------------------------------------

DECIDED = dt.date(2026, 6, 10)


@pytest.fixture
def lead(province: dict[str, Organisation]) -> User:
    return make_user("lead", Role.INSPECTOR, province["root"])


def cancel_item(
    item: ProgrammeItem, inspector: User, officer: User, *, reason: str = "Đơn vị đã sáp nhập."
) -> InspectionProgramme:
    """Propose the item's cancellation and approve it (decision 12/QĐ-SNV of 10/06/2026)."""
    amendment = programme_amendments.open_amendment(
        item.programme, actor=inspector, reason="Điều chỉnh"
    )
    programme_amendments.propose_cancellation(item, actor=inspector, reason=reason)
    programme_amendments.approve_amendment(
        amendment, actor=officer, decision_number="12/QĐ-SNV", decision_on=DECIDED
    )
    return item.programme


def test_a_cancelled_programme_item_tells_its_lead_and_its_organisation_with_the_reason(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    focal: User,
    lead: User,
    approved: InspectionProgramme,
    django_capture_on_commit_callbacks: Any,
) -> None:
    item = item_of(approved, province["dept_justice"])
    ProgrammeItem.objects.filter(pk=item.pk).update(lead=lead)
    item.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_item(item, inspector, officer)
    justice = province["dept_justice"].name
    title = (
        f"Mục kiểm tra {justice} (Quý 4 năm {approved.year}) trong kế hoạch kiểm tra đã được hủy"
    )
    # The lead, and the announced item's own organisation, which could see it.
    assert told(lead) == [title]
    assert told(focal) == [title]
    # The approver acted; the proposer is neither lead nor inspected.
    assert told(officer) == []
    assert told(inspector) == []
    notice = Notification.objects.get(user=lead)
    assert "Lý do hủy: Đơn vị đã sáp nhập." in notice.body
    assert "12/QĐ-SNV ngày 10/06/2026" in notice.body
    assert notice.url == f"/inspections/programmes/{approved.pk}/"
    assert client_for(lead).get(notice.url).status_code == 200
    focal_notice = Notification.objects.get(user=focal)
    assert client_for(focal).get(focal_notice.url).status_code == 200
    # In the reader's language, from the same record; the reason as it was typed.
    with translation.override("en"):
        worded = core_notices.worded(notice)
    assert worded.title == (
        f"The inspection of {justice} (Quarter 4 {approved.year}) in the inspection programme "
        "is cancelled"
    )
    assert "Reason for the cancellation: Đơn vị đã sáp nhập." in worded.body
    assert "no. 12/QĐ-SNV of 10/06/2026" in worded.body


def test_an_unannounced_cancelled_item_tells_its_lead_only_and_never_the_approving_lead(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    focal: User,
    lead: User,
    approved: InspectionProgramme,
    django_capture_on_commit_callbacks: Any,
) -> None:
    justice = item_of(approved, province["dept_justice"])
    commune = item_of(approved, province["commune"])
    ProgrammeItem.objects.filter(pk=justice.pk).update(lead=lead, kind=Inspection.Kind.UNANNOUNCED)
    # The approver leads the other item: not told of their own decision.
    ProgrammeItem.objects.filter(pk=commune.pk).update(lead=officer)
    justice.refresh_from_db()
    commune.refresh_from_db()
    amendment = programme_amendments.open_amendment(approved, actor=inspector, reason="Đ/c")
    for item in (justice, commune):
        programme_amendments.propose_cancellation(item, actor=inspector, reason="Thôi")
    with django_capture_on_commit_callbacks(execute=True):
        programme_amendments.approve_amendment(
            amendment, actor=officer, decision_number="3/QĐ", decision_on=DECIDED
        )
    assert len(told(lead)) == 1
    # An unannounced item stays a surprise for the organisation, even when it is called off.
    assert told(focal) == []
    assert told(officer) == []


def test_nothing_is_told_when_the_cancellation_is_refused(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    focal: User,
    lead: User,
    approved: InspectionProgramme,
    django_capture_on_commit_callbacks: Any,
) -> None:
    item = item_of(approved, province["dept_justice"])
    ProgrammeItem.objects.filter(pk=item.pk).update(lead=lead)
    item.refresh_from_db()
    amendment = programme_amendments.open_amendment(approved, actor=inspector, reason="Đ/c")
    programme_amendments.propose_cancellation(item, actor=inspector, reason="Thôi")
    # Its inspection starts before the decision: the approval is refused.
    start(plan(province["dept_justice"], inspector, item=item), inspector)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        programme_amendments.approve_amendment(
            amendment, actor=officer, decision_number="4/QĐ", decision_on=DECIDED
        )
    assert Notification.objects.count() == 0
    item.refresh_from_db()
    assert not item.is_cancelled
