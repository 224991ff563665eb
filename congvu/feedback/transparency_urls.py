"""The public transparency page and its open data (no login)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "transparency"
urlpatterns: list[URLPattern] = []
