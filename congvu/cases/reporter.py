"""Protecting the reporter: following a case with a code and a passphrase, erasure.

The tracking code is random (≈ 49 bits, `models.new_tracking_code`) and only
half the secret: the passphrase (≈ 119 bits from `secrets`) is shown once and
stored as a password hash (Argon2 in production). Guessing is slowed three ways:

* an unknown code and a wrong passphrase get the same answer, after the same
  work (a dummy hash is checked for an unknown code), so codes cannot be
  enumerated by the error or the time it takes;
* failures from one client are counted in the cache (keyed by a keyed hash of
  the IP address, kept 15 minutes): beyond `CLIENT_LIMIT` every attempt from it
  is refused (`FollowLocked`). No IP address is ever written to the database.

The case itself is never locked. It was, for 15 minutes after five wrong
passphrases from anyone: the staff member a report is about sees its code, and
could keep the reporter out by typing five wrong passphrases every quarter of an
hour (an anonymous reporter has no other way in), and the lock's own message told
that the code existed. Against a 119-bit passphrase a per-case lock adds nothing
the per-client limit does not.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from functools import cache
from typing import Any, Final

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.core import cache as shared_cache
from congvu.core.text import bounded

from . import history, timeline, uploads
from .models import CODE_ALPHABET, Case, CaseEvent

LOCK_MINUTES: Final = 15
CLIENT_LIMIT: Final = 20
CLIENT_WINDOW_SECONDS: Final = LOCK_MINUTES * 60
TEXT_MAX: Final = 10_000

LINK_SALT: Final = "congvu.cases.track_link"
_PASS_ALPHABET: Final = CODE_ALPHABET.lower()
_PASS_GROUPS: Final = 6
_PASS_GROUP_LEN: Final = 4
_CODE_RE: Final = re.compile(rf"^PA-[{CODE_ALPHABET}]{{10}}$")


def track_link_for(case: Case) -> str:
    """The named reporter's personal link: whoever holds it sees the reporter's view
    (`public_views.track_link` checks it; retention's erasure ends it)."""
    signed = signing.dumps({"c": case.code}, salt=LINK_SALT, compress=True)
    return settings.SITE_URL + reverse("cases_public:track_link", args=[signed])


class FollowDenied(ValidationError):
    """Unknown code or wrong passphrase: one message for both."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Mã theo dõi hoặc mật khẩu không đúng. / The tracking code or the passphrase "
                "is wrong."
            ),
            code="follow_denied",
        )


class FollowLocked(ValidationError):
    """Too many wrong passphrases: try again later."""

    def __init__(self, minutes: int = LOCK_MINUTES) -> None:
        super().__init__(
            _(
                "Nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút. / Too many "
                "failed attempts. Please try again in %(minutes)d minutes."
            )
            % {"minutes": minutes},
            code="follow_locked",
        )
        self.minutes = minutes


def new_passphrase() -> str:
    """Six groups of four symbols (≈ 119 bits), easy to copy down: `k7mq-2xzp-…`."""
    groups = (
        "".join(secrets.choice(_PASS_ALPHABET) for _ in range(_PASS_GROUP_LEN))
        for _ in range(_PASS_GROUPS)
    )
    return "-".join(groups)


def normalise_passphrase(passphrase: str) -> str:
    """Case, spaces and dashes do not matter when typing the passphrase back."""
    return re.sub(r"[\s\-_.]+", "", str(passphrase or "")).lower()[:200]


def hash_passphrase(passphrase: str) -> str:
    return make_password(normalise_passphrase(passphrase))


def normalise_code(code: str) -> str:
    """`pa-abc…`, `PA abc…` or the bare ten symbols all mean the same code."""
    text = re.sub(r"[\s\-_.]+", "", str(code or "")).upper()[:40]
    if text.startswith("PA"):
        text = text[2:]
    return f"PA-{text}"


@cache
def _dummy_hash() -> str:
    # Checked for unknown codes so that they take as long as a wrong passphrase.
    return make_password(secrets.token_hex(16))


def client_key(ip: str | None) -> str:
    """A keyed hash of a client's address for the cache (never stored in the database)."""
    return shared_cache.keyed("cases-follow", ip or "")


def _client_blocked(key: str) -> bool:
    return shared_cache.counted(key) >= CLIENT_LIMIT


def _client_failed(key: str) -> None:
    shared_cache.count(key, window=CLIENT_WINDOW_SECONDS)


def follow(code: str, passphrase: str, *, client_ip: str | None = None) -> Case:
    """The case for `code` when `passphrase` is right; FollowDenied or FollowLocked otherwise.

    `client_ip` (optional) only feeds the in-cache per-client limit.
    """
    key = client_key(client_ip)
    if _client_blocked(key):
        raise FollowLocked()
    normalised = normalise_code(code)
    secret = normalise_passphrase(passphrase)
    case = Case.objects.filter(code=normalised).first() if _CODE_RE.match(normalised) else None
    if case is not None and case.passphrase_hash and secret:
        if check_password(secret, case.passphrase_hash):
            return case
    else:
        # The same work as a wrong passphrase: the time taken tells nothing either.
        check_password(secret, _dummy_hash())
    _client_failed(key)
    raise FollowDenied()


def _clean_text(text: str, *, field: str, required: bool, limit: int = TEXT_MAX) -> str:
    checked = bounded(text, limit, field)
    if required and not checked:
        raise ValidationError({field: _("Vui lòng nhập nội dung. / Please enter some text.")})
    return checked


@timeline.in_vietnamese
def add_reporter_information(case: Case, *, text: str, files: Sequence[Any] = ()) -> CaseEvent:
    """The reporter adds information or evidence (after `follow` let them in)."""
    checked_text = _clean_text(text, field="text", required=not files)
    try:
        checked = uploads.check_files(files)
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None
    stored: list[Any] = []
    try:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case.pk)
            event = timeline.add(
                case,
                kind=CaseEvent.Kind.FROM_REPORTER,
                actor=None,
                action="case.reporter_information",
                audience=CaseEvent.Audience.REPORTER,
                body=checked_text,
                data={"files": len(checked)},
            )
            uploads.store(
                case, checked, event=event, audience=CaseEvent.Audience.REPORTER, into=stored
            )
    except BaseException:
        uploads.discard(stored)
        raise
    return event


