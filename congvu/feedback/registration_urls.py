"""Dossier registration (form and Excel upload) and one-stop counters (login required)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "feedback_manage"
urlpatterns: list[URLPattern] = []
