"""The API's input errors (422) read in Vietnamese and English, with pydantic's `type` and `loc`."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from congvu.api.errors import schema_message
from congvu.organisations.models import Organisation

PLANS = "/api/v1/plans"


def details(response: Any) -> dict[str, tuple[str, str]]:
    assert response.status_code == 422
    return {"/".join(map(str, d["loc"])): (d["type"], d["msg"]) for d in response.json()["detail"]}


def test_missing_fields_an_impossible_day_and_a_long_title_say_so_in_both_languages(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    body = {
        "title": "x" * 501,
        "issuing_organisation": province["root"].pk,
        "issued_on": "2025-02-30",
    }
    found = details(api_officer.post(PLANS, body, content_type="application/json"))
    assert found["body/payload/number"] == ("missing", "Thiếu trường bắt buộc. / Field required.")
    assert found["body/payload/title"] == (
        "string_too_long",
        "Tối đa 500 ký tự. / At most 500 characters.",
    )
    assert found["body/payload/issued_on"] == (
        "value_error",
        "Tháng đó không có ngày này. / Day is out of range for month.",
    )


def test_a_wrongly_typed_id_and_a_query_out_of_range_say_so_in_both_languages(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    body = {
        "number": "1/KH",
        "title": "T",
        "issuing_organisation": "một",
        "issued_on": "2025-01-02",
    }
    found = details(api_officer.post(PLANS, body, content_type="application/json"))
    type_, msg = found["body/payload/issuing_organisation"]
    assert type_ == "int_type"
    assert msg == "Phải là một số nguyên. / Input should be a valid integer."
    found = details(api_officer.get(PLANS, {"limit": 0}))
    assert found["query/limit"] == (
        "greater_than_equal",
        "Giá trị phải lớn hơn hoặc bằng 1. / Input should be greater than or equal to 1.",
    )


def test_the_projects_own_bilingual_validator_messages_are_kept_without_pydantics_prefix(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    body = {"number": "1/KH", "title": "T", "issuing_organisation": 1, "issued_on": "02/01/2025"}
    found = details(api_officer.post(PLANS, body, content_type="application/json"))
    assert found["body/payload/issued_on"] == (
        "value_error",
        "Ngày phải có dạng YYYY-MM-DD. / A date must be written YYYY-MM-DD.",
    )


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"type": "literal_error", "msg": "Input should be 'draft' or 'active'",
          "ctx": {"expected": "'draft' or 'active'"}},
         "Giá trị phải là một trong: 'draft', 'active'. / Input should be 'draft' or 'active'."),
        ({"type": "bool_parsing", "msg": "Input should be a valid boolean"},
         "Phải là true hoặc false. / Input should be a valid boolean."),
        ({"type": "uuid_parsing", "msg": "Input should be a valid UUID, invalid length",
          "ctx": {"error": "invalid length"}},
         "Phải là một UUID hợp lệ. / Input should be a valid UUID."),
        ({"type": "extra_forbidden", "msg": "Extra inputs are not permitted"},
         "Không nhận trường này. / Extra inputs are not permitted."),
        ({"type": "date_from_datetime_parsing", "msg": "Input should be a valid date or datetime",
          "ctx": {"error": "input is too short"}},
         "Ngày không hợp lệ; hãy viết YYYY-MM-DD. / Input should be a valid date (YYYY-MM-DD)."),
        ({"type": "less_than_equal", "msg": "Input should be less than or equal to 200",
          "ctx": {"le": 200}},
         "Giá trị phải nhỏ hơn hoặc bằng 200. / Input should be less than or equal to 200."),
        # An unknown type, or a value error nobody worded, keeps pydantic's message.
        ({"type": "url_parsing", "msg": "Input should be a valid URL"},
         "Input should be a valid URL"),
        ({"type": "value_error", "msg": "Value error, something odd",
          "ctx": {"error": "something odd"}},
         "Value error, something odd"),
    ],
)  # fmt: skip
def test_common_pydantic_errors_get_a_bilingual_message(
    error: dict[str, Any], message: str
) -> None:
    assert schema_message(error) == message


def test_a_citizens_rating_with_a_missing_field_says_so_in_both_languages(db: Any) -> None:
    response = Client().post(
        "/api/v1/ratings", {"channel": "staff"}, content_type="application/json"
    )
    assert response.status_code == 422
    messages = {d["msg"] for d in response.json()["detail"] if d["type"] == "missing"}
    assert messages == {"Thiếu trường bắt buộc. / Field required."}
