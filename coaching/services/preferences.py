"""User settings."""

from __future__ import annotations

from coaching.models import UserSettings


def settings_update(*, user_id: int, timezone_name: str) -> UserSettings:
    """Save the user's timezone (an IANA name; the caller has validated it)."""
    user_settings, _ = UserSettings.objects.update_or_create(user_id=user_id, defaults={"timezone": timezone_name})
    return user_settings
