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

from coaching.accounts.cookies import auth_cookie_delete
from coaching.api.outputs import account_export_data
from coaching.exceptions import DomainError
from coaching.mydata.deletion import account_delete as account_delete_service
from coaching.mydata.export import account_export, account_export_filename
from coaching.mydata.preferences import settings_update, user_timezone
from coaching.pages.access import page_login_required, request_user_id
from coaching.pages.form_errors import form_error_add, retry_after_set
from coaching.pages.my_data_forms import AccountDeleteForm, TimezoneForm
from datespark.http.client import client_ip

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
            initial={"timezone": user_timezone(user_id=request_user_id(request))}, label_suffix=""
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
    settings_update(user_id=request_user_id(request), timezone_name=name)
    messages.success(request, f"Opgeslagen: je tijdzone is nu {name.replace('_', ' ')}.")
    return redirect("my-data")


@require_GET
@page_login_required
def export(request: HttpRequest) -> HttpResponse:
    """The API's export (GET /api/me/export), byte for byte, as a download."""
    user = cast(Any, request.user)
    body = JSONRenderer().render(account_export_data(account_export(user=user)))
    response = HttpResponse(body, content_type="application/json")
    filename = account_export_filename(user_id=user.pk, today=timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@never_cache
@page_login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST, label_suffix="")
    status, error = 400, None
    if form.is_valid():
        try:
            account_delete_service(
                client_ip=client_ip(request),
                user=cast(AbstractBaseUser, request.user),
                password=form.cleaned_data["password"],
            )
        except DomainError as exc:
            error = exc
            status = form_error_add(
                form, exc, fields={"password": "password"}, message="Dit wachtwoord klopt niet. Er is niets verwijderd."
            )
        else:
            gone = redirect("login")
            auth_cookie_delete(gone)
            messages.success(request, "Je account en al je gegevens zijn verwijderd. Tot ziens!")
            return gone
    return retry_after_set(_page(request, delete_form=form, status=status), error)
