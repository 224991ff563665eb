"""An API write sent twice acts once: the `Idempotency-Key` request header.

Another system (the one-stop software registering dossiers, an HR system sending
staff) retries a POST whose answer it never got: the network dropped, a timeout
fired while the server was still working. Without help the retry creates a second
dossier batch, a second progress update, a second case. A client that sends
`Idempotency-Key: <any unique string>` with a write gets this instead:

- The first request does its work in one transaction with the key
  (`core.models.ApiRequestKey`), and its answer (status, body, `Location`) is kept
  with the key when it succeeded (2xx).
- The same key again, from the same user, within `KEEP_HOURS`: the kept answer,
  marked `Idempotent-Replayed: true`; nothing is done again. Two sendings at the
  same moment: the second waits for the first's transaction, then gets its answer.
- The same key with another request (method, path, query or body): 422, nothing done.
- A refused request (4xx) keeps nothing under its key: the client corrects it and
  sends it again with the same key. A failure (5xx) rolls back the work with the key,
  so nothing half-written stays.
- A key that is not 1–255 visible ASCII characters: 400, nothing done.

Keys belong to the user (a bearer token's owner, or the signed-in session's user):
another user's key is another key. Anonymous writes (the public rating submission,
which has its own `submission_id`) are not guarded. A multipart upload is
fingerprinted by its length and parts' type, not its bytes (which may be larger than
what is read into memory).

Without the header nothing changes. Keys are deleted after `KEEP_HOURS` by the daily
job `api.request_keys` (so they live 24 to 48 hours).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Final

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from congvu.accounts.models import User
from congvu.accounts.services import user_for_api_key
from congvu.core import daily
from congvu.core.models import ApiRequestKey
from congvu.core.templatetags.bilingual import for_reader

HEADER: Final = "Idempotency-Key"
REPLAYED: Final = "Idempotent-Replayed"
KEEP_HOURS: Final = 24
PREFIX: Final = "/api/v1/"
WRITES: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})

BAD_KEY: Final = (
    "Khóa Idempotency-Key phải gồm 1–255 ký tự ASCII nhìn thấy được (không dấu cách). / "
    "The Idempotency-Key must be 1–255 visible ASCII characters (no spaces)."
)
OTHER_REQUEST: Final = (
    "Khóa Idempotency-Key này đã dùng cho một yêu cầu khác; hãy dùng khóa mới cho mỗi yêu "
    "cầu. / This Idempotency-Key was used for another request; use a new key for each request."
)
DONE_BEFORE: Final = (
    "Yêu cầu này đã được thực hiện trước đó; không thực hiện lại. / "
    "This request was already carried out; it was not carried out again."
)


def valid_key(key: str) -> bool:
    return 0 < len(key) <= 255 and all("!" <= c <= "~" for c in key)


def _caller(request: HttpRequest) -> User | None:
    """Who the API will take the request to be from (see `api.security.AUTH`): the
    bearer token's owner, else the session's user; None when anonymous or refused."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() == "bearer":
        return user_for_api_key(token.strip())
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    content_type = request.META.get("CONTENT_TYPE", "")
    for part in (request.method or "", request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    if content_type.startswith("multipart/"):
        # The boundary changes from one sending to the next; the bytes may not fit in memory.
        digest.update(b"multipart\0" + request.META.get("CONTENT_LENGTH", "").encode())
    else:
        digest.update(content_type.encode("utf-8", "surrogateescape") + b"\0" + request.body)
    return digest.hexdigest()


def _replay(kept: ApiRequestKey) -> HttpResponse:
    if kept.body or kept.status_code == 204:
        response = HttpResponse(
            bytes(kept.body), status=kept.status_code, content_type=kept.content_type or None
        )
    else:
        response = JsonResponse({"detail": for_reader(DONE_BEFORE)}, status=kept.status_code)
    if kept.location:
        response["Location"] = kept.location
    response[REPLAYED] = "true"
    return response


def _refuse(status: int, message: str) -> HttpResponse:
    return JsonResponse({"detail": for_reader(message)}, status=status)


class IdempotencyKeyMiddleware:
    """Applies the module's rules to API writes that carry the header (after the
    session and authentication middlewares: it needs `request.user`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get("HTTP_IDEMPOTENCY_KEY")
        if key is None or request.method not in WRITES or not request.path.startswith(PREFIX):
            return self.get_response(request)
        if not valid_key(key):
            return _refuse(400, BAD_KEY)
        user = _caller(request)
        if user is None:
            return self.get_response(request)  # the API answers 401, or a public write
        return self._once(request, user, key)

    def _once(self, request: HttpRequest, user: User, key: str) -> HttpResponse:
        digest = fingerprint(request)
        with transaction.atomic():
            ApiRequestKey.objects.filter(
                user=user, key=key, created_at__lt=timezone.now() - dt.timedelta(hours=KEEP_HOURS)
            ).delete()
            try:
                with transaction.atomic():  # its own savepoint: a lost race keeps the rest usable
                    claim = ApiRequestKey.objects.create(
                        user=user,
                        key=key,
                        fingerprint=digest,
                        method=request.method or "",
                        path=request.path[:500],
                    )
            except IntegrityError:
                # Sent before (or at the same moment: its transaction has committed since).
                kept = ApiRequestKey.objects.get(user=user, key=key)
                if kept.fingerprint != digest:
                    return _refuse(422, OTHER_REQUEST)
                return _replay(kept)
            response = self.get_response(request)
            status = response.status_code
            if status >= 500:
                transaction.set_rollback(True)
            elif 200 <= status < 300:
                claim.status_code = status
                claim.content_type = response.get("Content-Type", "")[:100]
                claim.location = response.get("Location", "")[:500]
                claim.body = b"" if response.streaming else response.content
                claim.save(update_fields=["status_code", "content_type", "location", "body"])
            else:
                claim.delete()
        return response


def forget_old(day: dt.date) -> int:
    """Delete the keys older than KEEP_HOURS (a daily job); returns how many."""
    cutoff = timezone.now() - dt.timedelta(hours=KEEP_HOURS)
    deleted, _by_model = ApiRequestKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


daily.register("api.request_keys", forget_old)
