import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from coaching.catalog import NAME_PATTERN


class ToolCompletion(models.Model):
    """One user's completion of one catalog action: the current state.

    Writes go through the ``mark_action_completed`` SQL function (see
    ``coaching.sql``), so the upsert is one atomic statement.
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
