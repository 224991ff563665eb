from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from congvu.audit.models import AuditEvent
from congvu.conduct import services
from congvu.conduct.models import Clause, CodeVersion, Section

pytestmark = pytest.mark.django_db


def test_a_draft_based_on_a_version_is_a_deep_copy(catalogue: CodeVersion, draft: Any) -> None:
    assert draft.status == CodeVersion.Status.DRAFT
    assert draft.based_on == catalogue
    original = Clause.objects.filter(section__version=catalogue)
    copied = Clause.objects.filter(section__version=draft)
    assert sorted(copied.values_list("code", flat=True)) == sorted(
        original.values_list("code", flat=True)
    )
    item = copied.get(code="II.2.a.3")
    assert item.parent is not None and item.parent.section.version == draft
    assert copied.get(code="II.3.b").is_incomplete
    assert Section.objects.get(version=draft, code="II.4").is_incomplete


def test_editing_a_draft_refreshes_the_search_text(draft: CodeVersion, officer: Any) -> None:
    clause = Clause.objects.get(section__version=draft, code="II.1.a")
    services.edit_clause(clause, actor=officer, keywords="đùn đẩy, né việc")
    clause.refresh_from_db()
    assert "dun day" in clause.search_text
    assert AuditEvent.objects.filter(action="conduct.clause.edit").exists()


