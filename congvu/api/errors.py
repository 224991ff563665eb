"""Every error the API returns is JSON with a `detail` key.

* 401 / 403 / 404 come from the access module's `Http404` and
  `PermissionDenied` (invisible → 404, visible but not allowed → 403) and from
  authentication.
* 400 for a request body that is not JSON, whether or not the operation reads a
  body (`refuse_unreadable_body`): an operation that takes none must not act on a
  broken request as if it were an empty one.
* 422 is ninja's validation format, `{"detail": [{"loc": [...], "msg": ...}]}`;
  a service's Django `ValidationError` is reshaped into the same format so a
  client handles one kind of input error.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError

# Messages are bilingual like the rest of the product: Vietnamese first, then English.
NOT_FOUND = "Không tìm thấy. / Not found."
FORBIDDEN = "Bạn không có quyền thực hiện thao tác này. / You do not have permission to do this."
UNAUTHORIZED = "Cần đăng nhập hoặc mã truy cập API. / Authentication required."
NOT_JSON = "Nội dung không phải JSON hợp lệ. / The body is not valid JSON."
# ninja's own 400 for a body it could not parse ("Cannot parse request body", with
# the parser's error appended under DEBUG).
_NINJA_NOT_JSON = "Cannot parse request body"
# Forms are read by Django, not as JSON: the file and signed-paper uploads, and the
# empty multipart body a test client or a browser's FormData sends.
_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


def validation_details(exc: ValidationError, *, location: str = "body") -> list[dict[str, Any]]:
    """Flatten a Django ValidationError into ninja's 422 items."""
    by_field: dict[str, list[str]] = (
        exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    )
    details: list[dict[str, Any]] = []
    for field, messages in by_field.items():
        loc = [location] if field == NON_FIELD_ERRORS else [location, field]
        details.extend({"loc": loc, "msg": str(m), "type": "value_error"} for m in messages)
    return details


def refuse_unreadable_body(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """An API-wide decorator (`api.add_decorator`): a request whose body is neither empty,
    a form, nor JSON is refused with 400 before the operation does anything.

    ninja parses the body of an operation that declares one (and answers 400 itself);
    one that declares none (close, confirm, start, submit, publish…) never looks at it,
    so `{"a":` would close a task. This runs after authentication and the path and
    query parameters, where ninja would have parsed a body.
    """

    @functools.wraps(view_func)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method not in _SAFE_METHODS and request.content_type not in _FORM_TYPES:
            body = request.body
            if body.strip():
                try:
                    json.loads(body)
                except ValueError:  # JSONDecodeError, and UnicodeDecodeError for bad bytes
                    raise HttpError(400, NOT_JSON) from None
        return view_func(request, *args, **kwargs)

    return checked


def install(api: NinjaAPI) -> None:
    # `exc: Any`: ninja types a handler's exception as "instance or class".
    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": NOT_FOUND}, status=404)

    def forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": FORBIDDEN}, status=403)

    def unauthorized(request: HttpRequest, exc: Any) -> HttpResponse:
        response = api.create_response(request, {"detail": UNAUTHORIZED}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        message = NOT_JSON if str(exc).startswith(_NINJA_NOT_JSON) else str(exc)
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    def invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": validation_details(exc)}, status=422)

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(ValidationError, invalid)
    api.add_decorator(refuse_unreadable_body)
