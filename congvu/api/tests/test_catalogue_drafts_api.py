"""The catalogue's drafts through the API: what the draft pages do, with their permission.

The Department of Home Affairs writes the province's catalogue; an organisation's head
its own supplement. Someone who sees the organisation without the right gets 403,
someone who does not see it (or an id that does not exist) 404; a refusal is a 422 in
Vietnamese, or in English for a client asking for it, and leaves nothing half-written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conduct import services
from congvu.conduct.models import Clause, CodeVersion, Section
from congvu.organisations.models import Organisation

from .conftest import bearer

URL = "/api/v1/catalogue"

pytestmark = pytest.mark.django_db


def _send(client: Client, method: str, url: str, body: Any = None, **headers: Any) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(url, **headers)
    return call(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def supplement_draft(province: dict[str, Organisation], head: User) -> CodeVersion:
    """Sở Tư pháp's own draft, one section with one clause."""
    version = services.create_draft(
        province["dept_justice"], actor=head, title="Quy tắc riêng", version="STP-1"
    )
    section = services.add_section(version, actor=head, code="STP.1", title="Một cửa")
    services.add_clause(section, actor=head, code="STP.1.a", short_title="Đeo thẻ", text="Đeo thẻ.")
    return version


def _clause_body(**changes: Any) -> dict[str, Any]:
    return {
        "code": "II.4.a",
        "short_title": "Đeo thẻ công chức",
        "short_title_en": "Wearing the badge",
        "text": "Đeo thẻ công chức khi thi hành công vụ.",
        "plain_text": "Cán bộ đeo thẻ khi làm việc.",
        "plain_text_en": "Staff wear their badge at work.",
        "rateable": True,
        "rating_question": "Cán bộ có đeo thẻ không?",
        "rating_question_en": "Was the staff member wearing their badge?",
        **changes,
    }


