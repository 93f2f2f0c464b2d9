"""Input shapes (plain serializers: types and presence only) and output shaping.

Catalog and metadata rules live in the services; these only say what a
well-formed request looks like and how answers are spelled (camelCase).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from coaching.selectors import CompletionState, OverallProgress, Progress, ToolProgress


class StrictCharField(serializers.CharField):
    """A string, and only a string: 123 or true is a wrong type, not "123"."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def name_field() -> StrictCharField:
    return StrictCharField(max_length=50, trim_whitespace=False)


class MarkCompletedInput(serializers.Serializer):
    toolName = name_field()
    actionName = name_field()
    metadata = serializers.JSONField(required=False)


class ToolQueryInput(serializers.Serializer):
    toolName = name_field()


class ProgressQueryInput(serializers.Serializer):
    toolName = StrictCharField(max_length=50, required=False, trim_whitespace=False)


class IsCompletedQueryInput(serializers.Serializer):
    toolName = name_field()
    actionName = name_field()


class LegacyImportInput(serializers.Serializer):
    flags = serializers.DictField(child=serializers.JSONField(), allow_empty=True)


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


def tool_progress_data(progress: ToolProgress) -> dict[str, Any]:
    return {
        "toolName": progress.tool_name,
        "completedActions": progress.completed_actions,
        "totalActions": progress.total_actions,
        "actionsCompleted": progress.actions_completed,
        "progressPercentage": progress.progress_percentage,
        "firstCompletion": progress.first_completion,
        "lastCompletion": progress.last_completion,
    }


def overall_data(overall: OverallProgress) -> dict[str, Any]:
    return {
        "toolsUsed": overall.tools_used,
        "totalCompletions": overall.total_completions,
        "totalActions": overall.total_actions,
        "overallProgress": overall.overall_progress,
        "startedAt": overall.started_at,
        "lastActivity": overall.last_activity,
    }


def progress_data(progress: Progress) -> dict[str, Any]:
    return {"tools": [tool_progress_data(tool) for tool in progress.tools], "overall": overall_data(progress.overall)}


def completion_state_data(state: CompletionState) -> dict[str, Any]:
    return {"isCompleted": state.is_completed, "completedAt": state.completed_at, "metadata": state.metadata}


def user_data(user: Any) -> dict[str, Any]:
    return {"user": {"id": user.pk, "username": user.get_username()}}
