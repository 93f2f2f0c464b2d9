"""The API's input shapes: plain serializers for types and presence only.

Catalog, metadata and batch rules live in the services; these only say what
a well-formed request looks like. A bad one is a DRF ValidationError, which
the exception handler (errors.py) answers as ``invalid_input`` naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from coaching.completions.selectors import ACTIVITY_MAX_DAYS
from coaching.timezones import timezone_names


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The serializer's validated data; a ValidationError when the input is not of its shape."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class StrictCharField(serializers.CharField):
    """A string, and only a string: 123 or true is a wrong type, not "123"."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class NameField(StrictCharField):
    """A tool or action name as sent, untrimmed: the catalog decides whether it names anything."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=50, trim_whitespace=False, **kwargs)


class MarkInput(serializers.Serializer):
    toolName = NameField()
    actionName = NameField()
    # Any JSON value: the service says what metadata may be (invalid_metadata).
    metadata = serializers.JSONField(required=False, allow_null=True)


class ToolQuery(serializers.Serializer):
    toolName = NameField(required=False)


class ActionQuery(serializers.Serializer):
    toolName = NameField()
    actionName = NameField()


class ResetInput(serializers.Serializer):
    toolName = NameField()
    actionName = NameField(required=False)


class BatchInput(serializers.Serializer):
    # Any JSON value: the service checks every item before anything is written.
    completions = serializers.JSONField()


class LegacyImportInput(serializers.Serializer):
    # Any value is allowed (null included): only 'true' marks, the rest is reported as ignored.
    flags = serializers.DictField(child=serializers.JSONField(allow_null=True), allow_empty=True)


class RegisterInput(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=4096, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class LoginInput(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=4096, trim_whitespace=False)


class PasswordChangeInput(serializers.Serializer):
    oldPassword = StrictCharField(max_length=4096, trim_whitespace=False)
    newPassword = StrictCharField(max_length=4096, trim_whitespace=False)


class RefreshInput(serializers.Serializer):
    refresh = StrictCharField(max_length=4096)


class DeleteInput(serializers.Serializer):
    # Any value: the service asks for the password again, with its own message.
    password = serializers.JSONField(required=False, allow_null=True)


def activity_params(query: Mapping[str, Any]) -> tuple[int, str | None]:
    """``days`` (whole digits, 1 to 366, default 30) and ``tz`` (an IANA zone, or None for the user's setting)."""
    raw_days = query.get("days", "30")
    if not (isinstance(raw_days, str) and raw_days.isascii() and raw_days.isdigit() and len(raw_days) <= 3):
        raise ValidationError({"days": "days must be a whole number from 1 to 366."})
    days = int(raw_days)
    if not 1 <= days <= ACTIVITY_MAX_DAYS:
        raise ValidationError({"days": "days must be a whole number from 1 to 366."})
    tz = query.get("tz")
    if tz is not None and tz not in timezone_names():
        raise ValidationError({"tz": "tz must be an IANA timezone such as Europe/Amsterdam."})
    return days, tz
