"""Open311 GeoReport v2 (services = report categories, requests = cases), JSON and XML."""

from django.urls import URLPattern, re_path

from . import open311

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns: list[URLPattern] = [
    re_path(r"^discovery" + FMT, open311.discovery, name="discovery"),
    re_path(r"^services" + FMT, open311.service_list, name="services"),
    # Service codes are clause codes with dots ("II.1.c"): the format is the last suffix.
    re_path(
        r"^services/(?P<service_code>[^/]{1,40})" + FMT, open311.service_definition, name="service"
    ),
    re_path(r"^requests" + FMT, open311.requests_, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]{1,40})" + FMT,
        open311.request_detail,
        name="request",
    ),
    re_path(r"^tokens/(?P<token>[^/]{1,100})" + FMT, open311.token, name="token"),
    re_path(r"^(?P<rest>.*)$", open311.not_found, name="not_found"),
]
