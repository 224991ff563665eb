"""The API mounted exactly as config/urls.py mounts it, without the rest of the site.

The API tests run against this URLconf so that they exercise only the API and
do not depend on other apps' URL modules (which may be mid-change).
"""

from django.urls import path

from congvu.api.feedback.citizens import submit_rating_view
from congvu.api.urls import api

urlpatterns = [path("api/v1/ratings", submit_rating_view), path("api/v1/", api.urls)]
