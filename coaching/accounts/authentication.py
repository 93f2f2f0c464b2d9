"""One authentication for the API and the pages: a simplejwt access token.

``Authorization: Bearer`` first, then the ``datespark_auth_token`` cookie.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, CSRFCheck
from rest_framework.request import Request
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from coaching.accounts import tokens


class CsrfFailed(exceptions.PermissionDenied):
    default_code = "csrf_failed"
    default_detail = "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken."


def user_for_access_token(raw: str) -> tuple[AbstractBaseUser, AccessToken] | None:
    """Who an access token speaks for: the one authenticator of the API and the pages.

    simplejwt verifies the token (signature, expiry, type, ``jti``); then one
    indexed query confirms that the user is active, the password unchanged
    and the login session not revoked (:func:`tokens.user_for_claims`).
    None for anything less.
    """
    try:
        token = AccessToken(raw)  # type: ignore[arg-type]
    except TokenError:
        return None
    claims = tokens.TokenClaims.of(token)
    user = tokens.user_for_claims(claims) if claims is not None else None
    return (user, token) if user is not None else None


class JWTCookieAuthentication(BaseAuthentication):
    """Bearer header first, then the cookie; the cookie path enforces CSRF.

    Promises: a request is authenticated only by a signed, unexpired access
    token of an active user whose login session was not revoked (logout) and
    whose password has not changed since (:func:`user_for_access_token`, one
    query); anything else that presents credentials gets 401 with
    ``WWW-Authenticate``. Requests authenticated by the cookie must pass
    Django's CSRF check on unsafe methods (403 otherwise), the way
    dj-rest-auth's JWTCookieAuthentication does it.
    """

    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, AccessToken] | None:
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

    def _authenticate_token(self, request: Request, raw: str) -> tuple[AbstractBaseUser, AccessToken]:
        result = user_for_access_token(raw)
        if result is None:
            raise exceptions.AuthenticationFailed("The token is invalid, expired or revoked.")
        return result

    def _enforce_csrf(self, request: Request) -> None:
        check = CSRFCheck(lambda req: None)  # type: ignore[arg-type,return-value]
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
