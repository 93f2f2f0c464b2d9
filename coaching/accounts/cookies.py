"""The browser's login: the HttpOnly access-token cookie, set and cleared the same way by the API and the pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.csrf import rotate_token

from coaching.accounts import tokens


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
