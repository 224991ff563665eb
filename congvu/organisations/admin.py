from django.contrib import admin

from congvu.core.admin_search import FoldedSearch

from .models import (
    Organisation,
    OrganisationKind,
    OrganisationVersion,
    StaffAssignment,
    StaffMember,
)


@admin.register(OrganisationKind)
class OrganisationKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "is_division", "order"]
    list_editable = ["order"]


class OrganisationVersionInline(admin.TabularInline):
    model = OrganisationVersion
    fk_name = "organisation"
    extra = 0
    readonly_fields = ["name", "short_name", "kind", "parent", "valid_from", "valid_to"]
    can_delete = False


@admin.register(Organisation)
class OrganisationAdmin(FoldedSearch, admin.ModelAdmin):
    # Structural changes (merge, split, move…) go through the audited pages, not here.
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["code", "search_text"]
    folded_search_fields = ["search_text"]
    readonly_fields = ["parent", "successor", "path", "depth", "valid_from", "valid_to"]
    inlines = [OrganisationVersionInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(StaffMember)
class StaffMemberAdmin(FoldedSearch, admin.ModelAdmin):
    list_display = ["full_name", "staff_code", "category", "organisation", "is_active"]
    list_filter = ["category", "is_active", "is_leader"]
    search_fields = ["staff_code", "search_name"]
    folded_search_fields = ["search_name"]
    raw_id_fields = ["organisation", "division", "user"]
    readonly_fields = ["badge_token"]


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ["staff", "organisation", "position_title", "valid_from", "valid_to"]
    raw_id_fields = ["staff", "organisation", "division"]
