"""The public transparency page and its open data (no login)."""

from django.urls import URLPattern, path

from . import transparency_views as views

app_name = "transparency"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("data.csv", views.csv_download, name="csv"),
    path("data.json", views.json_download, name="json"),
    path("fields/", views.fields, name="fields"),
]
