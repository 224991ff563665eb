"""Two-step sign-in: a password, then a six-digit code from an authenticator app (TOTP).

The codes are django-otp's (`TOTPDevice`: RFC 6238, a used code is not accepted
again, wrong codes in a row make the next try wait 1, 2, 4 … seconds). What is
ours:

* **Turning it on** (`start`, `confirm`): a new secret shown as a QR code and as
  text; it only counts once a code from the app has been typed back, and then ten
  single-use recovery codes are shown, once. Only their SHA-256 is stored.
* **Signing in** (`accounts.views.LoginView`, `login_code`): after the right
  password of a user who has it on, nobody is signed in yet; the session only
  remembers who is half-way (`PENDING`, five minutes, five wrong codes). The
  code, or a recovery code, completes the sign-in; the session is then marked
  `VERIFIED`.
* **Who must** (`required_for`): superusers and the roles in
  `settings.TWO_FACTOR_ROLES` when set (production defaults: the administrators,
  Home Affairs and case handlers, who see reporters' identities). Such a user who
  has not turned it on can do nothing else until they do
  (`middleware.TwoFactorMiddleware`); a session that skipped the second step
  (Django's admin login, say) of a user who has it on is signed out.
* **Lost phone**: a recovery code signs in once; an account manager may reset it
  (`reset`), audited, and the user is told.
* **Remember this browser**: the code step skipped for a while on a browser that
  passed it (`trusted_browsers.py`); turning it off or a reset forgets them all.
* **Passkeys** (`passkeys.py`) are the other second-step method: two-step sign-in is
  on when the user has the app or a passkey (or both); turning it off or a reset
  removes both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from base64 import b32encode
from typing import Any, Final

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from congvu.audit.services import record

from . import passkeys, trusted_browsers
from .models import RecoveryCode, RoleGrant, User

#: Session keys: who is half-way through signing in; a session that passed the code;
#: when an unmarked session was last checked.
PENDING: Final = "congvu_2fa_pending"
VERIFIED: Final = "congvu_2fa"
CHECKED: Final = "congvu_2fa_checked"
PENDING_SECONDS: Final = 300
PENDING_FAILURES: Final = 5
RECHECK_SECONDS: Final = 300
RECOVERY_CODES: Final = 10
#: No 0/O, 1/I/L: a code read from paper is typed right. 32 symbols: 5 bits each.
_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_RECOVERY_LENGTH: Final = 10


def device_of(user: User) -> TOTPDevice | None:
    """The user's authenticator, once confirmed."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_on(user: User) -> bool:
    """Whether the user has a second-step method: the app or a passkey."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() or passkeys.has_any(user)


def required_for(user: User) -> bool:
    if user.is_superuser and settings.TWO_FACTOR_SUPERUSERS:
        return True
    roles = settings.TWO_FACTOR_ROLES
    return bool(roles) and RoleGrant.objects.filter(user=user, role__in=roles).exists()


def checked_at_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """At sign-in, the middleware's look at the session is done once, then (`CHECKED`):
    a user without it and not required to have it is left alone for `RECHECK_SECONDS`."""
    session = getattr(request, "session", None)
    if session is None or is_on(user) or required_for(user):
        return
    session[CHECKED] = time.time()


# --- turning it on ------------------------------------------------------------------------


def unconfirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


@transaction.atomic
def start(user: User) -> TOTPDevice:
    """A new secret for `user` to scan; it counts only once `confirm`ed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code (no image request, no data: URL)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for an app that cannot scan."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _wrong_code() -> str:
    return _("Mã không đúng hoặc đã hết hạn. / The code is wrong or has expired.")


def _wait_message(until: dt.datetime) -> str:
    seconds = max(1, int((until - timezone.now()).total_seconds() + 0.999))
    return _(
        "Đã nhập sai nhiều lần: hãy thử lại sau %(seconds)d giây. / "
        "Too many wrong codes: try again in %(seconds)d seconds."
    ) % {"seconds": seconds}


