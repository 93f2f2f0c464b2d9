"""Deleting an account and everything tied to it (GDPR article 17)."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.storage import default_storage
from django.db import transaction

from coaching.accounts import ratelimit
from coaching.accounts.services import password_confirm
from coaching.completions.signals import completion_changed_send
from coaching.models import ToolCompletion, ToolCompletionEvent

logger = logging.getLogger(__name__)


def account_delete(*, client_ip: str, user: AbstractBaseUser, password: Any) -> None:
    """Erase the account after a password check: completions, events, settings, photos (files too).

    One transaction, so a failure deletes nothing. The event log's reset
    rows written by the cascade are erased with the user (the
    ``auth_user_erase_events`` trigger), photo files go once the deletion has
    committed, and every token of the user dies with the row it names.
    Failed checks count against the same limits as logging in.
    """
    password_confirm(client_ip=client_ip, user=user, password=password)
    user_id = int(user.pk)
    with transaction.atomic():
        removed = list(ToolCompletion.objects.filter(user_id=user_id).values_list("tool_name", "action_name"))
        ratelimit.forget("failed_login_per_username", user.get_username().lower())
        user.delete()
        photo_folder_remove_on_commit(user_id)
    logger.info("account %s deleted by its owner", user_id)  # the id only: the rest is gone
    completion_changed_send(user_id, [(tool, action, ToolCompletionEvent.Kind.RESET) for tool, action in removed])


def photo_folder_remove_on_commit(user_id: int) -> None:
    """Remove the user's (by then empty) upload folder after the files have gone."""

    def remove() -> None:
        with contextlib.suppress(OSError, NotImplementedError):  # not a local file system: no folders
            Path(default_storage.path(f"photos/{user_id}")).rmdir()

    transaction.on_commit(remove)
