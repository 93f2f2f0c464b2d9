"""Foto Advies uploads: storing the user's photo, and reading it back for its owner only."""

from __future__ import annotations

import contextlib
import logging
import uuid
from datetime import datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction

from coaching.exceptions import DomainError
from coaching.models import Photo

logger = logging.getLogger(__name__)

# What a failing store raises: a full or read-only disk, an object store away or refusing.
STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError, BotoCoreError, ClientError)


class StorageUnavailable(DomainError):
    """The upload could not be stored (disk full, object store away): a server problem, nothing kept."""

    code = "storage_unavailable"


class PhotoUnreadable(StorageUnavailable):
    """The photo is kept, but the store cannot give it back now: a server problem, nothing recorded."""


def photo_store(*, user_id: int, content: bytes, width: int, height: int) -> Photo:
    """Keep the user's new (already re-encoded) photo and drop the previous ones, files included.

    The bytes go to the store first, outside the database transaction (a slow
    store holds no locks); then one transaction saves the row and deletes the
    previous ones, whose files go once it has committed. All or nothing: when
    the store fails, or the transaction does, the new file is removed again,
    no row is saved, the old photo stays, and a failing store raises
    :class:`StorageUnavailable`.
    """
    photo = Photo(user_id=user_id, width=width, height=height)
    storage = photo.image.storage
    name = photo.upload_path()
    try:
        photo.image.name = storage.save(name, ContentFile(content))
    except STORAGE_ERRORS:
        _delete_quietly(storage, name)
        raise StorageUnavailable("The photo could not be stored now; try again later.") from None
    try:
        with transaction.atomic():
            old = list(Photo.objects.filter(user_id=user_id))
            photo.save()
            for previous in old:
                previous.delete()  # the post_delete hook removes the file after commit
    except BaseException:
        _delete_quietly(storage, photo.image.name)
        raise
    return photo


def _delete_quietly(storage: Storage, name: str) -> None:
    with contextlib.suppress(*STORAGE_ERRORS):
        storage.delete(name)


def photo_file_delete_on_commit(photo: Photo) -> None:
    """Remove a deleted photo's file once the deletion has committed (a rolled-back delete keeps it).

    A store that fails then leaves an orphan for ``manage.py photos_sweep``; the request still succeeds.
    """
    name, storage = photo.image.name, photo.image.storage
    if not name:
        return

    def delete() -> None:
        try:
            storage.delete(name)
        except STORAGE_ERRORS:
            logger.warning("photo file %s not removed (storage unavailable); photos_sweep will", name)

    transaction.on_commit(delete)


# A file younger than this may belong to an upload whose row is not committed yet.
ORPHAN_MIN_AGE = timedelta(hours=1)


def photo_orphans_sweep(*, storage: Storage, now: datetime) -> list[str]:
    """Remove every file under ``photos/`` that no Photo row names (and older than an hour); return their names."""
    try:
        folders, _ = storage.listdir("photos")
    except FileNotFoundError:  # nothing was ever uploaded here
        return []
    known = set(Photo.objects.values_list("image", flat=True))
    removed = []
    for folder in folders:
        _, files = storage.listdir(f"photos/{folder}")
        for file in files:
            name = f"photos/{folder}/{file}"
            if name not in known and storage.get_modified_time(name) < now - ORPHAN_MIN_AGE:
                storage.delete(name)
                removed.append(name)
    return removed


def photo_latest(*, user_id: int) -> Photo | None:
    """The user's current Foto Advies photo, if any."""
    return Photo.objects.filter(user_id=user_id).first()


def photo_get(*, user_id: int, photo_id: uuid.UUID) -> Photo | None:
    """One of the user's own photos; another user's photo id finds nothing."""
    return Photo.objects.filter(user_id=user_id, pk=photo_id).first()


def photo_read(photo: Photo) -> bytes:
    """The photo's bytes, for a tool that works on them; :class:`PhotoUnreadable` when the store fails."""
    try:
        with photo.image.open("rb") as handle:
            return handle.read()
    except STORAGE_ERRORS:
        raise PhotoUnreadable("The photo cannot be read now; try again later.") from None


def photo_content(photo: Photo) -> bytes | None:
    """The photo's bytes; None when the row outlived its file (a restored backup, a lost disk, a lost object)."""
    try:
        with photo.image.open("rb") as handle:
            return handle.read()
    except STORAGE_ERRORS:
        return None
