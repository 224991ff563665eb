"""Two-step sign-in, "remember this browser": the code step skipped on a known browser.

Officers sign in every working day on the same office computer. On the code page
(`views.login_code`) they may tick "remember this browser"; when the code (or a
recovery code) is right, `remember` keeps a server-side record (`TrustedBrowser`)
and the browser gets a long random token in its own cookie (`COOKIE`, path
/accounts/, HttpOnly, SameSite=Lax, Secure like the session cookie). Only the
token's SHA-256 is stored, with coarse names of the browser and system ("Chrome",
"Windows"), never the user agent or the IP address.

At the next sign-in the password is still asked; when it is right and the cookie
holds an unexpired, unforgotten token of *that* user (`use`), the code step is
skipped. A token of another user is ignored.

One office computer is often shared (the one-stop counter's, the focal point's), so
the cookie holds the tokens of up to `MAX_TOKENS` people, newest first: a second
officer remembering the browser does not make it forget the first. Whenever the
cookie is written it keeps only the tokens whose records still skip the code.

The user sees and forgets their remembered browsers on the two-factor page
(`forget`, `forget_all`). Everything that should end trust forgets them all:
turning two-step sign-in off, an account manager's reset, a password change or
reset, deactivating the account (`forget_all` called from those services).

`settings.TWO_FACTOR_REMEMBER_DAYS` (default 30; 0 turns the feature off: the box
is hidden and existing tokens are no longer honoured).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from congvu.audit.services import record

from .models import TrustedBrowser, User

COOKIE: Final = "congvu_trusted_browser"
COOKIE_PATH: Final = "/accounts/"
#: People one browser remembers at once (a shared counter computer); the oldest goes first.
MAX_TOKENS: Final = 5
_SEPARATOR: Final = "."  # not in token_urlsafe's alphabet, allowed in a cookie value
_TOKEN_MAX: Final = 64  # token_urlsafe(32) is 43 characters

#: First match wins: Edge, Opera and Cốc Cốc also say "Chrome"; Chrome also says "Safari".
_BROWSERS: Final = (
    ("coc_coc_browser", "Cốc Cốc"),
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Opera", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
#: Android before Linux, iPhone/iPad before Mac OS X (their user agents say both).
_PLATFORMS: Final = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def remember_days() -> int:
    return max(0, int(getattr(settings, "TWO_FACTOR_REMEMBER_DAYS", 0) or 0))


def enabled() -> bool:
    return remember_days() > 0


def describe(user_agent: str) -> tuple[str, str]:
    """Coarse (browser, platform) names from a user agent; "" where unknown."""
    text = str(user_agent or "")[:512]

    def first(table: tuple[tuple[str, str], ...]) -> str:
        return next((name for needle, name in table if needle in text), "")

    return first(_BROWSERS), first(_PLATFORMS)


def _digest(token: str) -> str:
    # 256 random bits: a fast hash is enough, as for API tokens.
    return hashlib.sha256(token.encode()).hexdigest()


def _password_mark(user: User) -> str:
    # Django's session auth hash is an HMAC of the password hash under SECRET_KEY.
    return hashlib.sha256(user.get_session_auth_hash().encode()).hexdigest()


def active(user: User) -> Any:
    """The user's remembered browsers that still skip the code."""
    return TrustedBrowser.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


@transaction.atomic
def remember(user: User, *, user_agent: str) -> tuple[TrustedBrowser, str]:
    """Remember a browser that just passed the code; the clear token for its cookie."""
    now = timezone.now()
    # Housekeeping: the user's expired or forgotten records are of no further use.
    TrustedBrowser.objects.filter(user=user).filter(
        Q(revoked_at__isnull=False) | Q(expires_at__lte=now)
    ).delete()
    token = secrets.token_urlsafe(32)
    browser, platform = describe(user_agent)
    trusted = TrustedBrowser.objects.create(
        user=user,
        digest=_digest(token),
        password_mark=_password_mark(user),
        browser=browser,
        platform=platform,
        created_at=now,
        expires_at=now + dt.timedelta(days=remember_days()),
    )
    record(
        "accounts.trusted_browser_add",
        actor=user,
        obj=trusted,
        summary=f"{user.username}: {browser or '?'} / {platform or '?'}",
        data={"days": remember_days()},
    )
    return trusted, token


def _tokens(request: HttpRequest) -> list[str]:
    """The tokens the browser's cookie holds (newest first); malformed parts ignored."""
    raw = request.COOKIES.get(COOKIE, "")[: (_TOKEN_MAX + 1) * MAX_TOKENS]
    parts = [part for part in raw.split(_SEPARATOR) if 0 < len(part) <= _TOKEN_MAX]
    return list(dict.fromkeys(parts))[:MAX_TOKENS]


def _still_trusted(tokens: list[str]) -> list[str]:
    """`tokens`, in order, without those whose records no longer skip the code."""
    if not tokens:
        return []
    digests = {_digest(token): token for token in tokens}
    live = set(
        TrustedBrowser.objects.filter(
            digest__in=digests, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).values_list("digest", flat=True)
    )
    return [token for token in tokens if _digest(token) in live]


def _write(response: HttpResponse, tokens: list[str]) -> None:
    if not tokens:
        response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Lax")
        return
    response.set_cookie(
        COOKIE,
        _SEPARATOR.join(tokens[:MAX_TOKENS]),
        max_age=remember_days() * 24 * 3600,
        path=COOKIE_PATH,
        secure=bool(settings.SESSION_COOKIE_SECURE),
        httponly=True,
        samesite="Lax",
    )


def set_cookie(response: HttpResponse, token: str, request: HttpRequest) -> None:
    """Add a new token to the browser's cookie, before the others still trusted."""
    others = [other for other in _still_trusted(_tokens(request)) if other != token]
    _write(response, [token, *others])


def refresh_cookie(response: HttpResponse, request: HttpRequest) -> None:
    """Rewrite the cookie without the tokens just forgotten (the others' stay)."""
    if COOKIE in request.COOKIES:
        _write(response, _still_trusted(_tokens(request)))


def use(user: User, request: HttpRequest) -> bool:
    """Whether this browser's cookie lets `user` (right password just now) skip the code."""
    tokens = _tokens(request)
    if not enabled() or not tokens:
        return False
    trusted = active(user).filter(digest__in=[_digest(token) for token in tokens]).first()
    if trusted is None or not secrets.compare_digest(trusted.password_mark, _password_mark(user)):
        return False
    TrustedBrowser.objects.filter(pk=trusted.pk).update(last_used_at=timezone.now())
    return True


def is_this_browser(trusted: TrustedBrowser, request: HttpRequest) -> bool:
    return any(secrets.compare_digest(trusted.digest, _digest(t)) for t in _tokens(request))


@transaction.atomic
def forget(trusted: TrustedBrowser, *, actor: Any) -> None:
    """The user forgets one remembered browser: it asks for the code again."""
    updated = TrustedBrowser.objects.filter(pk=trusted.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        record(
            "accounts.trusted_browser_forget",
            actor=actor,
            obj=trusted,
            summary=f"{trusted.user.username}: {trusted.browser or '?'} / "
            f"{trusted.platform or '?'}",
            data={"count": 1},
        )


@transaction.atomic
def forget_all(user: User, *, actor: Any, reason: str = "user") -> int:
    """Forget all of `user`'s remembered browsers (audited when there were any)."""
    count = TrustedBrowser.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if count:
        record(
            "accounts.trusted_browser_forget",
            actor=actor,
            obj=user,
            summary=user.username,
            data={"count": count, "reason": reason},
        )
    return count
