"""Admin for the scales (levels inline) and read-only views of counters and dossiers.

Ratings are not edited here: a flagged rating is reviewed through
`services.review_rating` (audited), from the ratings pages.
"""

from __future__ import annotations

from django.contrib import admin

from congvu.core.admin_search import FoldedSearch

from .models import Counter, Dossier, RatingScale, ScaleLevel


class ScaleLevelInline(admin.TabularInline):
    model = ScaleLevel
    extra = 0


@admin.register(RatingScale)
class RatingScaleAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_active")
    inlines = [ScaleLevelInline]


@admin.register(Counter)
class CounterAdmin(FoldedSearch, admin.ModelAdmin):
    list_display = ("name", "organisation", "opens_at", "closes_at", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    fold_in_python = True  # a counter a one-stop office: hundreds
    raw_id_fields = ("organisation", "staff")
    exclude = ("qr_token", "kiosk_token")


@admin.register(Dossier)
class DossierAdmin(FoldedSearch, admin.ModelAdmin):
    list_display = ("code", "organisation", "staff", "source", "registered_at")
    search_fields = ("code",)
    raw_id_fields = ("organisation", "counter", "staff", "registered_by")
    exclude = ("rating_token",)
