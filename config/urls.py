from django.contrib import admin
from django.urls import include, path

from congvu.api.feedback.citizens import submit_rating_view
from congvu.api.urls import api
from congvu.core.views import set_language

urlpatterns = [
    # First: Django tries the patterns in order, and the public rating API is the hot
    # path (resolving it after every app's patterns cost ~75 µs a request, and among
    # the API's own ~60 patterns ~40 µs).
    path("api/v1/ratings", submit_rating_view),
    path("api/v1/", api.urls),
    path("", include("congvu.core.urls")),
    path("accounts/", include("congvu.accounts.urls")),
    path("accounts/", include("congvu.accounts.passkey_urls")),
    path("org/import/", include("congvu.organisations.import_urls")),
    path("org/", include("congvu.organisations.urls")),
    path("standards/", include("congvu.conduct.urls")),
    path("plans/", include("congvu.planning.urls")),
    path("assignments/", include("congvu.planning.progress_urls")),
    path("dashboard/", include("congvu.planning.dashboard_urls")),
    path("dissemination/", include("congvu.planning.dissemination_urls")),
    path("reports/", include("congvu.reporting.urls")),
    path("notifications/", include("congvu.core.notification_urls")),
    path("ratings/manage/", include("congvu.feedback.registration_urls")),
    path("ratings/", include("congvu.feedback.urls")),
    path("transparency/", include("congvu.feedback.transparency_urls")),
    path("cases/", include("congvu.cases.urls")),
    path("inspections/", include("congvu.inspections.urls")),
    path("scoring/", include("congvu.scoring.urls")),
    path("rankings/", include("congvu.scoring.public_urls")),
    path("audit/", include("congvu.audit.urls")),
    # The portal's patterns first: they tidy public links before the pages read them.
    path("", include("congvu.portal.urls")),
    path("", include("congvu.feedback.public_urls")),
    path("", include("congvu.cases.public_urls")),
    path("open311/v2/", include("congvu.cases.open311_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

handler400 = "congvu.core.views.bad_request"
handler403 = "congvu.core.views.permission_denied"
handler404 = "congvu.core.views.page_not_found"
handler500 = "congvu.core.views.server_error"
