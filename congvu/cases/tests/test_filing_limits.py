"""Filing without an account is limited per client, across the three doors (the report
form, Open311, the public API); mail to one address is limited per day and carries
nothing the sender typed; a staff member who has left cannot be reported by badge at any
door."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from congvu.organisations.models import Organisation, StaffMember

from ..models import Case
from .test_public_report import catalogue, media, report_data  # noqa: F401

OPEN311 = "/open311/v2/requests.json"
API = "/api/v1/public/cases"
PHISHING = "Tài khoản bị khóa, xác minh tại http://evil.example"
VICTIM = "victim@example.com"


def client_at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def said(response: Any) -> str:
    """The answer's text as a user reads it (JSON unescaped)."""
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return str(response.content.decode())


def by_form(client: Client, province: dict[str, Organisation], **fields: Any) -> Any:
    return client.post(
        reverse("cases_public:report"),
        report_data(
            organisation=province["dept_justice"].pk,
            subject_description="Cán bộ nữ ở quầy số 2",
            other_standard="Không hướng dẫn",
            **fields,
        ),
    )


def by_open311(client: Client, province: dict[str, Organisation], **fields: str) -> Any:
    data = {
        "service_code": "II.1.c",
        "description": "Cán bộ nói phải có tiền bồi dưỡng thì hồ sơ mới xong sớm.",
        "attribute[organisation]": province["dept_justice"].code,
        "attribute[subject]": "Cán bộ quầy 2",
        **fields,
    }
    return client.post(OPEN311, data)


def by_api(client: Client, province: dict[str, Organisation], **fields: Any) -> Any:
    body = {
        "organisation": province["dept_justice"].code,
        "subject_description": "Cán bộ quầy 2",
        "other_standard": "Không hướng dẫn",
        "description": "Cán bộ gợi ý đưa tiền thì hồ sơ sẽ xong sớm hơn.",
        **fields,
    }
    return client.post(API, json.dumps(body), content_type="application/json")


pytestmark = pytest.mark.usefixtures("catalogue")

DOORS = {"form": (by_form, 302), "open311": (by_open311, 201), "api": (by_api, 201)}


@pytest.fixture
def low_limits(settings: Any) -> None:
    settings.CASES_REPORTS_PER_CLIENT_HOUR = 2
    settings.CASES_REPORTS_PER_CLIENT_DAY = 20


@pytest.mark.parametrize("door", DOORS)
def test_a_client_over_the_hourly_limit_is_refused_and_nothing_is_stored(
    door: str, province: Any, low_limits: None
) -> None:
    send, created = DOORS[door]
    flooder = client_at("203.0.113.9")
    assert [send(flooder, province).status_code for _ in range(2)] == [created, created]
    refused = send(flooder, province)
    assert refused.status_code == 429
    assert "thử lại sau" in said(refused) and "try again later" in said(refused)
    assert Case.objects.count() == 2
    # A citizen elsewhere is not held back by the flood.
    assert send(client_at("198.51.100.4"), province).status_code == created
    assert Case.objects.count() == 3


def test_the_three_doors_share_one_count(province: Any, settings: Any) -> None:
    settings.CASES_REPORTS_PER_CLIENT_HOUR = 3
    client = client_at("203.0.113.9")
    assert by_form(client, province).status_code == 302
    assert by_open311(client, province).status_code == 201
    assert by_api(client, province).status_code == 201
    assert by_open311(client, province).status_code == 429
    assert by_api(client, province).status_code == 429
    assert by_form(client, province).status_code == 429
    assert Case.objects.count() == 3


def test_the_daily_limit_holds_when_the_hourly_one_would_not(province: Any, settings: Any) -> None:
    settings.CASES_REPORTS_PER_CLIENT_HOUR = 100
    settings.CASES_REPORTS_PER_CLIENT_DAY = 2
    client = client_at("203.0.113.9")
    assert [by_api(client, province).status_code for _ in range(3)] == [201, 201, 429]


