"""Writing completions: mark one, import an old browser's flags, reset (batch: see batch.py).

Each service takes a user id the edge has authenticated and plain values,
validates them against the catalog (validation.py), writes in one
transaction, and sends ``completion_changed`` after commit (signals.py).
The event log follows by trigger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.db import connections, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from coaching import catalog
from coaching.completions import selectors
from coaching.completions.selectors import Progress, ToolProgress
from coaching.completions.signals import completion_changed_send
from coaching.completions.validation import action_validate, metadata_json, tool_get_or_error
from coaching.exceptions import InvalidInput
from coaching.models import ToolCompletionEvent

Kind = ToolCompletionEvent.Kind

LEGACY_MAX_KEYS = 100


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


def completion_mark(
    *,
    user_id: int,
    tool_name: Any,
    action_name: Any,
    metadata: Any = None,
    at: datetime | None = None,
) -> MarkResult:
    """Mark one catalog action completed for the user; idempotent.

    The first call creates the row (``was_new``); later calls replace the
    metadata and move ``completed_at`` to ``at`` (default now). One
    statement: ``mark_completed_progress`` upserts through ``mark_action_completed``
    (atomic, so under concurrent identical calls exactly one reports new) and
    returns the tool's progress as read after the write.
    """
    tool = tool_get_or_error(tool_name)
    action = action_validate(tool, action_name)
    metadata_text = metadata_json(metadata)
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"SELECT was_new, {selectors.TOOL_PROGRESS_COLUMNS}"
            " FROM mark_completed_progress(%s, %s, %s, %s::jsonb, %s)",
            [user_id, tool.name, action, metadata_text, at or timezone.now()],
        )
        was_new, *progress = cursor.fetchone()
    completion_changed_send(user_id, [(tool.name, action, Kind.COMPLETED if was_new else Kind.REPEATED)])
    if progress[0] is None:  # the action is not in tool_catalog (migrate has not synced it)
        return MarkResult(was_new=bool(was_new), progress=ToolProgress.empty(tool))
    return MarkResult(was_new=bool(was_new), progress=selectors.tool_progress_from_row((tool.name, *progress)))


def legacy_import(*, user_id: int, flags: Any) -> ImportResult:
    """Move an old browser's localStorage flags in, leaving existing completions as they are.

    Known keys with the value ``'true'`` are marked with metadata
    ``{"source": "localStorage"}``; every other key is reported as ignored.
    """
    if not isinstance(flags, dict):
        raise InvalidInput("flags must be an object of localStorage keys.", field="flags")
    if len(flags) > LEGACY_MAX_KEYS:
        raise InvalidInput(f"flags may hold at most {LEGACY_MAX_KEYS} keys.", field="flags")
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
        user_id, [(tool, action, Kind.COMPLETED) for tool, action in wanted if (tool, action) in created]
    )
    return ImportResult(
        imported=[ImportedAction(tool, action, (tool, action) in created) for tool, action in wanted],
        ignored=ignored,
    )


@dataclass(frozen=True)
class ResetResult:
    removed: int
    tool_name: str
    everything: Progress  # every tool and the overall figures, read after the reset

    @property
    def progress(self) -> ToolProgress:
        """The reset tool's progress (what the API answers)."""
        return next(tool for tool in self.everything.tools if tool.tool_name == self.tool_name)


def completion_reset(
    *, user_id: int, tool_name: Any, action_name: Any = None, at: datetime | None = None
) -> ResetResult:
    """Remove one action's completion, or the whole tool's (``action_name`` None); removing nothing is fine.

    One transaction: the rows go, the event-log trigger records a ``reset``
    for each, and the progress (every tool, so a page can redraw all its bars)
    is read after the change.
    """
    tool = tool_get_or_error(tool_name)
    action = None if action_name is None else action_validate(tool, action_name)
    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT * FROM reset_completions(%s, %s, %s, %s)", [user_id, tool.name, action, at or timezone.now()]
        )
        removed = [row[0] for row in cursor.fetchall()]
        everything = selectors.progress_get(user_id=user_id)
    completion_changed_send(user_id, [(tool.name, name, Kind.RESET) for name in removed])
    return ResetResult(removed=len(removed), tool_name=tool.name, everything=everything)
