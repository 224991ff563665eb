"""Admin: inspections are read-only here; they change only through the services (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from congvu.core.admin_search import FoldedSearch

from .models import CorrectiveAction, Inspection, InspectionFile, Observation


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Inspection)
class InspectionAdmin(FoldedSearch, ReadOnly, admin.ModelAdmin[Inspection]):
    list_display = ["code", "organisation", "kind", "status", "planned_on", "lead"]
    list_filter = ["status", "kind"]
    search_fields = ["code", "organisation__search_text"]
    folded_search_fields = ["organisation__search_text"]


@admin.register(Observation)
class ObservationAdmin(ReadOnly, admin.ModelAdmin[Observation]):
    list_display = ["inspection", "clause", "result", "case"]
    list_filter = ["result"]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadOnly, admin.ModelAdmin[CorrectiveAction]):
    list_display = ["observation", "due_on", "status", "done_at"]
    list_filter = ["status"]


@admin.register(InspectionFile)
class InspectionFileAdmin(ReadOnly, admin.ModelAdmin[InspectionFile]):
    list_display = ["original_name", "observation", "corrective_action", "size", "uploaded_at"]
    exclude = ["file"]  # served only through the access-checked views
