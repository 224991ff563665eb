"""Each notice is also e-mailed, after the commit, by the background worker, to a reader
with an address who has not turned it off, in the language they chose for e-mails (else
the site's as they last chose it); the daily digests are mailed once, not twice. The
reader sets this on their account page or with PATCH /api/v1/me."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.api.tests.conftest import bearer
from congvu.conftest import client_for
from congvu.core import digests, notices
from congvu.core.models import Notification

STATEMENT = "cases.statement_requested"


@pytest.fixture
def reader(officer: User) -> User:
    officer.email = "officer@example.vn"
    officer.save(update_fields=["email"])
    return officer


def tell(user: User, capture: Any) -> Notification:
    with capture(execute=True):
        return notices.notify(
            user, kind="case_subject", key=STATEMENT, params={"code": "PA-1"}, url="/cases/"
        )


def test_a_notice_is_mailed_after_the_commit_in_the_readers_language(
    reader: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        notification = notices.notify(
            reader, kind="case_subject", key=STATEMENT, params={"code": "PA-1"}
        )
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    [sent] = mail.outbox
    assert sent.to == ["officer@example.vn"]
    assert sent.subject == f"[Công vụ] {notification.title}"
    assert "PA-1" in sent.subject
    assert sent.body.startswith(notification.body or notification.title)
    assert "Chọn loại thông báo nhận qua e-mail tại http://" in sent.body
    reader.mail_language = "en"
    reader.save(update_fields=["mail_language"])
    tell(reader, django_capture_on_commit_callbacks)
    assert mail.outbox[-1].subject == "[Công vụ] Request for a statement about case PA-1"


def test_no_mail_when_turned_off_or_without_an_address(
    reader: User, head: User, django_capture_on_commit_callbacks: Any
) -> None:
    reader.mail_notices = False
    reader.save(update_fields=["mail_notices"])
    tell(reader, django_capture_on_commit_callbacks)
    tell(head, django_capture_on_commit_callbacks)  # no address
    assert mail.outbox == []
    assert Notification.objects.count() == 2  # still told in the app


def test_a_daily_digest_is_mailed_once(
    reader: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        digests.deliver(
            kind="digest",
            title_start="Đề nghị",
            recipients=[reader],
            notice_for=lambda user: digests.Notice(STATEMENT, {"code": "PA-2"}, "/"),
        )
    assert len(mail.outbox) == 1


def test_the_reader_sets_it_on_their_account_page(reader: User) -> None:
    client = client_for(reader)
    page = client.get(reverse("accounts:settings")).content.decode()
    assert "officer@example.vn" in page and 'name="mail_notices"' in page
    url = reverse("accounts:mail_preferences")
    refused = client.post(url, {"mail_language": "fr"})
    assert refused.status_code == 400
    assert "Lựa chọn “fr” không có trong danh sách" in refused.content.decode()
    reader.refresh_from_db()
    assert reader.mail_notices is True and reader.mail_language == ""
    assert client.post(url, {"mail_language": "en"}).status_code == 302
    reader.refresh_from_db()
    # An unticked box is "no": the form was sent without it.
    assert reader.mail_notices is False and reader.mail_language == "en"
    assert Client().post(url, {"mail_language": "en"}).status_code == 302  # to sign in
    assert client.get(url).status_code == 405


def test_the_api_reads_and_changes_only_the_callers_own(reader: User, head: User) -> None:
    api = bearer(reader)
    assert api.get("/api/v1/me").json()["mail_notices"] is True

    def patch(client: Client, body: Any) -> Any:
        return client.patch("/api/v1/me", json.dumps(body), content_type="application/json")

    changed = patch(api, {"mail_language": "en"})
    assert changed.status_code == 200
    assert changed.json()["mail_language"] == "en" and changed.json()["mail_notices"] is True
    assert patch(api, {"mail_language": "fr"}).status_code == 422
    assert patch(api, {"mail_notices": False}).json()["mail_notices"] is False
    head.refresh_from_db()
    assert head.mail_notices is True and head.mail_language == ""
    assert patch(Client(), {"mail_notices": False}).status_code == 401


def test_the_mail_of_a_title_only_notice_is_not_empty_and_links_to_the_page(
    reader: User, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    """An inspector's mail "the organisation has answered a corrective action" came with
    no text at all: the notice has a title and a link, no body."""
    settings.SITE_URL = "https://congvu.example.gov.vn"
    with django_capture_on_commit_callbacks(execute=True):
        notification = notices.notify(
            reader, kind="case_subject", key=STATEMENT, params={"code": "PA-1"}, url="/cases/"
        )
    [sent] = mail.outbox
    first_line = sent.body.splitlines()[0]
    assert first_line == (notification.body or notification.title)
    assert "Xem trên Công vụ: https://congvu.example.gov.vn/cases/" in sent.body
    assert "https://congvu.example.gov.vn/accounts/settings/" in sent.body
