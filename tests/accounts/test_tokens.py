"""The authenticator (coaching.authentication.user_for_access_token) on genuine, tampered and forged tokens.

simplejwt verifies the token; whatever it refuses never reaches the database,
and whatever the authenticator accepts is a token simplejwt issued, for a
saved, active user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from coaching.accounts import tokens
from coaching.accounts.authentication import user_for_access_token

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _user(pk: int = 7) -> Any:
    return get_user_model()(id=pk, username=f"user{pk}", password=f"pbkdf2_sha256$1$salt${pk}")


def _reference(raw: str) -> dict[str, Any] | None:
    try:
        return dict(AccessToken(raw).payload)  # type: ignore[arg-type]
    except TokenError:
        return None


def _ours(raw: str) -> dict[str, Any] | None:
    result = user_for_access_token(raw)
    return dict(result[1].payload) if result is not None else None


def _genuine_payload() -> dict[str, Any]:
    return dict(tokens.cookie_token_for(_user()).payload)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(payload: Any, *, key: str = settings.SECRET_KEY, algorithm: str = "HS256", **headers: Any) -> str:
    if isinstance(payload, dict):
        return jwt.encode(payload, key, algorithm=algorithm, headers=headers or None)
    # A payload that is not a JSON object, signed correctly by hand.
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64(payload if isinstance(payload, bytes) else json.dumps(payload).encode())
    signature = _b64(hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{signature}"


def test_accepts_every_kind_of_access_token_simplejwt_issues(saved_user: Any) -> None:
    cookie = tokens.cookie_token_for(saved_user)
    _, access = tokens.token_pair_for(saved_user)
    for token in (cookie, access):
        raw = str(token)
        assert _ours(raw) == _reference(raw) == dict(token.payload)


def test_a_simplejwt_token_without_dateSpark_claims_is_refused(saved_user: Any) -> None:
    raw = str(AccessToken.for_user(saved_user))
    assert _reference(raw) is not None
    assert _ours(raw) is None


def test_the_claims_feed_the_database_check() -> None:
    claims = tokens.TokenClaims.of(tokens.cookie_token_for(_user(42)))
    assert claims is not None
    assert claims.user_id == 42
    assert claims.fingerprint == tokens.password_fingerprint(_user(42))


def _variant(name: str) -> str:
    user = _user()
    genuine = _genuine_payload()
    now = int(time.time())
    if name == "refresh token":
        return str(tokens.token_pair_for(user)[0])
    if name == "expired":
        token = tokens.cookie_token_for(user)
        token.set_exp(lifetime=timedelta(seconds=-1))
        return str(token)
    if name == "other key":
        return _sign(genuine, key="not-the-secret-key-but-long-enough-for-hs256")
    if name == "HS512":
        return _sign(genuine, algorithm="HS512")
    if name == "alg none":
        return jwt.encode(genuine, key=None, algorithm="none")
    if name == "extra header":
        return _sign(genuine, kid="1")
    if name == "no exp":
        return _sign({k: v for k, v in genuine.items() if k != "exp"})
    if name == "exp as text":
        return _sign({**genuine, "exp": str(now + 600)})
    if name == "exp true":
        return _sign({**genuine, "exp": True})
    if name == "exp in this second":
        return _sign({**genuine, "exp": now + 0.0})
    if name == "exp fraction ahead":
        return _sign({**genuine, "exp": time.time() + 0.001})
    if name == "nbf ahead":
        return _sign({**genuine, "nbf": now + 600})
    if name == "iat ahead":
        return _sign({**genuine, "iat": now + 600})
    if name == "iat as text":
        return _sign({**genuine, "iat": "yesterday"})
    if name == "no token type":
        return _sign({k: v for k, v in genuine.items() if k != "token_type"})
    if name == "no jti":
        return _sign({k: v for k, v in genuine.items() if k != "jti"})
    if name == "payload is a list":
        return _sign([genuine])
    if name == "payload is not JSON":
        return _sign(b"\xff\xfe not json")
    if name == "padded signature":
        return str(tokens.cookie_token_for(user)) + "="
    if name == "two dots only":
        return ".."
    raise AssertionError(name)


BAD = [
    "refresh token",
    "expired",
    "other key",
    "HS512",
    "alg none",
    "no exp",
    "exp true",
    "exp in this second",
    "nbf ahead",
    "iat ahead",
    "iat as text",
    "no token type",
    "no jti",
    "payload is a list",
    "payload is not JSON",
    "two dots only",
]


@pytest.fixture
def saved_user(db: Any) -> Any:
    return get_user_model().objects.create_user(id=7, username="user7", password="geheim-wachtwoord-7")


@pytest.mark.parametrize("name", BAD)
def test_rejects_what_simplejwt_rejects(name: str, saved_user: Any, django_assert_num_queries: Any) -> None:
    raw = _variant(name)
    assert _reference(raw) is None
    with django_assert_num_queries(0):
        assert _ours(raw) is None


def test_rejects_a_non_canonical_signature_encoding(saved_user: Any) -> None:
    # The last of 43 characters carries two unused bits: setting one spells
    # the same signature bytes differently. PyJWT refuses it.
    raw = str(tokens.cookie_token_for(saved_user))
    last = raw[-1]
    forged = raw[:-1] + ALPHABET[ALPHABET.index(last) ^ 1]
    signature, twin = (base64.urlsafe_b64decode(token.rsplit(".", 1)[1] + "=") for token in (raw, forged))
    assert signature == twin
    assert _reference(forged) is None
    assert _ours(forged) is None


@pytest.mark.parametrize("raw", ["", "abc", "a.b", "a.b.c", "a.b.c.d", " " + "x" * 50])
def test_rejects_garbage_without_raising(raw: Any, db: Any) -> None:
    assert user_for_access_token(raw) is None


@hypothesis_settings(max_examples=100, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=400),
    replacement=st.sampled_from([*ALPHABET, ".", "=", " ", "+", "/", "é", "\x00", ""]),
    insert=st.booleans(),
)
def test_never_accepts_more_than_simplejwt(position: int, replacement: str, insert: bool) -> None:
    # No database: an unsaved user, so the most the authenticator can do is refuse before its query.
    raw = str(tokens.cookie_token_for(_user()))
    position %= len(raw) + 1
    mutated = raw[:position] + replacement + raw[position + (0 if insert else 1) :]
    if _reference(mutated) is None:
        assert user_for_access_token(mutated) is None
