from django.contrib import admin

from .models import WorkingDayOverride


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "reason"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