def _check_totp(device: TOTPDevice, code: str) -> str | None:
    """None when `code` is the device's current code; else why not."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return _wait_message((info or {}).get("locked_until") or timezone.now())
    if not (code.isdigit() and len(code) == device.digits) or not device.verify_token(code):
        return _wrong_code()
    return None


@transaction.atomic
def confirm(user: User, code: str) -> list[str]:
    """Turn two-step sign-in on with the code the app shows; the new recovery codes."""
    device = unconfirmed_device(user)
    if device is None:
        raise ValidationError(
            _("Hãy bắt đầu lại việc bật đăng nhập hai bước. / Start turning it on again.")
        )
    problem = _check_totp(device, normalise(code))
    if problem:
        raise ValidationError({"code": problem})
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_codes(user)
    record("accounts.two_factor_on", actor=user, obj=user, summary=user.username)
    return codes


def _digest(user: User, code: str) -> str:
    return hashlib.sha256(f"{user.pk}:{normalise(code)}".encode()).hexdigest()


def normalise(code: str) -> str:
    """What was typed, without spaces and dashes, in capitals (recovery codes)."""
    return "".join(ch for ch in str(code) if ch not in " -\t").upper()


def _new_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _n in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _i in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, digest=_digest(user, code)) for code in codes
    )
    return codes


@transaction.atomic
def renew_recovery_codes(user: User) -> list[str]:
    """A new set of recovery codes; the old ones stop working."""
    if not is_on(user):
        raise ValidationError(_("Đăng nhập hai bước chưa bật. / Two-step sign-in is not on."))
    codes = _new_codes(user)
    record("accounts.recovery_codes_renew", actor=user, obj=user, summary=user.username)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# --- signing in -----------------------------------------------------------------------------


def is_app_code(device: TOTPDevice | None, code: str) -> bool:
    """Whether what was typed at the second step is checked as the app's code (digits,
    as many as the app shows); anything else is taken for a recovery code."""
    typed = normalise(code)
    return device is not None and typed.isdigit() and len(typed) == device.digits


def verify(user: User, code: str) -> str | None:
    """Check the second step's code (the app's, or a recovery code, used up by this).

    None when it is right; else the message to show."""
    device = device_of(user)
    typed = normalise(code)
    if device is not None and is_app_code(device, typed):
        return _check_totp(device, typed)
    # Anything else is a recovery code (one may, rarely, be digits only). A user with
    # passkeys only has no app to throttle: the pending sign-in's limit still holds.
    if device is not None:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return _wait_message((info or {}).get("locked_until") or timezone.now())
    used = RecoveryCode.objects.filter(
        user=user, digest=_digest(user, typed), used_at__isnull=True
    ).update(used_at=timezone.now())
    if not used:
        if device is not None:
            device.throttle_increment()
        return _wrong_code()
    if device is not None:
        device.throttle_reset()
    record(
        "accounts.recovery_code_used",
        actor=user,
        obj=user,
        summary=user.username,
        data={"left": recovery_codes_left(user)},
    )
    return None


# --- turning it off -------------------------------------------------------------------------


@transaction.atomic
def turn_off(user: User, *, password: str, code: str) -> None:
    """The user turns it off with their password and a current code (or a recovery code):
    the app, every passkey, the recovery codes and remembered browsers go.

    Refused where their role requires it."""
    if required_for(user):
        raise ValidationError(
            _("Vai trò của bạn bắt buộc đăng nhập hai bước. / Your role requires two-step sign-in.")
        )
    errors: dict[str, str] = {}
    if not user.check_password(password):
        errors["password"] = _("Mật khẩu không đúng. / Wrong password.")
    else:
        problem = verify(user, code)
        if problem:
            errors["code"] = problem
    if errors:
        raise ValidationError(errors)
    _remove(user, actor=user, reason="two_factor_off")
    record("accounts.two_factor_off", actor=user, obj=user, summary=user.username)


@transaction.atomic
def remove_app(user: User, *, password: str | None) -> None:
    """Remove the authenticator app and keep two-step sign-in on by the user's passkeys
    (a new phone: remove the old app, then add it again on the new one).

    Recovery codes and remembered browsers stay: they belong to the account, not the phone.
    `password` is checked on the page; the API (a token, its own credential) gives None.
    Refused without a passkey: removing the only method is turning two-step sign-in off."""
    device = device_of(user)
    if device is None:
        raise ValidationError(
            _("Chưa có ứng dụng xác thực để gỡ. / There is no authenticator app to remove.")
        )
    if not passkeys.has_any(user):
        raise ValidationError(
            _(
                "Ứng dụng xác thực là cách đăng nhập hai bước duy nhất: hãy thêm khóa truy cập "
                "trước, hoặc tắt đăng nhập hai bước. / The authenticator app is the only "
                "second step: add a passkey first, or turn two-step sign-in off."
            )
        )
    if password is not None and not user.check_password(password):
        raise ValidationError({"password": _("Mật khẩu không đúng. / Wrong password.")})
    TOTPDevice.objects.filter(user=user).delete()
    record("accounts.two_factor_app_remove", actor=user, obj=user, summary=user.username)


def _remove(user: User, *, actor: Any, reason: str) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    passkeys.remove_all(user)
    RecoveryCode.objects.filter(user=user).delete()
    trusted_browsers.forget_all(user, actor=actor, reason=reason)


@transaction.atomic
def reset(user: User, *, actor: Any) -> None:
    """An account manager removes `user`'s authenticator and passkeys (a lost phone or key);
    audited, told."""
    from . import notices
    from .services import _require_manageable, revoke_api_tokens

    user = User.objects.select_for_update().get(pk=user.pk)
    _require_manageable(
        actor,
        user,
        _(
            "Hãy tắt đăng nhập hai bước của chính mình ở trang Tài khoản. / "
            "Turn your own two-step sign-in off on the Account page."
        ),
    )
    if not TOTPDevice.objects.filter(user=user).exists() and not passkeys.has_any(user):
        raise ValidationError(
            _(
                "Người dùng này chưa bật đăng nhập hai bước. / "
                "This user has not turned two-step sign-in on."
            )
        )
    _remove(user, actor=actor, reason="two_factor_reset")
    # Someone else may hold the lost phone, and made tokens with it: they go too.
    revoke_api_tokens(user, actor=actor, reason="two_factor_reset")
    record("accounts.two_factor_reset", actor=actor, obj=user, summary=user.username)
    notices.two_factor_reset(user, by=actor)
