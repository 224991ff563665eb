"""Public misconduct report form and the reporter's follow-up pages."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "cases_public"
urlpatterns: list[URLPattern] = []
