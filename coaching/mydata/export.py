"""Everything the app holds about one user (GDPR articles 15 and 20), read for the export download.

The API and the page shape it the same way (coaching/api/outputs.py,
``account_export_data``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from coaching.coach.photos import photo_content
from coaching.models import Photo, ToolCompletion, ToolCompletionEvent
from coaching.mydata.preferences import user_timezone


@dataclass(frozen=True)
class ExportedPhoto:
    photo: Photo
    content: bytes | None  # None: the row outlived its file (a restored backup, a lost disk)


@dataclass(frozen=True)
class AccountExport:
    user: Any
    timezone: str
    completions: list[ToolCompletion]
    events: list[ToolCompletionEvent]
    photos: list[ExportedPhoto]


def account_export(*, user: Any) -> AccountExport:
    """The user's account, settings, completions, events and uploads (with their bytes), oldest first."""
    user_id = user.pk
    return AccountExport(
        user=user,
        timezone=user_timezone(user_id=user_id),
        completions=list(ToolCompletion.objects.filter(user_id=user_id).order_by("completed_at", "id")),
        events=list(ToolCompletionEvent.objects.filter(user_id=user_id).order_by("at", "id")),
        photos=[
            ExportedPhoto(photo, photo_content(photo))
            for photo in Photo.objects.filter(user_id=user_id).order_by("uploaded_at")
        ],
    )


def account_export_filename(*, user_id: int, today: date) -> str:
    """The export download's file name (the API and the page give the same)."""
    return f"datespark-export-{user_id}-{today:%Y%m%d}.json"
