"""Following a case without an account: code + passphrase, the named reporter's link, and
the reporter's view (only what is meant for them)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from congvu.accounts.models import User
from congvu.conftest import form_key, said_already_sent
from congvu.organisations.models import StaffMember

from .. import public_views, reporter, services, workflow
from ..models import Case, CaseEvent, CaseFile, Track

TRACK = reverse("cases_public:track")
WRONG = "Mã theo dõi hoặc mật khẩu không đúng"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    cache.clear()  # the per-client failure counter lives in the cache


def file_report(staff: StaffMember, *, named: bool = False) -> services.Receipt:
    return services.submit_report(
        services.ReportInput(
            track=Track.DENUNCIATION,
            channel=Case.Channel.BADGE,
            subject_staff=staff,
            other_standard="Đòi tiền bồi dưỡng",
            description="Cán bộ đòi 500.000 đồng mới nhận hồ sơ.",
            is_anonymous=not named,
            reporter_name="Trần Thị Hoa" if named else "",
            reporter_phone="0987654321" if named else "",
        )
    )


def case_url(case: Case) -> str:
    return reverse("cases_public:track_case", args=[case.code])


def followed(client: Client, receipt: services.Receipt) -> Client:
    response = client.post(TRACK, {"code": receipt.code, "passphrase": receipt.passphrase})
    assert response.status_code == 302 and response["Location"] == case_url(receipt.case)
    return client


def photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 200)).save(out, format="PNG")
    return SimpleUploadedFile("them-anh.png", out.getvalue(), content_type="image/png")


def test_the_code_and_passphrase_open_the_reporters_view(
    client: Client, staff_member: StaffMember
) -> None:
    receipt = file_report(staff_member)
    # People type codes in lower case, with spaces, without the prefix.
    sloppy = receipt.code.removeprefix("PA-").lower()
    response = client.post(TRACK, {"code": f" {sloppy} ", "passphrase": receipt.passphrase.upper()})
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert receipt.code in html
    assert "Đã tiếp nhận, đang xem xét" in html  # the public status
    assert receipt.case.acknowledge_due.strftime("%d/%m/%Y") in html


def test_a_wrong_passphrase_and_an_unknown_code_get_the_same_message(
    client: Client, staff_member: StaffMember
) -> None:
    receipt = file_report(staff_member)
    wrong = client.post(TRACK, {"code": receipt.code, "passphrase": "abcd-efgh"})
    unknown = client.post(TRACK, {"code": "PA-ABCDEFGHJK", "passphrase": receipt.passphrase})
    for response in (wrong, unknown):
        html = response.content.decode()
        assert response.status_code == 200
        assert WRONG in html
        assert receipt.passphrase not in html
    assert client.get(case_url(receipt.case)).status_code == 302


def test_a_client_that_keeps_guessing_is_stopped_for_a_while(
    client: Client, staff_member: StaffMember
) -> None:
    receipt = file_report(staff_member)
    for _attempt in range(reporter.CLIENT_LIMIT):
        client.post(TRACK, {"code": receipt.code, "passphrase": "wrong-pass"})
    response = client.post(TRACK, {"code": receipt.code, "passphrase": receipt.passphrase})
    html = response.content.decode()
    assert response.status_code == 429
    assert "thử lại sau 15 phút" in html
    assert client.get(case_url(receipt.case)).status_code == 302


def test_the_case_page_needs_the_grant_of_this_session(
    client: Client, staff_member: StaffMember
) -> None:
    receipt = file_report(staff_member)
    followed(client, receipt)
    other = Client()
    response = other.get(case_url(receipt.case))
    assert response.status_code == 302 and response["Location"] == TRACK
    assert other.get(reverse("cases_public:track_case", args=["PA-NOTACODE"])).status_code == 302


def test_following_cycles_the_session_key(client: Client, staff_member: StaffMember) -> None:
    receipt = file_report(staff_member)
    client.get(TRACK)
    client.session.save()
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else ""
    followed(client, receipt)
    assert client.cookies["sessionid"].value != before


def test_the_reporter_sees_what_is_meant_for_them_and_nothing_internal(
    client: Client, staff_member: StaffMember, head: User, staff_user: User
) -> None:
    receipt = file_report(staff_member)
    case = receipt.case
    services.add_event(
        case, actor=head, kind=CaseEvent.Kind.NOTE, body="Ghi chú nội bộ: xem camera quầy 3."
    )
    services.add_event(
        case,
        actor=head,
        kind=CaseEvent.Kind.TO_REPORTER,
        body="Cảm ơn bạn, chúng tôi đang xác minh.",
    )
    services.add_event(
        case, actor=head, kind=CaseEvent.Kind.TO_SUBJECT, body="Đề nghị anh Đức giải trình."
    )
    services.add_subject_statement(
        case, actor=staff_user, body="Tôi không đòi tiền, người dân tự đưa."
    )
    workflow.transition(case, Case.Status.ACCEPTED, actor=head)
    workflow.transition(case, Case.Status.INVESTIGATING, actor=head)
    workflow.transition(
        case,
        Case.Status.CONCLUDED,
        actor=head,
        outcome=Case.Outcome.SUBSTANTIATED,
        conclusion="Hành vi vòi vĩnh là có thật; đề nghị xử lý kỷ luật khiển trách.",
    )

    html = followed(client, receipt).get(case_url(case)).content.decode()
    assert "Cảm ơn bạn, chúng tôi đang xác minh." in html
    assert "Hành vi vòi vĩnh là có thật" in html
    assert "Kết luận: Đúng" in html  # the outcome
    assert "Đã có kết luận" in html
    assert "Ghi chú nội bộ" not in html
    assert "Đề nghị anh Đức giải trình" not in html
    assert "người dân tự đưa" not in html


def test_a_rejection_tells_the_reporter_why(
    client: Client, staff_member: StaffMember, head: User
) -> None:
    receipt = file_report(staff_member)
    workflow.transition(
        receipt.case,
        Case.Status.REJECTED,
        actor=head,
        reject_reason=Case.RejectReason.INSUFFICIENT,
    )
    html = followed(client, receipt).get(case_url(receipt.case)).content.decode()
    assert "Không thụ lý" in html and "Không đủ thông tin để xác minh" in html


def test_the_reporter_adds_information_and_a_file(
    client: Client, staff_member: StaffMember
) -> None:
    receipt = file_report(staff_member)
    followed(client, receipt)
    response = client.post(
        case_url(receipt.case),
        {"text": "Tôi có thêm ảnh chụp biên nhận.", "evidence": [photo()]},
    )
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=receipt.case, kind=CaseEvent.Kind.FROM_REPORTER)
    assert event.body == "Tôi có thêm ảnh chụp biên nhận."
    stored = CaseFile.objects.get(event=event)

    html = client.get(case_url(receipt.case)).content.decode()
    assert "Tôi có thêm ảnh chụp biên nhận." in html and "Đã gửi thông tin bổ sung" in html
    download = client.get(reverse("cases_public:track_file", args=[receipt.case.code, stored.pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]


def test_information_sent_twice_is_added_once(client: Client, staff_member: StaffMember) -> None:
    receipt = file_report(staff_member)
    followed(client, receipt)
    page = case_url(receipt.case)
    data = {"text": "Tôi có thêm ảnh chụp biên nhận.", "once": form_key(client.get(page))}
    first, second = client.post(page, data), client.post(page, data)
    assert first["Location"] == second["Location"] == page
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.FROM_REPORTER).count() == 1
    assert said_already_sent(client, second)


def test_adding_nothing_or_a_disguised_file_is_refused_with_a_message(
    client: Client, staff_member: StaffMember
) -> None:
    receipt = file_report(staff_member)
    followed(client, receipt)
    empty = client.post(case_url(receipt.case), {"text": "   "})
    assert empty.status_code == 200 and "Hãy nhập nội dung bổ sung" in empty.content.decode()
    fake = SimpleUploadedFile("anh.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    refused = client.post(case_url(receipt.case), {"text": "Xem ảnh", "evidence": [fake]})
    html = refused.content.decode()
    assert refused.status_code == 200 and "không đúng với đuôi" in html and "Xem ảnh" in html
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.FROM_REPORTER).exists()


def test_a_file_not_meant_for_the_reporter_cannot_be_downloaded(
    client: Client, staff_member: StaffMember, staff_user: User
) -> None:
    receipt = file_report(staff_member)
    statement = services.add_subject_statement(
        receipt.case, actor=staff_user, body="Giải trình", files=[photo()]
    )
    subject_file = CaseFile.objects.get(event=statement)
    followed(client, receipt)
    response = client.get(
        reverse("cases_public:track_file", args=[receipt.case.code, subject_file.pk])
    )
    assert response.status_code == 404


def test_the_named_reporters_link_opens_the_case_and_a_tampered_one_does_not(
    client: Client, staff_member: StaffMember
) -> None:
    receipt = file_report(staff_member, named=True)
    link = public_views.track_link_for(receipt.case)
    path = link.split("://", 1)[-1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 302 and response["Location"] == case_url(receipt.case)
    assert client.get(case_url(receipt.case)).status_code == 200

    signed = path.rsplit("/", 1)[-1]
    tampered = signed[:-3] + ("aaa" if not signed.endswith("aaa") else "bbb")
    other = Client()
    bad = other.get(reverse("cases_public:track_link", args=[tampered]))
    assert bad.status_code == 404 and "không dùng được" in bad.content.decode()
    assert other.get(case_url(receipt.case)).status_code == 302

    # A link forged for an anonymous case is worthless even with a valid signature format.
    anonymous = file_report(staff_member)
    forged = signing.dumps({"c": anonymous.code}, salt="another-salt", compress=True)
    assert other.get(reverse("cases_public:track_link", args=[forged])).status_code == 404


def test_an_expired_link_shows_the_friendly_page(
    client: Client, staff_member: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    receipt = file_report(staff_member, named=True)
    signed = public_views.track_link_for(receipt.case).rsplit("/", 1)[-1]
    monkeypatch.setattr(public_views, "LINK_MAX_AGE", -1)
    response = client.get(reverse("cases_public:track_link", args=[signed]))
    assert response.status_code == 404 and "hết hạn" in response.content.decode()


def test_leaving_the_case_forgets_the_grant_on_this_device(
    client: Client, staff_member: StaffMember
) -> None:
    receipt = file_report(staff_member)
    followed(client, receipt)
    client.post(reverse("cases_public:track_forget"))
    assert client.get(case_url(receipt.case)).status_code == 302


def test_a_grant_expires(
    client: Client, staff_member: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    receipt = file_report(staff_member)
    followed(client, receipt)
    monkeypatch.setattr(public_views, "GRANT_SECONDS", -1)
    assert client.get(case_url(receipt.case)).status_code == 302


def test_the_tracking_page_is_light_and_never_cached(client: Client, db: Any) -> None:
    response = client.get(TRACK)
    assert response.status_code == 200 and len(response.content) < 60_000
    assert "no-store" in response["Cache-Control"]
    assert 'type="password"' in response.content.decode()
