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
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError

from congvu.core.templatetags.bilingual import for_reader

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


# pydantic's messages for the input errors a client meets, by error `type` (which, with
# `loc`, stays as pydantic writes it: clients rely on them). Placeholders name the
# error's `ctx`. A type not listed keeps pydantic's English message.
_INTEGER = "Phải là một số nguyên. / Input should be a valid integer."
_NUMBER = "Phải là một số. / Input should be a valid number."
_BOOLEAN = "Phải là true hoặc false. / Input should be a valid boolean."
_DATE = "Ngày không hợp lệ; hãy viết YYYY-MM-DD. / Input should be a valid date (YYYY-MM-DD)."
_DATETIME = (
    "Thời điểm không hợp lệ; hãy viết theo ISO 8601 (YYYY-MM-DDTHH:MM:SS). / "
    "Input should be a valid datetime (ISO 8601)."
)
_CHOICE = "Giá trị phải là một trong: {choices}. / Input should be {expected}."
_UUID = "Phải là một UUID hợp lệ. / Input should be a valid UUID."
_OBJECT = "Phải là một đối tượng JSON. / Input should be a valid object."
SCHEMA_MESSAGES: Final[dict[str, str]] = {
    "missing": "Thiếu trường bắt buộc. / Field required.",
    "string_type": "Phải là một chuỗi ký tự. / Input should be a valid string.",
    "string_too_long": "Tối đa {max_length} ký tự. / At most {max_length} characters.",
    "string_too_short": "Cần ít nhất {min_length} ký tự. / At least {min_length} characters.",
    "string_pattern_mismatch": (
        "Giá trị không đúng dạng cho phép. / The value does not have the expected form."
    ),
    "int_parsing": _INTEGER,
    "int_type": _INTEGER,
    "int_from_float": _INTEGER,
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "bool_parsing": _BOOLEAN,
    "bool_type": _BOOLEAN,
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_parsing": _DATETIME,
    "datetime_type": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "literal_error": _CHOICE,
    "enum": _CHOICE,
    "greater_than": "Giá trị phải lớn hơn {gt}. / Input should be greater than {gt}.",
    "greater_than_equal": (
        "Giá trị phải lớn hơn hoặc bằng {ge}. / Input should be greater than or equal to {ge}."
    ),
    "less_than": "Giá trị phải nhỏ hơn {lt}. / Input should be less than {lt}.",
    "less_than_equal": (
        "Giá trị phải nhỏ hơn hoặc bằng {le}. / Input should be less than or equal to {le}."
    ),
    "multiple_of": (
        "Giá trị phải là bội số của {multiple_of}. / Input should be a multiple of {multiple_of}."
    ),
    "uuid_parsing": _UUID,
    "uuid_type": _UUID,
    "list_type": "Phải là một danh sách. / Input should be a valid list.",
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "too_long": "Tối đa {max_length} phần tử. / At most {max_length} items.",
    "too_short": "Cần ít nhất {min_length} phần tử. / At least {min_length} items.",
    "extra_forbidden": "Không nhận trường này. / Extra inputs are not permitted.",
    "json_invalid": NOT_JSON,
}
# What Python's date and datetime say of an impossible day written in the right form
# ("2025-02-30"), raised by a validator and reported as a `value_error`.
_VALUE_ERRORS: Final[list[tuple[re.Pattern[str], str]]] = [
    (
        re.compile(r"day is out of range for month"),
        "Tháng đó không có ngày này. / Day is out of range for month.",
    ),
    (re.compile(r"month must be in 1\.\.12"), "Tháng phải từ 1 đến 12. / Month must be in 1..12."),
    (
        re.compile(r"year -?\d+ is out of range"),
        "Năm nằm ngoài phạm vi cho phép. / Year is out of range.",
    ),
    (
        re.compile(r"(hour|minute|second) must be in"),
        "Giờ không hợp lệ. / The time is out of range.",
    ),
]
_VIETNAMESE_LETTER = re.compile("[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.IGNORECASE)


def schema_message(error: Mapping[str, Any]) -> str:
    """The bilingual `msg` of one of pydantic's errors (as ninja reports it: `type`,
    `msg`, maybe `ctx`)."""
    kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
    original = str(error.get("msg", ""))
    if kind == "value_error":
        # pydantic writes "Value error, <the validator's message>".
        said = str(ctx.get("error", original.removeprefix("Value error, ")))
        if _VIETNAMESE_LETTER.search(said):
            return said  # the project's own validators are bilingual already
        for pattern, message in _VALUE_ERRORS:
            if pattern.search(said):
                return message
        return original
    template = SCHEMA_MESSAGES.get(kind)
    if template is None:
        return original
    expected = str(ctx.get("expected", ""))
    try:
        return template.format(**ctx, choices=expected.replace(" or ", ", "))
    except (KeyError, IndexError, TypeError, ValueError):
        return original


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
        return api.create_response(request, {"detail": for_reader(NOT_FOUND)}, status=404)

    def forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": for_reader(FORBIDDEN)}, status=403)

    def unauthorized(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = {"detail": for_reader(UNAUTHORIZED)}
        response = api.create_response(request, detail, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        message = NOT_JSON if str(exc).startswith(_NINJA_NOT_JSON) else str(exc)
        return api.create_response(request, {"detail": for_reader(message)}, status=exc.status_code)

    def invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": validation_details(exc)}, status=422)

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(ValidationError, invalid)
    api.add_decorator(refuse_unreadable_body)
