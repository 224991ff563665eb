"""Public rating pages: badge, dossier receipt, counter, kiosk, transparency."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "feedback_public"
urlpatterns: list[URLPattern] = []
