"""Ratings pages for staff, heads and the province (login required)."""

from django.urls import URLPattern, path

from . import views

app_name = "feedback"
urlpatterns: list[URLPattern] = [
    path("", views.province, name="province"),
    path("org/<int:pk>/", views.organisation, name="organisation"),
    path("staff/<int:pk>/", views.staff, name="staff"),
    path("me/", views.mine, name="mine"),
    path("flagged/", views.flagged, name="flagged"),
    path("review/<int:pk>/", views.review, name="review"),
    path("review/", views.review_many, name="review_many"),
]