@timeline.in_vietnamese
@transaction.atomic
def erase_reporter_identity(case: Case, *, actor: Any) -> Case:
    """Erase the reporter's name and contacts (retention, or on request); keep the case.

    `actor` None is the retention job. The passphrase hash stays, so a reporter
    who kept the code can still follow the case; it identifies nobody.
    """
    from .visibility import require_handler

    case = Case.objects.select_for_update().get(pk=case.pk)
    if actor is not None:
        from congvu.accounts.access import Perm

        require_handler(actor, case, Perm.CASE_IDENTITY)
    if case.identity_erased_at is not None and not (
        case.reporter_name or case.reporter_phone or case.reporter_email
    ):
        return case
    case.reporter_name = ""
    case.reporter_phone = ""
    case.reporter_email = ""
    case.identity_erased_at = timezone.now()
    case.save(
        update_fields=[
            "reporter_name",
            "reporter_phone",
            "reporter_email",
            "identity_erased_at",
            "updated_at",
        ]
    )
    timeline.add(
        case,
        kind=CaseEvent.Kind.ERASED,
        actor=actor,
        action="case.erase_identity",
        audience=CaseEvent.Audience.INTERNAL,
        body=history.ERASED_BY_HANDLER.write()
        if actor is not None
        else history.ERASED_BY_RETENTION.write(),
        data={"by": "retention" if actor is None else "handler"},
    )
    return case
