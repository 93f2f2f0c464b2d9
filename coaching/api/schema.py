"""OpenAPI documentation of the API (drf-spectacular): shapes, error codes, authentication.

These serializers describe answers for the schema only; the views shape their
answers with the functions in coaching/api/outputs.py.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from coaching import catalog
from coaching.timezones import timezone_names
from datespark.http.errors import ERROR_CODES

ACTION_NAMES = sorted({action for tool in catalog.TOOLS for action in tool.action_names})


class ErrorDetail(serializers.Serializer):
    code = serializers.ChoiceField(choices=sorted(ERROR_CODES), help_text="A stable lower_snake_case word.")
    message = serializers.CharField()
    field = serializers.CharField(required=False, help_text="The offending field, e.g. completions[3].actionName.")


class ErrorBody(serializers.Serializer):
    success = serializers.BooleanField(default=False)
    error = ErrorDetail()


class ToolProgressOut(serializers.Serializer):
    toolName = serializers.ChoiceField(choices=list(catalog.TOOL_NAMES))
    completedActions = serializers.IntegerField(min_value=0)
    totalActions = serializers.IntegerField(min_value=1)
    actionsCompleted = serializers.ListField(child=serializers.CharField())
    progressPercentage = serializers.FloatField(min_value=0, max_value=100)
    firstCompletion = serializers.DateTimeField(allow_null=True)
    lastCompletion = serializers.DateTimeField(allow_null=True)


class OverallOut(serializers.Serializer):
    toolsUsed = serializers.IntegerField(min_value=0)
    totalCompletions = serializers.IntegerField(min_value=0)
    totalActions = serializers.IntegerField(min_value=1)
    overallProgress = serializers.FloatField(min_value=0, max_value=100)
    startedAt = serializers.DateTimeField(allow_null=True)
    lastActivity = serializers.DateTimeField(allow_null=True)


class MarkIn(serializers.Serializer):
    toolName = serializers.ChoiceField(choices=list(catalog.TOOL_NAMES))
    actionName = serializers.ChoiceField(choices=ACTION_NAMES, help_text="An action of that tool (see the catalog).")
    metadata = serializers.DictField(
        required=False, allow_null=True, help_text="At most 4 KiB as compact UTF-8 JSON, 8 levels deep; null: none."
    )


class MarkOut(serializers.Serializer):
    success = serializers.BooleanField()
    wasNew = serializers.BooleanField()
    progress = ToolProgressOut()


class ProgressOut(serializers.Serializer):
    tools = ToolProgressOut(many=True)
    overall = OverallOut()


class IsCompletedOut(serializers.Serializer):
    isCompleted = serializers.BooleanField()
    completedAt = serializers.DateTimeField(allow_null=True)
    metadata = serializers.DictField()


class ImportIn(serializers.Serializer):
    flags = serializers.DictField(
        child=serializers.JSONField(), help_text="Old localStorage keys (at most 100); only the value 'true' counts."
    )


class ImportedOut(serializers.Serializer):
    toolName = serializers.CharField()
    actionName = serializers.CharField()
    wasNew = serializers.BooleanField()


class ImportOut(serializers.Serializer):
    success = serializers.BooleanField()
    imported = ImportedOut(many=True)
    ignored = serializers.ListField(child=serializers.CharField())


class UserOut(serializers.Serializer):
    class Inner(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()

    user = Inner()


class RegisterIn(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField()
    # Empty is accepted (no address), so no "format: email" here: a schema cannot say "an email or empty".
    email = serializers.CharField(
        required=False, allow_blank=True, max_length=254, help_text="An e-mail address, or empty for none."
    )


class LoginIn(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField()


class PasswordIn(serializers.Serializer):
    oldPassword = serializers.CharField()
    newPassword = serializers.CharField()


class TokenPairOut(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshIn(serializers.Serializer):
    refresh = serializers.CharField()


class BatchItemIn(serializers.Serializer):
    toolName = serializers.ChoiceField(choices=list(catalog.TOOL_NAMES))
    actionName = serializers.ChoiceField(choices=ACTION_NAMES, help_text="An action of that tool (see the catalog).")
    metadata = serializers.DictField(required=False, allow_null=True, help_text="As for mark-completed.")
    completedAt = serializers.DateTimeField(
        required=False,
        help_text="When it happened: ISO-8601 with a timezone, at most 5 minutes ahead, not before the account.",
    )


class BatchIn(serializers.Serializer):
    completions = BatchItemIn(many=True, min_length=1, max_length=100)  # type: ignore[call-arg]


class BatchOut(serializers.Serializer):
    success = serializers.BooleanField()
    results = ImportedOut(many=True)
    progress = ProgressOut()


class ResetIn(serializers.Serializer):
    toolName = serializers.ChoiceField(choices=list(catalog.TOOL_NAMES))
    actionName = serializers.ChoiceField(
        choices=ACTION_NAMES, required=False, help_text="Absent: every completion of the tool."
    )


class ResetOut(serializers.Serializer):
    success = serializers.BooleanField()
    removed = serializers.IntegerField(min_value=0)
    progress = ToolProgressOut()


class ActivityDayOut(serializers.Serializer):
    date = serializers.DateField()
    completions = serializers.IntegerField(min_value=0)


class ActivityOut(serializers.Serializer):
    tz = serializers.CharField()
    days = ActivityDayOut(many=True)
    currentStreak = serializers.IntegerField(min_value=0)
    longestStreak = serializers.IntegerField(min_value=0)


class ExportOut(serializers.Serializer):
    class ExportUser(serializers.Serializer):
        username = serializers.CharField()
        email = serializers.CharField()
        dateJoined = serializers.DateTimeField()
        settings = serializers.DictField()

    user = ExportUser()
    completions = serializers.ListField(child=serializers.DictField())
    events = serializers.ListField(child=serializers.DictField())
    uploads = serializers.ListField(child=serializers.DictField())
    saved = serializers.ListField(child=serializers.DictField())


class DeleteIn(serializers.Serializer):
    password = serializers.CharField()


class InitOut(serializers.Serializer):
    tablesCreated = serializers.ListField(child=serializers.CharField())
    viewsCreated = serializers.ListField(child=serializers.CharField())
    functionsCreated = serializers.ListField(child=serializers.CharField())
    present = serializers.ListField(child=serializers.CharField())


ERROR_TEXT = {
    400: "Bad input (see error.code and error.field); nothing written.",
    401: "No, or a bad, expired or revoked token.",
    403: "CSRF check failed (cookie auth) or not allowed.",
    406: "The Accept header rules out JSON.",
    413: "The body is over the server's bound.",
    415: "The body is not application/json.",
    429: "Rate limited; see Retry-After.",
    503: "The database is unavailable; retry.",
}


def errors(*codes: int) -> dict[int, Any]:
    return {code: OpenApiResponse(ErrorBody, description=ERROR_TEXT[code]) for code in codes}


def documented(
    *, summary: str, ok: Any, status: int = 200, request: Any = None, error_codes: tuple[int, ...], **extra: Any
) -> Any:
    """extend_schema with the contract's success answer and error answers."""
    return extend_schema(summary=summary, request=request, responses={status: ok, **errors(*error_codes)}, **extra)


