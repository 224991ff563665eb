"""Delivering a daily digest: one in-app notification, and one e-mail, per user with news.

The reminder digest (planning), the handlers' case digest (cases) and the
reviewers' notice of flagged ratings (feedback) are built differently and
delivered alike: in Vietnamese, inside one transaction, at most once a day per
user (a notification of the kind whose title starts with the day's prefix
already exists → skipped, so a second run the same day sends nothing), and
the e-mails after the commit, over one connection (SMTP: one login, many
messages), so that no mail goes out for a notification that was rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation

from .models import Notification


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    url: str


def deliver(
    *,
    kind: str,
    title_start: str,
    recipients: Iterable[Any],
    notice_for: Callable[[Any], Notice | None],
) -> dict[str, int]:
    """Notify each of `recipients` for whom `notice_for(user)` has something (None: nothing),
    unless they already have today's notification (`kind`, title starting `title_start`)."""
    mails: list[EmailMessage] = []
    notified = 0
    with transaction.atomic(), translation.override("vi"):
        already = set(
            Notification.objects.filter(kind=kind, title__startswith=title_start).values_list(
                "user_id", flat=True
            )
        )
        for user in recipients:
            if user.pk in already:
                continue
            notice = notice_for(user)
            if notice is None:
                continue
            Notification.objects.create(
                user=user, kind=kind, title=notice.title[:200], body=notice.body, url=notice.url
            )
            notified += 1
            if user.email:
                subject = f"[Công vụ] {notice.title}"
                mails.append(EmailMessage(subject, notice.body, to=[user.email]))
        if mails:
            transaction.on_commit(lambda: get_connection().send_messages(mails))
    return {"notifications": notified, "mails": len(mails)}
