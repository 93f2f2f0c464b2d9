"""The contract's error shape: ``{success: false, error: {code, message, field?}}``.

Every code a client can see is listed here. The API's exception handler
(coaching/api/errors.py) and the plumbing outside DRF (unknown paths,
oversized bodies, an unavailable database: :mod:`datespark.http.middleware`
and :mod:`datespark.http.error_views`) answer in this shape.
"""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import JsonResponse
from rest_framework import exceptions, status

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
    "bad_gateway": "The balancer (nginx, deploy/nginx.conf) reached no app instance; retry shortly.",
    "gateway_timeout": "The balancer's wait for the app ran out; the request may have been applied, so retry it.",
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return {"success": False, "error": error}


def error_response(status_code: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, field), status=status_code)


class InvalidJSON(exceptions.ParseError):
    default_code = "invalid_json"
    default_detail = "The request body is not valid JSON."


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "database_unavailable"
    default_detail = "The database is unavailable. Please retry shortly."


# SQLSTATEs that mean "the database cannot take this now", not "the request is wrong":
# a read-only database or replica, disk full, out of memory, too many connections.
UNAVAILABLE_SQLSTATES = {"25006", "53100", "53200", "53300", "57P01", "57P03"}


def database_unavailable(exc: BaseException) -> bool:
    """Whether a database exception means the database is away or cannot write: a 503, not a 500."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DatabaseError) and getattr(exc.__cause__, "sqlstate", None) in UNAVAILABLE_SQLSTATES
