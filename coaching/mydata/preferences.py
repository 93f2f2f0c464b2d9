"""The user's settings (timezone): read with the default, and saved."""

from __future__ import annotations

from coaching.models import UserSettings
from coaching.timezones import zone_or_default


def user_timezone(*, user_id: int) -> str:
    """The user's timezone setting; ``Europe/Amsterdam`` until they change it."""
    return zone_or_default(UserSettings.objects.filter(user_id=user_id).values_list("timezone", flat=True).first())


def settings_update(*, user_id: int, timezone_name: str) -> UserSettings:
    """Save the user's timezone (an IANA name; the caller has validated it)."""
    user_settings, _ = UserSettings.objects.update_or_create(user_id=user_id, defaults={"timezone": timezone_name})
    return user_settings