TOOL_QUERY = OpenApiParameter("toolName", str, enum=list(catalog.TOOL_NAMES))
TOOL_QUERY_REQUIRED = OpenApiParameter("toolName", str, enum=list(catalog.TOOL_NAMES), required=True)
ACTION_QUERY = OpenApiParameter("actionName", str, enum=ACTION_NAMES, required=True)
DAYS_QUERY = OpenApiParameter(
    "days", {"type": "integer", "minimum": 1, "maximum": 366, "default": 30}, description="1 to 366 (default 30)."
)
TZ_QUERY = OpenApiParameter(
    "tz",
    {"type": "string", "enum": sorted(timezone_names())},
    description="An IANA zone (default: the user's timezone setting, Europe/Amsterdam until changed).",
)

# Every write answers these too: a non-JSON body, an oversized body, CSRF with cookie auth, a database outage.
WRITE_ERRORS = (400, 401, 403, 406, 413, 415, 503)
READ_ERRORS = (400, 401, 406, 503)


class JWTCookieScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "coaching.accounts.authentication.JWTCookieAuthentication"
    name = ["bearerAuth", "cookieAuth"]

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[str]]]:
        return [{"bearerAuth": []}, {"cookieAuth": []}]  # either one

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, Any]]:
        return [
            {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            {
                "type": "apiKey",
                "in": "cookie",
                "name": "datespark_auth_token",
                "description": "Set by login/register; unsafe methods also need X-CSRFToken = the csrftoken cookie.",
            },
        ]
