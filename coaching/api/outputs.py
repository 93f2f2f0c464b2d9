"""The API's answers, shaped explicitly: camelCase keys, timestamps spelled by coaching.formats."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from coaching.completions.selectors import Activity, CompletionState, OverallProgress, Progress, ToolProgress
from coaching.completions.services import ImportedAction
from coaching.formats import timestamp_text
from coaching.mydata.export import AccountExport


def tool_progress_data(progress: ToolProgress) -> dict[str, Any]:
    return {
        "toolName": progress.tool_name,
        "completedActions": progress.completed_actions,
        "totalActions": progress.total_actions,
        "actionsCompleted": progress.actions_completed,
        "progressPercentage": progress.progress_percentage,
        "firstCompletion": timestamp_text(progress.first_completion),
        "lastCompletion": timestamp_text(progress.last_completion),
    }


def overall_data(overall: OverallProgress) -> dict[str, Any]:
    return {
        "toolsUsed": overall.tools_used,
        "totalCompletions": overall.total_completions,
        "totalActions": overall.total_actions,
        "overallProgress": overall.overall_progress,
        "startedAt": timestamp_text(overall.started_at),
        "lastActivity": timestamp_text(overall.last_activity),
    }


def progress_data(progress: Progress) -> dict[str, Any]:
    return {"tools": [tool_progress_data(tool) for tool in progress.tools], "overall": overall_data(progress.overall)}


def completion_state_data(state: CompletionState) -> dict[str, Any]:
    return {
        "isCompleted": state.is_completed,
        "completedAt": timestamp_text(state.completed_at),
        "metadata": state.metadata,
    }


def imported_data(items: Iterable[ImportedAction]) -> list[dict[str, Any]]:
    """Per-item answers of import-legacy and batch: ``{toolName, actionName, wasNew}``."""
    return [{"toolName": i.tool_name, "actionName": i.action_name, "wasNew": i.was_new} for i in items]


def user_data(user: Any) -> dict[str, Any]:
    return {"user": {"id": user.pk, "username": user.get_username()}}


def activity_data(activity: Activity) -> dict[str, Any]:
    return {
        "tz": activity.tz,
        "days": [{"date": day.day.isoformat(), "completions": day.completions} for day in activity.days],
        "currentStreak": activity.current_streak,
        "longestStreak": activity.longest_streak,
    }


def account_export_data(export: AccountExport) -> dict[str, Any]:
    """The export download, for the API and the "Mijn gegevens" page alike. Uploads carry their bytes (base64)."""
    user = export.user
    return {
        "user": {
            "username": user.get_username(),
            "email": user.email,
            "dateJoined": timestamp_text(user.date_joined),
            "settings": {"timezone": export.timezone},
        },
        "completions": [
            {
                "toolName": c.tool_name,
                "actionName": c.action_name,
                "metadata": c.metadata,
                "completedAt": timestamp_text(c.completed_at),
            }
            for c in export.completions
        ],
        "events": [
            {"toolName": e.tool_name, "actionName": e.action_name, "kind": e.kind, "at": timestamp_text(e.at)}
            for e in export.events
        ],
        "uploads": [
            {
                "id": str(item.photo.id),
                "kind": "photo",
                "contentType": "image/jpeg",
                "width": item.photo.width,
                "height": item.photo.height,
                "uploadedAt": timestamp_text(item.photo.uploaded_at),
                "sizeBytes": len(item.content) if item.content is not None else None,
                "dataBase64": base64.b64encode(item.content).decode("ascii") if item.content is not None else None,
            }
            for item in export.photos
        ],
        # The coach tools keep no saved items of their own: what they record
        # (bio analyses, chosen platforms, plans) is each completion's metadata above.
        "saved": [],
    }
