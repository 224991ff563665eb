"""Ratings pages for staff, heads and the province (login required)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "feedback"
urlpatterns: list[URLPattern] = []
