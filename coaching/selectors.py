"""Reads. Progress comes from the ``tool_progress`` and ``user_coaching_progress`` views."""

from __future__ import annotations

import base64
import functools
import json
import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connections
from django.utils import timezone

from coaching import catalog
from coaching.errors import Unauthorized
from coaching.models import DEFAULT_TIMEZONE, Photo, ToolCompletion, ToolCompletionEvent, UserSettings
from coaching.tokens import CHECK_SQL, TokenCheck, check_params


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


def utc_text(column: str) -> str:
    """SQL reading a timestamptz as ISO 8601 text in UTC, whatever the session's DateStyle or TimeZone.

    The hot reads take their timestamps this way and :func:`utc_datetime`
    parses them in C; Django's timestamptz loader parses in Python, ~40,000
    CPU instructions a value (docs/PERFORMANCE.md). Same result: an aware
    datetime in UTC.
    """
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""


def utc_datetime(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


# The columns tool_progress_from_row reads, in order (progress_percentage as float8: no Decimal).
TOOL_PROGRESS_COLUMNS = (
    "completed_actions, total_actions, actions_completed, progress_percentage::float8, "
    f"{utc_text('first_completion')}, {utc_text('last_completion')}"
)


def tool_progress_from_row(row: tuple[Any, ...]) -> ToolProgress:
    """A ToolProgress from the tool's name followed by :data:`TOOL_PROGRESS_COLUMNS`."""
    return ToolProgress(
        tool_name=row[0],
        completed_actions=row[1],
        total_actions=row[2],
        actions_completed=list(row[3]),
        progress_percentage=_percent(row[4]),
        first_completion=utc_datetime(row[5]),
        last_completion=utc_datetime(row[6]),
    )


def progress_get(*, user_id: int, tool_name: str | None = None, check: TokenCheck | None = None) -> Progress:
    """Per-tool progress (every catalog tool in catalog order, or just ``tool_name``) and the overall figures.

    One round trip (``user_progress_rows``, which reads the ``tool_progress``
    and ``user_coaching_progress`` views). With ``check`` (an unconfirmed API
    token) the same statement confirms the token; a failed check raises
    :class:`Unauthorized`.
    """
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT kind, tool_name, completed_actions, total_actions, actions_completed,"
            f" progress_percentage::float8, {utc_text('first_at')}, {utc_text('last_at')}"
            f" FROM user_progress_rows({CHECK_SQL})",
            check_params(user_id, check),
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
        started_at=utc_datetime(overall_row[6]) if overall_row else None,
        last_activity=utc_datetime(overall_row[7]) if overall_row else None,
    )
    return Progress(tools=[by_tool.get(tool.name) or ToolProgress.empty(tool) for tool in tools], overall=overall)


def completion_state_get(
    *, user_id: int, tool_name: str, action_name: str, check: TokenCheck | None = None
) -> CompletionState:
    """Whether the user completed one action, when, and with what metadata (one round trip, token check included)."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"SELECT {utc_text('completed_at')}, metadata::text FROM completion_state({CHECK_SQL}, %s, %s)",
            [*check_params(user_id, check), tool_name, action_name],
        )
        row = cursor.fetchone()
    if row is None:
        raise Unauthorized("The token is invalid, expired or revoked.")
    if row[0] is None:
        return CompletionState(is_completed=False, completed_at=None, metadata={})
    return CompletionState(is_completed=True, completed_at=utc_datetime(row[0]), metadata=json.loads(row[1]))


def photo_latest(*, user_id: int) -> Photo | None:
    """The user's current Foto Advies photo, if any."""
    return Photo.objects.filter(user_id=user_id).first()


def photo_get(*, user_id: int, photo_id: uuid.UUID) -> Photo | None:
    """One of the user's own photos; another user's photo id finds nothing."""
    return Photo.objects.filter(user_id=user_id, pk=photo_id).first()


# --- activity and streaks -------------------------------------------------------------

ACTIVITY_MAX_DAYS = 366


@functools.cache
def timezone_names() -> frozenset[str]:
    """Every IANA zone the pinned ``tzdata`` package knows (the same on every machine)."""
    return frozenset(zoneinfo.available_timezones())


def user_timezone(*, user_id: int) -> str:
    """The user's timezone setting; ``Europe/Amsterdam`` until they change it."""
    return _zone_or_default(UserSettings.objects.filter(user_id=user_id).values_list("timezone", flat=True).first())


def _zone_or_default(name: str | None) -> str:
    """A stored setting, if it names a zone tzdata knows; else the default."""
    return name if name in timezone_names() else DEFAULT_TIMEZONE


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
            WHERE user_id = %s AND kind IN ('completed', 'repeated')
            GROUP BY 1
            """,
            [user_id, user_id],
        )
        (_, _, setting), *slots = cursor.fetchall()
    if tz is None:
        tz = _zone_or_default(setting)
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


def account_export(*, user: Any) -> dict[str, Any]:
    """Everything the app holds about the user, as the JSON the export download carries.

    Uploads carry their bytes (base64), so the download is complete on its own.
    """
    user_id = user.pk

    def iso(value: datetime | None) -> str | None:
        return value.isoformat().replace("+00:00", "Z") if value else None

    completions = [
        {
            "toolName": c.tool_name,
            "actionName": c.action_name,
            "metadata": c.metadata,
            "completedAt": iso(c.completed_at),
        }
        for c in ToolCompletion.objects.filter(user_id=user_id).order_by("completed_at", "id")
    ]
    events = [
        {"toolName": e.tool_name, "actionName": e.action_name, "kind": e.kind, "at": iso(e.at)}
        for e in ToolCompletionEvent.objects.filter(user_id=user_id).order_by("at", "id")
    ]
    uploads = []
    for photo in Photo.objects.filter(user_id=user_id).order_by("uploaded_at"):
        try:
            with photo.image.open("rb") as handle:
                content: bytes | None = handle.read()
        except OSError:  # the row outlived its file (a restored backup, a lost disk): say so, do not fail
            content = None
        uploads.append(
            {
                "id": str(photo.id),
                "kind": "photo",
                "contentType": "image/jpeg",
                "width": photo.width,
                "height": photo.height,
                "uploadedAt": iso(photo.uploaded_at),
                "sizeBytes": len(content) if content is not None else None,
                "dataBase64": base64.b64encode(content).decode("ascii") if content is not None else None,
            }
        )
    return {
        "user": {
            "username": user.get_username(),
            "email": user.email,
            "dateJoined": iso(user.date_joined),
            "settings": {"timezone": user_timezone(user_id=user_id)},
        },
        "completions": completions,
        "events": events,
        "uploads": uploads,
        # The coach tools keep no saved items of their own: what they record
        # (bio analyses, chosen platforms, plans) is each completion's metadata above.
        "saved": [],
    }


def account_export_filename(*, user_id: int, today: date) -> str:
    """The export download's file name (the API and the page give the same)."""
    return f"datespark-export-{user_id}-{today:%Y%m%d}.json"
