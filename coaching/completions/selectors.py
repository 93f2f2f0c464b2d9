"""Reading completions: progress (the ``tool_progress`` and ``user_coaching_progress`` views), one
action's state, and activity with streaks (the event log)."""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connections
from django.utils import timezone

from coaching import catalog
from coaching.models import ToolCompletionEvent
from coaching.timezones import zone_or_default


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


def _percent(value: Decimal | float | None) -> float:
    return float(value) if value is not None else 0.0


# The columns tool_progress_from_row reads, in order.
TOOL_PROGRESS_COLUMNS = (
    "completed_actions, total_actions, actions_completed, progress_percentage, first_completion, last_completion"
)


def tool_progress_from_row(row: tuple[Any, ...]) -> ToolProgress:
    """A ToolProgress from the tool's name followed by :data:`TOOL_PROGRESS_COLUMNS`."""
    return ToolProgress(
        tool_name=row[0],
        completed_actions=row[1],
        total_actions=row[2],
        actions_completed=list(row[3]),
        progress_percentage=_percent(row[4]),
        first_completion=row[5],
        last_completion=row[6],
    )


def progress_get(*, user_id: int, tool_name: str | None = None) -> Progress:
    """Per-tool progress (every catalog tool in catalog order, or just ``tool_name``) and the overall figures.

    One statement (``user_progress_rows``, which reads the ``tool_progress``
    and ``user_coaching_progress`` views).
    """
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT kind, tool_name, completed_actions, total_actions, actions_completed,"
            " progress_percentage, first_at, last_at FROM user_progress_rows(%s)",
            [user_id],
        )
        rows = cursor.fetchall()
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


def completion_state_get(*, user_id: int, tool_name: str, action_name: str) -> CompletionState:
    """Whether the user completed one action, when, and with what metadata (one statement)."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT completed_at, metadata::text FROM completion_state(%s, %s, %s)",
            [user_id, tool_name, action_name],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return CompletionState(is_completed=False, completed_at=None, metadata={})
    return CompletionState(is_completed=True, completed_at=row[0], metadata=json.loads(row[1]))


# --- activity and streaks -------------------------------------------------------------

ACTIVITY_MAX_DAYS = 366
# The events that count as activity: a reset is not.
ACTIVE_KINDS = [ToolCompletionEvent.Kind.COMPLETED, ToolCompletionEvent.Kind.REPEATED]


@dataclass(frozen=True)
class ActivityDay:
    day: date
    completions: int


@dataclass(frozen=True)
class Activity:
    tz: str
    days: list[ActivityDay]
    current_streak: int
    longest_streak: int


def streaks(active: set[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive active days.

    The current streak counts back from today, or from yesterday when today
    has nothing yet (the day is not over); days after ``today`` are ignored.
    """
    longest = run = 0
    previous: date | None = None
    for day in sorted(d for d in active if d <= today):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    day = today if today in active else today - timedelta(days=1)
    while day in active:
        current += 1
        day -= timedelta(days=1)
    return current, longest


def activity_get(*, user_id: int, tz: str | None = None, days: int = 30, now: datetime | None = None) -> Activity:
    """Completions (events of kind completed or repeated) per local day in ``tz``, and the streaks.

    ``tz`` None means the user's timezone setting, read in the same round
    trip. PostgreSQL counts the user's events per 15-minute slot (every UTC
    offset in use is a multiple of 15 minutes, and DST moves on whole hours),
    and Python's ``zoneinfo`` with the pinned ``tzdata`` turns each slot into
    a local date, so the answer does not depend on the server's zone files.
    """
    with connections["default"].cursor() as cursor:
        cursor.execute(
            """
            SELECT NULL::timestamptz, NULL::bigint, (SELECT timezone FROM coaching_user_settings WHERE user_id = %s)
            UNION ALL
            SELECT date_bin('15 minutes', at, TIMESTAMPTZ '2000-01-01 00:00+00'), count(*), NULL
            FROM tool_completion_events
            WHERE user_id = %s AND kind = ANY(%s)
            GROUP BY 1
            """,
            [user_id, user_id, ACTIVE_KINDS],
        )
        (_, _, setting), *slots = cursor.fetchall()
    if tz is None:
        tz = zone_or_default(setting)
    zone = zoneinfo.ZoneInfo(tz)
    today = (now or timezone.now()).astimezone(zone).date()
    per_day: dict[date, int] = {}
    for slot, count, _ in slots:
        local = slot.astimezone(zone).date()
        per_day[local] = per_day.get(local, 0) + count
    current, longest = streaks(set(per_day), today)
    window = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    return Activity(
        tz=tz,
        days=[ActivityDay(day, per_day.get(day, 0)) for day in window],
        current_streak=current,
        longest_streak=longest,
    )


# --- data ownership -----------------------------------------------------------------
