"""The analytics page's bar chart: SVG geometry for completions per day (no queries here)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from coaching.staff.analytics import DayCount


@dataclass(frozen=True)
class ChartBar:
    day: date
    completions: int
    # SVG geometry, formatted here so the (Dutch) number localisation never touches it.
    x: str
    y: str
    width: str
    height: str
    label_x: str
    labelled: bool


@dataclass(frozen=True)
class ChartTick:
    value: int
    y: str


@dataclass(frozen=True)
class DayChart:
    width: int
    height: int
    left: int
    right: int
    baseline: int
    label_y: int
    bars: list[ChartBar]
    ticks: list[ChartTick]
    total: int


def nice_step(value: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least ``value``."""
    scale = 1
    while True:
        for factor in (1, 2, 5):
            if factor * scale >= value:
                return factor * scale
        scale *= 10


def day_chart(*, days: list[DayCount]) -> DayChart:
    """Bar geometry for completions per day: a bar per day, at most five gridlines, a date label per week."""
    width, height, left, right, top, baseline = 720, 240, 48, 712, 12, 212
    plot_height = baseline - top
    highest = max((day.completions for day in days), default=0)
    step = nice_step(highest / 4) if highest else 1
    ceiling = step * max(1, math.ceil(highest / step))
    slot = (right - left) / max(1, len(days))
    every = 7 if len(days) <= 45 else 14
    bars = []
    for index, day in enumerate(days):
        bar_height = plot_height * day.completions / ceiling
        bars.append(
            ChartBar(
                day=day.day,
                completions=day.completions,
                x=f"{left + index * slot + slot * 0.1:.2f}",
                y=f"{baseline - bar_height:.2f}",
                width=f"{slot * 0.8:.2f}",
                height=f"{bar_height:.2f}",
                label_x=f"{left + (index + 0.5) * slot:.2f}",
                # Counted back from today, so today always has its date.
                labelled=(len(days) - 1 - index) % every == 0,
            )
        )
    ticks = [
        ChartTick(value=value, y=f"{baseline - plot_height * value / ceiling:.2f}")
        for value in range(0, ceiling + 1, step)
    ]
    return DayChart(
        width=width,
        height=height,
        left=left,
        right=right,
        baseline=baseline,
        label_y=height - 8,
        bars=bars,
        ticks=ticks,
        total=sum(day.completions for day in days),
    )
