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
from coaching.tokens import TokenCheck


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


_TOOL_PROGRESS_COLUMNS = (
    "tool_name, completed_actions, total_actions, actions_completed, "
    "progress_percentage, first_completion, last_completion"
)


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


def _auth_clause(check: TokenCheck | None) -> tuple[str, list[Any]]:
    """SQL yielding one boolean column ``ok``: the token check folded into a read, or true."""
    if check is None:
        return "SELECT true AS ok", []
    return "SELECT auth_token_valid(%s, %s, %s) AS ok", check.as_params()


def progress_get(*, user_id: int, tool_name: str | None = None, check: TokenCheck | None = None) -> Progress:
    """Per-tool progress (every catalog tool in catalog order, or just ``tool_name``) and the overall figures.

    One round trip: the overall row, the tool rows and, with ``check`` (an
    unconfirmed API token), the token check come back from one statement;
    a failed check raises :class:`Unauthorized`.
    """
    auth_sql, auth_params = _auth_clause(check)
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"""
            WITH auth AS ({auth_sql})
            SELECT 'auth', NULL, NULL::integer, NULL::integer, NULL::text[], NULL::numeric,
                   NULL::timestamptz, NULL::timestamptz
            FROM auth WHERE ok
            UNION ALL
            SELECT 'tool', {_TOOL_PROGRESS_COLUMNS} FROM tool_progress, auth WHERE ok AND user_id = %s
            UNION ALL
            SELECT 'overall', NULL, tools_used, total_completions, NULL, overall_progress, started_at, last_activity
            FROM user_coaching_progress, auth WHERE ok AND user_id = %s
            """,
            [*auth_params, user_id, user_id],
        )
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
    auth_sql, auth_params = _auth_clause(check)
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"""
            SELECT tc.completed_at, tc.metadata::text
            FROM ({auth_sql}) auth
            LEFT JOIN tool_completions tc ON tc.user_id = %s AND tc.tool_name = %s AND tc.action_name = %s
            WHERE auth.ok
            """,
            [*auth_params, user_id, tool_name, action_name],
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
