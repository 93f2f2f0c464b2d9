"""One authentication for the API and the pages: a simplejwt access token.

``Authorization: Bearer`` first, then the ``datespark_auth_token`` cookie.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Exists
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from coaching import tokens
from coaching.errors import ApiError
from coaching.models import RevokedToken


class CsrfFailed(ApiError):
    status_code: int = 403
    default_code = "csrf_failed"
    default_detail = "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken."


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> Any:
        return reason


def user_for_token(raw: str) -> tuple[AbstractBaseUser, AccessToken] | None:
    """The active user a valid, unrevoked access token belongs to, else None.

    One query: the user row, with whether the token's session or id is
    revoked. A password change is caught by the token's password fingerprint.
    """
    try:
        token = AccessToken(raw)  # type: ignore[arg-type]
        user_id = int(token[tokens.USER_ID_CLAIM])
        sid = str(token[tokens.SESSION_CLAIM])
        fingerprint = str(token[tokens.PASSWORD_CLAIM])
    except (TokenError, KeyError, TypeError, ValueError):
        return None
    user = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True)
        .annotate(revoked=Exists(RevokedToken.objects.filter(key__in=[sid, str(token.get("jti", ""))]).values("pk")))
        .first()
    )
    if user is None or user.revoked or tokens.password_fingerprint(user) != fingerprint:  # type: ignore[attr-defined]
        return None
    del user.revoked  # type: ignore[attr-defined]
    return user, token


class JWTCookieAuthentication(BaseAuthentication):
    """Bearer header first, then the cookie; the cookie path enforces CSRF.

    Promises: a request is authenticated only by a signed, unexpired access
    token of an active user whose login session was not revoked (logout) and
    whose password has not changed since; anything else that presents
    credentials gets 401 with ``WWW-Authenticate``. Requests authenticated by
    the cookie must pass Django's CSRF check on unsafe methods (403 otherwise),
    the way dj-rest-auth's JWTCookieAuthentication does it.
    """

    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, AccessToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is not None:
            parts = header.split()
            if len(parts) != 2 or parts[0] != "Bearer":
                raise exceptions.AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
            return self._authenticate_token(parts[1])
        raw = request.COOKIES.get(settings.AUTH_COOKIE_NAME)
        if not raw:
            return None
        result = self._authenticate_token(raw)
        self._enforce_csrf(request)
        return result

    def _authenticate_token(self, raw: str) -> tuple[AbstractBaseUser, AccessToken]:
        result = user_for_token(raw)
        if result is None:
            raise exceptions.AuthenticationFailed("The token is invalid, expired or revoked.")
        return result

    def _enforce_csrf(self, request: Request) -> None:
        check = _CsrfCheck(lambda req: None)  # type: ignore[arg-type,return-value]
        check.process_request(request._request)
        reason = check.process_view(request._request, None, (), {})  # type: ignore[arg-type]
        if reason:
            raise CsrfFailed()

    def authenticate_header(self, request: Request) -> str:
        return f'Bearer realm="{self.www_authenticate_realm}"'


class CredentialsInBody(BaseAuthentication):
    """For endpoints that take a password in the body (login, register, token).

    Authenticates nothing, so a stale cookie can neither block nor CSRF-fail
    a login, yet a 401 still carries ``WWW-Authenticate``.
    """

    def authenticate(self, request: Request) -> None:
        return None

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
