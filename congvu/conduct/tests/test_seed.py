from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from congvu.audit.models import AuditEvent
from congvu.conduct import services
from congvu.conduct.models import Clause, CodeVersion, Section

pytestmark = pytest.mark.django_db

TOP_LEVEL = [
    "II.1.a", "II.1.b", "II.1.c", "II.1.d",
    "II.2.a", "II.2.b", "II.2.c", "II.2.d",
    "II.3.a", "II.3.b",
]  # fmt: skip
FOUR_XIN_FOUR_LUON = [
    "Xin chào", "Xin lỗi", "Xin cảm ơn", "Xin phép",
    "Luôn mỉm cười", "Luôn nhẹ nhàng", "Luôn lắng nghe", "Luôn giúp đỡ",
]  # fmt: skip


def clauses(version: CodeVersion) -> Any:
    return Clause.objects.filter(section__version=version)


def test_the_seed_loads_as_the_active_provincial_catalogue(catalogue: CodeVersion) -> None:
    assert catalogue.status == CodeVersion.Status.ACTIVE
    assert not catalogue.is_supplement
    assert catalogue.effective_from is not None
    assert "86/KH-UBND" in catalogue.source_document


def test_the_seed_has_exactly_the_expected_clauses(catalogue: CodeVersion) -> None:
    top = clauses(catalogue).filter(parent__isnull=True).order_by("section__order", "order")
    assert [c.code for c in top] == TOP_LEVEL
    items = clauses(catalogue).filter(parent__isnull=False)
    assert sorted(items.values_list("code", flat=True)) == [f"II.2.a.{n}" for n in range(1, 9)]


def test_the_seed_keeps_the_exact_vietnamese_text(catalogue: CodeVersion) -> None:
    c = clauses(catalogue).get(code="II.1.c")
    assert c.text.startswith("Không được gây khó khăn, phiền hà, vòi vĩnh")
    assert c.default_severity == Clause.Severity.VERY_SERIOUS
    assert c.rateable and c.observable
    section = Section.objects.get(version=catalogue, code="II.1")
    assert section.title == "Tinh thần, thái độ làm việc của cán bộ, công chức, viên chức"
    assert section.intro.startswith("Cán bộ, công chức, viên chức phải trung thành")


def test_the_four_pleases_and_four_always_are_eight_rateable_items(
    catalogue: CodeVersion,
) -> None:
    parent = clauses(catalogue).get(code="II.2.a")
    items = list(parent.items.order_by("order"))
    assert [i.short_title for i in items] == FOUR_XIN_FOUR_LUON
    assert all(i.rateable for i in items)
    assert all(i.section_id == parent.section_id for i in items)


def test_only_the_leader_clauses_apply_to_leaders_only(catalogue: CodeVersion) -> None:
    leaders = clauses(catalogue).filter(applies_to=Clause.AppliesTo.LEADERS)
    assert sorted(leaders.values_list("code", flat=True)) == ["II.1.d", "II.2.d"]


def test_clause_ii_3_b_is_marked_incomplete_and_stops_at_the_cut(catalogue: CodeVersion) -> None:
    cut = clauses(catalogue).get(code="II.3.b")
    assert cut.is_incomplete
    assert cut.text.endswith("trong thời gian làm việc và giờ nghỉ trưa;")
    assert "hút" in cut.note
    assert Section.objects.get(version=catalogue, code="II.3").is_incomplete
    assert not clauses(catalogue).exclude(code="II.3.b").filter(is_incomplete=True).exists()


def test_dress_and_workplace_sections_are_empty_and_incomplete(catalogue: CodeVersion) -> None:
    for code, title in [("II.4", "trang phục"), ("II.5", "nơi làm việc")]:
        section = Section.objects.get(version=catalogue, code=code)
        assert title in section.title
        assert section.is_incomplete
        assert not section.clauses.exists()


def test_every_clause_has_its_folded_search_text(catalogue: CodeVersion) -> None:
    c = clauses(catalogue).get(code="II.1.c")
    assert "voi vinh" in c.search_text and "hach sach" in c.search_text
    assert not clauses(catalogue).filter(search_text="").exists()


def test_loading_twice_returns_the_same_version(catalogue: CodeVersion) -> None:
    again = services.load_seed_catalogue(scope=catalogue.scope, actor=None)
    assert again.pk == catalogue.pk
    assert CodeVersion.objects.count() == 1
    assert clauses(catalogue).count() == 18


def test_loading_is_audited(catalogue: CodeVersion) -> None:
    assert AuditEvent.objects.filter(action="conduct.version.activate").count() == 1


def test_loading_needs_the_catalogue_right(province: Any, viewer: Any, officer: Any) -> None:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        services.load_seed_catalogue(scope=province["dept_justice"], actor=viewer)
    with pytest.raises(Http404):
        services.load_seed_catalogue(scope=province["commune"], actor=viewer)
    assert services.load_seed_catalogue(scope=province["root"], actor=officer).status == "active"


def test_the_load_catalogue_command_loads_the_seed(province: Any, capsys: Any) -> None:
    call_command("load_catalogue", "--scope", "H56")
    call_command("load_catalogue", "--scope", "H56")
    assert CodeVersion.objects.get(scope=province["root"]).status == "active"
    assert "18" in capsys.readouterr().out


def test_the_load_catalogue_command_refuses_an_unknown_code(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("load_catalogue", "--scope", "NOPE")


def test_loading_the_seed_over_another_active_version_replaces_it_today(
    province: Any, officer: Any
) -> None:
    from django.utils import timezone

    own = services.create_draft(province["root"], actor=officer, title="Riêng", version="R1")
    section = services.add_section(own, actor=officer, code="A", title="A")
    services.add_clause(section, actor=officer, code="A.1", short_title="A", text="A")
    services.activate(own, actor=officer)
    seed = services.load_seed_catalogue(scope=province["root"], actor=officer)
    own.refresh_from_db()
    assert seed.status == "active" and seed.effective_from == timezone.localdate()
    assert own.status == "retired"


def test_the_admin_shows_published_versions_read_only(catalogue: CodeVersion, db: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    from congvu.accounts.models import User

    admin_user = User.objects.create_superuser("root", password="pw-for-tests-123")
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:conduct_codeversion_change", args=[catalogue.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="title"' not in response.content.decode()
    draft = services.create_draft(catalogue.scope, actor=None, title="Nháp", version="N1")
    response = client.get(reverse("admin:conduct_codeversion_change", args=[draft.pk]))
    assert 'name="title"' in response.content.decode()
