"""/api/v1/notifications: the caller's own notices, worded in the request's language."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from congvu.accounts.models import User
from congvu.core import notices
from congvu.core.models import Notification

LIST = "/api/v1/notifications"
READ = "/api/v1/notifications/read"


def confirmed(user: User, task: str = "2. Quán triệt bộ quy tắc") -> Notification:
    return notices.notify(
        user,
        kind="progress_confirmed",
        key="planning.progress_confirmed",
        params={"task": task, "day": dt.date(2026, 3, 2)},
        url="/assignments/1/",
    )


def read(client: Client, payload: Any) -> Any:
    return client.post(READ, json.dumps(payload), content_type="application/json")


def test_the_list_shows_the_callers_notices_in_vietnamese_by_default(
    api_head: Client, head: User, viewer: User
) -> None:
    mine = confirmed(head)
    confirmed(viewer, task="Của người khác")
    response = api_head.get(LIST)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    [item] = data["items"]
    assert item["id"] == mine.pk
    assert item["title"] == "Đã xác nhận hoàn thành: 2. Quán triệt bộ quy tắc"
    assert item["body"] == "Người đứng đầu đã xác nhận nhiệm vụ hoàn thành ngày 02/03/2026."
    assert item["url"] == "/assignments/1/" and item["read_at"] is None


def test_the_list_is_in_english_when_the_request_is(api_head: Client, head: User) -> None:
    confirmed(head)
    Notification.objects.create(user=head, kind="digest", title="Thông báo cũ", body="Nội dung")
    api_head.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    items = api_head.get(LIST).json()["items"]
    titles = [item["title"] for item in items]
    assert "Completion confirmed: 2. Quán triệt bộ quy tắc" in titles
    assert "Thông báo cũ" in titles  # an old text-only notice, as it was written
    assert "The head confirmed the task as done on 02/03/2026." in [i["body"] for i in items]


@pytest.mark.parametrize(
    ("header", "title"),
    [
        ("en-GB,en;q=0.9", "Completion confirmed: 2. Quán triệt bộ quy tắc"),
        ("fr-FR, en;q=0.5", "Completion confirmed: 2. Quán triệt bộ quy tắc"),
        ("vi-VN,vi;q=0.9,en;q=0.8", "Đã xác nhận hoàn thành: 2. Quán triệt bộ quy tắc"),
        ("fr-FR, de", "Đã xác nhận hoàn thành: 2. Quán triệt bộ quy tắc"),
        ("", "Đã xác nhận hoàn thành: 2. Quán triệt bộ quy tắc"),
    ],
)
def test_another_system_chooses_the_language_with_accept_language(
    api_head: Client, head: User, header: str, title: str
) -> None:
    confirmed(head)
    response = api_head.get(LIST, headers={"Accept-Language": header})
    assert [item["title"] for item in response.json()["items"]] == [title]
    assert "Accept-Language" in response["Vary"]


def test_the_language_switch_outweighs_accept_language_and_pages_ignore_it(
    api_head: Client, head: User
) -> None:
    confirmed(head)
    api_head.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    items = api_head.get(LIST, headers={"Accept-Language": "en"}).json()["items"]
    assert items[0]["title"].startswith("Đã xác nhận hoàn thành")
    # A browser's Accept-Language never turns the pages English: only the switch does.
    page = Client().get("/", headers={"Accept-Language": "en"})
    assert page["Content-Language"] == "vi"


def test_marking_some_read_leaves_the_others_unread(api_head: Client, head: User) -> None:
    first, second = confirmed(head), confirmed(head)
    response = read(api_head, {"ids": [first.pk]})
    assert response.status_code == 200
    assert response.json() == {"marked": 1, "unread": 1}
    unread = api_head.get(LIST, {"unread": "true"}).json()["items"]
    assert [item["id"] for item in unread] == [second.pk]


def test_marking_all_read_touches_only_the_callers_notices(
    api_head: Client, head: User, viewer: User
) -> None:
    confirmed(head)
    confirmed(head)
    theirs = confirmed(viewer)
    assert read(api_head, {"all": True}).json() == {"marked": 2, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_another_users_notice_is_not_found_and_nothing_is_marked(
    api_head: Client, head: User, viewer: User
) -> None:
    mine, theirs = confirmed(head), confirmed(viewer)
    response = read(api_head, {"ids": [mine.pk, theirs.pk]})
    assert response.status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is None and theirs.read_at is None


@pytest.mark.parametrize("payload", [{}, {"ids": [1], "all": True}, {"ids": ["1"]}, {"all": "x"}])
def test_a_read_request_without_exactly_one_choice_is_refused_with_a_reason(
    api_head: Client, head: User, payload: Any
) -> None:
    confirmed(head)
    response = read(api_head, payload)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_the_notifications_need_a_signed_in_caller(anonymous: Client) -> None:
    assert anonymous.get(LIST).status_code == 401
    assert read(anonymous, {"all": True}).status_code == 401
