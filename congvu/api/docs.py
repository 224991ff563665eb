"""The API docs page, served entirely from our own origin.

ninja renders a CDN template unless "ninja" is an installed app, and our CSP
(`script-src 'self'`) blocks any CDN. Swagger UI's files are vendored under
static/api/swagger-ui/ (copied from django-ninja 1.7.1's own static files,
source-map comments removed so the manifest storage needs no .map files) and
the page has no inline script.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from ninja.openapi.docs import Swagger, _csrf_needed

if TYPE_CHECKING:
    from ninja import NinjaAPI


class SameOriginSwagger(Swagger):
    template = "api/swagger.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        # Rendered without the site's context processors: the page has no site
        # navigation, and it should keep working whatever the rest of the site does.
        context = {
            "swagger_settings": settings,
            "api": api,
            "csrf_token": get_token(request) if _csrf_needed(api) else "",
        }
        return HttpResponse(render_to_string(self.template, context))
