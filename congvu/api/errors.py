"""Every error the API returns is JSON with a `detail` key.

* 401 / 403 / 404 come from the access module's `Http404` and
  `PermissionDenied` (invisible → 404, visible but not allowed → 403) and from
  authentication.
* 422 is ninja's validation format, `{"detail": [{"loc": [...], "msg": ...}]}`;
  a service's Django `ValidationError` is reshaped into the same format so a
  client handles one kind of input error.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
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
    by_field: dict[str, list[str]] = (
        exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    )
    details: list[dict[str, Any]] = []
    for field, messages in by_field.items():
        loc = [location] if field == NON_FIELD_ERRORS else [location, field]
        details.extend({"loc": loc, "msg": str(m), "type": "value_error"} for m in messages)
    return details


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

    def invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": validation_details(exc)}, status=422)

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(ValidationError, invalid)
