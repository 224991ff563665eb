from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from congvu.core.admin_search import FoldedSearch

from .models import ApiToken, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class CongvuUserAdmin(FoldedSearch, UserAdmin):
    search_fields = ("username", "full_name", "email")
    fold_in_python = True  # as the users' list (`search_users`): thousands, no folded copy
    fieldsets = (*UserAdmin.fieldsets, ("Công vụ", {"fields": ("full_name",)}))  # type: ignore[misc]
    inlines = [RoleGrantInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_prefix", "key_hash"]
