"""Issuing, checking and revoking DateSpark's simplejwt tokens.

Every token carries:

- ``sid``: the login session it belongs to. Logout revokes the ``sid``, so
  the access token and its refresh token (and every rotation of it) die together.
- ``pwd``: a fingerprint of the user's stored password hash (the first 16
  hex digits of its MD5). A password change, by any route (API, pages, reset,
  admin, ``changepassword``), makes every older token fail. PostgreSQL can
  compute it too, so the check runs inside the API's queries. It reveals
  nothing usable: the hash it is taken from holds a random salt.

Revoked ``sid``/``jti`` values live in ``RevokedToken`` until the token would
have expired anyway. The whole rule is the SQL function ``auth_token_valid``
(coaching/sql.py); :class:`TokenCheck` carries what it needs.

simplejwt (PyJWT) issues every token and checks refresh tokens; access
tokens, checked on every API request, go through :func:`access_token_verify`
(see there for why).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token

from coaching.models import RevokedToken

PASSWORD_CLAIM = "pwd"
USER_ID_CLAIM = str(settings.SIMPLE_JWT.get("USER_ID_CLAIM", "user_id"))
REFRESH_LIFETIME = cast(timedelta, settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"])
SESSION_CLAIM = "sid"


def password_fingerprint(user: AbstractBaseUser) -> str:
    # Must equal left(md5(auth_user.password), 16) in auth_token_valid.
    return hashlib.md5(user.password.encode(), usedforsecurity=False).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """What the database must confirm about a signature-checked token (``auth_token_valid``)."""

    user_id: int
    revocation_keys: tuple[str, str]  # the login session's id and the token's own
    fingerprint: str

    @classmethod
    def from_token(cls, token: Token | VerifiedToken) -> TokenCheck:
        """Raises KeyError, TypeError or ValueError for a token without DateSpark's claims."""
        return cls(
            user_id=int(token[USER_ID_CLAIM]),
            revocation_keys=(str(token[SESSION_CLAIM]), str(token["jti"])),
            fingerprint=str(token[PASSWORD_CLAIM]),
        )


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """The claims of an access token whose signature, expiry and type held (``request.auth``)."""

    payload: dict[str, Any]

    def __getitem__(self, claim: str) -> Any:
        return self.payload[claim]


# Header, payload and signature: base64url without padding (RFC 7515 compact serialisation).
_COMPACT_JWS = re.compile(r"([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})")
# The headers PyJWT writes for HS256 ({"alg":"HS256","typ":"JWT"}, and without typ), as they are encoded.
_HS256_HEADERS = frozenset(
    base64.urlsafe_b64encode(json.dumps(header, separators=(",", ":")).encode()).rstrip(b"=").decode()
    for header in ({"alg": "HS256", "typ": "JWT"}, {"alg": "HS256"})
)


def access_token_verify(raw: str) -> VerifiedToken | None:
    """The claims of a valid simplejwt access token, else None. No database.

    The same rules as ``AccessToken(raw)`` with our settings (HS256 with the
    signing key, ``exp`` in the future, ``nbf``/``iat`` not in the future, a
    ``jti``, ``token_type`` "access"), and never more lenient: the signature
    must be the canonical encoding and the header exactly the one PyJWT
    writes for HS256.
    ``tests/test_tokens.py`` checks it against simplejwt on genuine, tampered and
    forged tokens.

    Why not simplejwt here: PyJWT 2.15's decode costs ~460,000 CPU
    instructions a call (~60 µs on the benchmark machine, a sixth of a
    mark-completed request), most of it a per-character Python check of the
    base64 alphabet; the regular expression above does that in C. See
    docs/PERFORMANCE.md.
    """
    match = _COMPACT_JWS.fullmatch(raw) if isinstance(raw, str) else None
    if match is None or match.group(1) not in _HS256_HEADERS:
        return None
    payload_b64, signature_b64 = match.group(2, 3)
    signed = raw[: match.end(2)].encode("ascii")
    expected = hmac.digest(_signing_key(), signed, "sha256")
    if not hmac.compare_digest(base64.urlsafe_b64encode(expected)[:43], signature_b64.encode("ascii")):
        return None
    # From here on the bytes are our own: the signature is the server's.
    try:
        payload = json.loads(_b64decode(payload_b64))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(payload, dict):
        return None
    # PyJWT's reading of the time claims: whole seconds.
    exp, nbf, iat = (_seconds(payload.get(claim, 0)) for claim in ("exp", "nbf", "iat"))
    now = time.time()
    if exp is None or nbf is None or iat is None or not nbf <= now < exp or iat > now:
        return None
    if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != "access" or jwt_settings.JTI_CLAIM not in payload:
        return None
    return VerifiedToken(payload)


def _signing_key() -> bytes:
    if jwt_settings.ALGORITHM != "HS256":
        raise ImproperlyConfigured("access_token_verify checks HS256 tokens only (SIMPLE_JWT['ALGORITHM']).")
    key = jwt_settings.SIGNING_KEY
    return key.encode() if isinstance(key, str) else bytes(key)


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _seconds(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value)


# The token check as the SQL functions that fold it in take it (user id, revocation keys,
# fingerprint), with check_params. The two keys travel as text: psycopg adapts a list
# parameter in Python, which cost ~50,000 CPU instructions a request (docs/PERFORMANCE.md).
CHECK_SQL = "%s, ARRAY[%s, %s]::text[], %s"


def check_params(user_id: int, check: TokenCheck | None) -> list[Any]:
    """The parameters for :data:`CHECK_SQL`.

    Without a check (the caller already confirmed the user, e.g. the pages)
    the fingerprint is NULL, which those functions read as "trusted".
    """
    if check is None:
        return [user_id, None, None, None]
    session_key, token_key = check.revocation_keys
    return [check.user_id, session_key, token_key, check.fingerprint]


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
    try:
        check = TokenCheck.from_token(refresh)
    except (KeyError, TypeError, ValueError):
        return None
    return user_for_check(check)


def user_for_check(check: TokenCheck) -> AbstractBaseUser | None:
    """The user, if ``auth_token_valid`` holds for the token: one query."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    rows = list(
        User.objects.raw(
            f"SELECT * FROM {User._meta.db_table} WHERE id = %s AND auth_token_valid({CHECK_SQL})",  # noqa: S608
            [check.user_id, *check_params(check.user_id, check)],
        )
    )
    return rows[0] if rows else None


def purge_expired() -> int:
    deleted, _ = RevokedToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
