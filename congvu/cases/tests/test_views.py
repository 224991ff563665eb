"""The case list and the case file: scoping, filters, deadlines, identity and files."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.conftest import client_for, form_key, make_user
from congvu.organisations.models import Organisation, StaffMember

from ..models import Case, Track
from .office_helpers import (
    REPORTER_NAME,
    REPORTER_PHONE,
    file_report,
    media,  # noqa: F401
    move,
    pdf,
)

LIST = reverse("cases:list")


@pytest.fixture
def case(staff_member: StaffMember) -> Case:
    return file_report(staff=staff_member, files=(pdf(),))


def detail(case: Case) -> str:
    return reverse("cases:detail", args=[case.code])


def test_the_list_shows_the_cases_of_the_handlers_organisation(as_head: Client, case: Case) -> None:
    response = as_head.get(LIST)
    assert response.status_code == 200
    assert case.code in response.content.decode()


def test_an_outsider_sees_an_empty_list_and_gets_404_on_the_case(
    as_outsider: Client, case: Case
) -> None:
    response = as_outsider.get(LIST)
    assert response.status_code == 200
    assert case.code not in response.content.decode()
    assert as_outsider.get(detail(case)).status_code == 404


def test_a_viewer_without_case_permission_gets_403(as_viewer: Client, case: Case) -> None:
    assert as_viewer.get(LIST).status_code == 403
    assert as_viewer.get(detail(case)).status_code == 403


def test_a_staff_user_gets_403_on_the_list(staff_user: User) -> None:
    assert client_for(staff_user).get(LIST).status_code == 403


def test_the_subject_never_reaches_the_case_file(staff_user: User, case: Case) -> None:
    assert client_for(staff_user).get(detail(case)).status_code == 404


def test_an_unknown_code_is_404(as_head: Client, case: Case) -> None:
    assert as_head.get(reverse("cases:detail", args=["PA-NOSUCHCODE"])).status_code == 404


def test_the_list_counts_cases_per_status_and_filters_by_status(
    as_head: Client, head: User, staff_member: StaffMember
) -> None:
    accepted = move(file_report(staff=staff_member), "accepted", actor=head)
    received = file_report(staff=staff_member)
    response = as_head.get(LIST, {"status": "accepted"})
    html = response.content.decode()
    assert accepted.code in html and received.code not in html
    counts = response.context["status_counts"]
    assert ("accepted", "Đã thụ lý", 1) in [(v, str(label), n) for v, label, n in counts]
    assert ("received", "Mới tiếp nhận", 1) in [(v, str(label), n) for v, label, n in counts]


def test_the_list_filters_by_track_code_and_month(
    as_head: Client, staff_member: StaffMember
) -> None:
    feedback = file_report(staff=staff_member)
    denunciation = file_report(staff=staff_member, track=Track.DENUNCIATION)
    html = as_head.get(LIST, {"track": "denunciation"}).content.decode()
    assert denunciation.code in html and feedback.code not in html
    html = as_head.get(LIST, {"q": feedback.code.lower()}).content.decode()
    assert feedback.code in html and denunciation.code not in html
    month = timezone.localdate().strftime("%Y-%m")
    html = as_head.get(LIST, {"month": month}).content.decode()
    assert feedback.code in html and denunciation.code in html
    html = as_head.get(LIST, {"month": "2001-01"}).content.decode()
    assert feedback.code not in html


def test_bad_filters_are_reported_not_a_500(as_head: Client, case: Case) -> None:
    response = as_head.get(LIST, {"month": "13/20x", "organisation": "abc", "q": "x" * 500})
    assert response.status_code == 200
    assert "Tháng không hợp lệ" in response.content.decode()


def test_the_month_filter_reads_and_shows_mm_yyyy_as_dates_do(
    as_head: Client, staff_member: StaffMember
) -> None:
    case = file_report(staff=staff_member)
    month = timezone.localdate().strftime("%m/%Y")
    html = as_head.get(LIST, {"month": month}).content.decode()
    assert case.code in html
    # A dashboard's link carries yyyy-mm: the box shows it the Vietnamese way.
    html = as_head.get(LIST, {"month": timezone.localdate().strftime("%Y-%m")}).content.decode()
    assert case.code in html
    assert f'name="month" value="{month}"' in html
    assert 'placeholder="mm/yyyy"' in html and 'type="month"' not in html


def test_overdue_and_due_soon_cases_are_marked_and_filtered(
    as_head: Client, staff_member: StaffMember
) -> None:
    today = timezone.localdate()
    late = file_report(staff=staff_member)
    Case.objects.filter(pk=late.pk).update(acknowledge_due=today - dt.timedelta(days=2))
    soon = file_report(staff=staff_member)
    Case.objects.filter(pk=soon.pk).update(acknowledge_due=today)
    fine = file_report(staff=staff_member)
    Case.objects.filter(pk=fine.pk).update(acknowledge_due=today + dt.timedelta(days=60))
    html = as_head.get(LIST, {"due": "overdue"}).content.decode()
    assert late.code in html and soon.code not in html and fine.code not in html
    assert "Quá hạn" in html
    html = as_head.get(LIST, {"due": "due_soon"}).content.decode()
    assert soon.code in html and late.code not in html and fine.code not in html
    assert "Sắp đến hạn" in html


def test_the_case_file_shows_the_reporter_to_a_handler_with_identity_rights(
    as_head: Client, case: Case
) -> None:
    html = as_head.get(detail(case)).content.decode()
    assert REPORTER_NAME in html and REPORTER_PHONE in html
    assert case.description in html
    assert "Nguyễn Văn Đức" in html  # the subject


def test_an_inspector_sees_the_case_but_not_who_reported_it(
    province: dict[str, Organisation], case: Case
) -> None:
    inspector = make_user("inspector", Role.INSPECTOR, province["dept_justice"])
    response = client_for(inspector).get(detail(case))
    html = response.content.decode()
    assert response.status_code == 200
    assert REPORTER_NAME not in html and REPORTER_PHONE not in html
    assert "chỉ người xử lý vụ việc được xem" in html
    assert 'action="/cases/' not in html  # no actions offered


def test_an_anonymous_report_says_so(as_head: Client, staff_member: StaffMember) -> None:
    case = file_report(staff=staff_member, anonymous=True)
    html = as_head.get(detail(case)).content.decode()
    assert "Ẩn danh" in html


def test_the_timing_panel_names_the_deadline_that_applies_now_in_both_languages(
    as_head: Client, case: Case
) -> None:
    assert "<dt>Hạn đang áp dụng</dt>" in as_head.get(detail(case)).content.decode()
    as_head.cookies["congvu_lang"] = "en"
    html = as_head.get(detail(case)).content.decode()
    assert "<dt>Current deadline</dt>" in html
    assert "<dt>Clock</dt>" not in html


def test_the_timeline_shows_every_event_with_its_audience_and_time(
    as_head: Client, head: User, case: Case
) -> None:
    from .. import services

    services.add_event(
        case, actor=head, kind="note", body="Ghi chú chỉ người xử lý đọc", audience="internal"
    )
    html = as_head.get(detail(case)).content.decode()
    assert "Ghi chú chỉ người xử lý đọc" in html
    assert "Chỉ người xử lý" in html  # the audience badge
    assert "Tiếp nhận" in html
    assert timezone.localtime(case.received_at).strftime("%d/%m/%Y %H:%M") in html


def test_files_download_through_the_access_checked_view(
    as_head: Client, as_outsider: Client, case: Case
) -> None:
    item = case.files.get()
    url = reverse("cases:file", args=[case.code, item.pk])
    html = as_head.get(detail(case)).content.decode()
    assert url in html
    response = as_head.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert as_outsider.get(url).status_code == 404


def test_the_subject_cannot_download_the_reporters_evidence(
    staff_user: User, head: User, case: Case
) -> None:
    from .. import services

    services.add_event(case, actor=head, kind="to_subject", body="Đề nghị giải trình.")
    item = case.files.get()
    response = client_for(staff_user).get(reverse("cases:file", args=[case.code, item.pk]))
    assert response.status_code == 404


def test_duplicates_and_the_main_case_are_linked_both_ways(
    as_head: Client, head: User, staff_member: StaffMember
) -> None:
    from .. import services

    main = file_report(staff=staff_member)
    duplicate = file_report(staff=staff_member)
    services.link_duplicate(duplicate, main=main, actor=head)
    assert main.code in as_head.get(detail(duplicate)).content.decode()
    assert duplicate.code in as_head.get(detail(main)).content.decode()


def test_the_home_affairs_officer_sees_every_case(as_officer: Client, case: Case) -> None:
    assert case.code in as_officer.get(LIST).content.decode()
    assert as_officer.get(detail(case)).status_code == 200


NEW = reverse("cases:new")


def test_an_officer_records_a_phone_report_and_gets_the_code_and_passphrase(
    as_head: Client, staff_member: StaffMember
) -> None:
    response = as_head.post(
        NEW,
        {
            "channel": "phone",
            "track": "feedback",
            "staff_code": staff_member.staff_code.lower(),
            "description": "Người dân gọi điện phản ánh cán bộ gây khó khăn.",
            "reporter_name": REPORTER_NAME,
            "reporter_phone": REPORTER_PHONE,
        },
        follow=True,
    )
    assert response.status_code == 200
    case = Case.objects.get(channel="phone")
    html = response.content.decode()
    assert case.code in html
    assert response.context["receipt"].passphrase in html
    assert case.subject_staff == staff_member
    assert case.reporter_name == REPORTER_NAME and not case.is_anonymous


def test_a_phone_report_sent_twice_is_recorded_once_and_the_second_shows_its_passphrase(
    as_head: Client, staff_member: StaffMember
) -> None:
    # The second tap's answer is the one the browser shows: it must carry the receipt.
    data = {
        "channel": "phone",
        "track": "feedback",
        "staff_code": staff_member.staff_code,
        "description": "Người dân gọi điện phản ánh cán bộ gây khó khăn.",
        "is_anonymous": "on",
        "once": form_key(as_head.get(NEW)),
    }
    as_head.post(NEW, data)
    second = as_head.post(NEW, data, follow=True)
    case = Case.objects.get()
    html = second.content.decode()
    assert second.redirect_chain[-1][0] == reverse("cases:new_receipt")
    assert "đã được gửi và ghi nhận trước đó" in html
    assert case.code in html
    assert second.context["receipt"].passphrase in html
    # Shown once: drawn again, the page no longer has it.
    assert as_head.get(reverse("cases:new_receipt"))["Location"] == reverse("cases:list")


def test_internal_intake_keeps_the_input_on_errors(as_head: Client) -> None:
    response = as_head.post(
        NEW,
        {
            "channel": "letter",
            "track": "feedback",
            "staff_code": "NO-SUCH",
            "description": "Giữ lại",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Không tìm thấy cán bộ có mã này" in html
    assert "Giữ lại" in html
    assert not Case.objects.exists()


def test_internal_intake_without_a_known_staff_member_needs_organisation_and_description(
    as_head: Client, province: dict[str, Organisation]
) -> None:
    response = as_head.post(
        NEW,
        {"channel": "in_person", "track": "complaint", "description": "x", "is_anonymous": "on"},
    )
    assert response.status_code == 400
    response = as_head.post(
        NEW,
        {
            "channel": "in_person",
            "track": "complaint",
            "organisation": province["dept_justice"].pk,
            "subject_description": "Cán bộ trực quầy số 2",
            "description": "Không hướng dẫn đầy đủ.",
            "is_anonymous": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.is_anonymous and case.reporter_name == ""


def test_internal_intake_is_refused_to_a_viewer_and_a_staff_user(
    as_viewer: Client, staff_user: User
) -> None:
    assert as_viewer.get(NEW).status_code == 403
    assert client_for(staff_user).get(NEW).status_code == 403


def test_an_outsider_cannot_record_a_report_about_another_organisation(
    as_outsider: Client, province: dict[str, Organisation]
) -> None:
    response = as_outsider.post(
        NEW,
        {
            "channel": "phone",
            "track": "feedback",
            "organisation": province["dept_justice"].pk,
            "subject_description": "Ai đó",
            "description": "Nội dung",
            "is_anonymous": "on",
        },
    )
    assert response.status_code == 400  # not a choice they have
    assert not Case.objects.exists()


def test_the_fields_a_move_requires_are_marked_required_for_a_screen_reader(
    as_head: Client, case: Case
) -> None:
    html = as_head.get(detail(case)).content.decode()
    tags = {
        tag_id: tag
        for tag, tag_id in re.findall(
            r'(<select name="reject_reason"[^>]*id="([^"]+)"[^>]*>)', html
        )
    }
    assert 'aria-required="true"' in tags["id_t_rejected_reject_reason"]
    assert all("aria-required" not in tag for key, tag in tags.items() if "rejected" not in key)
