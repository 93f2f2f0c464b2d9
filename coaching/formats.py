"""How DateSpark spells a moment in what it hands out (the API's JSON, the export, the staff CSV)."""

from __future__ import annotations

from datetime import datetime


def timestamp_text(value: datetime | None) -> str | None:
    """ISO 8601 with its offset, UTC as ``Z``: what DRF's JSON encoder writes for a datetime."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
