from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class CongvuUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Công vụ", {"fields": ("full_name",)}))  # type: ignore[misc]
    inlines = [RoleGrantInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_prefix", "key_hash"]
