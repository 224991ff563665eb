"""Delivering a daily digest: one in-app notification, and one e-mail, per user with news.

The reminder digest (planning), the handlers' case digest (cases) and the
reviewers' notice of flagged ratings (feedback) are built differently and
delivered alike: as notices (`core.notices`, worded in the reader's language when
read), inside one transaction, at most once a day per user (a notification of the
kind whose stored Vietnamese title starts with the day's prefix already exists →
skipped, so a second run the same day sends nothing), and the e-mails, each in
its recipient's language, after the commit, over one connection (SMTP: one
login, many messages), so that no mail goes out for a notification that was
rolled back. The in-app notice is always created; the e-mail goes to those who have
not turned the digest's group off (`mail_groups.wants_mail`: a digest is mailed whatever
the master switch `User.mail_notices` says, as it always was).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from . import mail_groups, notices
from .models import Notification


@dataclass(frozen=True)
class Notice:
    """What one recipient is told: a message key (`core.notices`), its values, a link."""

    key: str
    params: Mapping[str, Any]
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
    with transaction.atomic():
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
            notification = notices.notify(
                user,
                kind=kind,
                key=notice.key,
                params=notice.params,
                url=notice.url,
                mail_it=False,
            )
            notified += 1
            if not mail_groups.wants_mail(user, kind, daily=True):
                continue
            mail = notices.mail(notification, user)
            if mail is not None:
                mails.append(mail)
        if mails:
            transaction.on_commit(lambda: get_connection().send_messages(mails))
    return {"notifications": notified, "mails": len(mails)}
