"""Public links as people really type and paste them.

A badge, receipt, counter or kiosk link travels on paper and through chat apps. A
citizen typing it from a badge adds a slash; a link pasted in Zalo or an e-mail picks
up the full stop or bracket of the sentence around it ("…/r/jTsbACmYaASnCAvHHob_ew.").
The token's own alphabet (`secrets.token_urlsafe`: letters, digits, "-", "_") never
contains those characters, so what follows the token is sent to the link without it,
instead of a page saying that the badge is no longer valid. The redirect does not look
the token up: an unknown token reaches the same friendly page as before, and the
redirect tells no one whether a token exists.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect

# What people and chat apps leave after a link: a slash, the sentence's punctuation,
# closing brackets and quotes, spaces (also the zero-width and no-break ones).
TRAILING = r"[/.,;:!?)\]}>'\"»”’…\s\u200b\u00a0]+"


def tidy_link(request: HttpRequest, kind: str, token: str) -> HttpResponsePermanentRedirect:
    """`/<kind>/<token><junk>` → `/<kind>/<token>`, the query string kept."""
    target = f"/{kind}/{token}"
    if query := request.META.get("QUERY_STRING", ""):
        target += "?" + query
    return HttpResponsePermanentRedirect(target)
