"""Admin: the rules (clocks, routing, discipline forms) are editable; cases are read-only.

Cases and their timelines change only through the services (every change is
audited, every event chained); the admin never shows the reporter's identity
or the passphrase hash, whoever is looking.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from congvu.core.admin_search import FoldedSearch

from .models import Case, CaseEvent, DisciplineDecision, DisciplineForm, RoutingRule, TrackClock


@admin.register(TrackClock)
class TrackClockAdmin(admin.ModelAdmin[TrackClock]):
    list_display = [
        "track",
        "acknowledge_days",
        "settle_days",
        "settle_in_working_days",
        "extension_days",
        "max_extensions",
        "due_soon_days",
    ]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = ["order", "name", "subject_is_leader", "organisation_kind", "track", "route_to"]
    list_filter = ["is_active", "route_to"]
    ordering = ["order", "pk"]


@admin.register(DisciplineForm)
class DisciplineFormAdmin(admin.ModelAdmin[DisciplineForm]):
    list_display = [
        "name",
        "rank",
        "limitation_years",
        "for_official",
        "for_civil_servant",
        "for_leader",
        "for_public_employee",
        "for_public_employee_manager",
        "is_active",
    ]


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(FoldedSearch, ReadOnlyAdmin):
    list_display = ["code", "track", "status", "handling_organisation", "received_at"]
    list_filter = ["status", "track", "channel"]
    search_fields = ["code"]
    # The reporter's identity and the passphrase hash are left out on purpose.
    fields = [
        "code",
        "track",
        "status",
        "outcome",
        "reject_reason",
        "channel",
        "subject_staff",
        "subject_description",
        "organisation",
        "handling_organisation",
        "main_case",
        "is_anonymous",
        "received_at",
        "acknowledge_due",
        "accepted_at",
        "settle_due",
        "extensions",
        "concluded_at",
        "closed_at",
        "identity_erased_at",
    ]


@admin.register(CaseEvent)
class CaseEventAdmin(FoldedSearch, ReadOnlyAdmin):
    list_display = ["case", "kind", "audience", "created_at"]
    list_filter = ["kind", "audience"]
    search_fields = ["case__code"]


@admin.register(DisciplineDecision)
class DisciplineDecisionAdmin(ReadOnlyAdmin):
    list_display = ["case", "staff", "form", "stage", "decision_number", "decided_on"]
    list_filter = ["stage", "form"]
