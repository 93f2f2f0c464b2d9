"""Foto Advies uploads."""

from __future__ import annotations

import contextlib

from django.core.files.base import ContentFile
from django.db import transaction

from coaching.models import Photo


class StorageUnavailable(ValueError):
    """The upload could not be stored (disk full, read-only): a server problem, nothing kept."""


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
        raise StorageUnavailable("Je foto kon nu niet worden opgeslagen. Probeer het later opnieuw.") from None
    return photo
