"""Public misconduct report form and the reporter's follow-up pages (no login)."""

from django.urls import URLPattern, path

from . import public_views as views

app_name = "cases_public"
urlpatterns: list[URLPattern] = [
    path("report/", views.report, name="report"),
    path("report/s/<str:badge_token>", views.report_staff, name="report_staff"),
    path("report/receipt/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("track/forget/", views.track_forget, name="track_forget"),
    path("track/link/<str:signed>", views.track_link, name="track_link"),
    path("track/<str:code>/", views.track_case, name="track_case"),
    path("track/<str:code>/files/<int:pk>", views.track_file, name="track_file"),
]
