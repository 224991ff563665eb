from django.urls import path

from congvu.organisations import views as organisation_views

app_name = "portal"
urlpatterns = [
    path("r/<str:token>", organisation_views.badge_card, name="badge"),
]
