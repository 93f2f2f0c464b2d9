"""Reads. Progress comes from the ``tool_progress`` and ``user_coaching_progress`` views."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connections

from coaching import catalog
from coaching.errors import Unauthorized
from coaching.models import Photo
from coaching.tokens import TokenCheck, check_params


@dataclass(frozen=True)
class ToolProgress:
    tool_name: str
    completed_actions: int
    total_actions: int
    actions_completed: list[str] = field(default_factory=list)
    progress_percentage: float = 0.0
    first_completion: datetime | None = None
    last_completion: datetime | None = None

    @classmethod
    def empty(cls, tool: catalog.Tool) -> ToolProgress:
        return cls(tool_name=tool.name, completed_actions=0, total_actions=len(tool.actions))


@dataclass(frozen=True)
class OverallProgress:
    tools_used: int
    total_completions: int
    total_actions: int
    overall_progress: float
    started_at: datetime | None
    last_activity: datetime | None


@dataclass(frozen=True)
class Progress:
    tools: list[ToolProgress]
    overall: OverallProgress


@dataclass(frozen=True)
class CompletionState:
    is_completed: bool
    completed_at: datetime | None
    metadata: dict[str, Any]


def _percent(value: Decimal | None) -> float:
    return float(value) if value is not None else 0.0


def tool_progress_from_row(row: tuple[Any, ...]) -> ToolProgress:
    return ToolProgress(
        tool_name=row[0],
        completed_actions=row[1],
        total_actions=row[2],
        actions_completed=list(row[3]),
        progress_percentage=_percent(row[4]),
        first_completion=row[5],
        last_completion=row[6],
    )


def progress_get(*, user_id: int, tool_name: str | None = None, check: TokenCheck | None = None) -> Progress:
    """Per-tool progress (every catalog tool in catalog order, or just ``tool_name``) and the overall figures.

    One round trip (``user_progress_rows``, which reads the ``tool_progress``
    and ``user_coaching_progress`` views). With ``check`` (an unconfirmed API
    token) the same statement confirms the token; a failed check raises
    :class:`Unauthorized`.
    """
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT * FROM user_progress_rows(%s, %s, %s)", check_params(user_id, check))
        rows = cursor.fetchall()
    if not rows:
        raise Unauthorized("The token is invalid, expired or revoked.")
    by_tool = {row[1]: tool_progress_from_row(row[1:]) for row in rows if row[0] == "tool"}
    overall_row = next((row for row in rows if row[0] == "overall"), None)
    tools = [tool for tool in catalog.TOOLS if tool_name is None or tool.name == tool_name]
    overall = OverallProgress(
        tools_used=overall_row[2] if overall_row else 0,
        total_completions=overall_row[3] if overall_row else 0,
        total_actions=catalog.total_actions(),
        overall_progress=_percent(overall_row[5]) if overall_row else 0.0,
        started_at=overall_row[6] if overall_row else None,
        last_activity=overall_row[7] if overall_row else None,
    )
    return Progress(tools=[by_tool.get(tool.name) or ToolProgress.empty(tool) for tool in tools], overall=overall)


def completion_state_get(
    *, user_id: int, tool_name: str, action_name: str, check: TokenCheck | None = None
) -> CompletionState:
    """Whether the user completed one action, when, and with what metadata (one round trip, token check included)."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT completed_at, metadata::text FROM completion_state(%s, %s, %s, %s, %s)",
            [*check_params(user_id, check), tool_name, action_name],
        )
        row = cursor.fetchone()
    if row is None:
        raise Unauthorized("The token is invalid, expired or revoked.")
    if row[0] is None:
        return CompletionState(is_completed=False, completed_at=None, metadata={})
    return CompletionState(is_completed=True, completed_at=row[0], metadata=json.loads(row[1]))


def photo_latest(*, user_id: int) -> Photo | None:
    """The user's current Foto Advies photo, if any."""
    return Photo.objects.filter(user_id=user_id).first()


def photo_get(*, user_id: int, photo_id: uuid.UUID) -> Photo | None:
    """One of the user's own photos; another user's photo id finds nothing."""
    return Photo.objects.filter(user_id=user_id, pk=photo_id).first()
