"""Foto Advies uploads: storing the user's photo, and reading it back for its owner only."""

from __future__ import annotations

import contextlib
import uuid

from django.core.files.base import ContentFile
from django.db import transaction

from coaching.exceptions import DomainError
from coaching.models import Photo


class StorageUnavailable(DomainError):
    """The upload could not be stored (disk full, read-only): a server problem, nothing kept."""

    code = "storage_unavailable"


def photo_store(*, user_id: int, content: bytes, width: int, height: int) -> Photo:
    """Keep the user's new (already re-encoded) photo and drop the previous ones, files included.

    All or nothing: when the file cannot be written (a full or read-only disk)
    no row is saved, a partly written file is removed, the old photo stays,
    and :class:`StorageUnavailable` is raised.
    """
    photo = Photo(user_id=user_id, width=width, height=height)
    try:
        with transaction.atomic():
            old = list(Photo.objects.filter(user_id=user_id))
            photo.image.save(f"{photo.id.hex}.jpg", ContentFile(content), save=False)
            photo.save()
            for previous in old:
                previous.delete()  # the post_delete hook removes the file after commit
    except OSError:
        name = photo.upload_path()
        with contextlib.suppress(OSError):
            photo.image.storage.delete(name)
        raise StorageUnavailable("The photo could not be stored now; try again later.") from None
    return photo


def photo_latest(*, user_id: int) -> Photo | None:
    """The user's current Foto Advies photo, if any."""
    return Photo.objects.filter(user_id=user_id).first()


def photo_get(*, user_id: int, photo_id: uuid.UUID) -> Photo | None:
    """One of the user's own photos; another user's photo id finds nothing."""
    return Photo.objects.filter(user_id=user_id, pk=photo_id).first()


def photo_content(photo: Photo) -> bytes | None:
    """The photo's bytes; None when the row outlived its file (a restored backup, a lost disk)."""
    try:
        with photo.image.open("rb") as handle:
            return handle.read()
    except OSError:
        return None
