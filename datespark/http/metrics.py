"""Request metrics (datespark/metrics.py) and ``/metrics``, for a Prometheus that scrapes each instance.

``/metrics`` answers only with ``Authorization: Bearer <DATESPARK_METRICS_TOKEN>``
(compared in constant time), is 404 when no token is configured, and is
denied by nginx at the edge (deploy/nginx.conf): it is scraped per instance.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from datespark import metrics
from datespark.http.errors import error_response


class MetricsMiddleware:
    """Counts and times every request by the URL pattern that answered it (``unmatched`` for a 404 path)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        # The pattern, not the path: a bounded set of labels. DRF's routes are regexes ("...progress$").
        route = match.route.replace("^", "").replace("$", "") if match is not None else "unmatched"
        metrics.HTTP_REQUESTS.labels(route, request.method, response.status_code).observe(time.perf_counter() - started)
        return response


def metrics_view(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        return error_response(404, "not_found", "Metrics are off: set DATESPARK_METRICS_TOKEN to scrape them.")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
        response = error_response(401, "authentication_failed", "A valid bearer token is needed for the metrics.")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(metrics.registry()), content_type=CONTENT_TYPE_LATEST)
