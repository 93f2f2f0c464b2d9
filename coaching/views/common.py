from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from coaching.errors import RateLimited

View = Callable[..., HttpResponseBase]


def page_login_required(view: View) -> View:
    """Like login_required, but an htmx request gets HX-Redirect instead of a login page swapped into a panel."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        login = redirect_to_login(request.get_full_path())
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(login["Location"])
        return login

    return wrapper


def request_user_id(request: HttpRequest) -> int:
    """The logged-in user's id (the views behind page_login_required)."""
    return int(request.user.pk)  # type: ignore[arg-type]


def wants_partial(request: HttpRequest) -> bool:
    """An htmx swap, but not a history restore (that needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


def rate_limited_message(exc: RateLimited) -> str:
    minutes = max(1, round(exc.retry_after / 60))
    return f"Te veel pogingen. Probeer het over {minutes} {'minuut' if minutes == 1 else 'minuten'} opnieuw."
