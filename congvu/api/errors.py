"""Every error the API returns is JSON with a `detail` key.

* 401 / 403 / 404 come from the access module's `Http404` and
  `PermissionDenied` (invisible → 404, visible but not allowed → 403) and from
  authentication.
* 422 is ninja's validation format, `{"detail": [{"loc": [...], "msg": ...}]}`;
  a service's Django `ValidationError` is reshaped into the same format so a
  client handles one kind of input error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError

# Messages are bilingual like the rest of the product: Vietnamese first, then English.
NOT_FOUND = "Không tìm thấy. / Not found."
FORBIDDEN = "Bạn không có quyền thực hiện thao tác này. / You do not have permission to do this."
UNAUTHORIZED = "Cần đăng nhập hoặc mã truy cập API. / Authentication required."


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
    if hasattr(exc, "error_dict"):
        items = exc.message_dict.items()
    else:
        items = [(NON_FIELD_ERRORS, exc.messages)]
    details: list[dict[str, Any]] = []
    for field, messages in items:
        loc: list[str] = [location] if field == NON_FIELD_ERRORS else [location, field]
        details.extend({"loc": loc, "msg": str(m), "type": "value_error"} for m in messages)
    return details


def install(api: NinjaAPI) -> None:
    def handler(
        status: int, body: Callable[[Exception], Any]
    ) -> Callable[[HttpRequest, Exception], HttpResponse]:
        def respond(request: HttpRequest, exc: Exception) -> HttpResponse:
            response = api.create_response(request, body(exc), status=status)
            if status == 401:
                response["WWW-Authenticate"] = 'Bearer realm="api"'
            return response

        return respond

    from django.http import Http404

    api.add_exception_handler(Http404, handler(404, lambda exc: {"detail": NOT_FOUND}))
    api.add_exception_handler(PermissionDenied, handler(403, lambda exc: {"detail": FORBIDDEN}))
    api.add_exception_handler(
        AuthenticationError, handler(401, lambda exc: {"detail": UNAUTHORIZED})
    )
    api.add_exception_handler(
        ValidationError,
        handler(422, lambda exc: {"detail": validation_details(exc)}),  # type: ignore[arg-type]
    )
