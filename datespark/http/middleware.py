"""Request bounds, and the contract's error shape for what goes wrong outside DRF."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from datespark.http.errors import database_unavailable, error_response
from datespark.metrics import database_error_observed

logger = logging.getLogger(__name__)

# An oversized body is read and dropped up to this bound before the 413 goes
# out, so the client sees the answer instead of a reset connection.
DRAIN_LIMIT_BYTES = 16 * 1024 * 1024


def is_api_path(path: str) -> bool:
    """The JSON API: its errors are in the contract's shape, never an HTML page."""
    return path.startswith("/api/")


class RequestLimitsMiddleware:
    """Request bounds and contract-shaped errors outside DRF's own handling.

    Bodies over the bound (by Content-Length: ``API_MAX_BODY_BYTES`` for
    ``/api/``, ``PAGE_MAX_BODY_BYTES`` for page forms and uploads) get 413
    before anything parses them, so CSRF checks and upload handlers never
    read a huge body; an unavailable database anywhere is a 503.

    Django's own bound (``DATA_UPLOAD_MAX_MEMORY_SIZE``) fires only once
    something reads the body (the CSRF check reads a form's), as a generic
    400; this answers 413, in the contract's shape under /api/, before
    anything reads it.
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
        if isinstance(exception, DatabaseError):
            database_error_observed(exception)
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
