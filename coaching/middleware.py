from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from coaching.authentication import user_for_token
from coaching.errors import database_unavailable, error_response

logger = logging.getLogger(__name__)

# An oversized body is read and dropped up to this bound before the 413 goes
# out, so the client sees the answer instead of a reset connection.
DRAIN_LIMIT_BYTES = 16 * 1024 * 1024


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def is_json_path(path: str) -> bool:
    """The JSON API and the health probes: no pages, no translations."""
    return path.startswith("/api/") or path in ("/healthz", "/readyz")


class PageLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware for the (Dutch) pages only.

    JSON answers are in English without negotiation (which cost ~50 µs of
    every API request in the benchmark); /healthz skips it too, so the floor
    the API is measured against gets the same saving.
    """

    def process_request(self, request: HttpRequest) -> None:
        if is_json_path(request.path_info):
            # API messages (DRF's included) are in English, whatever the site's language.
            translation.activate("en")
        else:
            super().process_request(request)

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if is_json_path(request.path_info):
            return response
        return super().process_response(request, response)  # type: ignore[arg-type]


class PagesOnlyMixin:
    """Runs a Django middleware's ``process_request`` for the pages only.

    The JSON API authenticates every request by its token (DRF's
    ``request.user``) and its answers never carry a flash message, so on
    JSON paths (the health probes included) sessions, Django's
    authentication and messages set nothing up: no ``request.session``, no
    ``request.user`` until DRF authenticates, no message storage. That saves
    ~100,000 CPU instructions of every such request (docs/PERFORMANCE.md).
    Django's own ``process_response`` methods already skip a request
    without a session or message storage.
    """

    def process_request(self, request: HttpRequest) -> None:
        if not is_json_path(request.path_info):
            super().process_request(request)  # type: ignore[misc]


class PageSessionMiddleware(PagesOnlyMixin, SessionMiddleware):
    pass


class PageAuthenticationMiddleware(PagesOnlyMixin, AuthenticationMiddleware):
    pass


class PageMessageMiddleware(PagesOnlyMixin, MessageMiddleware):
    pass


class RequestLimitsMiddleware:
    """Request bounds and contract-shaped errors outside DRF's own handling.

    Bodies over the bound (by Content-Length: ``API_MAX_BODY_BYTES`` for
    ``/api/``, ``PAGE_MAX_BODY_BYTES`` for page forms and uploads) get 413
    before anything parses them, so CSRF checks and upload handlers never
    read a huge body; an unavailable database anywhere is a 503.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = is_api_path(request.path_info)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            if api:
                return error_response(400, "invalid_input", "Content-Length is not a number.")
            return HttpResponse("Ongeldige Content-Length.", status=400, content_type="text/plain; charset=utf-8")
        limit = settings.API_MAX_BODY_BYTES if api else settings.PAGE_MAX_BODY_BYTES
        if length > limit:
            self._drain(request, length)
            if api:
                return error_response(413, "payload_too_large", f"The request body is over {limit} bytes.")
            return render(request, "413.html", {"limit_mb": limit // (1024 * 1024)}, status=413)
        return self.get_response(request)

    @staticmethod
    def _drain(request: HttpRequest, length: int) -> None:
        stream = request.META.get("wsgi.input")
        remaining = min(length, DRAIN_LIMIT_BYTES)
        try:
            while remaining > 0 and stream is not None:
                chunk = stream.read(min(65536, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
        except OSError:
            pass

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            logger.warning("database unavailable answering %s", request.path_info)
            if is_api_path(request.path_info):
                return error_response(503, "database_unavailable", "The database is unavailable. Please retry shortly.")
            return HttpResponse(
                "<!doctype html><title>Even geduld</title><h1>DateSpark is even niet bereikbaar</h1>"
                "<p>Probeer het over een paar tellen opnieuw.</p>",
                status=503,
            )
        return None


def _cookie_user(request: HttpRequest, fallback: object) -> object:
    raw = request.COOKIES.get(settings.AUTH_COOKIE_NAME)
    if raw:
        result = user_for_token(raw)
        if result is not None:
            return result[0]
        return AnonymousUser()
    return fallback


class JWTCookieUserMiddleware:
    """Pages authenticate with the same cookie as the API (lazily: no query unless used)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_path(request.path_info):
            fallback = getattr(request, "user", AnonymousUser())
            request.user = SimpleLazyObject(lambda: _cookie_user(request, fallback))  # type: ignore[assignment]
        return self.get_response(request)


# Every script and stylesheet is our own static file (htmx from django-htmx,
# no inline code; htmx's inline indicator styles are switched off in
# _base.html), so the pages run under a strict policy. JSON answers get the
# strictest one.
PAGE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The Django admin's templates and the API docs page (Swagger UI) carry inline styles.
ADMIN_CSP = PAGE_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
JSON_CSP = "default-src 'none'; frame-ancestors 'none'"


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy header on every response (Django 5.2 has none built in)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            path = request.path_info
            if is_json_path(path):
                response["Content-Security-Policy"] = JSON_CSP
            elif path.startswith(("/admin/", "/docs/api/")):
                response["Content-Security-Policy"] = ADMIN_CSP
            else:
                response["Content-Security-Policy"] = PAGE_CSP
        return response
