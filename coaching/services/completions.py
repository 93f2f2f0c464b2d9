"""Marking completions: catalog and metadata validation, the one-round-trip mark, the legacy import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.db import connections
from django.utils import timezone
from psycopg.types.json import Jsonb

from coaching import catalog, selectors
from coaching.catalog import Tool
from coaching.errors import ApiError, Unauthorized
from coaching.selectors import ToolProgress
from coaching.signals import completion_changed_send
from coaching.tokens import CHECK_SQL, TokenCheck, check_params

METADATA_MAX_BYTES = 4096
METADATA_MAX_DEPTH = 8
LEGACY_MAX_KEYS = 100


class UnknownTool(ApiError):
    default_code = "unknown_tool"
    default_detail = "Unknown toolName."


class UnknownAction(ApiError):
    default_code = "unknown_action"
    default_detail = "Unknown actionName for this tool."


class InvalidMetadata(ApiError):
    default_code = "invalid_metadata"
    default_detail = "metadata must be a JSON object."


@dataclass(frozen=True)
class MarkResult:
    was_new: bool
    progress: ToolProgress


@dataclass(frozen=True)
class ImportedAction:
    tool_name: str
    action_name: str
    was_new: bool


@dataclass(frozen=True)
class ImportResult:
    imported: list[ImportedAction]
    ignored: list[str]


def tool_get_or_error(tool_name: Any, *, field: str = "toolName") -> Tool:
    tool = catalog.get_tool(tool_name) if isinstance(tool_name, str) else None
    if tool is None:
        raise UnknownTool(
            f"Unknown toolName {tool_name!r}; expected one of {', '.join(catalog.TOOL_NAMES)}.", field=field
        )
    return tool


def action_validate(tool: Tool, action_name: Any, *, field: str = "actionName") -> str:
    if not isinstance(action_name, str) or not tool.has_action(action_name):
        raise UnknownAction(
            f"Unknown actionName {action_name!r} for {tool.name}; expected one of {', '.join(tool.action_names)}.",
            field=field,
        )
    return action_name


def _depth(value: Any) -> int:
    """Container nesting depth, iteratively: {} is 1, {"a": {}} is 2."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def metadata_validate(metadata: Any, *, field: str = "metadata") -> dict[str, Any]:
    """An object, at most 4 KiB as compact UTF-8 JSON and at most 8 levels deep."""
    metadata_json(metadata, field=field)
    return metadata or {}


def metadata_json(metadata: Any, *, field: str = "metadata") -> str:
    """Validated metadata (see :func:`metadata_validate`) as the compact JSON text that is stored."""
    if metadata is None:
        return "{}"
    if not isinstance(metadata, dict):
        raise InvalidMetadata("metadata must be a JSON object.", field=field)
    if _depth(metadata) > METADATA_MAX_DEPTH:
        raise InvalidMetadata(f"metadata is nested more than {METADATA_MAX_DEPTH} levels deep.", field=field)
    text = json.dumps(metadata, separators=(",", ":"), ensure_ascii=False)
    size = len(text.encode("utf-8"))
    if size > METADATA_MAX_BYTES:
        raise InvalidMetadata(f"metadata is {size} bytes; the limit is {METADATA_MAX_BYTES}.", field=field)
    return text


def completion_mark(
    *,
    user_id: int,
    tool_name: Any,
    action_name: Any,
    metadata: Any = None,
    at: datetime | None = None,
    check: TokenCheck | None = None,
) -> MarkResult:
    """Mark one catalog action completed for the user; idempotent.

    The first call creates the row (``was_new``); later calls replace the
    metadata and move ``completed_at`` to ``at`` (default now). One round
    trip: ``mark_completed_progress`` upserts through ``mark_action_completed``
    (atomic, so under concurrent identical calls exactly one reports new) and
    returns the tool's progress as read after the write. With ``check`` (an
    unconfirmed API token) the same statement confirms the token first and
    nothing is written when it fails (:class:`Unauthorized`).
    """
    tool = tool_get_or_error(tool_name)
    action = action_validate(tool, action_name)
    metadata_text = metadata_json(metadata)
    with connections["default"].cursor() as cursor:
        # Parameters and columns psycopg converts in C (text, not Jsonb; see selectors.utc_text).
        cursor.execute(
            f"SELECT was_new, {selectors.TOOL_PROGRESS_COLUMNS}"
            f" FROM mark_completed_progress({CHECK_SQL}, %s, %s, %s::jsonb, %s)",
            [*check_params(user_id, check), tool.name, action, metadata_text, at or timezone.now()],
        )
        row = cursor.fetchone()
    if row is None:
        raise Unauthorized("The token is invalid, expired or revoked.")
    was_new, *progress = row
    completion_changed_send(user_id, [(tool.name, action, "completed" if was_new else "repeated")])
    if progress[0] is None:  # the action is not in tool_catalog (migrate has not synced it)
        return MarkResult(was_new=bool(was_new), progress=ToolProgress.empty(tool))
    return MarkResult(was_new=bool(was_new), progress=selectors.tool_progress_from_row((tool.name, *progress)))


def legacy_import(*, user_id: int, flags: Any) -> ImportResult:
    """Move an old browser's localStorage flags in, leaving existing completions as they are.

    Known keys with the value ``'true'`` are marked with metadata
    ``{"source": "localStorage"}``; every other key is reported as ignored.
    """
    if not isinstance(flags, dict):
        raise ApiError("flags must be an object of localStorage keys.", field="flags")
    if len(flags) > LEGACY_MAX_KEYS:
        raise ApiError(f"flags may hold at most {LEGACY_MAX_KEYS} keys.", field="flags")
    wanted: list[tuple[str, str]] = []
    ignored: list[str] = []
    for key, value in flags.items():
        target = catalog.LEGACY_KEYS.get(key)
        if target is None or value != "true":
            ignored.append(key)
        elif target not in wanted:
            wanted.append(target)
    created: set[tuple[str, str]] = set()
    if wanted:
        with connections["default"].cursor() as cursor:  # one statement: atomic on its own
            cursor.execute(
                """
                INSERT INTO tool_completions (user_id, tool_name, action_name, metadata, completed_at)
                SELECT %s, t.tool_name, t.action_name, %s, %s
                FROM unnest(%s::text[], %s::text[]) AS t(tool_name, action_name)
                ON CONFLICT (user_id, tool_name, action_name) DO NOTHING
                RETURNING tool_name, action_name
                """,
                [
                    user_id,
                    cast(Any, Jsonb({"source": "localStorage"})),
                    timezone.now(),
                    [tool for tool, _ in wanted],
                    [action for _, action in wanted],
                ],
            )
            created = {(row[0], row[1]) for row in cursor.fetchall()}
    completion_changed_send(
        user_id, [(tool, action, "completed") for tool, action in wanted if (tool, action) in created]
    )
    return ImportResult(
        imported=[ImportedAction(tool, action, (tool, action) in created) for tool, action in wanted],
        ignored=ignored,
    )
