"""``/api/tool-completion/``: mark, read, import, batch, reset and activity. Every query is scoped to the caller."""

from __future__ import annotations

from typing import Any, cast

from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from coaching.api import schema
from coaching.api.base import ApiViewSet, request_user, request_user_id
from coaching.api.inputs import (
    ActionQuery,
    BatchInput,
    LegacyImportInput,
    MarkInput,
    ResetInput,
    ToolQuery,
    activity_params,
    validated,
)
from coaching.api.outputs import (
    activity_data,
    completion_state_data,
    imported_data,
    progress_data,
    tool_progress_data,
)
from coaching.api.schema import documented
from coaching.completions import selectors, services
from coaching.completions.batch import completion_batch
from coaching.completions.validation import action_validate, tool_get_or_error
from coaching.mydata.preferences import user_timezone


class ToolCompletionViewSet(ApiViewSet):
    @documented(
        summary="Mark an action completed (idempotent)",
        request=schema.MarkIn,
        ok=schema.MarkOut,
        error_codes=schema.WRITE_ERRORS,
    )
    @action(detail=False, methods=["post"], url_path="mark-completed")
    def mark_completed(self, request: Request) -> Response:
        data = validated(MarkInput, request.data)
        result = services.completion_mark(
            user_id=request_user_id(request),
            tool_name=data["toolName"],
            action_name=data["actionName"],
            metadata=data.get("metadata"),
        )
        return Response({"success": True, "wasNew": result.was_new, "progress": tool_progress_data(result.progress)})

    @documented(
        summary="Progress per tool and overall",
        ok=schema.ProgressOut,
        error_codes=schema.READ_ERRORS,
        parameters=[schema.TOOL_QUERY],
    )
    @action(detail=False, methods=["get"])
    def progress(self, request: Request) -> Response:
        tool_name = validated(ToolQuery, request.query_params.dict()).get("toolName")
        if tool_name is not None:
            tool_get_or_error(tool_name)
        progress = selectors.progress_get(user_id=request_user_id(request), tool_name=tool_name)
        return Response(progress_data(progress))

    @documented(
        summary="Whether one action is completed",
        ok=schema.IsCompletedOut,
        error_codes=schema.READ_ERRORS,
        parameters=[schema.TOOL_QUERY_REQUIRED, schema.ACTION_QUERY],
    )
    @action(detail=False, methods=["get"], url_path="is-completed")
    def is_completed(self, request: Request) -> Response:
        query = validated(ActionQuery, request.query_params.dict())
        tool = tool_get_or_error(query["toolName"])
        action_name = action_validate(tool, query["actionName"])
        state = selectors.completion_state_get(
            user_id=request_user_id(request), tool_name=tool.name, action_name=action_name
        )
        return Response(completion_state_data(state))

    @documented(
        summary="Move old localStorage flags in",
        request=schema.ImportIn,
        ok=schema.ImportOut,
        error_codes=schema.WRITE_ERRORS,
    )
    @action(detail=False, methods=["post"], url_path="import-legacy")
    def import_legacy(self, request: Request) -> Response:
        data = validated(LegacyImportInput, request.data)
        result = services.legacy_import(user_id=request_user_id(request), flags=data["flags"])
        return Response({"success": True, "imported": imported_data(result.imported), "ignored": result.ignored})

    @documented(
        summary="Mark a batch of completions (offline clients): all or nothing",
        request=schema.BatchIn,
        ok=schema.BatchOut,
        error_codes=schema.WRITE_ERRORS,
    )
    @action(detail=False, methods=["post"])
    def batch(self, request: Request) -> Response:
        data = validated(BatchInput, request.data)
        user = cast(Any, request_user(request))
        result = completion_batch(user_id=user.pk, date_joined=user.date_joined, items=data["completions"])
        return Response(
            {"success": True, "results": imported_data(result.results), "progress": progress_data(result.progress)}
        )

    @documented(
        summary="Undo: remove one action's completion, or the whole tool's",
        request=schema.ResetIn,
        ok=schema.ResetOut,
        error_codes=schema.WRITE_ERRORS,
    )
    @action(detail=False, methods=["post"])
    def reset(self, request: Request) -> Response:
        data = validated(ResetInput, request.data)
        result = services.completion_reset(
            user_id=request_user_id(request), tool_name=data["toolName"], action_name=data.get("actionName")
        )
        return Response({"success": True, "removed": result.removed, "progress": tool_progress_data(result.progress)})

    @documented(
        summary="Completions per local day, and the streaks",
        ok=schema.ActivityOut,
        error_codes=schema.READ_ERRORS,
        parameters=[schema.DAYS_QUERY, schema.TZ_QUERY],
    )
    @action(detail=False, methods=["get"])
    def activity(self, request: Request) -> Response:
        days, tz = activity_params(request.query_params)
        user_id = request_user_id(request)
        activity = selectors.activity_get(user_id=user_id, tz=tz or user_timezone(user_id=user_id), days=days)
        return Response(activity_data(activity))
