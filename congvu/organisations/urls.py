from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.detail, name="detail"),
    path("staff/", views.staff_list, name="staff_list"),
    path("me/", views.my_profile, name="my_profile"),
]
