from typing import Any

from django.test import Client

from congvu.conduct.models import CodeVersion

URL = "/api/v1/catalogue"
ENGLISH = {"Accept-Language": "en"}


def test_anyone_lists_the_active_and_retired_versions_but_not_drafts(
    anonymous: Client, catalogue: dict[str, CodeVersion]
) -> None:
    response = anonymous.get(f"{URL}/versions")
    assert response.status_code == 200
    assert {item["version"] for item in response.json()} == {"2024", "2025"}


def test_a_version_comes_with_its_sections_and_clauses(
    anonymous: Client, catalogue: dict[str, CodeVersion]
) -> None:
    response = anonymous.get(f"{URL}/versions/{catalogue['retired'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "retired"
    [section] = body["sections"]
    assert section["code"] == "II.1"
    assert [clause["code"] for clause in section["clauses"]] == ["II.1.a", "II.1.b"]


def test_a_draft_is_404_for_the_public(
    anonymous: Client, catalogue: dict[str, CodeVersion]
) -> None:
    assert anonymous.get(f"{URL}/versions/{catalogue['draft'].pk}").status_code == 404
    assert anonymous.get(f"{URL}/versions/999999").status_code == 404


def test_the_active_provincial_version_is_published(
    anonymous: Client, catalogue: dict[str, CodeVersion]
) -> None:
    body = anonymous.get(f"{URL}/active").json()
    assert body["version"] == "2025"
    assert body["scope"]["code"] == "H56"
    assert len(body["sections"][0]["clauses"]) == 2


def test_no_active_version_is_404(anonymous: Client, db: Any) -> None:
    assert anonymous.get(f"{URL}/active").status_code == 404


def test_clause_search_ignores_accents_and_covers_only_versions_in_force(
    anonymous: Client, catalogue: dict[str, CodeVersion]
) -> None:
    response = anonymous.get(f"{URL}/clauses", {"q": "lang nghe"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [hit] = body["items"]
    assert hit["code"] == "II.1.b"
    assert hit["version_id"] == catalogue["active"].pk
    assert hit["section"]["code"] == "II.1"


def test_clause_search_without_a_query_lists_every_clause_in_force(
    anonymous: Client, catalogue: dict[str, CodeVersion]
) -> None:
    assert anonymous.get(f"{URL}/clauses").json()["count"] == 2


def test_a_clause_comes_with_its_plain_text_in_both_languages_and_the_legal_text_in_vietnamese(
    anonymous: Client, seed: CodeVersion
) -> None:
    body = anonymous.get(f"{URL}/active").json()
    clauses = {c["code"]: c for s in body["sections"] for c in s["clauses"]}
    greet = clauses["II.2.a.1"]
    assert greet["plain_text"] == "Chào hỏi người dân khi tiếp đón."
    assert greet["plain_text_en"] == "Greet citizens when receiving them."
    assert "text_en" not in greet


def test_clause_search_finds_english_words_and_vietnamese_without_accents(
    anonymous: Client, seed: CodeVersion
) -> None:
    for query, code in (
        ("alcohol", "II.3.b"),
        ("ALCOHOL during working hours", "II.3.b"),
        ("soliciting favours", "II.1.c"),
        ("voi vinh", "II.1.c"),
        ("vòi vĩnh", "II.1.c"),
        ("ruou", "II.3.b"),
    ):
        body = anonymous.get(f"{URL}/clauses", {"q": query}, headers=ENGLISH).json()
        assert [hit["code"] for hit in body["items"]] == [code], query
        assert body["items"][0]["version_id"] == seed.pk


def test_clause_search_reads_the_english_only_for_a_client_asking_in_english(
    anonymous: Client, seed: CodeVersion
) -> None:
    def codes(query: str, **headers: str) -> list[str]:
        response = anonymous.get(f"{URL}/clauses", {"q": query}, headers=headers)
        assert response.status_code == 200
        return [hit["code"] for hit in response.json()["items"]]

    assert codes("the", **{"Accept-Language": "vi"}) == ["II.1.c"]  # thêm, not English "the"
    assert codes("the") == ["II.1.c"]  # Vietnamese by default
    assert "II.3.b" in codes("the", **ENGLISH)
    # A word no Vietnamese copy holds can only be English, for every client (searchmix).
    assert codes("alcohol", **{"Accept-Language": "vi"}) == ["II.3.b"]
    for headers in ({}, ENGLISH):
        assert codes("voi vinh", **headers) == ["II.1.c"]
        assert codes("ruou bia", **headers) == ["II.3.b"]
