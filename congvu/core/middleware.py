from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

from .templatetags.bilingual import for_reader


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """Remember `language` in the browser, as Django's own switch does (its settings)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the user chose English with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an
    officer on an English-language browser would get the English interface; the
    product is Vietnamese first, and the choice is the user's, kept in a cookie.

    The API is the exception: another system sets `Accept-Language` on purpose
    (a browser sets it for everyone), and it has no switch to click. Under
    `API_PREFIX`, without the cookie, the header's first language the product
    speaks is used; without either, Vietnamese.
    """

    API_PREFIX = "/api/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        api = request.path.startswith(self.API_PREFIX)
        if language not in self.languages:
            language = (api and self._asked(request)) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie", "Accept-Language") if api else ("Cookie",))
        return response

    def _asked(self, request: HttpRequest) -> str:
        """The first language of the request's Accept-Language that the product speaks."""
        header = request.headers.get("Accept-Language", "")[:200]
        for code, _quality in parse_accept_lang_header(header):
            primary = code.split("-")[0].lower()
            if primary in self.languages:
                return primary
        return ""


class RejectNullCharactersMiddleware:
    """Answer 400 to a URL or query string containing a NUL character.

    PostgreSQL cannot store or compare text with NUL bytes and raises an error
    (a 500) where SQLite quietly answers; no legitimate link contains one.
    Form bodies are left to the forms, whose fields refuse NUL with a message
    beside the field while keeping the rest of the user's input. The API is left
    to its own parser, which answers a documented 422.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    MESSAGE_VI = "Dữ liệu gửi lên chứa ký tự không hợp lệ."
    MESSAGE_EN = "The request contains an invalid character."
    HEAD = "<meta charset='utf-8'><title>400</title>"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and self._has_nul(request):
            # Answered before the language is chosen (and before the session): the
            # language switch's cookie is read here, so an English reader gets English
            # alone, as on every other error page; anyone else Vietnamese, then English.
            if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) == "en":
                page = f"<html lang='en'>{self.HEAD}<h1>{self.MESSAGE_EN}</h1>"
            else:
                page = (
                    f"<html lang='vi'>{self.HEAD}<h1>{self.MESSAGE_VI}</h1>"
                    f"<p lang='en'>{self.MESSAGE_EN}</p>"
                )
            return HttpResponseBadRequest(f"<!DOCTYPE html>{page}</html>")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path:
            return True
        return any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        )


class ApiErrorsAsJsonMiddleware:
    """Under /api/, a 404, 405 or 500 that is not JSON becomes `{"detail": "…"}`; an
    error's messages are in English alone for an English reader.

    The API's own operations answer JSON errors (congvu/api/errors.py), but an unknown
    path gets Django's 404 page, a known path with the wrong method ninja's plain-text
    405, and a crash the 500 page: HTML where a client parses JSON. The `Allow` header
    of a 405 is kept.

    Many messages are bilingual where they are made ("Chưa lưu. / Not saved."): the
    API's constants, and the errors of the services that run in the record's language
    (`cases.timeline.in_vietnamese`). A client that asked for English gets their English
    half (`for_reader`) in every error, whatever its shape: `detail`, each item's `msg`,
    a refusal's `reason`."""

    PREFIX = "/api/"
    MESSAGES = {
        404: "Không tìm thấy. / Not found.",
        405: "Phương thức không được phép. / Method not allowed.",
        500: "Lỗi máy chủ, xin thử lại sau. / Server error; please try again later.",
    }

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    #: The keys of an error's JSON that hold what a reader reads.
    READ_KEYS = frozenset({"detail", "msg", "message", "reason"})

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        message = self.MESSAGES.get(response.status_code)
        if not request.path.startswith(self.PREFIX):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return self._for_reader(response)
        if message is None:
            return response
        answer = JsonResponse({"detail": for_reader(message)}, status=response.status_code)
        for header in ("Allow", "Content-Language", "Vary"):
            if header in response:
                answer[header] = response[header]
        return answer

    def _for_reader(self, response: HttpResponse) -> HttpResponse:
        if (
            response.status_code < 400
            or response.streaming
            or not (translation.get_language() or "").startswith("en")
        ):
            return response
        try:
            answer = json.loads(response.content)
        except ValueError:
            return response
        response.content = json.dumps(self._worded(answer, read=False), ensure_ascii=False)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response

    def _worded(self, node: Any, *, read: bool) -> Any:
        if isinstance(node, dict):
            return {
                key: self._worded(value, read=key in self.READ_KEYS) for key, value in node.items()
            }
        if isinstance(node, list):
            return [self._worded(item, read=read) for item in node]
        return for_reader(node) if read and isinstance(node, str) else node


class PrivateWhenSignedInMiddleware:
    """Every answer to a signed-in user (session or API token) is `Cache-Control: private,
    no-store` — Django's `never_cache` — unless its view chose its caching itself.

    Such an answer carries personal data: the user's own name in the header of every page,
    staff members' phones and e-mails, reporters' identities (Decree 13/2023), a case
    export. Without the header a shared proxy may keep it, and the browser of a shared
    office computer keeps it on disk and shows it again on Back after the sign-out. The
    views that chose their own (the public transparency and ranking pages, rendered
    without the user, `public, max-age`) keep theirs. Answers to anonymous visitors are
    left as they are: the citizen's pages that carry a case or a receipt are `never_cache`
    each. An API client that keeps its own copy still revalidates it with `ETag` and
    `If-None-Match` (`api.versions`). After `AuthenticationMiddleware`; the API's bearer
    token sets `request.user` during the view, before this reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
