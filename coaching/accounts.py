"""Account services: register, log in, change password, log out, delete the account.

Shared by the JSON API and the pages, so both apply the same password rules,
rate limits and revocation.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.http import HttpRequest

from coaching import ratelimit, tokens
from coaching.errors import ApiError, Unauthorized
from coaching.models import ToolCompletion
from coaching.signals import completion_changed_send

logger = logging.getLogger(__name__)


class UsernameTaken(ApiError):
    default_code = "username_taken"
    default_detail = "That username is already taken."


class InvalidPassword(ApiError):
    default_code = "invalid_password"
    default_detail = "The password is not acceptable."


class InvalidCredentials(Unauthorized):
    default_detail = "Wrong username or password."


def user_register(*, request: HttpRequest, username: str, password: str, email: str = "") -> AbstractBaseUser:
    """Create an active user after the registration rate limit and Django's password validators."""
    ratelimit.hit_and_check("register_per_ip", ratelimit.client_ip(request))
    User = get_user_model()
    username_field = User._meta.get_field(User.USERNAME_FIELD)
    assert isinstance(username_field, Field)
    try:
        username = username_field.clean(username, None)
    except ValidationError as exc:
        raise ApiError(" ".join(exc.messages), field="username") from None
    candidate = User(username=username, email=email)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise InvalidPassword(" ".join(exc.messages), field="password") from None
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTaken(field="username")
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError:  # lost a race with the same username
        raise UsernameTaken(field="username") from None


def user_authenticate(*, request: HttpRequest, username: str, password: str) -> AbstractBaseUser:
    """Check a username and password, counting failures per username and per client IP."""
    ip = ratelimit.client_ip(request)
    ratelimit.check("failed_login_per_username", username.lower())
    ratelimit.check("failed_login_per_ip", ip)
    user = authenticate(request, username=username, password=password)
    if user is None:
        ratelimit.hit("failed_login_per_username", username.lower())
        ratelimit.hit("failed_login_per_ip", ip)
        raise InvalidCredentials()
    return user


def password_change(
    *, request: HttpRequest, user: AbstractBaseUser, old_password: str, new_password: str
) -> AbstractBaseUser:
    """Change the password; every token issued before stops working (their fingerprint no longer matches)."""
    ratelimit.check("failed_login_per_username", user.get_username().lower())
    if not user.check_password(old_password):
        ratelimit.hit("failed_login_per_username", user.get_username().lower())
        raise InvalidPassword("The current password is wrong.", field="oldPassword")
    try:
        password_validation.validate_password(new_password, user)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InvalidPassword(" ".join(exc.messages), field="newPassword") from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user


def session_end(*, token_payload: dict[str, Any]) -> None:
    """Revoke the login session a token belongs to: its access and refresh tokens stop working."""
    tokens.revoke_session(token_payload)


def account_delete(*, request: HttpRequest, user: AbstractBaseUser, password: Any) -> None:
    """Erase the account after a password check: completions, events, settings, photos (files too).

    One transaction, so a failure deletes nothing. The event log's reset
    rows written by the cascade are erased with the user (the
    ``auth_user_erase_events`` trigger), photo files go once the deletion has
    committed, and every token of the user dies with the row it names.
    Failed checks count against the same limits as logging in.
    """
    username = user.get_username().lower()
    ip = ratelimit.client_ip(request)
    ratelimit.check("failed_login_per_username", username)
    ratelimit.check("failed_login_per_ip", ip)
    if not isinstance(password, str) or not password:
        raise ApiError("Enter your password to delete the account.", field="password")
    if not user.check_password(password):
        ratelimit.hit("failed_login_per_username", username)
        ratelimit.hit("failed_login_per_ip", ip)
        raise InvalidPassword("The password is wrong.", field="password")
    user_id = int(user.pk)
    with transaction.atomic():
        removed = list(ToolCompletion.objects.filter(user_id=user_id).values_list("tool_name", "action_name"))
        ratelimit.forget("failed_login_per_username", username)
        user.delete()
        photo_folder_remove_on_commit(user_id)
    logger.info("account %s deleted by its owner", user_id)  # the id only: the rest is gone
    completion_changed_send(user_id, [(tool, action, "reset") for tool, action in removed])


def photo_folder_remove_on_commit(user_id: int) -> None:
    """Remove the user's (by then empty) upload folder after the files have gone."""

    def remove() -> None:
        with contextlib.suppress(OSError, NotImplementedError):  # not a local file system: no folders
            Path(default_storage.path(f"photos/{user_id}")).rmdir()

    transaction.on_commit(remove)
