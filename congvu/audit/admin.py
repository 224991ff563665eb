from django.contrib import admin
from django.http import HttpRequest

from congvu.core.admin_search import FoldedSearch

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(FoldedSearch, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    # `search_text` holds the summary and the object's id folded: "voi vinh" finds
    # "vòi vĩnh", "duc" finds "Đức", without folding a table of millions in Python.
    search_fields = ["search_text"]
    folded_search_fields = ["search_text"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
