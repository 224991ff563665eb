from django.urls import path

from . import views

app_name = "conduct"
urlpatterns = [
    path("", views.public, name="public"),
    path("manage/", views.manage, name="manage"),
]
