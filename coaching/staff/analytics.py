"""Staff analytics: reads over all users for the admin's analytics page (its chart: charts.py).

Each selector is one statement sized for 100,000 users, 1,000,000 completions
and 1,000,000 events (``bench/analytics.py`` times them; docs/PERFORMANCE.md
has the figures). Time windows read the event log through its ``(at) INCLUDE
(user_id, kind)`` index, so they are index-only scans; the funnel reads the
current state, ``tool_completions``, joined to the catalog so actions that
left it do not count. ``now`` is always passed in: PostgreSQL's
own ``now()`` is not the app's clock (and a frozen test clock does not reach it).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connections

from coaching import catalog
from coaching.completions.selectors import ACTIVE_KINDS

# The periods the per-day chart offers, and the active-user windows (days).
PERIODS: tuple[int, ...] = (30, 90)
ACTIVE_WINDOWS: tuple[int, int] = (7, 30)
MAX_DAYS = 366


@dataclass(frozen=True)
class FunnelStep:
    action_name: str
    label: str
    users: int


@dataclass(frozen=True)
class ToolFunnel:
    tool_name: str
    label: str
    steps: list[FunnelStep]
    # Users with at least one of the tool's actions, and with every one of them.
    users_started: int
    users_completed: int

    @property
    def completion_percentage(self) -> float | None:
        """100 × users with every action / users with at least one (None when nobody started)."""
        return 100 * self.users_completed / self.users_started if self.users_started else None


@dataclass(frozen=True)
class DayCount:
    day: date
    completions: int


@dataclass(frozen=True)
class ActiveUsers:
    last_7_days: int
    last_30_days: int


# A user's actions travel as the bits of one bigint (see funnel_get).
MASK_BITS = 63


def funnel_get() -> list[ToolFunnel]:
    """Per catalog tool (in catalog order): users per action (catalog order), started and completed counts.

    Current state, not history: a reset action no longer counts. One pass
    over ``tool_completions``, joined to the catalog (passed from
    ``coaching.catalog``, so a row whose action left it does not count, and
    bit n is always the catalog's n-th action): each user becomes a bit mask
    of the catalog actions they hold, and only the number of users per
    distinct mask comes back (a few thousand rows at most), from which
    Python derives every figure. Grouping per user rather than per (user,
    tool) keeps the hash table five times smaller: in memory at 100,000 users.
    """
    pairs = [(tool.name, action.name) for tool in catalog.TOOLS for action in tool.actions]
    if len(pairs) > MASK_BITS:
        raise ValueError(f"funnel_get packs the catalog into a bigint: {len(pairs)} actions is over {MASK_BITS}")
    with connections["default"].cursor() as cursor:
        cursor.execute(
            """
            SELECT per_user.mask, count(*)
            FROM (
                SELECT bit_or(1::bigint << (cat.bit - 1)::integer) AS mask
                FROM tool_completions tc
                JOIN unnest(%s::text[], %s::text[]) WITH ORDINALITY AS cat(tool_name, action_name, bit)
                  ON cat.tool_name = tc.tool_name AND cat.action_name = tc.action_name
                GROUP BY tc.user_id
            ) AS per_user
            GROUP BY per_user.mask
            """,
            [[tool for tool, _ in pairs], [action for _, action in pairs]],
        )
        masks = [(int(mask), int(users)) for mask, users in cursor.fetchall()]
    funnels = []
    offset = 0
    for tool in catalog.TOOLS:
        every = ((1 << len(tool.actions)) - 1) << offset
        held = [(mask & every, users) for mask, users in masks if mask & every]
        steps = [
            FunnelStep(
                action_name=action.name,
                label=action.label,
                users=sum(users for mask, users in held if mask & (1 << (offset + position))),
            )
            for position, action in enumerate(tool.actions)
        ]
        funnels.append(
            ToolFunnel(
                tool_name=tool.name,
                label=tool.label,
                steps=steps,
                users_started=sum(users for _, users in held),
                users_completed=sum(users for mask, users in held if mask == every),
            )
        )
        offset += len(tool.actions)
    return funnels


def local_days(*, days: int, now: datetime) -> list[date]:
    """The last ``days`` local dates in the site's zone (settings.TIME_ZONE), oldest first, ending today."""
    today = now.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def completions_per_day_get(*, days: int, now: datetime) -> list[DayCount]:
    """Events of kind completed or repeated per local day (settings.TIME_ZONE), the last ``days`` days.

    Exactly ``days`` entries, oldest first, ending today, zero days included.
    Python's ``zoneinfo`` with the pinned ``tzdata`` turns each local day into
    its UTC bounds (23 or 25 hours long on DST days), as the activity endpoint
    does, so the answer does not depend on the server's zone files; PostgreSQL
    counts each day with a range read of ``tool_events_at_idx`` alone. That is
    faster than one scan of the window grouped per slot (which the planner
    answers with a sequential scan once the window is most of the table).
    """
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be 1 to {MAX_DAYS}, not {days}")
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    window = local_days(days=days, now=now)
    starts = [datetime.combine(day, time(), tzinfo=zone) for day in window]
    ends = [datetime.combine(day + timedelta(days=1), time(), tzinfo=zone) for day in window]
    with connections["default"].cursor() as cursor:
        cursor.execute(
            """
            SELECT (
                SELECT count(*) FROM tool_completion_events e
                WHERE e.at >= bounds.day_start AND e.at < bounds.day_end AND e.kind = ANY(%s)
            )
            FROM unnest(%s::timestamptz[], %s::timestamptz[]) WITH ORDINALITY AS bounds(day_start, day_end, position)
            ORDER BY bounds.position
            """,
            [ACTIVE_KINDS, starts, ends],
        )
        counts = [int(row[0]) for row in cursor.fetchall()]
    return [DayCount(day, count) for day, count in zip(window, counts, strict=True)]


def active_users_get(*, now: datetime) -> ActiveUsers:
    """Distinct users with a completed or repeated event in the last 7 and the last 30 days up to ``now``.

    Rolling windows (``now`` minus 7 × 24 hours, and minus 30 × 24 hours);
    one index-only scan of the 30-day window.
    """
    short, long = ACTIVE_WINDOWS
    with connections["default"].cursor() as cursor:
        cursor.execute(
            """
            SELECT count(DISTINCT user_id) FILTER (WHERE at > %s), count(DISTINCT user_id)
            FROM tool_completion_events
            WHERE at > %s AND at <= %s AND kind = ANY(%s)
            """,
            [now - timedelta(days=short), now - timedelta(days=long), now, ACTIVE_KINDS],
        )
        row = cursor.fetchone() or (0, 0)
    return ActiveUsers(last_7_days=int(row[0]), last_30_days=int(row[1]))
