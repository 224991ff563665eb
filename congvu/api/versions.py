"""Conditional API requests: `ETag` on reads, `If-None-Match` and `If-Match`.

Two clients edit the same record: an HR system updates a staff member from its copy of
last week while an officer has changed the phone number since. The web forms refuse an
edit made from a stale page (`core.stale`); the API does it the HTTP way:

- Every successful JSON answer to a GET under /api/v1/ carries an `ETag` (a digest of
  its body). A GET with `If-None-Match: <that tag>` gets 304 Not Modified with no body
  when nothing changed: a client polling a list pays for the answer only when it did.
- A PUT, PATCH or DELETE with `If-Match: <tag>` is carried out only when a GET of the
  same address would answer that tag now; otherwise 412 Precondition Failed, nothing
  done, with the current tag in the answer's `ETag` so the client reads again.
  `If-Match: *` asks only that the record exists. An address the API has no GET for
  cannot be checked: 412 saying so.
- Without these headers nothing changes.

The check and the write run in one transaction (inside `api.idempotency`'s, after the
authentication middleware); on SQLite no other write can come between them. On
PostgreSQL another request's write may commit between the check and this one's write:
the check narrows the window to milliseconds, it does not lock the row.

The tag depends on the whole answer, the language included (`Content-Language`): read
and write in the same language.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from typing import Final

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import parse_etags, quote_etag

from congvu.core.templatetags.bilingual import for_reader

PREFIX: Final = "/api/v1/"
CHECKED_WRITES: Final = frozenset({"PUT", "PATCH", "DELETE"})

CHANGED: Final = (
    "Bản ghi đã được thay đổi từ khi bạn đọc nó (ETag khác); hãy đọc lại rồi gửi lại. / "
    "The record changed since you read it (another ETag); read it again, then send again."
)
UNCHECKABLE: Final = (
    "Địa chỉ này không có thao tác GET để so If-Match; hãy gửi không kèm If-Match. / "
    "This address has no GET to compare If-Match with; send it without If-Match."
)


def etag_of(content: bytes) -> str:
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def tagged(response: HttpResponse) -> str | None:
    """Give a successful, whole JSON answer its ETag; returns the tag (or None)."""
    if response.status_code != 200 or response.streaming or not _is_json(response):
        return None
    tag = etag_of(response.content)
    response["ETag"] = tag
    return tag


def current_tag(request: HttpRequest) -> tuple[int, str | None]:
    """The status and tag a GET of the request's address would answer now, as its user."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return 404, None
    probe = copy.copy(request)
    probe.method = "GET"
    probe.META = {**request.META, "REQUEST_METHOD": "GET"}
    response = match.func(probe, *match.args, **match.kwargs)
    return response.status_code, tagged(response)


def _matches(tag: str | None, header: str) -> bool:
    wanted = parse_etags(header)
    if tag is None:
        return False
    return "*" in wanted or tag in wanted or tag.removeprefix("W/") in wanted


class ConditionalApiMiddleware:
    """The module's rules, for /api/v1/ only (after `IdempotencyKeyMiddleware`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        if request.method in ("GET", "HEAD"):
            response = self.get_response(request)
            tag = tagged(response)
            if tag is None:
                return response
            return get_conditional_response(request, etag=tag, response=response) or response
        if_match = request.META.get("HTTP_IF_MATCH")
        if if_match is None or request.method not in CHECKED_WRITES:
            return self.get_response(request)
        status, tag = current_tag(request)
        if status in (401, 403, 404):
            return self.get_response(request)  # the write itself says so, in its words
        if status == 405:
            return JsonResponse({"detail": for_reader(UNCHECKABLE)}, status=412)
        if not _matches(tag, if_match):
            refused = JsonResponse({"detail": for_reader(CHANGED)}, status=412)
            if tag is not None:
                refused["ETag"] = tag
            return refused
        return self.get_response(request)