def test_a_refused_report_form_comes_back_with_what_was_typed(
    province: Any, low_limits: None
) -> None:
    client = client_at("203.0.113.9")
    for _ in range(2):
        by_form(client, province)
    refused = by_form(
        client,
        province,
        identity="named",
        reporter_name="Lê Văn Nam",
        reporter_phone="0912345678",
        description="Cán bộ quầy số 2 không hướng dẫn thủ tục cho tôi.",
    )
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "Bạn đã gửi nhiều phản ánh trong thời gian ngắn" in html
    assert "Lê Văn Nam" in html and "không hướng dẫn thủ tục cho tôi" in html
    assert Case.objects.count() == 2


def test_reports_with_errors_do_not_count(province: Any, low_limits: None) -> None:
    client = client_at("203.0.113.9")
    for _ in range(3):
        assert by_api(client, province, organisation="NOPE").status_code == 422
    assert by_api(client, province).status_code == 201


def test_behind_the_trusted_proxy_each_client_is_counted_apart(
    province: Any, low_limits: None, settings: Any
) -> None:
    settings.TRUST_X_FORWARDED_FOR = True

    def through_proxy(address: str) -> Client:
        return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address)

    flooder = through_proxy("203.0.113.9")
    assert [by_open311(flooder, province).status_code for _ in range(3)] == [201, 201, 429]
    assert by_open311(through_proxy("198.51.100.4"), province).status_code == 201


# --- mail ----------------------------------------------------------------------------------


def test_the_mail_to_a_typed_address_quotes_nothing_the_sender_typed(
    province: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = by_open311(client_at("203.0.113.9"), province, email=VICTIM, first_name=PHISHING)
    assert response.status_code == 201
    [sent] = mail.outbox
    assert sent.to == [VICTIM]
    assert "Kính gửi Quý ông/bà," in sent.body
    assert "evil.example" not in sent.body and "Tài khoản bị khóa" not in sent.body
    assert "evil.example" not in sent.subject


def test_one_address_is_mailed_about_three_reports_a_day_and_every_report_is_kept(
    province: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for number in range(5):
        # From five addresses: each client is under its own limit.
        with django_capture_on_commit_callbacks(execute=True):
            response = by_api(
                client_at(f"203.0.113.{number}"),
                province,
                is_anonymous=False,
                reporter_name="Người gửi",
                reporter_email=VICTIM if number % 2 == 0 else VICTIM.upper(),
            )
        assert response.status_code == 201
    assert Case.objects.count() == 5
    assert len(mail.outbox) == 3
    # Another address is mailed as usual.
    with django_capture_on_commit_callbacks(execute=True):
        by_api(
            client_at("198.51.100.4"),
            province,
            is_anonymous=False,
            reporter_name="Người khác",
            reporter_email="other@example.vn",
        )
    assert [m.to for m in mail.outbox[3:]] == [["other@example.vn"]]


# --- a staff member who has left -----------------------------------------------------------


def test_no_door_takes_a_report_on_the_badge_of_a_staff_member_who_has_left(
    client: Client, staff_member: StaffMember
) -> None:
    StaffMember.objects.filter(pk=staff_member.pk).update(is_active=False)
    badge = staff_member.badge_token
    form = client.get(reverse("cases_public:report_staff", args=[badge]))
    assert form.status_code == 404
    open311 = client.post(
        OPEN311,
        {"service_code": "II.1.c", "description": "Cán bộ đòi tiền.", "attribute[badge]": badge},
    )
    assert open311.status_code == 400
    assert "No such staff badge" in open311.content.decode()
    api = client.post(
        API,
        json.dumps({"badge_token": badge, "description": "Cán bộ đòi tiền bồi dưỡng."}),
        content_type="application/json",
    )
    assert api.status_code in (400, 422)
    assert "No staff badge with this token" in api.content.decode()
    assert not Case.objects.exists()
