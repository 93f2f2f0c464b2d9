"""Issuing, checking and revoking DateSpark's simplejwt tokens.

Every token carries:

- ``sid``: the login session it belongs to. Logout revokes the ``sid``, so
  the access token and its refresh token (and every rotation of it) die together.
- ``pwd``: a short HMAC of the user's password hash (Django's session auth
  hash). A password change makes every older token of that user fail without
  a table lookup, the way Django invalidates sessions.

Revoked ``sid``/``jti`` values live in ``RevokedToken`` until the token would
have expired anyway; the authentication query checks them in the same
statement that loads the user.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token

from coaching.models import RevokedToken

PASSWORD_CLAIM = "pwd"
USER_ID_CLAIM = str(settings.SIMPLE_JWT.get("USER_ID_CLAIM", "user_id"))
REFRESH_LIFETIME = cast(timedelta, settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"])
SESSION_CLAIM = "sid"


def password_fingerprint(user: AbstractBaseUser) -> str:
    return user.get_session_auth_hash()[:16]


def _stamp(token: Token, user: AbstractBaseUser, sid: str) -> None:
    token[SESSION_CLAIM] = sid
    token[PASSWORD_CLAIM] = password_fingerprint(user)


def cookie_token_for(user: AbstractBaseUser, *, sid: str | None = None) -> AccessToken:
    """A long-lived access token for the browser's HttpOnly cookie."""
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=settings.AUTH_COOKIE_MAX_AGE)
    _stamp(token, user, sid or uuid.uuid4().hex)
    return token


def token_pair_for(user: AbstractBaseUser, *, sid: str | None = None) -> tuple[RefreshToken, AccessToken]:
    """A rotating refresh token and its short-lived access token for API clients."""
    sid = sid or uuid.uuid4().hex
    refresh = RefreshToken.for_user(user)
    _stamp(refresh, user, sid)
    access = refresh.access_token
    _stamp(access, user, sid)
    return refresh, access


def revoke(*keys: str, expires_at: datetime) -> None:
    """Revoke session ids and/or token ids until ``expires_at``."""
    RevokedToken.objects.bulk_create(
        [RevokedToken(key=key, expires_at=expires_at) for key in keys if key],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["expires_at"],
    )


def revoke_session(payload: dict[str, Any]) -> None:
    """Revoke the login session a token belongs to (logout)."""
    # A session lives as long as its longest token: the refresh lifetime or the cookie's.
    longest = max(REFRESH_LIFETIME, settings.AUTH_COOKIE_MAX_AGE)
    revoke(payload.get(SESSION_CLAIM, ""), payload.get("jti", ""), expires_at=timezone.now() + longest)


def refresh_user(refresh: RefreshToken) -> AbstractBaseUser | None:
    """The active user a (signature-checked) refresh token may still act for, else None."""
    from django.contrib.auth import get_user_model

    try:
        user_id = int(refresh[USER_ID_CLAIM])
        keys = [str(refresh[SESSION_CLAIM]), str(refresh["jti"])]
        fingerprint = str(refresh[PASSWORD_CLAIM])
    except (KeyError, TypeError, ValueError):
        return None
    if RevokedToken.objects.filter(key__in=keys).exists():
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or password_fingerprint(user) != fingerprint:
        return None
    return user


def purge_expired() -> int:
    deleted, _ = RevokedToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
