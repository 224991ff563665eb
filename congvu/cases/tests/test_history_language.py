"""A case's history in the reader's language, while the stored record stays as written.

The bodies of the timeline are Vietnamese and hash-chained (`timeline.event_digest`);
`history.shown` words the entries a service wrote in English from the message that
wrote them, and shows what people typed as typed, marked `lang="vi"`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.template.defaultfilters import linebreaksbr
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from congvu.accounts.models import Role, User
from congvu.conftest import client_for, make_user
from congvu.organisations import restructuring
from congvu.organisations.models import Organisation, StaffMember

from .. import (
    assignment,
    clocks,
    discipline,
    history,
    identity,
    reporter,
    services,
    tags,
    timeline,
    workflow,
)
from ..models import Case, CaseEvent, CaseTag, DisciplineForm, Track
from .office_helpers import REPORTER_NAME, file_report, media  # noqa: F401

S = Case.Status
K = CaseEvent.Kind
VIETNAMESE = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE
)
NOTE = "Đã gọi điện cho người phản ánh, hẹn gặp thứ Hai."
REASON = "Cần thêm thời gian xác minh tại <b>bộ phận một cửa</b>."
CONCLUSION = "Có căn cứ: cán bộ đã đòi tiền."
NUMBER = "15/QĐ-STP"


def english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def detail(case: Case) -> str:
    return reverse("cases:detail", args=[case.code])


def outside_vietnamese_spans(html: str) -> str:
    """What the English reader hears in English: the html without its lang="vi" parts."""
    return re.sub(r'<span lang="vi">.*?</span>', "", html, flags=re.S)


@pytest.fixture
def full_case(head: User, staff_member: StaffMember) -> Case:
    """A case that went through every step a service words: from intake to discipline."""
    # A denunciation: its clock allows an extension (Law on Denunciation, art. 30).
    case = file_report(staff=staff_member, track=Track.DENUNCIATION)
    handler = make_user("handler", Role.CASE_HANDLER, staff_member.organisation)
    case = assignment.assign(case, assignee=head, actor=head, reason="Theo phân công.")
    case = assignment.assign(case, assignee=handler, actor=head, reason="Anh Đức nghỉ phép.")
    case = assignment.unassign(case, actor=head)
    urgent = CaseTag.objects.create(
        province_id=staff_member.organisation.ancestor_ids()[0], name="Khẩn", name_folded="khan"
    )
    case = tags.set_tags(case, tag_ids=[urgent.pk], actor=head)
    case = tags.set_tags(case, tag_ids=[], actor=head)
    case = workflow.transition(case, S.ACCEPTED, actor=head)
    case = workflow.transition(case, S.INVESTIGATING, actor=head, note=NOTE)
    case = clocks.extend(case, actor=head, reason=REASON)
    services.add_event(case, actor=head, kind=K.NOTE, body="Đã thụ lý. Hạn giải quyết: 01/01/2030.")
    case = workflow.transition(
        case,
        S.CONCLUDED,
        actor=head,
        outcome=Case.Outcome.PARTLY,
        conclusion=CONCLUSION,
    )
    today = timezone.localdate()
    reprimand = DisciplineForm.objects.get(code="khien-trach")
    first = discipline.propose(
        case, form=reprimand, conduct_date=today, note="Vi phạm lần đầu.", actor=head
    )
    discipline.withdraw(first, reason="Đề xuất nhầm hình thức.", actor=head)
    second = discipline.propose(case, form=reprimand, conduct_date=today, note="", actor=head)
    discipline.decide(second, number=NUMBER, decided_on=today, file=None, actor=head)
    case = workflow.transition(case, S.CLOSED, actor=head)
    case = workflow.transition(case, S.INVESTIGATING, actor=head, note="Người phản ánh khiếu nại.")
    # Home Affairs' oversight reveals who reported, with a reason (the handlers are told).
    overseer = make_user("overseer", Role.HOME_AFFAIRS, staff_member.organisation.parent)
    identity.reveal(case, actor=overseer, reason="Rà soát việc giải quyết tố cáo.")
    reporter.erase_reporter_identity(case, actor=head)
    reporter.erase_reporter_identity(case, actor=None)  # nothing left: no second entry
    duplicate = file_report(staff=staff_member)
    services.link_duplicate(duplicate, main=case, actor=head)
    rejected = workflow.transition(
        duplicate, S.REJECTED, actor=head, reject_reason=Case.RejectReason.DUPLICATE
    )
    assert rejected.status == S.REJECTED
    return case


def every_event() -> list[CaseEvent]:
    return list(CaseEvent.objects.order_by("pk"))


def test_every_entry_a_service_words_is_shown_in_english(
    full_case: Case, head: User, province: dict[str, Organisation]
) -> None:
    retention = file_report(staff=full_case.subject_staff)
    reporter.erase_reporter_identity(retention, actor=None)
    # The handling organisation merges: its open cases go to the successor (ROUTED).
    restructuring.merge_organisations(
        [full_case.handling_organisation],
        actor=None,
        effective=dt.date(2026, 9, 1),
        into=province["dept_home"],
    )
    worded = [event for event in every_event() if event.kind in history.WRITTEN]
    kinds = {event.kind for event in worded}
    assert kinds == set(history.WRITTEN), "a kind the services word is missing from the case"
    with translation.override("en"):
        for event in worded:
            shown = history.shown(event)
            assert shown.lang == "", f"not recognised: {event.body!r}"
            assert not VIETNAMESE.search(outside_vietnamese_spans(shown.html)), shown.html


def test_an_english_case_page_shows_the_history_in_english(
    client: Client, head: User, full_case: Case
) -> None:
    client.force_login(head)
    response = english(client).get(detail(full_case))
    assert response.status_code == 200
    html = response.content.decode()
    due = f"{full_case.acknowledge_due:%d/%m/%Y}"
    for wording in (
        f"Report received. Deadline for review and acceptance: {due}.",
        "Accepted. Resolution deadline: ",
        "Status changed to: Under investigation.",
        "Resolution deadline extended (extension 1) to ",
        "Outcome: Partly substantiated.",
        "Discipline proposed: Reprimand.",
        "Discipline proposal withdrawn (Reprimand). Reason: ",
        "Status changed to: Closed.",
        "The reporter&#x27;s name and contact details have been erased.",
        "Another report on the same matter has been merged into this case.",
    ):
        assert wording in html, wording
    # The kinds of entry are English too (they were already).
    assert "Status change" in html and "Chuyển trạng thái" not in html
    # No entry a service worded is left in Vietnamese.
    for event in full_case.events.filter(kind__in=list(history.WRITTEN)):
        head = event.body.split("\n")[0]
        assert head not in html, head


def test_what_people_typed_is_shown_as_typed_and_marked_vietnamese_in_english(
    client: Client, head: User, full_case: Case
) -> None:
    client.force_login(head)
    html = english(client).get(detail(full_case)).content.decode()
    assert f'Status changed to: Under investigation.<br><span lang="vi">{NOTE}</span>' in html
    assert f'Outcome: Partly substantiated.<br><span lang="vi">{CONCLUSION}</span>' in html
    # Typed markup stays text.
    escaped = REASON.replace("<", "&lt;").replace(">", "&gt;")
    assert f'Reason: <span lang="vi">{escaped}</span>' in html
    assert "<b>bộ phận" not in html
    # A note that reads like a worded entry is still a note: shown as typed.
    assert '<div class="event-body" lang="vi">Đã thụ lý. Hạn giải quyết: 01/01/2030.</div>' in html
    # The decision's number is the official's, as typed.
    assert f'Disciplinary decision no. <span lang="vi">{NUMBER}</span> of ' in html


def test_the_vietnamese_case_page_shows_the_stored_history_unchanged(
    as_head: Client, full_case: Case
) -> None:
    html = as_head.get(detail(full_case)).content.decode()
    for event in full_case.events.all():
        assert str(linebreaksbr(event.body, autoescape=True)) in html
    assert "Status changed to" not in html and "Report received" not in html


def test_showing_the_history_in_english_changes_nothing_stored_and_the_chain_verifies(
    client: Client, head: User, full_case: Case
) -> None:
    before = list(CaseEvent.objects.order_by("pk").values_list("pk", "body"))
    digests = [timeline.event_digest(event) for event in every_event()]
    client.force_login(head)
    assert english(client).get(detail(full_case)).status_code == 200
    assert list(CaseEvent.objects.order_by("pk").values_list("pk", "body")) == before
    assert [timeline.event_digest(event) for event in every_event()] == digests
    assert timeline.verify_events() == []
    call_command("audit_verify")


def test_services_write_the_history_in_vietnamese_whatever_the_actors_language(
    head: User, staff_member: StaffMember
) -> None:
    with translation.override("en"):
        case = file_report(staff=staff_member)
        workflow.transition(case, S.ACCEPTED, actor=head)
    bodies = list(case.events.order_by("pk").values_list("body", flat=True))
    assert bodies[0].startswith("Đã tiếp nhận phản ánh. Hạn xem xét, thụ lý: ")
    assert bodies[1].startswith("Đã thụ lý. Hạn giải quyết: ")


def test_an_entry_in_an_older_wording_is_shown_as_stored_marked_vietnamese(db: Any) -> None:
    old = CaseEvent(kind=K.TRANSITION, to_status=S.ACCEPTED, body="Đã nhận hồ sơ <ngày 2/1>")
    with translation.override("en"):
        shown = history.shown(old)
    assert shown.lang == "vi"
    assert shown.html == "Đã nhận hồ sơ &lt;ngày 2/1&gt;"


def test_a_label_no_longer_among_the_choices_is_kept_in_vietnamese(db: Any) -> None:
    old = CaseEvent(kind=K.TRANSITION, body="Không thụ lý. Lý do: Đơn nặc danh.")
    with translation.override("en"):
        assert history.shown(old).lang == "vi"
    renamed = CaseEvent(kind=K.DISCIPLINE, body="Đề xuất hình thức kỷ luật: Phê bình.")
    with translation.override("en"):
        shown = history.shown(renamed)
    assert shown.html == 'Discipline proposed: <span lang="vi">Phê bình</span>.'


def test_the_reporter_follows_the_case_in_english(
    client: Client, head: User, staff_member: StaffMember
) -> None:
    receipt = services.submit_report(
        services.ReportInput(
            subject_staff=staff_member,
            description="Cán bộ đòi tiền.",
            is_anonymous=False,
            reporter_name=REPORTER_NAME,
            reporter_phone="0987654321",
        )
    )
    case = workflow.transition(receipt.case, S.ACCEPTED, actor=head)
    case = workflow.transition(case, S.INVESTIGATING, actor=head)
    services.add_event(case, actor=head, kind=K.TO_REPORTER, body="Chúng tôi đang xác minh.")
    services.add_event(case, actor=head, kind=K.NOTE, body="Chỉ người xử lý đọc")
    english(client)
    client.post(
        reverse("cases_public:track"), {"code": receipt.code, "passphrase": receipt.passphrase}
    )
    response = client.get(reverse("cases_public:track_case", args=[case.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Report received. Deadline for review and acceptance: " in html
    assert "Accepted. Resolution deadline: " in html
    assert "Status changed to: Under investigation." in html
    assert '<p class="body" lang="vi">Chúng tôi đang xác minh.</p>' in html
    assert "Đã thụ lý. Hạn giải quyết" not in html
    assert "Chỉ người xử lý đọc" not in html
    # In Vietnamese the page shows the stored entries, as before.
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    html = client.get(reverse("cases_public:track_case", args=[case.code])).content.decode()
    assert '<p class="body" lang="vi">Đã thụ lý. Hạn giải quyết: ' in html
    assert "Accepted. Resolution deadline" not in html


def test_the_staff_member_concerned_reads_the_decision_about_them_in_english(
    staff_user: User, full_case: Case
) -> None:
    client = english(client_for(staff_user))
    response = client.get(reverse("cases:subject_view", args=[full_case.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'Disciplinary decision no. <span lang="vi">{NUMBER}</span> of ' in html
    assert ": Reprimand." in html
    assert "Outcome: Partly substantiated." in html
    assert "Quyết định kỷ luật số" not in html
    assert NOTE not in html  # the handler's note to the reporter is not the subject's


def test_in_english_an_outsider_still_gets_404_and_a_viewer_403(
    client: Client, outsider: User, viewer: User, staff_user: User, full_case: Case
) -> None:
    assert english(client_for(outsider)).get(detail(full_case)).status_code == 404
    assert english(client_for(viewer)).get(detail(full_case)).status_code == 403
    assert english(client_for(staff_user)).get(detail(full_case)).status_code == 404


def test_a_decision_dated_in_the_past_keeps_its_date_as_written(
    head: User, full_case: Case
) -> None:
    day = timezone.localdate() - dt.timedelta(days=3)
    event = CaseEvent(
        kind=K.DISCIPLINE,
        body=history.DISCIPLINE_DECIDED.write(
            number="7/QĐ", date=f"{day:%d/%m/%Y}", form="Cảnh cáo"
        ),
    )
    with translation.override("en"):
        shown = history.shown(event)
    assert shown.html == (
        f'Disciplinary decision no. <span lang="vi">7/QĐ</span> of {day:%d/%m/%Y}: Warning.'
    )
