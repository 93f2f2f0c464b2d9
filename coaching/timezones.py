"""The IANA time zones a user may choose: those the pinned ``tzdata`` package knows, the same on every machine."""

from __future__ import annotations

import functools
import zoneinfo

from coaching.models import DEFAULT_TIMEZONE


@functools.cache
def timezone_names() -> frozenset[str]:
    """Every IANA zone the pinned ``tzdata`` package knows."""
    return frozenset(zoneinfo.available_timezones())


def zone_or_default(name: str | None) -> str:
    """A stored setting, if it names a zone tzdata knows; else the default."""
    return name if name in timezone_names() else DEFAULT_TIMEZONE
