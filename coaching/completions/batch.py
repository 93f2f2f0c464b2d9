"""Batch marks from an offline client's queue (contract v1.1): all or nothing. The event log follows by trigger."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from coaching.completions import selectors
from coaching.completions.selectors import Progress
from coaching.completions.services import ImportedAction
from coaching.completions.signals import completion_changed_send
from coaching.completions.validation import action_validate, metadata_validate, tool_get_or_error
from coaching.exceptions import InvalidInput
from coaching.models import ToolCompletionEvent

Kind = ToolCompletionEvent.Kind

BATCH_MAX_ITEMS = 100
# How far ahead of the server's clock a client's completedAt may be (clock skew).
COMPLETED_AT_MAX_AHEAD = timedelta(minutes=5)


@dataclass(frozen=True)
class BatchItem:
    tool_name: str
    action_name: str
    metadata: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class BatchResult:
    results: list[ImportedAction]  # one per request item, in request order
    progress: Progress


def _required_string(item: dict[str, Any], key: str, field: str) -> str:
    if key not in item or item[key] is None:
        raise InvalidInput("This field is required.", field=field)
    value = item[key]
    if not isinstance(value, str):
        raise InvalidInput("Must be a string.", field=field)
    return value


def completed_at_parse(value: Any, *, now: datetime, not_before: datetime, field: str) -> datetime:
    """A client's ``completedAt``: ISO-8601 with a timezone, at most 5 minutes ahead, not before ``not_before``."""
    if value is None:
        return now
    if not isinstance(value, str):
        raise InvalidInput("completedAt must be an ISO-8601 string.", field=field)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("completedAt is not an ISO-8601 date and time.", field=field) from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput("completedAt needs a timezone (e.g. 'Z' or '+01:00').", field=field)
    if at > now + COMPLETED_AT_MAX_AHEAD:
        raise InvalidInput("completedAt is more than 5 minutes in the future.", field=field)
    if at < not_before:
        raise InvalidInput("completedAt is before the account existed.", field=field)
    return at


def batch_validate(items: Any, *, now: datetime, not_before: datetime) -> list[BatchItem]:
    """Every item checked before anything is written: the first bad one raises, naming its field."""
    if not isinstance(items, list):
        raise InvalidInput("completions must be a list.", field="completions")
    if not 1 <= len(items) <= BATCH_MAX_ITEMS:
        raise InvalidInput(f"completions must hold 1 to {BATCH_MAX_ITEMS} items.", field="completions")
    clean: list[BatchItem] = []
    for index, item in enumerate(items):
        prefix = f"completions[{index}]"
        if not isinstance(item, dict):
            raise InvalidInput("Each completion must be an object.", field=prefix)
        tool = tool_get_or_error(_required_string(item, "toolName", f"{prefix}.toolName"), field=f"{prefix}.toolName")
        action = action_validate(
            tool, _required_string(item, "actionName", f"{prefix}.actionName"), field=f"{prefix}.actionName"
        )
        metadata = metadata_validate(item.get("metadata"), field=f"{prefix}.metadata")
        at = completed_at_parse(item.get("completedAt"), now=now, not_before=not_before, field=f"{prefix}.completedAt")
        clean.append(BatchItem(tool.name, action, metadata, at))
    return clean


def completion_batch(*, user_id: int, date_joined: datetime, items: Any, now: datetime | None = None) -> BatchResult:
    """Mark a batch of completions (an offline client's queue): all or nothing, in one transaction.

    The same (tool, action) twice counts once, the last item winning. A new
    row takes the item's ``completedAt``; an existing row keeps the later of
    its time and the item's (with that one's metadata), and the item is
    logged as ``repeated`` at its own time either way. One statement writes
    everything, whatever the batch size; a second reads the progress.
    """
    now = now or timezone.now()
    # A second of slack: date_joined is Python's clock, the client rounds to whole seconds.
    clean = batch_validate(items, now=now, not_before=date_joined - timedelta(seconds=1))
    last: dict[tuple[str, str], BatchItem] = {}
    for item in clean:
        last[(item.tool_name, item.action_name)] = item
    unique = sorted(last.values(), key=lambda item: (item.tool_name, item.action_name))  # one lock order
    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute(
            """
            WITH items AS (
                SELECT * FROM unnest(%(tools)s::text[], %(actions)s::text[], %(metadata)s::jsonb[],
                                     %(at)s::timestamptz[]) AS i(tool_name, action_name, metadata, at)
            ), upserted AS (
                INSERT INTO tool_completions AS tc (user_id, tool_name, action_name, metadata, completed_at)
                SELECT %(user)s, tool_name, action_name, metadata, at FROM items ORDER BY tool_name, action_name
                ON CONFLICT (user_id, tool_name, action_name)
                DO UPDATE SET metadata = EXCLUDED.metadata, completed_at = EXCLUDED.completed_at
                WHERE EXCLUDED.completed_at >= tc.completed_at
                RETURNING tc.tool_name, tc.action_name, (tc.xmax = 0) AS was_new
            ), kept_later AS (
                -- Rows that already hold a later time are not updated, so the
                -- trigger does not log them: the item is logged here.
                INSERT INTO tool_completion_events (user_id, tool_name, action_name, kind, at)
                SELECT %(user)s, i.tool_name, i.action_name, %(repeated)s, i.at FROM items i
                WHERE NOT EXISTS (
                    SELECT 1 FROM upserted u WHERE u.tool_name = i.tool_name AND u.action_name = i.action_name
                )
                RETURNING tool_name, action_name
            )
            SELECT tool_name, action_name, was_new FROM upserted
            UNION ALL
            SELECT tool_name, action_name, false FROM kept_later
            """,
            {
                "user": user_id,
                "repeated": Kind.REPEATED,
                "tools": [item.tool_name for item in unique],
                "actions": [item.action_name for item in unique],
                "metadata": [json.dumps(item.metadata, ensure_ascii=False) for item in unique],
                "at": [item.at for item in unique],
            },
        )
        created = {(tool, action) for tool, action, was_new in cursor.fetchall() if was_new}
        progress = selectors.progress_get(user_id=user_id)
    completion_changed_send(
        user_id,
        [
            (
                item.tool_name,
                item.action_name,
                Kind.COMPLETED if (item.tool_name, item.action_name) in created else Kind.REPEATED,
            )
            for item in unique
        ],
    )
    results: list[ImportedAction] = []
    reported: set[tuple[str, str]] = set()
    for item in clean:
        key = (item.tool_name, item.action_name)
        results.append(ImportedAction(item.tool_name, item.action_name, key in created and key not in reported))
        reported.add(key)
    return BatchResult(results=results, progress=progress)
