from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.conduct import services
from congvu.conduct.models import Clause, CodeVersion, Section
from congvu.conftest import form_key, page_form, said_already_sent, said_changed_meanwhile

pytestmark = pytest.mark.django_db

PUBLIC = reverse("conduct:public")
MANAGE = reverse("conduct:manage")


def page(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def justice_draft(province: Any, head: Any) -> CodeVersion:
    """A supplement draft of Sở Tư pháp: the viewer sees it, the outsider does not."""
    version = services.create_draft(
        province["dept_justice"], actor=head, title="Bổ sung Sở Tư pháp", version="STP-D"
    )
    section = services.add_section(version, actor=head, code="S.1", title="Một cửa")
    services.add_clause(section, actor=head, code="S.1.a", short_title="Đeo thẻ", text="Đeo thẻ.")
    return version


# --- Public page -----------------------------------------------------------------------------


def test_anonymous_sees_the_provincial_standards(client: Client, catalogue: CodeVersion) -> None:
    response = client.get(PUBLIC)
    assert response.status_code == 200
    html = page(response)
    assert "Tinh thần, thái độ làm việc của cán bộ, công chức, viên chức" in html
    assert "vòi vĩnh" in html
    assert "Luôn mỉm cười" in html
    assert "Chuẩn mực về trang phục" in html
    assert "Nội dung đang được bổ sung" in html
    assert "Chỉ áp dụng với lãnh đạo, quản lý" in html
    assert "Người dân đánh giá được" in html
    assert "css/conduct.css" in html


def test_the_public_page_has_no_inline_styles_or_scripts(
    client: Client, catalogue: CodeVersion
) -> None:
    html = page(client.get(PUBLIC, {"q": "voi vinh"}))
    assert "style=" not in html and "<style" not in html
    assert "<script>" not in html and "onclick" not in html


def test_the_public_page_says_when_there_is_no_catalogue(client: Client, db: Any) -> None:
    assert "Chưa có bộ quy tắc" in page(client.get(PUBLIC))


def test_searching_voi_vinh_finds_clause_ii_1_c(client: Client, catalogue: CodeVersion) -> None:
    html = page(client.get(PUBLIC, {"q": "voi vinh"}))
    assert 'data-code="II.1.c"' in html
    assert 'data-code="II.2.b"' not in html
    assert "Tìm thấy 1 chuẩn mực" in html
    assert 'value="voi vinh"' in html


def test_searching_ruou_finds_clause_ii_3_b(client: Client, catalogue: CodeVersion) -> None:
    html = page(client.get(PUBLIC, {"q": "ruou"}))
    assert 'data-code="II.3.b"' in html
    assert 'data-code="II.1.c"' not in html


def test_a_search_with_no_hit_says_so(client: Client, catalogue: CodeVersion) -> None:
    assert "Không tìm thấy chuẩn mực" in page(client.get(PUBLIC, {"q": "zzzz"}))


def test_a_supplement_appears_with_its_scope(
    client: Client, supplement: CodeVersion, province: Any
) -> None:
    assert 'data-code="STP.1.a"' not in page(client.get(PUBLIC))
    html = page(client.get(PUBLIC, {"scope": "H56.02.01"}))
    assert 'data-code="STP.1.a"' in html and 'data-code="II.1.c"' in html
    assert "Sở Tư pháp" in html
    html = page(client.get(PUBLIC, {"scope": "H56.02", "q": "deo the"}))
    assert 'data-code="STP.1.a"' in html and 'data-code="II.1.c"' not in html
    assert 'data-code="STP.1.a"' not in page(client.get(PUBLIC, {"scope": "H56.30"}))


def test_an_unknown_scope_is_not_found(client: Client, catalogue: CodeVersion) -> None:
    assert client.get(PUBLIC, {"scope": "NOPE"}).status_code == 404


# --- Read-only version page ------------------------------------------------------------------


def test_anyone_may_read_an_active_or_retired_version(
    client: Client, catalogue: CodeVersion, officer: Any
) -> None:
    url = reverse("conduct:version", args=[catalogue.pk])
    assert "Đang áp dụng" in page(client.get(url))
    services.retire(catalogue, actor=officer)
    html = page(client.get(url))
    assert "Hết hiệu lực" in html and 'data-code="II.1.c"' in html


def test_a_draft_is_shown_to_managers_only(
    client: Client,
    as_officer: Client,
    as_head: Client,
    as_viewer: Client,
    as_outsider: Client,
    justice_draft: CodeVersion,
) -> None:
    url = reverse("conduct:version", args=[justice_draft.pk])
    assert as_officer.get(url).status_code == 200
    assert as_head.get(url).status_code == 200
    assert client.get(url).status_code == 404
    assert as_outsider.get(url).status_code == 404
    assert as_viewer.get(url).status_code == 403


def test_an_unknown_version_is_not_found(client: Client, db: Any) -> None:
    assert client.get(reverse("conduct:version", args=[999])).status_code == 404


# --- Management list and new drafts -----------------------------------------------------------


def test_the_officer_sees_every_version_in_scope(
    as_officer: Client, catalogue: CodeVersion, justice_draft: CodeVersion
) -> None:
    html = page(as_officer.get(MANAGE))
    assert html.count('data-testid="version-row"') == 2


def test_a_head_sees_only_their_organisation_s_versions(
    as_head: Client, catalogue: CodeVersion, justice_draft: CodeVersion
) -> None:
    html = page(as_head.get(MANAGE))
    assert html.count('data-testid="version-row"') == 1
    assert "Bổ sung Sở Tư pháp" in html


def test_the_outsider_sees_none_of_the_others_versions(
    as_outsider: Client, justice_draft: CodeVersion
) -> None:
    response = as_outsider.get(MANAGE)
    assert response.status_code == 200
    assert "Bổ sung Sở Tư pháp" not in page(response)


def test_a_viewer_may_not_manage(as_viewer: Client, justice_draft: CodeVersion) -> None:
    assert as_viewer.get(MANAGE).status_code == 403


def test_anonymous_is_sent_to_sign_in(client: Client, db: Any) -> None:
    response = client.get(MANAGE)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_officer_creates_a_draft_copied_from_the_active_version(
    as_officer: Client, catalogue: CodeVersion, province: Any
) -> None:
    response = as_officer.post(
        MANAGE,
        {
            "scope": province["root"].pk,
            "title": "Bộ quy tắc 2026",
            "version": "2026.1",
            "based_on": catalogue.pk,
        },
    )
    draft = CodeVersion.objects.get(version="2026.1")
    assert response.status_code == 302
    assert response["Location"] == reverse("conduct:edit", args=[draft.pk])
    assert Clause.objects.filter(section__version=draft).count() == 18


def test_a_draft_a_section_and_a_clause_sent_twice_are_each_added_once(
    as_officer: Client, province: Any
) -> None:
    # Before, each second sending was refused: the version, the code "already exists".
    data = {"scope": province["root"].pk, "title": "Bộ quy tắc 2026", "version": "2026.1"}
    data["once"] = form_key(as_officer.get(MANAGE))
    first, second = as_officer.post(MANAGE, data), as_officer.post(MANAGE, data)
    draft = CodeVersion.objects.get(version="2026.1")
    edit = reverse("conduct:edit", args=[draft.pk])
    assert first["Location"] == second["Location"] == edit
    assert said_already_sent(as_officer, second)

    url = reverse("conduct:section_add", args=[draft.pk])
    data = {"code": "II.6", "title": "Chuẩn mực khác", "once": form_key(as_officer.get(url))}
    first, second = as_officer.post(url, data), as_officer.post(url, data)
    assert first["Location"] == second["Location"] == edit
    section = Section.objects.get(version=draft)
    assert said_already_sent(as_officer, second)

    url = reverse("conduct:clause_add", args=[section.pk])
    data = {
        "code": "II.6.a",
        "short_title": "Đeo thẻ công chức",
        "text": "Đeo thẻ công chức, viên chức khi thi hành công vụ.",
        "applies_to": "all",
        "default_severity": "minor",
        "once": form_key(as_officer.get(url)),
    }
    first, second = as_officer.post(url, data), as_officer.post(url, data)
    assert first["Location"] == second["Location"] == edit
    assert Clause.objects.filter(section=section).count() == 1
    assert said_already_sent(as_officer, second)


def test_a_bad_new_draft_keeps_the_input_and_explains(
    as_officer: Client, catalogue: CodeVersion, province: Any
) -> None:
    response = as_officer.post(
        MANAGE,
        {"scope": province["root"].pk, "title": "Giữ lại tên này", "version": catalogue.version},
    )
    assert response.status_code == 400
    html = page(response)
    assert "Giữ lại tên này" in html
    assert "already has version" in html and "đã có phiên bản" in html
    response = as_officer.post(MANAGE, {"scope": "abc", "title": "", "version": "x"})
    assert response.status_code == 400
    assert "This field is required" in page(response)


def test_a_head_cannot_create_a_draft_outside_their_scope(as_head: Client, province: Any) -> None:
    response = as_head.post(MANAGE, {"scope": province["root"].pk, "title": "x", "version": "1"})
    assert response.status_code == 400
    assert not CodeVersion.objects.exists()


# --- Editing a draft --------------------------------------------------------------------------


def test_the_officer_edits_a_draft(as_officer: Client, draft: CodeVersion) -> None:
    url = reverse("conduct:edit", args=[draft.pk])
    html = page(as_officer.get(url))
    assert 'data-code="II.2.a.8"' in html and "Đưa vào áp dụng" in html
    response = as_officer.post(
        url, {"title": "Tên mới", "version": "2026.2", "source_document": "", "note": ""}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.version) == ("Tên mới", "2026.2")


def test_edit_pages_are_not_found_for_the_outsider_and_forbidden_for_the_viewer(
    as_outsider: Client, as_viewer: Client, justice_draft: CodeVersion
) -> None:
    section = justice_draft.sections.get()
    clause = section.clauses.get()
    get_urls = [
        reverse("conduct:edit", args=[justice_draft.pk]),
        reverse("conduct:section_add", args=[justice_draft.pk]),
        reverse("conduct:section_edit", args=[section.pk]),
        reverse("conduct:clause_add", args=[section.pk]),
        reverse("conduct:clause_edit", args=[clause.pk]),
    ]
    post_urls = [
        reverse("conduct:activate", args=[justice_draft.pk]),
        reverse("conduct:retire", args=[justice_draft.pk]),
        reverse("conduct:delete", args=[justice_draft.pk]),
        reverse("conduct:section_delete", args=[section.pk]),
        reverse("conduct:clause_delete", args=[clause.pk]),
    ]
    for url in get_urls:
        assert as_outsider.get(url).status_code == 404, url
        assert as_viewer.get(url).status_code == 403, url
    for url in post_urls:
        assert as_outsider.post(url).status_code == 404, url
        assert as_viewer.post(url).status_code == 403, url
    assert justice_draft.sections.get().clauses.count() == 1


def test_editing_an_active_version_is_refused_with_a_message(
    as_officer: Client, catalogue: CodeVersion
) -> None:
    clause = Clause.objects.get(section__version=catalogue, code="II.1.c")
    response = as_officer.post(
        reverse("conduct:clause_edit", args=[clause.pk]),
        {"code": "II.1.c", "short_title": "x", "text": "x"},
        follow=True,
    )
    assert "Only draft versions can be edited" in page(response)
    clause.refresh_from_db()
    assert clause.short_title != "x"
    response = as_officer.post(reverse("conduct:clause_delete", args=[clause.pk]), follow=True)
    assert "Only draft versions can be edited" in page(response)
    assert Clause.objects.filter(pk=clause.pk).exists()


def test_the_officer_adds_edits_and_deletes_a_section(
    as_officer: Client, draft: CodeVersion
) -> None:
    response = as_officer.post(
        reverse("conduct:section_add", args=[draft.pk]),
        {"code": "II.6", "title": "Chuẩn mực khác", "intro": "", "order": ""},
    )
    assert response.status_code == 302
    section = Section.objects.get(version=draft, code="II.6")
    response = as_officer.post(
        reverse("conduct:section_edit", args=[section.pk]),
        {"code": "II.6", "title": "Chuẩn mực khác (sửa)", "is_incomplete": "on"},
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.title == "Chuẩn mực khác (sửa)" and section.is_incomplete
    assert as_officer.post(reverse("conduct:section_delete", args=[section.pk])).status_code == 302
    assert not Section.objects.filter(pk=section.pk).exists()


def test_a_duplicate_section_code_keeps_the_input(as_officer: Client, draft: CodeVersion) -> None:
    response = as_officer.post(
        reverse("conduct:section_add", args=[draft.pk]),
        {"code": "II.4", "title": "Tên tôi vừa gõ", "order": "-3"},
    )
    assert response.status_code == 400
    html = page(response)
    assert "Tên tôi vừa gõ" in html and "Must not be negative" in html
    response = as_officer.post(
        reverse("conduct:section_add", args=[draft.pk]), {"code": "II.4", "title": "Tên tôi vừa gõ"}
    )
    assert response.status_code == 400
    assert "This section code already exists" in page(response)


def test_the_officer_fills_the_dress_section_with_a_clause(
    as_officer: Client, draft: CodeVersion
) -> None:
    dress = Section.objects.get(version=draft, code="II.4")
    response = as_officer.post(
        reverse("conduct:clause_add", args=[dress.pk]),
        {
            "code": "II.4.a",
            "short_title": "Đeo thẻ công chức",
            "text": "Đeo thẻ công chức, viên chức khi thi hành công vụ.",
            "applies_to": "all",
            "default_severity": "minor",
            "observable": "on",
            "keywords": "thẻ, trang phục",
        },
    )
    assert response.status_code == 302
    clause = Clause.objects.get(section=dress, code="II.4.a")
    assert clause.observable and "trang phuc" in clause.search_text
    response = as_officer.post(
        reverse("conduct:clause_edit", args=[clause.pk]),
        {
            "code": "II.4.a",
            "short_title": "Đeo thẻ",
            "text": "Đeo thẻ khi làm việc.",
            "applies_to": "leaders",
            "default_severity": "serious",
        },
    )
    assert response.status_code == 302
    clause.refresh_from_db()
    assert clause.applies_to == "leaders" and not clause.observable
    assert as_officer.post(reverse("conduct:clause_delete", args=[clause.pk])).status_code == 302
    assert not Clause.objects.filter(pk=clause.pk).exists()


def test_a_bad_clause_keeps_the_input_and_explains(as_officer: Client, draft: CodeVersion) -> None:
    section = Section.objects.get(version=draft, code="II.1")
    response = as_officer.post(
        reverse("conduct:clause_add", args=[section.pk]),
        {
            "code": "II.1.c",
            "short_title": "Tiêu đề giữ lại",
            "text": "Nội dung giữ lại",
            "applies_to": "all",
            "default_severity": "minor",
        },
    )
    assert response.status_code == 400
    html = page(response)
    assert "Tiêu đề giữ lại" in html and "Nội dung giữ lại" in html
    assert "This clause code already exists" in html
    response = as_officer.post(
        reverse("conduct:clause_add", args=[section.pk]),
        {"code": "", "short_title": "Tiêu đề giữ lại", "applies_to": "nobody"},
    )
    assert response.status_code == 400
    assert "Tiêu đề giữ lại" in page(response)


# --- Activate and retire ----------------------------------------------------------------------


def test_activating_from_the_page_retires_the_previous_version(
    as_officer: Client, catalogue: CodeVersion, draft: CodeVersion, client: Client
) -> None:
    response = as_officer.post(reverse("conduct:activate", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    catalogue.refresh_from_db()
    assert draft.status == "active" and catalogue.status == "retired"
    assert f'data-testid="version-{draft.pk}"' in page(client.get(PUBLIC))


def test_activating_an_empty_draft_explains_why_not(as_officer: Client, province: Any) -> None:
    empty = services.create_draft(province["root"], actor=None, title="Trống", version="0")
    response = as_officer.post(reverse("conduct:activate", args=[empty.pk]), follow=True)
    assert "no clauses" in page(response)
    empty.refresh_from_db()
    assert empty.status == "draft"


def test_the_officer_retires_the_active_version(
    as_officer: Client, catalogue: CodeVersion, client: Client
) -> None:
    response = as_officer.post(reverse("conduct:retire", args=[catalogue.pk]))
    assert response.status_code == 302
    catalogue.refresh_from_db()
    assert catalogue.status == "retired"
    assert "Chưa có bộ quy tắc" in page(client.get(PUBLIC))


def test_the_officer_deletes_a_draft(as_officer: Client, draft: CodeVersion) -> None:
    response = as_officer.post(reverse("conduct:delete", args=[draft.pk]))
    assert response.status_code == 302
    assert not CodeVersion.objects.filter(pk=draft.pk).exists()


def test_action_urls_refuse_get(as_officer: Client, draft: CodeVersion) -> None:
    assert as_officer.get(reverse("conduct:activate", args=[draft.pk])).status_code == 405


@pytest.mark.parametrize(
    ("what", "theirs", "mine"),
    [
        ("version", ("title", "Tên do B sửa"), ("note", "Ghi chú của A")),
        ("section", ("title", "Một cửa liên thông"), ("intro", "Lời dẫn của A")),
        ("clause", ("short_title", "Đeo thẻ công chức"), ("text", "Nội dung của A")),
    ],
)
def test_a_draft_saved_from_a_page_someone_else_saved_since_is_refused_and_keeps_the_input(
    as_head: Client, justice_draft: CodeVersion, what: str, theirs: Any, mine: Any
) -> None:
    section = justice_draft.sections.get()
    url = {
        "version": reverse("conduct:edit", args=[justice_draft.pk]),
        "section": reverse("conduct:section_edit", args=[section.pk]),
        "clause": reverse("conduct:clause_edit", args=[section.clauses.get().pk]),
    }[what]
    tab_a, tab_b = page_form(as_head.get(url)), page_form(as_head.get(url))
    assert as_head.post(url, {**tab_b, theirs[0]: theirs[1]}).status_code == 302
    refused = as_head.post(url, {**tab_a, mine[0]: mine[1]})
    assert refused.status_code == 400 and said_changed_meanwhile(refused)
    assert mine[1] in page(refused) and f"hiện là: «{theirs[1]}»" in page(refused)
    changed = {"version": CodeVersion, "section": Section, "clause": Clause}[what]
    assert not changed.objects.filter(**{mine[0]: mine[1]}).exists()
    assert changed.objects.filter(**{theirs[0]: theirs[1]}).exists()
