"""Notices to a user: stored as a message key and its values, worded when they are read.

Every app declares its messages in its own `notices.py` (`message(key, title=…,
body=…)`) and creates notices with `notify(user, kind=…, key=…, params=…, url=…)`,
never with `Notification.objects.create`. A notice keeps its key and values (JSON)
and, as its record, the title and body worded in Vietnamese when it was created;
the list page, the API and the e-mail word it again in the reader's language
(`worded`). A notice from before the keys (key empty), or whose message has since
been removed or can no longer be worded with its values, is shown as stored.

Values are what the message needs and nothing the reader may not see: dates (shown
dd/mm/yyyy in both languages), counts, codes, names, paths; lists of such rows for
the digests. What a person typed (a reason, a note) is stored and shown as typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext

from . import mail_groups
from .models import Notification
from .text import MAX_ID

if TYPE_CHECKING:
    from congvu.accounts.models import User

Params = Mapping[str, Any]
#: A wording: a gettext message id formatted with the values, or a function of them.
Wording = str | Callable[[Params], str]

_DATE = "$date"
TITLE_MAX = 200


@dataclass(frozen=True)
class Message:
    key: str
    title: Wording
    body: Wording = ""

    def render(self, params: Params) -> Worded:
        """The title and body in the active language."""
        return Worded(_apply(self.title, params), _apply(self.body, params))


class Worded(NamedTuple):
    title: str
    body: str


_messages: dict[str, Message] = {}
_discovered = False


def message(key: str, *, title: Wording, body: Wording = "") -> Message:
    """Declare the message `key` (in an app's `notices.py`, found by autodiscovery)."""
    if key in _messages:
        raise ValueError(f"Notice message {key!r} is declared twice.")
    _messages[key] = declared = Message(key, title, body)
    return declared


def find(key: str) -> Message | None:
    global _discovered
    if key not in _messages and not _discovered:
        _discovered = True
        autodiscover_modules("notices")
    return _messages.get(key)


# --- Values ----------------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """`value` as JSON: dates tagged so that they come back as dates."""
    if isinstance(value, dt.datetime):
        raise TypeError("Store a date, not a date and time, in a notice.")
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"A notice cannot store a {type(value).__name__}; pass its text.")


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_DATE}:
            return dt.date.fromisoformat(value[_DATE])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def day(value: dt.date) -> str:
    """A date as the product writes it, in both languages: dd/mm/yyyy."""
    return f"{value:%d/%m/%Y}"


def shown(params: Params) -> dict[str, Any]:
    """The values ready for `%`-formatting: dates written dd/mm/yyyy."""
    return {k: day(v) if isinstance(v, dt.date) else v for k, v in params.items()}


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def letter(name: str, sections: Iterable[tuple[str, list[str]]]) -> str:
    """A daily digest's body: the greeting, each section with lines (its heading, its
    lines, a blank line), and the closing line."""
    lines = [gettext("Kính gửi %(name)s,") % {"name": name}, ""]
    for heading, body in sections:
        if body:
            lines += [heading, *body, ""]
    lines.append(gettext("Thư này được gửi tự động mỗi ngày từ hệ thống Công vụ."))
    return "\n".join(lines)


def _apply(wording: Wording, params: Params) -> str:
    if callable(wording):
        return wording(params)
    return gettext(wording) % shown(params) if wording else ""


# --- Creating and reading ---------------------------------------------------------------------


def notify(
    user: User | int,
    *,
    kind: str,
    key: str,
    params: Params | None = None,
    url: str = "",
    mail_it: bool = True,
) -> Notification:
    """Create `user`'s notice of `kind`, worded by the message `key` with `params`.

    The title and body are also stored worded in Vietnamese: the record as it was
    sent, what an old reader or the admin shows, and what daily digests match to
    send once a day.

    Unless `mail_it` is False (the daily digests mail their own, over one connection), it
    is also e-mailed, after the commit, to a user with an address who wants that kind
    by e-mail (`mail_groups.wants_mail`).
    """
    declared = find(key)
    if declared is None:
        raise LookupError(f"No notice message {key!r}: declare it in the app's notices.py.")
    stored = encode(params or {})
    mail_groups.group_of(kind)  # LookupError for a kind no group holds
    with translation.override(settings.LANGUAGE_CODE):
        wording = declared.render(decode(stored))
    user_id = user if isinstance(user, int) else user.pk
    notification = unsaved(user_id, kind=kind, key=key, stored=stored, worded=wording, url=url)
    notification.save()
    if mail_it:
        _mail_later(notification)
    return notification


