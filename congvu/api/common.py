"""Types and pieces shared by the routers: ids, text inputs, pagination, references."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import register_converter
from django.utils.datastructures import MultiValueDict
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from pydantic import BeforeValidator, Strict, StringConstraints

# Primary keys are 64-bit (BigAutoField); a larger number can never exist and
# would overflow the database driver, so it is an input error (422), not a lookup.
MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# In JSON bodies a number is a number: "1", 1.0 and true are not ids.
BodyId = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]

# PostgreSQL refuses NUL characters in text, so they are input errors everywhere.
NO_NUL = r"^[^\x00]*$"
# Required names and codes: NUL-free and not only spaces (services strip them).
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"

SearchText = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
Slug = Annotated[str, StringConstraints(max_length=40, pattern=r"^[-a-zA-Z0-9_]*$")]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    # pydantic would also take numbers as Unix timestamps ("0" → 1970-01-01); a
    # date in this API is written YYYY-MM-DD and nothing else.
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return dt.date.fromisoformat(value)  # ValueError for 2025-02-30 → 422
    raise ValueError("Ngày phải có dạng YYYY-MM-DD. / A date must be written YYYY-MM-DD.")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class StrictQueryParser(Parser):
    """Refuses a repeated query parameter that takes one value (`?q=a&q=b`).

    Django would silently keep the last value; a client sending two has a bug
    it should hear about.
    """

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        repeated = [key for key in data if key not in list_fields and len(data.getlist(key)) > 1]
        if repeated:
            raise ValidationError(
                [
                    {
                        "type": "repeated_parameter",
                        "loc": ["query", key],
                        "msg": "Tham số chỉ được gửi một lần. / Send this parameter once.",
                    }
                    for key in repeated
                ]
            )
        return super().parse_querydict(data, list_fields, request)


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=` with a bounded page size; responses are `{"items": [...], "count": n}`."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="Số dòng mỗi trang / page size")
        offset: int = Field(0, ge=0, le=10**9, description="Bỏ qua bao nhiêu dòng / rows to skip")

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: Any,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        offset, limit = pagination.offset, pagination.limit
        # A list too (rows gathered from several tables, `/me/exports`).
        count = len(queryset) if isinstance(queryset, list) else queryset.count()
        return {"items": queryset[offset : offset + limit], "count": count}


class OrganisationRef(Schema):
    id: int
    code: str
    name: str


# Every schema's name is its name in the OpenAPI document, so one name is one class
# (test_docs checks it): the references several routers give are here, once.


class StaffRef(Schema):
    id: int
    full_name: str


class ClauseRef(Schema):
    id: int
    code: str
    short_title: str
    short_title_en: str = Field(
        "", description="Tên ngắn bằng tiếng Anh, có thể trống / the short title in English"
    )


class CodeVersionRef(Schema):
    id: int
    title: str
    version: str


class AnyTextConverter:
    """Like Django's `path` converter, but also matching newlines and other control
    characters, so that a malformed code reaches the handler (and gets a JSON 404 or
    422) instead of Django's HTML 404 page."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyTextConverter, "anytext")


# --- files ------------------------------------------------------------------------------------

#: A file in a response body, as OpenAPI describes it.
BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}


def file_responses(*content_types: str, description: str = "Tệp / the file") -> dict[str, Any]:
    """`openapi_extra` for an endpoint answering 200 with a file of one of `content_types`."""
    return {
        "responses": {
            "200": {"description": description, "content": dict.fromkeys(content_types, BINARY)}
        }
    }
