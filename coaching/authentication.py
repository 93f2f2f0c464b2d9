"""One authentication for the API and the pages: a simplejwt access token.

``Authorization: Bearer`` first, then the ``datespark_auth_token`` cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware, rotate_token
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from coaching import tokens
from coaching.errors import ApiError


class CsrfFailed(ApiError):
    status_code: int = 403
    default_code = "csrf_failed"
    default_detail = "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken."


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> Any:
        return reason


def user_for_token(raw: str) -> tuple[AbstractBaseUser, tokens.VerifiedToken] | None:
    """The user a valid, unrevoked access token belongs to, else None (one query)."""
    decoded = _decode(raw)
    if decoded is None:
        return None
    token, check = decoded
    user = tokens.user_for_check(check)
    return (user, token) if user is not None else None


def _decode(raw: str) -> tuple[tokens.VerifiedToken, tokens.TokenCheck] | None:
    """Signature, expiry and token type (no database), and the claims the database must confirm."""
    token = tokens.access_token_verify(raw)
    if token is None:
        return None
    try:
        return token, tokens.TokenCheck.from_token(token)
    except (KeyError, TypeError, ValueError):
        return None


class TokenUser:
    """The caller as far as a signature-checked token says, not yet confirmed by the database.

    Only views marked with :func:`checks_token_in_query` get one; they must
    run ``request.user.check`` through ``auth_token_valid`` in their own
    query and answer 401 when it fails (see coaching/api.py).
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, check: tokens.TokenCheck) -> None:
        self.check = check
        self.pk = self.id = check.user_id


F = TypeVar("F", bound=Callable[..., Any])


def checks_token_in_query(view_method: F) -> F:
    """Mark a view method whose query confirms the token itself (one round trip instead of two)."""
    view_method.checks_token_in_query = True  # type: ignore[attr-defined]
    return view_method


class JWTCookieAuthentication(BaseAuthentication):
    """Bearer header first, then the cookie; the cookie path enforces CSRF.

    Promises: a request is authenticated only by a signed, unexpired access
    token of an active user whose login session was not revoked (logout) and
    whose password has not changed since (the SQL function
    ``auth_token_valid``); anything else that presents credentials gets 401
    with ``WWW-Authenticate``. For views marked :func:`checks_token_in_query`
    the signature is checked here and the database part runs inside the
    view's own query; every other view gets a confirmed user (one query). Requests authenticated by
    the cookie must pass Django's CSRF check on unsafe methods (403 otherwise),
    the way dj-rest-auth's JWTCookieAuthentication does it.
    """

    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[Any, tokens.VerifiedToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is not None:
            parts = header.split()
            if len(parts) != 2 or parts[0] != "Bearer":
                raise exceptions.AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
            return self._authenticate_token(request, parts[1])
        raw = request.COOKIES.get(settings.AUTH_COOKIE_NAME)
        if not raw:
            return None
        result = self._authenticate_token(request, raw)
        self._enforce_csrf(request)
        return result

    def _authenticate_token(self, request: Request, raw: str) -> tuple[Any, tokens.VerifiedToken]:
        decoded = _decode(raw)
        if decoded is None:
            raise exceptions.AuthenticationFailed("The token is invalid, expired or revoked.")
        token, check = decoded
        if _view_checks_token(request):
            return TokenUser(check), token
        user = tokens.user_for_check(check)
        if user is None:
            raise exceptions.AuthenticationFailed("The token is invalid, expired or revoked.")
        return user, token

    def _enforce_csrf(self, request: Request) -> None:
        check = _CsrfCheck(lambda req: None)  # type: ignore[arg-type,return-value]
        check.process_request(request._request)
        reason = check.process_view(request._request, None, (), {})  # type: ignore[arg-type]
        if reason:
            raise CsrfFailed()

    def authenticate_header(self, request: Request) -> str:
        return f'Bearer realm="{self.www_authenticate_realm}"'


def _view_checks_token(request: Request) -> bool:
    view = (request.parser_context or {}).get("view")
    handler = getattr(view, getattr(view, "action", None) or "", None)
    return bool(getattr(handler, "checks_token_in_query", False))


class CredentialsInBody(BaseAuthentication):
    """For endpoints that take a password in the body (login, register, token).

    Authenticates nothing, so a stale cookie can neither block nor CSRF-fail
    a login, yet a 401 still carries ``WWW-Authenticate``.
    """

    def authenticate(self, request: Request) -> None:
        return None

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


def auth_cookie_set(response: HttpResponseBase, request: HttpRequest, user: AbstractBaseUser) -> None:
    """Log a browser in (API login/register/password and the pages alike).

    The HttpOnly ``datespark_auth_token`` cookie (30 days; Secure whenever
    the request came over HTTPS) and a fresh ``csrftoken`` cookie.
    """
    response.set_cookie(
        settings.AUTH_COOKIE_NAME,
        str(tokens.cookie_token_for(user)),
        max_age=int(settings.AUTH_COOKIE_MAX_AGE.total_seconds()),
        path="/",
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    rotate_token(request)


def auth_cookie_delete(response: HttpResponseBase) -> None:
    response.delete_cookie(settings.AUTH_COOKIE_NAME, path="/", samesite="Lax")
