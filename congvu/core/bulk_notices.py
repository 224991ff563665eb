"""Many notices from one action, made in bulk: a task given to 2,000 organisations tells
their ~4,000 heads and focal points at once.

`notify_many` makes what `notices.notify` makes for each row — the message's key and
values, the title and body worded in Vietnamese as the record — in a few multi-row
inserts instead of one insert and one queued e-mail per notice, and queues their e-mail
copies after the commit as a few background tasks of up to `MAIL_BATCH` notices each
(`core.tasks.mail_notifications`), each copy sent like one queued by `notify`
(`notices.send_mail_copy`: one e-mail per notice, to a reader who wants it, in their
language).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.utils import translation

from . import mail_groups
from .models import Notification
from .notices import Worded, decode, encode, find, unsaved

#: Notices per background task that mails them (and per insert).
MAIL_BATCH: Final = 500


def notify_many(
    rows: Iterable[tuple[int, Mapping[str, Any], str]], *, kind: str, key: str
) -> list[Notification]:
    """A notice of `kind`, worded by the message `key`, for each (user id, values, link)
    of `rows`; their e-mails are queued once the transaction commits."""
    declared = find(key)
    if declared is None:
        raise LookupError(f"No notice message {key!r}: declare it in the app's notices.py.")
    mail_groups.group_of(kind)  # LookupError for a kind no group holds
    worded: dict[str, tuple[Any, Worded]] = {}
    made: list[Notification] = []
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, params, url in rows:
            stored = encode(dict(params))
            # Readers of one organisation share their values: word them once.
            signature = repr(stored)
            if signature not in worded:
                worded[signature] = (stored, declared.render(decode(stored)))
            stored, wording = worded[signature]
            made.append(
                unsaved(user_id, kind=kind, key=key, stored=stored, worded=wording, url=url)
            )
    if not made:
        return []
    created = Notification.objects.bulk_create(made, batch_size=MAIL_BATCH)
    ids = [notification.pk for notification in created]
    transaction.on_commit(lambda: _mail_later(ids), robust=True)
    return created


def _mail_later(ids: list[int]) -> None:
    from .tasks import mail_notifications

    for start in range(0, len(ids), MAIL_BATCH):
        mail_notifications.enqueue(ids[start : start + MAIL_BATCH])