def unsaved(
    user_id: int, *, kind: str, key: str, stored: Params, worded: tuple[str, str], url: str
) -> Notification:
    """The record of one notice (`notify` saves it; `bulk_notices` saves many at once):
    its message's key and encoded values, and its title and body as worded in Vietnamese."""
    title, body = worded
    return Notification(
        user_id=user_id,
        kind=kind,
        key=key,
        params=stored,
        title=title[:TITLE_MAX],
        body=body,
        url=url,
    )


def _mail_later(notification: Notification) -> None:
    """Queue the e-mail copy once the transaction commits (the background worker sends it:
    a slow or failing mail server neither slows nor breaks the action that notified)."""
    from .tasks import mail_notification

    notification_id = notification.pk
    transaction.on_commit(lambda: mail_notification.enqueue(notification_id), robust=True)


def send_mail_copy(notification_id: int) -> str:
    """Send the e-mail copy of one notice, if its reader still wants it; what happened."""
    from congvu.accounts.models import User

    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return "gone"
    reader = User.objects.filter(pk=notification.user_id, is_active=True).first()
    if reader is None or not mail_groups.wants_mail(reader, notification.kind):
        return "not wanted"
    message = mail(notification, reader)
    if message is None:
        return "no address"
    message.send()
    return "sent"


def worded(notification: Notification) -> Worded:
    """The notice in the active language; as stored when it has no (longer a) message."""
    declared = find(notification.key) if notification.key else None
    if declared is not None:
        try:
            return declared.render(decode(notification.params))
        except (KeyError, TypeError, ValueError):
            # Values stored by an older wording of the message: the record still reads.
            pass
    return Worded(notification.title, notification.body)


def language_of(user: Any) -> str:
    """The language `user` reads their mail in: the one they set for e-mails, else the one
    they last chose with the switch, else Vietnamese."""
    language = getattr(user, "mail_language", "") or getattr(user, "language", "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def mail(notification: Notification, user: Any) -> EmailMessage | None:
    """The e-mail copy of `notification` for `user`, in their language (None: no address)."""
    if not user.email:
        return None
    with translation.override(language_of(user)):
        title, body = worded(notification)
        # A notice may be a title alone: the mail then says it again rather than arrive
        # empty, and always says where to read it and where to choose what is mailed.
        lines = [body.strip() or title, ""]
        if notification.url:
            url = notification.url
            link = url if url.startswith(("http://", "https://")) else site_url(url)
            lines += [gettext("Xem trên Công vụ: %(url)s") % {"url": link}, ""]
        lines.append(
            gettext("Chọn loại thông báo nhận qua e-mail tại %(url)s")
            % {"url": site_url(reverse("accounts:settings"))}
        )
    return EmailMessage(f"[Công vụ] {title}", "\n".join(lines), to=[user.email])


# --- The reader's bookkeeping -----------------------------------------------------------------
# Reading a notice is the user's own bookkeeping, not a business write: no service, no audit.


def of(user: Any) -> QuerySet[Notification]:
    """`user`'s own notices: nobody sees another's."""
    return Notification.objects.filter(user=user)


def unread_count(user: Any) -> int:
    # One indexed count (notification_unread_idx on user, read_at).
    return of(user).filter(read_at__isnull=True).count()


def mark_read(user: Any, *, ids: Collection[int] | None = None) -> int:
    """Mark `user`'s notices of `ids` (None: all of them) read; how many were unread.

    Http404 and nothing changed when one of `ids` is not theirs (or does not exist). An id
    past a bigint is no one's: refused before the query, which SQLite could not bind.
    """
    notices = of(user)
    if ids is not None:
        wanted = set(ids)
        if not all(0 < pk <= MAX_ID for pk in wanted):
            raise Http404
        if set(notices.filter(pk__in=wanted).values_list("pk", flat=True)) != wanted:
            raise Http404
        notices = notices.filter(pk__in=wanted)
    return notices.filter(read_at__isnull=True).update(read_at=timezone.now())
