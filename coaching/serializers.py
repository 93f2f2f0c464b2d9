"""Input shapes (plain serializers: types and presence only) and output shaping.

Catalog and metadata rules live in the services; these only say what a
well-formed request looks like and how answers are spelled (camelCase).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rest_framework import serializers

from coaching import selectors
from coaching.errors import ApiError
from coaching.selectors import Activity, CompletionState, OverallProgress, Progress, ToolProgress

if TYPE_CHECKING:
    from coaching.services import ImportedAction


class StrictCharField(serializers.CharField):
    """A string, and only a string: 123 or true is a wrong type, not "123"."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# The three hot endpoints (mark-completed, progress, is-completed) take two
# or three fields. Instantiating a DRF Serializer deep-copies its fields and
# cost ~0.11 ms of a ~1.4 ms request in the benchmark, so these are read by
# plain functions with the same rules and the same error shape.
NAME_MAX_LENGTH = 50


def json_object(data: Any) -> Mapping[str, Any]:
    """The request body (or query), which must be a JSON object."""
    if not isinstance(data, Mapping):
        raise ApiError("Invalid data. Expected a JSON object.")
    return data


def name_input(data: Any, field: str, *, required: bool = True) -> str | None:
    """A tool or action name from a JSON body or query string: present, a string, 1 to 50 characters."""
    json_object(data)
    if field not in data:
        if required:
            raise ApiError("This field is required.", field=field)
        return None
    value = data.get(field)
    if not isinstance(value, str):
        raise ApiError("Must be a string.", field=field)
    if not value:
        raise ApiError("This field may not be blank.", field=field)
    if len(value) > NAME_MAX_LENGTH:
        raise ApiError(f"Ensure this field has no more than {NAME_MAX_LENGTH} characters.", field=field)
    return value


class LegacyImportInput(serializers.Serializer):
    # Any value is allowed (null included): only 'true' marks, the rest is reported as ignored.
    flags = serializers.DictField(child=serializers.JSONField(allow_null=True), allow_empty=True)


class RegisterInput(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=4096, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class LoginInput(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=4096, trim_whitespace=False)


class PasswordChangeInput(serializers.Serializer):
    oldPassword = StrictCharField(max_length=4096, trim_whitespace=False)
    newPassword = StrictCharField(max_length=4096, trim_whitespace=False)


class RefreshInput(serializers.Serializer):
    refresh = StrictCharField(max_length=4096)


def timestamp(value: datetime | None) -> str | None:
    """A timestamp as the API spells it: ISO 8601, UTC as ``Z`` (what DRF's encoder writes).

    Spelled here, so the answers hold only JSON's own types and the hot
    endpoints can encode them in C (coaching/api.py ``_rendered``).
    """
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def tool_progress_data(progress: ToolProgress) -> dict[str, Any]:
    return {
        "toolName": progress.tool_name,
        "completedActions": progress.completed_actions,
        "totalActions": progress.total_actions,
        "actionsCompleted": progress.actions_completed,
        "progressPercentage": progress.progress_percentage,
        "firstCompletion": timestamp(progress.first_completion),
        "lastCompletion": timestamp(progress.last_completion),
    }


def overall_data(overall: OverallProgress) -> dict[str, Any]:
    return {
        "toolsUsed": overall.tools_used,
        "totalCompletions": overall.total_completions,
        "totalActions": overall.total_actions,
        "overallProgress": overall.overall_progress,
        "startedAt": timestamp(overall.started_at),
        "lastActivity": timestamp(overall.last_activity),
    }


def progress_data(progress: Progress) -> dict[str, Any]:
    return {"tools": [tool_progress_data(tool) for tool in progress.tools], "overall": overall_data(progress.overall)}


def completion_state_data(state: CompletionState) -> dict[str, Any]:
    return {"isCompleted": state.is_completed, "completedAt": timestamp(state.completed_at), "metadata": state.metadata}


def imported_data(items: Iterable[ImportedAction]) -> list[dict[str, Any]]:
    """Per-item answers of import-legacy and batch: ``{toolName, actionName, wasNew}``."""
    return [{"toolName": i.tool_name, "actionName": i.action_name, "wasNew": i.was_new} for i in items]


def user_data(user: Any) -> dict[str, Any]:
    return {"user": {"id": user.pk, "username": user.get_username()}}


def activity_params(query: Mapping[str, Any]) -> tuple[int, str | None]:
    """``days`` (1 to 366, default 30) and ``tz`` (an IANA zone, or None for the user's setting)."""
    raw_days = query.get("days", "30")
    if not (isinstance(raw_days, str) and raw_days.isascii() and raw_days.isdigit() and len(raw_days) <= 3):
        raise ApiError("days must be a whole number from 1 to 366.", field="days")
    days = int(raw_days)
    if not 1 <= days <= selectors.ACTIVITY_MAX_DAYS:
        raise ApiError("days must be a whole number from 1 to 366.", field="days")
    tz = query.get("tz")
    if tz is not None and tz not in selectors.timezone_names():
        raise ApiError("tz must be an IANA timezone such as Europe/Amsterdam.", field="tz")
    return days, tz


def activity_data(activity: Activity) -> dict[str, Any]:
    return {
        "tz": activity.tz,
        "days": [{"date": day.day.isoformat(), "completions": day.completions} for day in activity.days],
        "currentStreak": activity.current_streak,
        "longestStreak": activity.longest_streak,
    }
