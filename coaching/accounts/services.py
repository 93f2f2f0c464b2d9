"""Account services: register, log in, change the password, log out, confirm a password.

Shared by the JSON API and the pages, so both apply the same password rules,
rate limits and revocation. The edge passes the client's address
(``datespark.http.client.client_ip``) for the rate limits.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field

from coaching.accounts import ratelimit, tokens
from coaching.accounts.exceptions import InvalidCredentials, InvalidPassword, UsernameTaken
from coaching.exceptions import InvalidInput


def user_register(*, client_ip: str, username: str, password: str, email: str = "") -> AbstractBaseUser:
    """Create an active user after the registration rate limit and Django's password validators."""
    ratelimit.hit_and_check("register_per_ip", client_ip)
    User = get_user_model()
    username_field = User._meta.get_field(User.USERNAME_FIELD)
    assert isinstance(username_field, Field)
    try:
        username = username_field.clean(username, None)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="username") from None
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


def user_authenticate(*, client_ip: str, username: str, password: str) -> AbstractBaseUser:
    """Check a username and password, counting failures per username and per client IP."""
    ratelimit.check("failed_login_per_username", username.lower())
    ratelimit.check("failed_login_per_ip", client_ip)
    user = authenticate(None, username=username, password=password)
    if user is None:
        ratelimit.hit("failed_login_per_username", username.lower())
        ratelimit.hit("failed_login_per_ip", client_ip)
        raise InvalidCredentials()
    return user


def password_confirm(*, client_ip: str, user: AbstractBaseUser, password: Any) -> None:
    """The signed-in user's own password, asked again before something drastic (deleting the account).

    Failed attempts count against the same limits as logging in.
    """
    username = user.get_username().lower()
    ratelimit.check("failed_login_per_username", username)
    ratelimit.check("failed_login_per_ip", client_ip)
    if not isinstance(password, str) or not password:
        raise InvalidInput("Enter your password to delete the account.", field="password")
    if not user.check_password(password):
        ratelimit.hit("failed_login_per_username", username)
        ratelimit.hit("failed_login_per_ip", client_ip)
        raise InvalidPassword("The password is wrong.", field="password")


def password_change(*, user: AbstractBaseUser, old_password: str, new_password: str) -> AbstractBaseUser:
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
