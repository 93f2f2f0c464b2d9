"""Who may see a page: the signed-in user (the cookie's, see coaching/accounts/middleware.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django_htmx.http import HttpResponseClientRedirect

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
