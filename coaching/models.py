import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from coaching.catalog import NAME_PATTERN


class ToolCompletion(models.Model):
    """One user's completion of one catalog action: the current state.

    Writes go through the ``mark_action_completed`` SQL function (migration
    0002), so the upsert is one atomic statement.
    """

    # db_index=False: the named (user) index below is the one the contract lists.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tool_completions", db_index=False
    )
    tool_name = models.CharField(max_length=50)
    action_name = models.CharField(max_length=50)
    metadata = models.JSONField(default=dict, db_default={}, blank=True)
    completed_at = models.DateTimeField(db_default=Now())

    class Meta:
        db_table = "tool_completions"
        ordering = ["-completed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "tool_name", "action_name"], name="tool_completions_user_tool_action_uniq"
            ),
            models.CheckConstraint(
                condition=Q(tool_name__regex=NAME_PATTERN), name="tool_completions_tool_name_format"
            ),
            models.CheckConstraint(
                condition=Q(action_name__regex=NAME_PATTERN), name="tool_completions_action_name_format"
            ),
        ]
        indexes = [
            models.Index(fields=["user"], name="tool_completions_user_idx"),
            models.Index(fields=["tool_name"], name="tool_completions_tool_idx"),
            models.Index(fields=["user", "tool_name"], name="tool_completions_user_tool_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.tool_name}/{self.action_name}"


class CatalogAction(models.Model):
    """A mirror of ``coaching.catalog`` for the SQL views, synced after every migrate."""

    tool_name = models.CharField(max_length=50)
    action_name = models.CharField(max_length=50)
    tool_position = models.PositiveSmallIntegerField()
    action_position = models.PositiveSmallIntegerField()

    class Meta:
        db_table = "tool_catalog"
        ordering = ["tool_position", "action_position"]
        constraints = [
            models.UniqueConstraint(fields=["tool_name", "action_name"], name="tool_catalog_tool_action_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.tool_name}/{self.action_name}"


class RevokedToken(models.Model):
    """A revoked token id (``jti``) or login session id (``sid``) until it would expire anyway."""

    key = models.CharField(max_length=64, primary_key=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "coaching_revoked_token"

    def __str__(self) -> str:
        return self.key


class RateLimitCounter(models.Model):
    """A fixed-window counter shared by every worker process."""

    key = models.CharField(max_length=200, primary_key=True)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField()

    class Meta:
        db_table = "coaching_rate_limit"

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"


def photo_upload_path(instance: "Photo", filename: str) -> str:
    # Random names in a per-user folder; never the uploader's file name.
    return f"photos/{instance.user_id}/{instance.id.hex}.jpg"


class Photo(models.Model):
    """A user's profile photo for Foto Advies: re-encoded JPEG, EXIF/GPS stripped, served only to its owner."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_upload_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.id}"

    def upload_path(self) -> str:
        return photo_upload_path(self, "")


class EventKind(models.TextChoices):
    """What happened to a completion: the words of ``tool_completion_events.kind`` and of the signal."""

    COMPLETED = "completed"
    REPEATED = "repeated"
    RESET = "reset"


class ToolCompletionEvent(models.Model):
    """One change of a completion, append-only: the history behind ``tool_completions``' current state.

    Written by the ``tool_completion_event_log`` trigger on ``tool_completions``
    (migration 0006), so every write path logs, the SQL functions
    included: an insert is ``completed``, an update ``repeated``, a delete
    ``reset``. A batch item older than its row writes its ``repeated`` event
    itself (the row keeps the later time). Activity, streaks and the staff
    analytics read this table.
    """

    Kind = EventKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tool_completion_events", db_index=False
    )
    tool_name = models.CharField(max_length=50)
    action_name = models.CharField(max_length=50)
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    at = models.DateTimeField()

    class Meta:
        db_table = "tool_completion_events"
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="tool_completion_events_kind"),
        ]
        indexes = [
            # A user's activity and streaks; export.
            models.Index(fields=["user", "at"], name="tool_events_user_at_idx"),
            # Staff analytics: a time window, counted per day and per distinct user, from the index alone.
            models.Index(fields=["at"], include=["user", "kind"], name="tool_events_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} {self.tool_name}/{self.action_name}"


DEFAULT_TIMEZONE = "Europe/Amsterdam"


class UserSettings(models.Model):
    """A user's preferences; a user without a row has the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="coaching_settings"
    )
    timezone = models.CharField(max_length=64, default=DEFAULT_TIMEZONE)

    class Meta:
        db_table = "coaching_user_settings"
        verbose_name_plural = "user settings"

    def __str__(self) -> str:
        return f"{self.user_id}: {self.timezone}"


class AuditRecord(models.Model):
    """A staff member looked at (or exported) users' data in the admin. Kept when either account goes."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    staff_username = models.CharField(max_length=150)
    action = models.CharField(max_length=50)
    subject_user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    path = models.CharField(max_length=500)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "coaching_audit_record"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.staff_username} {self.action} {self.subject_user_id or ''} @ {self.at:%Y-%m-%d %H:%M}"
