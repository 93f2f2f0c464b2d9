"""The pages' user: the same access-token cookie, and the same authenticator, as the API."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from coaching.accounts.authentication import user_for_access_token


def _cookie_user(request: HttpRequest, fallback: object) -> object:
    raw = request.COOKIES.get(settings.AUTH_COOKIE_NAME)
    if not raw:
        return fallback
    result = user_for_access_token(raw)
    return result[0] if result is not None else AnonymousUser()


class JWTCookieUserMiddleware:
    """``request.user`` from the ``datespark_auth_token`` cookie, lazily (no query unless a view asks).

    After Django's AuthenticationMiddleware: without the cookie, its (session)
    user stands. The API authenticates in DRF instead, with the same
    authenticator (coaching/accounts/authentication.py).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fallback = getattr(request, "user", AnonymousUser())
        request.user = SimpleLazyObject(lambda: _cookie_user(request, fallback))  # type: ignore[assignment]
        return self.get_response(request)
