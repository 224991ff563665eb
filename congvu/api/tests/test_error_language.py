"""The API's fixed error messages: both languages by default, English alone for a client
that asks for English (`Accept-Language: en`), like every translated message."""

from typing import Any

from django.test import Client

from congvu.core.templatetags.bilingual import for_reader

ENGLISH = {"Accept-Language": "en"}


def test_not_found_and_unauthorized_in_the_clients_language(api_officer: Client) -> None:
    assert api_officer.get("/api/v1/plans/999999").json() == {
        "detail": "Không tìm thấy. / Not found."
    }
    assert api_officer.get("/api/v1/plans/999999", headers=ENGLISH).json() == {
        "detail": "Not found."
    }
    anonymous = Client()
    assert anonymous.get("/api/v1/me", headers=ENGLISH).json() == {
        "detail": "Authentication required."
    }
    assert "Cần đăng nhập" in anonymous.get("/api/v1/me").json()["detail"]


def test_a_schema_error_and_an_unknown_path_in_english(api_officer: Client) -> None:
    invalid = api_officer.get("/api/v1/plans/abc", headers=ENGLISH)
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["msg"] == "Input should be a valid integer."
    unknown = api_officer.get("/api/v1/no-such-thing", headers=ENGLISH)
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Not found."}


def test_an_idempotency_key_refused_in_english(api_officer: Client) -> None:
    response = api_officer.post(
        "/api/v1/plans",
        {},
        content_type="application/json",
        headers={**ENGLISH, "Idempotency-Key": "has space"},
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The Idempotency-Key must be")


def test_for_reader_leaves_a_message_of_another_shape_alone() -> None:
    from django.utils import translation

    with translation.override("en"):
        assert for_reader("Chưa lưu. / Not saved.") == "Not saved."
        assert for_reader("Only English.") == "Only English."
        assert for_reader("Vi phạm / 100 cán bộ") == "Vi phạm / 100 cán bộ"
    with translation.override("vi"):
        assert for_reader("Chưa lưu. / Not saved.") == "Chưa lưu. / Not saved."


def every_text(answer: object) -> list[str]:
    if isinstance(answer, dict):
        return [text for value in answer.values() for text in every_text(value)]
    if isinstance(answer, list):
        return [text for value in answer for text in every_text(value)]
    return [answer] if isinstance(answer, str) else []


def test_a_services_refusal_and_the_ratings_schema_errors_in_english(province: Any) -> None:
    # The cases' services word their errors in the record's language, both halves, and
    # the ratings endpoint is a plain view with its own schema messages.
    citizen = Client()
    report = citizen.post(
        "/api/v1/public/cases", {}, content_type="application/json", headers=ENGLISH
    )
    assert report.status_code == 422
    said = [item["msg"] for item in report.json()["detail"]]
    assert "Please describe what happened." in said
    assert "Choose the person's organisation." in said
    rating = citizen.post("/api/v1/ratings", {}, content_type="application/json", headers=ENGLISH)
    assert rating.status_code == 422
    assert {item["msg"] for item in rating.json()["detail"]} == {"Field required."}
    texts = every_text(report.json()) + every_text(rating.json())
    assert [text for text in texts if " / " in text] == []
    # Without the header, both languages, Vietnamese first, as before.
    default = citizen.post("/api/v1/public/cases", {}, content_type="application/json")
    assert "Vui lòng mô tả sự việc. / Please describe what happened." in every_text(default.json())
