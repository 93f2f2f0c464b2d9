"""The dashboard's activity strip: the last 30 days in the user's timezone, and the streak, in Dutch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats

from coaching.completions import selectors

STRIP_DAYS = 30
# A day with at least this many completions gets the next intensity class (level-1 .. level-3).
LEVEL_FLOORS = (1, 2, 4)


def _acties(count: int) -> str:
    return f"{count} {'actie' if count == 1 else 'acties'}"


def _dagen(count: int) -> str:
    return f"{count} {'dag' if count == 1 else 'dagen'}"


@dataclass(frozen=True)
class StripDay:
    day: date
    completions: int
    is_today: bool

    @property
    def level(self) -> int:
        return sum(1 for floor in LEVEL_FLOORS if self.completions >= floor)

    @property
    def label(self) -> str:
        """E.g. "25 nov: 2 acties" (month names follow the active, Dutch, locale)."""
        when = formats.date_format(self.day, "j b")
        if self.is_today:
            when = f"vandaag, {when}"
        return f"{when}: {_acties(self.completions) if self.completions else 'geen acties'}"


@dataclass(frozen=True)
class ActivityStrip:
    tz: str
    days: list[StripDay]
    current_streak: int
    longest_streak: int

    @property
    def total(self) -> int:
        return sum(day.completions for day in self.days)

    @property
    def active_days(self) -> int:
        return sum(1 for day in self.days if day.completions)

    @property
    def today_done(self) -> bool:
        return bool(self.days) and self.days[-1].completions > 0

    @property
    def streak_text(self) -> str:
        if not self.current_streak:
            return "Nog geen reeks. Doe vandaag een actie en begin er een!"
        return f"{_dagen(self.current_streak)} op rij"

    @property
    def streak_hint(self) -> str:
        """A nudge when the streak counts up to yesterday and today has nothing yet."""
        if self.current_streak and not self.today_done:
            return "Doe vandaag nog een actie om je reeks vast te houden."
        return ""

    @property
    def summary(self) -> str:
        """The whole strip in one sentence, for screen readers."""
        if not self.total:
            return f"In de afgelopen {len(self.days)} dagen nog geen acties gedaan."
        return (
            f"In de afgelopen {len(self.days)} dagen {_acties(self.total)} gedaan, "
            f"op {_dagen(self.active_days)}. Langste reeks: {_dagen(self.longest_streak)}."
        )


def activity_strip(*, user_id: int, now: datetime | None = None) -> ActivityStrip:
    """The strip in the user's own timezone setting (one query)."""
    activity = selectors.activity_get(user_id=user_id, days=STRIP_DAYS, now=now)
    last = len(activity.days) - 1
    return ActivityStrip(
        tz=activity.tz,
        days=[StripDay(day.day, day.completions, index == last) for index, day in enumerate(activity.days)],
        current_streak=activity.current_streak,
        longest_streak=activity.longest_streak,
    )
