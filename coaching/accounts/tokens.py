"""Issuing, confirming and revoking DateSpark's simplejwt tokens.

Every token carries:

- ``sid``: the login session it belongs to. Logout revokes the ``sid``, so
  the access token and its refresh token (and every rotation of it) die together.
- ``pwd``: a fingerprint of the user's stored password hash (the first 16
  hex digits of its MD5). A password change, by any route (API, pages, reset,
  admin, ``changepassword``), makes every older token fail. It reveals nothing
  usable: the hash it is taken from holds a random salt.

Revoked ``sid``/``jti`` values live in ``RevokedToken`` until the token would
have expired anyway. simplejwt (PyJWT) issues and verifies every token;
:func:`user_for_claims` is the whole rule the database confirms after that.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token

from coaching.models import RevokedToken

PASSWORD_CLAIM = "pwd"
USER_ID_CLAIM = str(settings.SIMPLE_JWT.get("USER_ID_CLAIM", "user_id"))
REFRESH_LIFETIME = cast(timedelta, settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"])
SESSION_CLAIM = "sid"


def password_fingerprint(user: AbstractBaseUser) -> str:
    return hashlib.md5(user.password.encode(), usedforsecurity=False).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a signature-checked token says about its holder, for the database to confirm."""

    user_id: int
    session_id: str
    token_id: str
    fingerprint: str

    @classmethod
    def of(cls, token: Token) -> TokenClaims | None:
        """The claims, or None for a token without DateSpark's (issued elsewhere, or tampered with)."""
        try:
            return cls(
                user_id=int(token[USER_ID_CLAIM]),
                session_id=str(token[SESSION_CLAIM]),
                token_id=str(token["jti"]),
                fingerprint=str(token[PASSWORD_CLAIM]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def user_for_claims(claims: TokenClaims) -> AbstractBaseUser | None:
    """The active user the token still speaks for, else None: one query on indexed keys.

    The whole revocation rule: the user exists and is active, the password is
    the one the token was issued under (its fingerprint), and neither the
    token's login session nor the token itself is revoked.
    """
    User = get_user_model()
    # Written out rather than composed with the ORM: it runs on every authenticated request.
    found = User.objects.raw(
        f"SELECT u.* FROM {User._meta.db_table} u WHERE u.id = %s AND u.is_active"  # noqa: S608
        f" AND NOT EXISTS (SELECT 1 FROM {RevokedToken._meta.db_table} r WHERE r.key IN (%s, %s))",
        [claims.user_id, claims.session_id, claims.token_id],
    )
    user = next(iter(found), None)
    if user is None or not hmac.compare_digest(password_fingerprint(user), claims.fingerprint):
        return None
    return user


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
    claims = TokenClaims.of(refresh)
    return user_for_claims(claims) if claims is not None else None


def purge_expired() -> int:
    deleted, _ = RevokedToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
