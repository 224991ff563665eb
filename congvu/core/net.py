"""What a request says about where it comes from: the client's address (for rate limits
only, never stored) and the page to go back to (`next`), if it is one of ours."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str:
    """The client's address; X-Forwarded-For only when the proxy is trusted by settings."""
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return str(forwarded).split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def safe_next(request: HttpRequest, target: str) -> str:
    """`target` if it is a page of this site (same host, not a downgrade to http), else "".

    Only a path from the root ("/cases/?page=2") or a full URL of this host: a relative
    value ("²", "?page=2") names no page for sure (it depends on the page that received
    it), and `redirect()` first reads a value without "/" or "." as a view's name
    (NoReverseMatch, a server error). The site's own forms always send a path."""
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return target if target.startswith("/") or urlsplit(target).netloc else ""
