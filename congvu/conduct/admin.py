"""Admin: a read-only window on published versions; drafts stay editable.

Published versions are read-only because ratings, cases and findings cite their
clauses; the management pages (which audit every change) are the normal way to
edit a draft.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from congvu.core.admin_search import FoldedSearch

from .models import Clause, ClauseQuerySet, CodeVersion, Section


def _is_draft(obj: Any) -> bool:
    if obj is None:
        return True
    version = obj if isinstance(obj, CodeVersion) else getattr(obj, "version", None)
    if version is None and isinstance(obj, Clause):
        version = obj.section.version
    return version is None or version.status == CodeVersion.Status.DRAFT


class DraftOnlyMixin:
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class SectionInline(DraftOnlyMixin, admin.TabularInline[Section, CodeVersion]):
    model = Section
    fields = ("code", "title", "order", "is_incomplete")
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_add_permission(request, obj)


class ClauseInline(DraftOnlyMixin, admin.StackedInline[Clause, Section]):
    model = Clause
    fk_name = "section"
    fields = (
        ("code", "short_title", "parent", "order"),
        "text",
        "plain_text",
        ("applies_to", "rateable", "observable", "default_severity", "is_incomplete"),
        "keywords",
        "note",
    )
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_draft(obj) and super().has_add_permission(request, obj)


@admin.register(CodeVersion)
class CodeVersionAdmin(FoldedSearch, DraftOnlyMixin, admin.ModelAdmin[CodeVersion]):
    list_display = ("title", "version", "scope", "is_supplement", "status", "effective_from")
    list_filter = ("status", "is_supplement")
    search_fields = ("title", "version", "scope__name", "scope__code")
    fold_in_python = True  # a version a scope: a few hundred at most
    # Status changes go through services.activate/retire (one active per scope, audit).
    readonly_fields = ("status", "effective_from", "retired_on", "based_on")
    raw_id_fields = ("scope",)
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(FoldedSearch, DraftOnlyMixin, admin.ModelAdmin[Section]):
    list_display = ("code", "title", "version", "is_incomplete")
    list_filter = ("version__status",)
    search_fields = ("code", "title")
    fold_in_python = True
    raw_id_fields = ("version",)
    inlines = [ClauseInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for instance in instances:
            if isinstance(instance, Clause):
                instance.refresh_search_text()
            instance.save()
        formset.save_m2m()


@admin.register(Clause)
class ClauseAdmin(DraftOnlyMixin, admin.ModelAdmin[Clause]):
    list_display = ("code", "short_title", "section", "rateable", "observable", "applies_to")
    list_filter = ("rateable", "observable", "applies_to", "section__version__status")
    # The standards page's search (ClauseQuerySet.search): both copies, in the admin's
    # language, a query mixing the languages included.
    search_fields = ("code", "search_text", "search_text_en")
    raw_id_fields = ("section", "parent")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Clause], search_term: str
    ) -> tuple[QuerySet[Clause], bool]:
        return cast(ClauseQuerySet, queryset).search(search_term), False

    def save_model(self, request: HttpRequest, obj: Clause, form: Any, change: bool) -> None:
        obj.refresh_search_text()
        super().save_model(request, obj, form, change)
