"""A form sent twice acts once.

A double tap on a slow phone, the browser's Back and then "send" again, a retry
after an answer that never arrived: each sends the same form a second time, and
each used to store a second progress update, a second citizen's report, a second
inspection. A form that creates something now carries a random key, drawn with
the form (`OnceField`, the hidden field `once`). Its view does the work inside
`guard(...)`, which writes the key (`FormSubmission`) in the same transaction; a
second sending with the same key finds it and acts no more (`AlreadySent`): the
user is taken to where the first sending led, with a message saying so.

- Two sendings at the same moment: the second's INSERT of the key waits for the
  first's transaction (PostgreSQL's primary key, SQLite's write lock) and then
  fails, so exactly one of them does the work.
- A sending that fails (a validation error, anything raised in the block) rolls
  back its key with its work: the user corrects the form and sends it again, with
  the same key, and it goes through.
- A form drawn before this module, or a client that sends no key, is not guarded.
- A form whose validation the first sending changes (its choices taken away) asks
  `check_sent` before validating, so the second sending is answered as one, not with
  a validation error.
- Keys are kept `KEEP_DAYS` (the daily job `core.form_submissions` deletes older
  ones): long enough for any Back button.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from . import daily
from .models import FormSubmission

FIELD: Final = "once"
KEEP_DAYS: Final = 30


class OnceField(forms.UUIDField):
    """The hidden key of one drawing of a form: a new one each time the form is drawn
    unbound, the posted one when it is drawn again with its errors. A key that is not
    a UUID (an edited page) is no key: the form is then simply not guarded."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "")
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> uuid.UUID | None:  # type: ignore[override]
        try:
            return super().to_python(value)
        except ValidationError:
            return None


def add_field(form: forms.BaseForm) -> None:
    """Give `form` its key field (call from the form's `__init__`)."""
    form.fields[FIELD] = OnceField(initial=uuid.uuid4)


class AlreadySent(Exception):
    """The form was sent before with the same key and did its work then."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url

    def response(self, request: HttpRequest) -> HttpResponse:
        messages.info(request, already_sent_message())
        return HttpResponseRedirect(self.url or request.get_full_path())


def already_sent_message() -> str:
    return _(
        "Nội dung này đã được gửi và ghi nhận trước đó; không ghi lại lần nữa. / "
        "This was already sent and recorded; it was not recorded again."
    )


class Sending:
    """The sending under way; `leads_to` names the page its result is on."""

    def __init__(self, url: str) -> None:
        self.url = url

    def leads_to(self, url: str) -> None:
        self.url = url


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _replay(existing: FormSubmission, user_id: int | None) -> Exception:
    if existing.user_id != user_id:
        # Someone else's key (a copied page): not theirs to replay, and not new either.
        return ValidationError(
            _(
                "Biểu mẫu này đã được gửi từ một phiên làm việc khác; hãy tải lại trang. / "
                "This form was already sent from another session; reload the page."
            )
        )
    return AlreadySent(existing.done_url)


def _existing(key: uuid.UUID) -> FormSubmission | None:
    return FormSubmission.objects.filter(pk=key).first()


def _claim(key: uuid.UUID, user_id: int | None, url: str) -> None:
    existing = _existing(key)
    if existing is not None:
        raise _replay(existing, user_id)
    try:
        # Its own savepoint: the lost race below must leave the transaction usable.
        with transaction.atomic():
            FormSubmission.objects.create(key=key, user_id=user_id, done_url=url[:500])
    except IntegrityError:
        # The same key's other sending committed while this one waited for the lock.
        raise _replay(FormSubmission.objects.get(pk=key), user_id) from None


def check_sent(request: HttpRequest, form: forms.BaseForm) -> None:
    """Raise `AlreadySent` when the key `form` was posted with did its work before, ahead
    of `form.is_valid()`: for a form whose choices the first sending took away (the staff
    it ticked are no longer offered), which would otherwise answer the second sending
    with a confusing "not in the list". The work itself still goes in `guard`."""
    key = OnceField().to_python(form.data.get(form.add_prefix(FIELD)))
    existing = _existing(key) if key is not None else None
    if existing is not None:
        replay = _replay(existing, _user_id(request))
        if isinstance(replay, AlreadySent):
            raise replay


@contextmanager
def guard(request: HttpRequest, form: forms.BaseForm, *, leads_to: str = "") -> Iterator[Sending]:
    """Do the block once for the key `form` carries, in one transaction with its key.

    Raises `AlreadySent` (before the block runs) when the key was sent before; the
    view answers with `error.response(request)`. Call inside `form.is_valid()`.
    """
    key = form.cleaned_data.get(FIELD)
    with transaction.atomic():
        if key is not None:
            _claim(key, _user_id(request), leads_to)
        sending = Sending(leads_to)
        yield sending
        if key is not None and sending.url != leads_to:
            FormSubmission.objects.filter(pk=key).update(done_url=sending.url[:500])


def forget_old(day: dt.date) -> int:
    """Delete the keys older than KEEP_DAYS (a daily job); returns how many."""
    cutoff = timezone.now() - dt.timedelta(days=KEEP_DAYS)
    deleted, _by_model = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted


daily.register("core.form_submissions", forget_old)
