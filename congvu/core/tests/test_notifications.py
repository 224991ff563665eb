"""The in-app notification list: a user's own notices, unread first."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.core.models import Notification

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")


def notify(user: User, title: str, **kwargs: Any) -> Notification:
    return Notification.objects.create(user=user, kind="digest", title=title, **kwargs)


def test_a_user_sees_their_own_notifications_unread_first(
    as_head: Client, head: User, viewer: User
) -> None:
    from django.utils import timezone

    notify(head, "Đã đọc rồi", read_at=timezone.now())
    notify(head, "Nhắc việc mới", body="Xem https://congvu.example/assignments/1/")
    notify(viewer, "Của người khác")
    html = as_head.get(LIST).content.decode()
    assert html.index("Nhắc việc mới") < html.index("Đã đọc rồi")
    assert "Của người khác" not in html
    assert 'href="https://congvu.example/assignments/1/"' in html


def test_the_navigation_shows_how_many_notifications_are_unread(
    as_head: Client, head: User
) -> None:
    notify(head, "Một")
    notify(head, "Hai")
    response = as_head.get(LIST)
    assert response.context["unread_notifications"] == 2
    assert "Thông báo (2)" in response.content.decode()


def test_the_phone_s_menu_button_carries_the_unread_count_and_says_what_it_counts(
    as_head: Client, head: User
) -> None:
    # On a phone the menus fold under "Menu": the count must still show without opening it.
    notify(head, "Một")
    notify(head, "Hai")
    menu = as_head.get(LIST).content.decode().split('<details class="site-menu"')[1]
    summary = menu.split("</summary>")[0]
    assert ">2<" in summary
    assert "(2 thông báo chưa đọc)" in summary
    as_head.post(reverse("notifications:mark_all_read"))
    summary = as_head.get(LIST).content.decode().split('<details class="site-menu"')[1]
    assert "thông báo chưa đọc" not in summary.split("</summary>")[0]


def test_marking_one_notification_read_takes_it_off_the_count(as_head: Client, head: User) -> None:
    first, second = notify(head, "Một"), notify(head, "Hai")
    response = as_head.post(reverse("notifications:mark_read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert as_head.get(LIST).context["unread_notifications"] == 1


def test_marking_all_read_clears_the_badge(as_head: Client, head: User, viewer: User) -> None:
    notify(head, "Một")
    notify(head, "Hai")
    others = notify(viewer, "Của người khác")
    as_head.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(user=head, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None
    html = as_head.get(LIST).content.decode()
    assert "Thông báo (" not in html


def test_another_users_notification_cannot_be_marked_read(as_head: Client, viewer: User) -> None:
    theirs = notify(viewer, "Của người khác")
    response = as_head.post(reverse("notifications:mark_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("pk", ["9223372036854775808", "99999999999999999999"])
def test_an_id_past_a_bigint_is_a_plain_404_and_marks_nothing(
    as_head: Client, head: User, pk: str
) -> None:
    # The URL's <int:pk> takes any run of digits; SQLite cannot bind one past 2**63 - 1
    # (an OverflowError, a server error, before the fix).
    mine = notify(head, "Một")
    response = as_head.post(f"/notifications/{pk}/read/")
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None
    assert as_head.get(LIST).context["unread_notifications"] == 1


def test_marking_read_needs_a_post(as_head: Client, head: User) -> None:
    mine = notify(head, "Một")
    assert as_head.get(reverse("notifications:mark_read", args=[mine.pk])).status_code == 405


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, db: Any) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
