from django.contrib import admin

from .models import OrganisationReport, ReportPeriod


@admin.register(ReportPeriod)
class ReportPeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "covers_from", "covers_to", "due_on", "status")
    list_filter = ("kind", "status")
    filter_horizontal = ("reporting_kinds",)


@admin.register(OrganisationReport)
class OrganisationReportAdmin(admin.ModelAdmin):
    list_display = ("organisation_name", "period", "status", "submitted_at", "is_late")
    list_filter = ("status", "is_late", "period")
    readonly_fields = ("indicators", "submitted_at", "submitted_by", "reviewed_by", "reviewed_at")
