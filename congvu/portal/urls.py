from django.urls import path, re_path

from congvu.organisations import views as organisation_views

from . import views

app_name = "portal"
urlpatterns = [
    # Before the public rating and report pages (config/urls.py includes this first):
    # a public link with a slash or punctuation after its token goes to the link.
    re_path(
        r"^(?P<kind>r|d|q|kiosk|report/s)/(?P<token>[A-Za-z0-9_-]+)" + views.TRAILING + "$",
        views.tidy_link,
        name="tidy_link",
    ),
    path("r/<str:token>", organisation_views.badge_card, name="badge"),
]
