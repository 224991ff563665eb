"""Case handling pages (login required)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "cases"
urlpatterns: list[URLPattern] = []
