"""A device fingerprint that cannot be turned back into an IP address or a browser.

`device_hash` = HMAC-SHA256(today's `DeviceSalt`, "ip|user-agent"), truncated to 32
hex digits; `address_hash` the same of the address alone ("address|ip"), so that one
address sending a new user agent with every rating is still one sender (`detection`).
The salt is random, one per local day, and deleted after two days (`purge_salts`, a
daily job): from then on nobody, not even the operator, can link a stored hash to a
device or an address. Neither the IP address nor the user agent is ever stored (Decree
13/2023 on personal data protection); the hashes serve only the rate limits and the
pattern checks of `detection`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from congvu.core.net import client_ip

from .models import DeviceSalt

#: Salts older than this many days are deleted by the daily job.
KEEP_SALT_DAYS = 2

_lock = threading.Lock()
_salts: dict[dt.date, str] = {}


def salt_for(day: dt.date) -> str:
    """The salt of `day`, created on first use; safe when several processes race."""
    cached = _salts.get(day)
    if cached is not None:
        return cached
    salt = DeviceSalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if salt is None:
        try:
            # Its own savepoint: losing the race to another process must not
            # break a caller's transaction.
            with transaction.atomic():
                salt = DeviceSalt.objects.create(day=day, salt=secrets.token_hex(32)).salt
        except IntegrityError:
            salt = DeviceSalt.objects.values_list("salt", flat=True).get(day=day)
    with _lock:
        # Only today's and yesterday's are useful in a long-running process.
        for old in [d for d in _salts if d < day - dt.timedelta(days=1)]:
            del _salts[old]
        _salts[day] = salt
    return salt


def forget_cached_salts() -> None:
    """Drop the in-process copies (tests; after `purge_salts`)."""
    with _lock:
        _salts.clear()


def _keyed(message: str, day: dt.date | None) -> str:
    key = salt_for(day or timezone.localdate()).encode()
    return hmac.new(key, message.encode(errors="replace"), hashlib.sha256).hexdigest()[:32]


def hash_for(ip: str, user_agent: str, *, day: dt.date | None = None) -> str:
    return _keyed(f"{ip}|{user_agent}", day)


def address_hash_for(ip: str, *, day: dt.date | None = None) -> str:
    return _keyed(f"address|{ip}", day) if ip else ""


def device_hash(request: HttpRequest) -> str:
    """Keyed hash of the request's IP address and user agent with today's salt."""
    user_agent = str(request.META.get("HTTP_USER_AGENT", ""))[:500]
    return hash_for(client_ip(request), user_agent)


def address_hash(request: HttpRequest) -> str:
    """Keyed hash of the request's IP address alone, with today's salt."""
    return address_hash_for(client_ip(request))


def purge_salts(today: dt.date) -> int:
    """Delete salts older than `KEEP_SALT_DAYS`; returns how many were deleted."""
    deleted, _ = DeviceSalt.objects.filter(
        day__lt=today - dt.timedelta(days=KEEP_SALT_DAYS)
    ).delete()
    forget_cached_salts()
    return deleted
