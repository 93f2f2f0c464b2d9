"""The contract's error shape: ``{success: false, error: {code, message, field?}}``.

Services raise :class:`ApiError` subclasses; DRF views hand every exception to
:func:`api_exception_handler`, and :mod:`coaching.middleware` covers what
happens outside DRF (unknown paths, oversized bodies, crashes).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)

# Every code a client can see, for the OpenAPI schema and the docs.
ERROR_CODES: dict[str, str] = {
    "invalid_json": "The body does not parse as strict JSON (bad syntax, 1e400, lone surrogates, NUL, deep nesting).",
    "invalid_input": "A field is missing, has the wrong type or is out of range.",
    "unknown_tool": "toolName is not in the catalog.",
    "unknown_action": "actionName is not an action of that tool.",
    "invalid_metadata": "metadata is not an object, or is over 4 KiB or 8 levels deep.",
    "username_taken": "That username is already registered.",
    "invalid_password": "The password does not meet the password rules, or the old password is wrong.",
    "not_authenticated": "No credentials were sent.",
    "authentication_failed": "Wrong username or password, or a malformed, expired or revoked token.",
    "csrf_failed": "A cookie-authenticated unsafe request without a matching X-CSRFToken header.",
    "permission_denied": "Authenticated, but not allowed.",
    "not_found": "No such path.",
    "method_not_allowed": "The path does not take that method.",
    "payload_too_large": "The body is over the server's bound.",
    "unsupported_media_type": "The body is not application/json.",
    "not_acceptable": "The Accept header rules out JSON.",
    "rate_limited": "Too many attempts; wait Retry-After seconds.",
    "database_unavailable": "The database is unavailable; retry shortly.",
    "server_error": "An unexpected error; it has been logged.",
}


class ApiError(exceptions.APIException):
    """A client error with a stable code and, where it helps, the offending field."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_input"
    default_detail = "Invalid input."

    def __init__(self, message: str | None = None, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(detail=message or self.default_detail, code=code or self.default_code)
        self.error_code = code or self.default_code
        self.field = field


class PayloadTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


class RateLimited(ApiError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"
    default_detail = "Too many attempts. Try again later."

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = max(1, int(retry_after))


class DatabaseUnavailable(ApiError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "database_unavailable"
    default_detail = "The database is unavailable. Please retry shortly."


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return {"success": False, "error": error}


def error_response(status_code: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, field), status=status_code)


_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.ParseError: "invalid_json",
    exceptions.Throttled: "rate_limited",
}


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


# SQLSTATEs that mean "the database cannot take this now", not "the request is wrong":
# a read-only database or replica, disk full, out of memory, too many connections.
UNAVAILABLE_SQLSTATES = {"25006", "53100", "53200", "53300", "57P01", "57P03"}


def database_unavailable(exc: BaseException) -> bool:
    """Whether a database exception means the database is away or cannot write: a 503, not a 500."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DatabaseError) and getattr(exc.__cause__, "sqlstate", None) in UNAVAILABLE_SQLSTATES


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
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

    # Imported here: rest_framework.views loads the authentication classes, which import this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, ApiError):
        body = error_body(exc.error_code, str(exc.detail), exc.field)
    elif isinstance(exc, exceptions.ValidationError):
        field, message = _first_validation_error(exc.detail)
        body = error_body("invalid_input", message, field)
    else:
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "invalid_input")
        body = error_body(code, str(exc.detail))
    response.data = body
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


class Unauthorized(ApiError, exceptions.AuthenticationFailed):
    """401 with the contract's shape; DRF adds WWW-Authenticate from the view's authenticator."""

    status_code: int = status.HTTP_401_UNAUTHORIZED
    default_code = "authentication_failed"
    default_detail = "Wrong or missing credentials."
