"""Two-step sign-in with a passkey (WebAuthn) instead of the six-digit code.

The ceremonies (challenges, signature checks, the stored public key, the signature
counter) are django-otp-webauthn's: a passkey is a django-otp device
(`WebAuthnCredential`). What is ours:

* **Adding** one (`passkey_views.RegistrationBegin/Complete`): only a signed-in user
  whose session passed the second step when they already have one; the user names it
  ("Khóa USB phòng Một cửa"). The first second-step method turns two-step sign-in on,
  as confirming the app's code does (`two_factor.is_on` counts both).
* **Signing in** (`passkey_views.AuthenticationBegin/Complete`): only for the user
  half-way through signing in (`two_factor.PENDING`: the password was right); a
  passkey of another user is refused; a failure counts like a wrong code. The
  success is marked in the pending session (`mark_passed`) and the code page then
  signs in exactly as a right code does (`views.login_code`): "remember this browser"
  included. There is no passwordless sign-in.
* **Renaming, removing** (`rename`, `remove`): one's own only (another's: 404).
  Removing the last second-step method is turning two-step sign-in off: refused
  where the role requires it, and the password is asked.

Audit events name the passkey, never its key material or identifiers.
"""

from __future__ import annotations

import time
from typing import Any, Final
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from congvu.audit.services import record

from .models import RecoveryCode, User

NAME_MAX: Final = 64
#: How long after the passkey's check the code page may complete the sign-in.
PASSED_SECONDS: Final = 120
_PASSED: Final = "passkey_passed"


def of(user: User) -> QuerySet[WebAuthnCredential]:
    """The user's passkeys, most recently used first."""
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by(
        F("last_used_at").desc(nulls_last=True), "-created_at", "-pk"
    )


def elsewhere(request: HttpRequest) -> str:
    """Where passkeys work when not at the address this page was opened at, else "".

    A passkey is bound to the relying party ID (a domain): the browser refuses it on any
    other host, an IP address included (a development site opened as 127.0.0.1 when the
    RP ID is localhost). The pages say so rather than let the browser fail obscurely."""
    rp_id = str(settings.OTP_WEBAUTHN_RP_ID).lower()
    host = (urlsplit(f"//{request.get_host()}").hostname or "").lower()
    if host == rp_id or host.endswith(f".{rp_id}"):
        return ""
    origins = list(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)
    return str(origins[0]) if origins else f"https://{rp_id}"


def has_any(user: User) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def is_last_method(credential: WebAuthnCredential) -> bool:
    """Whether removing `credential` turns the owner's two-step sign-in off."""
    user = credential.user
    others = (
        WebAuthnCredential.objects.filter(user=user, confirmed=True)
        .exclude(pk=credential.pk)
        .exists()
    )
    return not others and not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def default_name() -> str:
    return _("Khóa truy cập ngày %(day)s") % {"day": date_format(timezone.localdate(), "d/m/Y")}


def clean_name(name: str) -> str:
    text = " ".join(str(name or "").split())
    if not text:
        raise ValidationError({"name": _("Hãy đặt tên cho khóa. / Give the passkey a name.")})
    if len(text) > NAME_MAX:
        raise ValidationError(
            {"name": _("Tên dài tối đa %(n)d ký tự. / At most %(n)d characters.") % {"n": NAME_MAX}}
        )
    return text


@transaction.atomic
def added(credential: WebAuthnCredential, *, actor: User) -> None:
    """A passkey was just registered by its owner: named for now, audited."""
    first = not TOTPDevice.objects.filter(user=actor, confirmed=True).exists() and not (
        WebAuthnCredential.objects.filter(user=actor, confirmed=True)
        .exclude(pk=credential.pk)
        .exists()
    )
    if not credential.name:
        credential.name = default_name()
        credential.save(update_fields=["name"])
    record(
        "accounts.passkey_add",
        actor=actor,
        obj=credential,
        summary=f"{actor.username}: {credential.name}",
        data={"count": of(actor).count()},
    )
    if first:
        record("accounts.two_factor_on", actor=actor, obj=actor, summary=actor.username)


@transaction.atomic
def rename(credential: WebAuthnCredential, *, name: str, actor: User) -> None:
    new = clean_name(name)
    if new == credential.name:
        return
    old = credential.name
    credential.name = new
    credential.save(update_fields=["name"])
    record(
        "accounts.passkey_rename",
        actor=actor,
        obj=credential,
        summary=f"{credential.user.username}: {new}",
        data={"old": old},
    )


@transaction.atomic
def remove(credential: WebAuthnCredential, *, actor: User, password: str | None) -> bool:
    """Remove one of one's passkeys; True when that turned two-step sign-in off.

    The last second-step method: refused (PermissionDenied) where the role requires
    two-step sign-in; otherwise the password is asked (`None`, as from the API: refused)."""
    from . import trusted_browsers, two_factor

    user = User.objects.select_for_update().get(pk=credential.user_id)
    last = is_last_method(credential)
    if last:
        if two_factor.required_for(user):
            raise PermissionDenied(
                _(
                    "Vai trò của bạn bắt buộc đăng nhập hai bước: không thể gỡ cách đăng nhập "
                    "hai bước cuối cùng. / Your role requires two-step sign-in: the last "
                    "second-step method cannot be removed."
                )
            )
        if password is None:
            raise ValidationError(
                _(
                    "Đây là cách đăng nhập hai bước cuối cùng: hãy gỡ trên trang Đăng nhập hai "
                    "bước, nơi hỏi mật khẩu. / This is the last second-step method: remove it "
                    "on the two-step sign-in page, which asks for the password."
                )
            )
        if not user.check_password(password):
            raise ValidationError({"password": _("Mật khẩu không đúng. / Wrong password.")})
    name, pk = credential.name, credential.pk
    credential.delete()
    record(
        "accounts.passkey_remove",
        actor=actor,
        object_type="django_otp_webauthn.webauthncredential",
        object_id=str(pk),
        summary=f"{user.username}: {name}",
        data={"left": of(user).count()},
    )
    if last:
        RecoveryCode.objects.filter(user=user).delete()
        trusted_browsers.forget_all(user, actor=actor, reason="two_factor_off")
        record("accounts.two_factor_off", actor=actor, obj=user, summary=user.username)
    return last


def remove_all(user: User) -> int:
    """Every passkey of `user` (two-step sign-in turned off or reset; the caller audits)."""
    count, _detail = WebAuthnCredential.objects.filter(user=user).delete()
    return count


# --- the second sign-in step -----------------------------------------------------------------


def mark_passed(pending: dict[str, Any], credential: WebAuthnCredential) -> None:
    pending[_PASSED] = {"id": credential.pk, "at": time.time()}


def take_passed(pending: dict[str, Any], user: User) -> bool:
    """Whether a passkey of `user` passed a moment ago in this half-way sign-in (used up)."""
    passed = pending.pop(_PASSED, None)
    if not isinstance(passed, dict) or time.time() - float(passed.get("at", 0)) > PASSED_SECONDS:
        return False
    return WebAuthnCredential.objects.filter(
        pk=passed.get("id"), user=user, confirmed=True
    ).exists()
