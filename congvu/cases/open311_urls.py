"""Open311 GeoReport v2 (services = report categories, requests = cases), JSON and XML."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "open311"
urlpatterns: list[URLPattern] = []
