"""The one place the API turns exceptions into the contract's error shape (DRF's EXCEPTION_HANDLER).

Domain errors (:class:`coaching.exceptions.DomainError`) carry their code,
message and field; DRF's own exceptions (authentication, permissions,
parsing, negotiation) are named by their code; database trouble is a 503 or
a logged 500.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from coaching.exceptions import DomainError
from datespark.http.errors import ERROR_CODES, DatabaseUnavailable, database_unavailable, error_body
from datespark.metrics import database_error_observed

logger = logging.getLogger(__name__)

# A domain error's HTTP status, by its code; every other code is a 400.
DOMAIN_STATUS: dict[str, int] = {
    "authentication_failed": status.HTTP_401_UNAUTHORIZED,
    "rate_limited": status.HTTP_429_TOO_MANY_REQUESTS,
}
# DRF's codes where the contract names the error differently.
DRF_CODES: dict[str, str] = {"parse_error": "invalid_json", "throttled": "rate_limited"}


def _first_validation_error(detail: Any, prefix: str = "") -> tuple[str | None, str]:
    """The first (field path, message) in a serializer's nested error detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (name or prefix)
            return _first_validation_error(value, path)
    if isinstance(detail, list) and detail:
        for index, value in enumerate(detail):
            if value:  # nested list serializers leave {} for valid items
                nested = f"{prefix}[{index}]" if isinstance(value, dict) else prefix
                return _first_validation_error(value, nested)
    return (prefix or None), str(detail)


def _domain_error_response(exc: DomainError, context: dict[str, Any]) -> Response:
    response = Response(error_body(exc.code, exc.message, exc.field), status=DOMAIN_STATUS.get(exc.code, 400))
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        # As DRF does for its own 401s: name the scheme the view authenticates with.
        view = context.get("view")
        header = view.get_authenticate_header(context["request"]) if view is not None else None
        if header:
            response["WWW-Authenticate"] = header
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return _domain_error_response(exc, context)
    if isinstance(exc, DatabaseError):
        database_error_observed(exc)
    if database_unavailable(exc):
        logger.warning("database unavailable: %s", exc.__class__.__name__)
        exc = DatabaseUnavailable()
    elif isinstance(exc, DatabaseError):
        # A constraint or data error that validation should have caught first.
        logger.exception("database error answering %s", context.get("request"))
        return Response(error_body("server_error", ERROR_CODES["server_error"]), status=500)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first_validation_error(exc.detail)
        response.data = error_body("invalid_input", message, field)
    else:
        code = str(getattr(exc.detail, "code", "") or exc.default_code)
        code = DRF_CODES.get(code, code)
        response.data = error_body(code if code in ERROR_CODES else "invalid_input", str(exc.detail))
    return response
