"""Public rating pages: dossier receipt, counter, kiosk, thank-you pages.

The badge card's form is on `/r/<token>` (`portal:badge`, organisations.views.badge_card).
"""

from django.urls import URLPattern, path

from . import public_views as views

app_name = "feedback_public"
urlpatterns: list[URLPattern] = [
    path("d/<str:token>", views.dossier, name="dossier"),
    path("q/<str:token>", views.counter, name="counter"),
    path("kiosk/<str:token>", views.kiosk, name="kiosk"),
    path("kiosk/<str:token>/thanks", views.kiosk_thanks, name="kiosk_thanks"),
    path("thanks/<uuid:submission_id>", views.thanks, name="thanks"),
]
