"""The public rankings (no login)."""

from django.urls import path

from . import public_views

app_name = "rankings"
urlpatterns = [
    path("", public_views.index, name="index"),
    path("<int:pk>/", public_views.detail, name="detail"),
    path("<int:pk>.csv", public_views.csv_download, name="csv"),
    path("<int:pk>.json", public_views.json_download, name="json"),
    path("<int:pk>.pdf", public_views.pdf_download, name="pdf"),
    path("<int:pk>/pdf/<int:export>/", public_views.pdf_export, name="pdf_export"),
    path("<int:pk>/pdf/<int:export>/file", public_views.pdf_export_file, name="pdf_export_file"),
]
