"""A user holding everything the app can hold, and a count of it: for the export and deletion tests."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth import get_user_model
from PIL import Image

from coaching.coach.photos import photo_store
from coaching.completions import services
from coaching.models import Photo, ToolCompletion, ToolCompletionEvent, UserSettings
from coaching.mydata.preferences import settings_update


def jpeg(color: tuple[int, int, int] = (200, 10, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="JPEG")
    return buffer.getvalue()


def fill(user: Any, *, tz: str = "Asia/Tokyo") -> Photo:
    """Completions (one repeated), every kind of event, a timezone setting and a photo."""
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question", metadata={"q": 3})
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question", metadata={"q": 4})
    services.completion_mark(user_id=user.pk, tool_name="date-planner", action_name="idea_generated")
    services.completion_reset(user_id=user.pk, tool_name="date-planner")
    settings_update(user_id=user.pk, timezone_name=tz)
    return photo_store(user_id=user.pk, content=jpeg(), width=40, height=30)


def counts(user_id: int) -> dict[str, int]:
    """How many rows of each kind name the user."""
    return {
        "completions": ToolCompletion.objects.filter(user_id=user_id).count(),
        "events": ToolCompletionEvent.objects.filter(user_id=user_id).count(),
        "photos": Photo.objects.filter(user_id=user_id).count(),
        "settings": UserSettings.objects.filter(user_id=user_id).count(),
        "users": get_user_model().objects.filter(pk=user_id).count(),
    }