def test_editing_an_active_version_is_refused(catalogue: CodeVersion, officer: Any) -> None:
    clause = Clause.objects.get(section__version=catalogue, code="II.1.c")
    section = clause.section
    attempts = [
        lambda: services.edit_clause(clause, actor=officer, text="đã sửa"),
        lambda: services.delete_clause(clause, actor=officer),
        lambda: services.add_clause(section, actor=officer, code="X", short_title="X", text="X"),
        lambda: services.edit_section(section, actor=officer, title="đã sửa"),
        lambda: services.delete_section(section, actor=officer),
        lambda: services.add_section(catalogue, actor=officer, code="II.9", title="Mới"),
        lambda: services.edit_version(catalogue, actor=officer, title="đã sửa"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as excinfo:
            attempt()
        assert "dự thảo" in excinfo.value.messages[0] and "draft" in excinfo.value.messages[0]
    clause.refresh_from_db()
    assert clause.text.startswith("Không được gây khó khăn")


def test_a_retired_version_is_read_only_too(catalogue: CodeVersion, officer: Any) -> None:
    services.retire(catalogue, actor=officer)
    with pytest.raises(ValidationError):
        services.add_section(catalogue, actor=officer, code="II.9", title="Mới")


def test_activating_a_draft_retires_the_previous_version(
    catalogue: CodeVersion, draft: CodeVersion, officer: Any
) -> None:
    services.activate(draft, actor=officer)
    catalogue.refresh_from_db()
    draft.refresh_from_db()
    assert draft.status == CodeVersion.Status.ACTIVE
    assert draft.effective_from == timezone.localdate()
    assert catalogue.status == CodeVersion.Status.RETIRED
    assert catalogue.retired_on == timezone.localdate()
    assert CodeVersion.objects.filter(scope=catalogue.scope, status="active").count() == 1


def test_only_a_draft_can_be_activated(catalogue: CodeVersion, officer: Any) -> None:
    with pytest.raises(ValidationError):
        services.activate(catalogue, actor=officer)


def test_an_empty_draft_cannot_be_activated(province: Any, officer: Any) -> None:
    empty = services.create_draft(province["root"], actor=officer, title="Trống", version="0")
    with pytest.raises(ValidationError, match="no clauses"):
        services.activate(empty, actor=officer)


def test_a_future_effective_date_is_refused(draft: CodeVersion, officer: Any) -> None:
    with pytest.raises(ValidationError):
        services.activate(
            draft, actor=officer, effective_from=timezone.localdate() + dt.timedelta(days=1)
        )


def test_the_database_allows_one_active_version_per_scope(
    catalogue: CodeVersion, draft: CodeVersion
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CodeVersion.objects.filter(pk=draft.pk).update(status="active")


def test_a_duplicate_version_label_is_refused_in_both_languages(
    catalogue: CodeVersion, officer: Any
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.create_draft(
            catalogue.scope, actor=officer, title="Khác", version=catalogue.version
        )
    message = excinfo.value.message_dict["version"][0]
    assert "đã có phiên bản" in message and "already has version" in message


def test_clause_codes_are_unique_within_a_version(draft: CodeVersion, officer: Any) -> None:
    section = Section.objects.get(version=draft, code="II.4")
    with pytest.raises(ValidationError) as excinfo:
        services.add_clause(section, actor=officer, code="II.1.c", short_title="x", text="x")
    assert "code" in excinfo.value.message_dict


def test_items_go_one_level_deep_in_the_same_section(draft: CodeVersion, officer: Any) -> None:
    item = Clause.objects.get(section__version=draft, code="II.2.a.1")
    with pytest.raises(ValidationError):
        services.add_clause(
            item.section, actor=officer, parent=item, code="II.2.a.1.x", short_title="x", text="x"
        )
    other = Section.objects.get(version=draft, code="II.4")
    with pytest.raises(ValidationError):
        services.add_clause(
            other, actor=officer, parent=item.parent, code="II.4.a", short_title="x", text="x"
        )


def test_administrators_can_fill_the_dress_section(draft: CodeVersion, officer: Any) -> None:
    dress = Section.objects.get(version=draft, code="II.4")
    clause = services.add_clause(
        dress,
        actor=officer,
        code="II.4.a",
        short_title="Đeo thẻ công chức",
        text="Đeo thẻ công chức, viên chức khi thi hành công vụ.",
        observable=True,
    )
    services.edit_section(dress, actor=officer, is_incomplete=False)
    assert "deo the cong chuc" in clause.search_text
    dress.refresh_from_db()
    assert not dress.is_incomplete


def test_writes_need_the_catalogue_right(draft: CodeVersion, viewer: Any, outsider: Any) -> None:
    from django.http import Http404

    section = draft.sections.first()
    assert section is not None
    with pytest.raises(Http404):  # the root is invisible to the viewer of Sở Tư pháp
        services.add_section(draft, actor=viewer, code="II.9", title="x")
    with pytest.raises(Http404):
        services.activate(draft, actor=outsider)


def test_a_head_may_create_a_supplement_but_not_a_base_catalogue(
    province: Any, head: Any, viewer: Any
) -> None:
    supplement = services.create_draft(
        province["dept_justice"], actor=head, title="Bổ sung", version="1"
    )
    assert supplement.is_supplement
    with pytest.raises(PermissionDenied):
        services.create_draft(
            province["dept_justice"], actor=head, title="Thay thế", version="2", is_supplement=False
        )
    with pytest.raises(PermissionDenied):
        services.create_draft(province["dept_justice"], actor=viewer, title="x", version="3")


def test_the_province_root_cannot_have_a_supplement(province: Any, officer: Any) -> None:
    with pytest.raises(ValidationError):
        services.create_draft(
            province["root"], actor=officer, title="x", version="1", is_supplement=True
        )


def test_a_draft_cannot_be_copied_by_someone_who_cannot_see_it(
    draft: CodeVersion, province: Any, head: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.create_draft(
            province["dept_justice"], actor=head, title="x", version="1", based_on=draft
        )


def test_retire_takes_the_version_out_of_force(catalogue: CodeVersion, officer: Any) -> None:
    services.retire(catalogue, actor=officer)
    catalogue.refresh_from_db()
    assert catalogue.status == "retired" and catalogue.retired_on == timezone.localdate()
    with pytest.raises(ValidationError):
        services.retire(catalogue, actor=officer)


def test_a_draft_can_be_deleted_but_an_active_version_cannot(
    catalogue: CodeVersion, draft: CodeVersion, officer: Any
) -> None:
    services.delete_draft(draft, actor=officer)
    assert not CodeVersion.objects.filter(pk=draft.pk).exists()
    with pytest.raises(ValidationError):
        services.delete_draft(catalogue, actor=officer)