def test_home_affairs_drafts_a_new_catalogue_edits_it_and_publishes_it(
    api_officer: Client, seed: CodeVersion, officer: User, anonymous: Client
) -> None:
    response = _send(
        api_officer,
        "post",
        f"{URL}/drafts",
        {
            "scope": seed.scope_id,
            "title": "Bộ quy tắc 2026",
            "version": "2026.1",
            "based_on": seed.pk,
        },
    )
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft" and draft["based_on_id"] == seed.pk
    assert [s["code"] for s in draft["sections"]] == [s.code for s in seed.sections.all()]
    greet = next(c for s in draft["sections"] for c in s["clauses"] if c["code"] == "II.2.a.1")
    assert greet["short_title_en"] == "Greet"
    assert greet["plain_text_en"] == "Greet citizens when receiving them."
    dress = next(s for s in draft["sections"] if s["code"] == "II.4")

    # A clause, then an item under it, then the item made a clause of its own.
    response = _send(
        api_officer, "post", f"{URL}/draft-sections/{dress['id']}/clauses", _clause_body()
    )
    assert response.status_code == 201, response.content
    badge = response.json()
    assert badge["short_title_en"] == "Wearing the badge" and badge["rateable"] is True
    assert badge["plain_text_en"] == "Staff wear their badge at work."
    response = _send(
        api_officer,
        "post",
        f"{URL}/draft-sections/{dress['id']}/clauses",
        {
            "code": "II.4.a.1",
            "short_title": "Đeo đúng chỗ",
            "text": "Trên ngực áo.",
            "parent": badge["id"],
        },
    )
    assert response.status_code == 201 and response.json()["parent_id"] == badge["id"]
    item = response.json()
    response = _send(
        api_officer,
        "patch",
        f"{URL}/draft-clauses/{item['id']}",
        {
            "parent": None,
            "short_title_en": "Worn in the right place",
            "plain_text_en": "On the chest.",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["parent_id"] is None
    assert response.json()["short_title_en"] == "Worn in the right place"
    assert response.json()["plain_text_en"] == "On the chest."
    assert response.json()["short_title"] == "Đeo đúng chỗ"  # not sent, not changed
    assert _send(api_officer, "delete", f"{URL}/draft-clauses/{item['id']}").status_code == 204
    assert not Clause.objects.filter(pk=item["id"]).exists()

    # The draft's details, then publication: the seed is retired the same day.
    response = _send(api_officer, "patch", f"{URL}/drafts/{draft['id']}", {"note": "Bản mới"})
    assert response.status_code == 200 and response.json()["note"] == "Bản mới"
    response = _send(api_officer, "post", f"{URL}/drafts/{draft['id']}/publish")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    seed.refresh_from_db()
    assert seed.status == CodeVersion.Status.RETIRED
    public = anonymous.get(f"{URL}/active").json()
    assert public["id"] == draft["id"]
    clauses = {c["code"]: c for s in public["sections"] for c in s["clauses"]}
    assert clauses["II.4.a"]["short_title_en"] == "Wearing the badge"
    assert clauses["II.4.a"]["plain_text_en"] == "Staff wear their badge at work."
    # Found by its English words at once, by a client asking in English.
    english = {"Accept-Language": "en"}
    hits = anonymous.get(f"{URL}/clauses", {"q": "badge at work"}, headers=english).json()
    assert [hit["code"] for hit in hits["items"]] == ["II.4.a"]

    # Audited like the pages, as the officer.
    actions = list(
        AuditEvent.objects.filter(actor=officer, action__startswith="conduct.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "conduct.version.create",
        "conduct.clause.add",
        "conduct.clause.add",
        "conduct.clause.edit",
        "conduct.clause.delete",
        "conduct.version.edit",
        "conduct.version.activate",
    ]


def test_sections_are_added_changed_and_removed(api_officer: Client, seed: CodeVersion) -> None:
    draft = services.create_draft(seed.scope, actor=None, title="Trống", version="2026.2")
    response = _send(
        api_officer, "post", f"{URL}/drafts/{draft.pk}/sections", {"code": "A", "title": "Mục A"}
    )
    assert response.status_code == 201, response.content
    section = response.json()
    assert section["clauses"] == [] and section["order"] == 10
    response = _send(
        api_officer, "patch", f"{URL}/draft-sections/{section['id']}", {"title": "Mục  A mới"}
    )
    assert response.status_code == 200 and response.json()["title"] == "Mục A mới"
    assert _send(api_officer, "get", f"{URL}/draft-sections/{section['id']}").status_code == 200
    response = _send(api_officer, "delete", f"{URL}/draft-sections/{section['id']}")
    assert response.status_code == 204
    assert not Section.objects.filter(version=draft).exists()


def test_a_draft_is_read_by_those_who_edit_it_only(
    api_officer: Client, seed: CodeVersion, anonymous: Client, outsider: User
) -> None:
    draft = services.create_draft(seed.scope, actor=None, title="Nháp", version="2026.3")
    assert _send(api_officer, "get", f"{URL}/drafts/{draft.pk}").status_code == 200
    assert anonymous.get(f"{URL}/drafts/{draft.pk}").status_code == 401
    assert anonymous.get(f"{URL}/versions/{draft.pk}").status_code == 404
    assert bearer(outsider).get(f"{URL}/drafts/{draft.pk}").status_code == 404


def test_unknown_ids_are_404(api_officer: Client, seed: CodeVersion) -> None:
    assert _send(api_officer, "get", f"{URL}/drafts/999999").status_code == 404
    assert _send(api_officer, "post", f"{URL}/drafts/999999/publish").status_code == 404
    response = _send(api_officer, "post", f"{URL}/draft-sections/999999/clauses", _clause_body())
    assert response.status_code == 404
    assert response.json()["detail"] == "Không tìm thấy. / Not found."
    assert _send(
        api_officer, "patch", f"{URL}/draft-clauses/999999", {"code": "X"}
    ).status_code == (404)
    assert _send(api_officer, "delete", f"{URL}/draft-sections/999999").status_code == 404
    response = _send(
        api_officer,
        "post",
        f"{URL}/drafts",
        {"scope": seed.scope_id, "title": "A", "version": "9", "based_on": 999999},
    )
    assert response.status_code == 404
    assert not CodeVersion.objects.filter(version="9").exists()


def test_a_role_without_the_right_gets_403_and_an_outsider_404(
    supplement_draft: CodeVersion,
    viewer: User,
    outsider: User,
    head: User,
    province: dict[str, Organisation],
) -> None:
    section = supplement_draft.sections.get()
    clause = section.clauses.get()
    as_viewer, as_outsider = bearer(viewer), bearer(outsider)
    writes = [
        ("patch", f"{URL}/draft-clauses/{clause.pk}", {"short_title_en": "Hacked"}),
        ("delete", f"{URL}/draft-clauses/{clause.pk}", None),
        ("post", f"{URL}/draft-sections/{section.pk}/clauses", _clause_body(code="STP.1.b")),
        ("post", f"{URL}/drafts/{supplement_draft.pk}/sections", {"code": "B", "title": "B"}),
        ("post", f"{URL}/drafts/{supplement_draft.pk}/publish", None),
        ("delete", f"{URL}/drafts/{supplement_draft.pk}", None),
    ]
    for method, url, body in writes:
        assert _send(as_viewer, method, url, body).status_code == 403, url
        assert _send(as_outsider, method, url, body).status_code == 404, url
    body = {"scope": province["dept_justice"].pk, "title": "B", "version": "B"}
    assert _send(as_viewer, "post", f"{URL}/drafts", body).status_code == 403
    assert _send(as_outsider, "post", f"{URL}/drafts", body).status_code == 404
    clause.refresh_from_db()
    assert clause.short_title_en == "" and supplement_draft.sections.count() == 1
    supplement_draft.refresh_from_db()
    assert supplement_draft.status == CodeVersion.Status.DRAFT
    # The head of Sở Tư pháp writes its own supplement.
    response = _send(bearer(head), "patch", f"{URL}/draft-clauses/{clause.pk}", writes[0][2])
    assert response.status_code == 200 and response.json()["short_title_en"] == "Hacked"


def test_bad_input_is_explained_in_vietnamese_or_english_and_nothing_is_saved(
    api_officer: Client, seed: CodeVersion
) -> None:
    draft = services.create_draft(
        seed.scope, actor=None, title="Nháp", version="2026.4", based_on=seed
    )
    section = draft.sections.get(code="II.1")
    url = f"{URL}/draft-sections/{section.pk}/clauses"

    response = _send(api_officer, "post", url, _clause_body(code="II.1.a"))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "code"
    assert error["msg"] == (
        "Mã chuẩn mực đã có trong bộ quy tắc. / This clause code already exists."
    )
    response = _send(
        api_officer, "post", url, _clause_body(code="II.1.a"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["detail"][0]["msg"] == (
        "This standard number already exists in the code of conduct."
    )

    response = _send(api_officer, "post", url, _clause_body(short_title_en="x" * 201))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "short_title_en"
    response = _send(api_officer, "post", url, _clause_body(plain_text_en="x" * 301))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "plain_text_en"
    response = _send(api_officer, "post", url, _clause_body(text="   ", colour="red"))
    assert response.status_code == 422
    assert {e["loc"][-1] for e in response.json()["detail"]} == {"text", "colour"}
    response = _send(api_officer, "post", url, _clause_body(parent=999999))
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("Điều khoản cha không hợp lệ")
    response = api_officer.post(url, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert not Clause.objects.filter(section=section, code="II.4.a").exists()

    # A published version is not edited, an empty draft is not published.
    live = Clause.objects.filter(section__version=seed).first()
    assert live is not None
    response = _send(api_officer, "patch", f"{URL}/draft-clauses/{live.pk}", {"short_title": "X"})
    assert response.status_code == 422
    assert "Only draft versions can be edited" in response.json()["detail"][0]["msg"]
    live.refresh_from_db()
    assert live.short_title != "X"
    empty = services.create_draft(seed.scope, actor=None, title="Trống", version="2026.5")
    response = _send(
        api_officer, "post", f"{URL}/drafts/{empty.pk}/publish", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == ("The code of conduct has no standards yet.")
    empty.refresh_from_db()
    assert empty.status == CodeVersion.Status.DRAFT
    response = _send(
        api_officer,
        "post",
        f"{URL}/drafts",
        {"scope": seed.scope_id, "title": "Trùng", "version": "2026.4"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "version"
    assert not CodeVersion.objects.filter(title="Trùng").exists()


def test_an_edit_from_a_stale_read_is_refused(api_officer: Client, seed: CodeVersion) -> None:
    draft = services.create_draft(
        seed.scope, actor=None, title="Nháp", version="2026.6", based_on=seed
    )
    clause = Clause.objects.get(section__version=draft, code="II.1.a")
    url = f"{URL}/draft-clauses/{clause.pk}"
    tag = api_officer.get(url)["ETag"]
    assert _send(api_officer, "patch", url, {"note": "Một"}, HTTP_IF_MATCH=tag).status_code == 200
    response = _send(api_officer, "patch", url, {"note": "Hai"}, HTTP_IF_MATCH=tag)
    assert response.status_code == 412
    clause.refresh_from_db()
    assert clause.note == "Một"
