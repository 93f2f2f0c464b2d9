"""Mijn gegevens: the timezone setting, the export download and deleting the account (GDPR art. 15, 17, 20).

Plain forms with Post/Redirect/Get; nothing here switches on htmx.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from rest_framework.renderers import JSONRenderer

from coaching import accounts, selectors, services
from coaching.authentication import auth_cookie_delete
from coaching.errors import ApiError, RateLimited
from coaching.forms import AccountDeleteForm, TimezoneForm
from coaching.views.common import page_login_required, rate_limited_message, request_user_id

TEMPLATE = "coaching/my_data.html"


def _page(
    request: HttpRequest,
    *,
    timezone_form: TimezoneForm | None = None,
    delete_form: AccountDeleteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if timezone_form is None:
        timezone_form = TimezoneForm(
            initial={"timezone": selectors.user_timezone(user_id=request_user_id(request))}, label_suffix=""
        )
    context: dict[str, Any] = {
        "timezone_form": timezone_form,
        "delete_form": delete_form or AccountDeleteForm(label_suffix=""),
    }
    return render(request, TEMPLATE, context, status=status)


@require_GET
@never_cache
@page_login_required
def my_data(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@never_cache
@page_login_required
def timezone_update(request: HttpRequest) -> HttpResponse:
    form = TimezoneForm(request.POST, label_suffix="")
    if not form.is_valid():
        return _page(request, timezone_form=form, status=400)
    name = form.cleaned_data["timezone"]
    services.settings_update(user_id=request_user_id(request), timezone_name=name)
    messages.success(request, f"Opgeslagen: je tijdzone is nu {name.replace('_', ' ')}.")
    return redirect("my-data")


@require_GET
@page_login_required
def export(request: HttpRequest) -> HttpResponse:
    """The API's export (GET /api/me/export), byte for byte, as a download."""
    user = cast(Any, request.user)
    response = HttpResponse(JSONRenderer().render(selectors.account_export(user=user)), content_type="application/json")
    filename = selectors.account_export_filename(user_id=user.pk, today=timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@never_cache
@page_login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST, label_suffix="")
    status, retry_after = 400, None
    if form.is_valid():
        try:
            accounts.account_delete(
                request=request,
                user=cast(AbstractBaseUser, request.user),
                password=form.cleaned_data["password"],
            )
        except RateLimited as exc:
            form.add_error(None, rate_limited_message(exc))
            status, retry_after = 429, exc.retry_after
        except ApiError:
            form.add_error("password", "Dit wachtwoord klopt niet. Er is niets verwijderd.")
        else:
            gone = redirect("login")
            auth_cookie_delete(gone)
            messages.success(request, "Je account en al je gegevens zijn verwijderd. Tot ziens!")
            return gone
    response = _page(request, delete_form=form, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
