"""Notices stored as a message and its values, worded when read; the language a user chose."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from congvu.accounts.models import User
from congvu.core import notices
from congvu.core.models import Notification

from .notice_helpers import notifications_page, shows_all

pytestmark = pytest.mark.django_db

CONFIRMED = "planning.progress_confirmed"


def confirmed(user: User) -> Notification:
    return notices.notify(
        user,
        kind="progress_confirmed",
        key=CONFIRMED,
        params={"task": "2. Quán triệt bộ quy tắc", "day": dt.date(2026, 3, 2)},
        url="/assignments/1/",
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_notification_from_before_the_message_keys_still_shows_as_it_was_written(
    head: User, language: str
) -> None:
    Notification.objects.create(
        user=head,
        kind="digest",
        title="Nhắc việc ngày 01/02/2026: 1 sắp đến hạn, 0 quá hạn",
        body="Kính gửi head,\nSẮP ĐẾN HẠN: 1 nhiệm vụ",
    )
    page = notifications_page(head, language)
    assert shows_all(
        page, ["Nhắc việc ngày 01/02/2026: 1 sắp đến hạn, 0 quá hạn", "SẮP ĐẾN HẠN: 1"]
    )


def test_a_notice_whose_message_is_gone_or_whose_values_no_longer_fit_shows_as_stored(
    head: User,
) -> None:
    gone = confirmed(head)
    Notification.objects.filter(pk=gone.pk).update(key="planning.no_longer_exists")
    broken = confirmed(head)
    Notification.objects.filter(pk=broken.pk).update(params={"task": "X"})
    page = notifications_page(head, "en")
    assert page.count("Đã xác nhận hoàn thành: 2. Quán triệt bộ quy tắc") == 2
    assert "Completion confirmed" not in page


def test_a_notice_keeps_its_values_and_its_vietnamese_wording_and_dates_read_dd_mm_yyyy(
    head: User,
) -> None:
    with translation.override("en"):
        notice = confirmed(head)
    notice.refresh_from_db()
    assert notice.key == CONFIRMED
    assert notice.params["day"] == {"$date": "2026-03-02"}
    assert notice.title == "Đã xác nhận hoàn thành: 2. Quán triệt bộ quy tắc"
    assert notice.body == "Người đứng đầu đã xác nhận nhiệm vụ hoàn thành ngày 02/03/2026."
    with translation.override("en"):
        assert notice.shown_body == "The head confirmed the task as done on 02/03/2026."


def test_a_notice_with_an_unknown_message_or_a_value_json_cannot_keep_is_refused(
    head: User,
) -> None:
    with pytest.raises(LookupError):
        notices.notify(head, kind="x", key="nobody.declared_this")
    with pytest.raises(TypeError):
        notices.notify(head, kind="x", key=CONFIRMED, params={"task": head, "day": None})
    assert not Notification.objects.exists()


def test_switching_to_english_while_signed_in_keeps_the_choice_for_the_users_mail(
    as_head: Client, head: User
) -> None:
    response = as_head.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert as_head.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    head.refresh_from_db()
    assert head.language == "en"
    as_head.post(reverse("set_language"), {"language": "vi", "next": "/"})
    head.refresh_from_db()
    assert head.language == "vi"


def test_an_unknown_language_changes_nothing_and_a_visitor_can_still_switch(
    as_head: Client, head: User
) -> None:
    as_head.post(reverse("set_language"), {"language": "fr", "next": "/"})
    head.refresh_from_db()
    assert head.language == "vi"
    visitor = Client()
    response = visitor.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert visitor.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_one_user_never_sees_another_users_notices(head: User, viewer: User) -> None:
    confirmed(viewer)
    page = notifications_page(head, "en")
    assert "Completion confirmed" not in page
    assert "You have no notifications yet." in page


def test_signing_in_on_a_new_browser_brings_back_the_language_the_user_chose(
    head: User,
) -> None:
    User.objects.filter(pk=head.pk).update(language="en")
    browser = Client()
    response = browser.post(
        reverse("accounts:login"), {"username": "head", "password": "pw-for-tests-123"}
    )
    assert response.status_code == 302
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Notifications" in browser.get(reverse("notifications:list")).content.decode()


def test_signing_in_keeps_the_language_already_chosen_on_this_browser(head: User) -> None:
    User.objects.filter(pk=head.pk).update(language="en")
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    browser.post(reverse("accounts:login"), {"username": "head", "password": "pw-for-tests-123"})
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"
    assert (
        "Bạn chưa có thông báo nào." in browser.get(reverse("notifications:list")).content.decode()
    )
