"""The audit log's pages (AUDIT_VIEW)."""

from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("export.csv", views.event_csv, name="csv"),
    path("verify/", views.verify_now, name="verify"),
    path("<int:pk>/", views.event_detail, name="detail"),
]
