from django.contrib import admin
from django.http import HttpRequest

from congvu.core.admin_search import FoldedSearch

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(FoldedSearch, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["summary", "object_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
