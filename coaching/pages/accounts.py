"""Log in, sign up, log out and change the password: the same JWT cookie as the API, and Django's CSRF."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from coaching.accounts import services
from coaching.accounts.authentication import user_for_access_token
from coaching.accounts.cookies import auth_cookie_delete, auth_cookie_set
from coaching.exceptions import DomainError
from coaching.pages.access import page_login_required
from coaching.pages.account_forms import LoginForm, SignupForm
from coaching.pages.form_errors import form_error_add, retry_after_set
from datespark.http.client import client_ip


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("dashboard")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status, error = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = services.user_authenticate(
                    client_ip=client_ip(request),
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                )
            except DomainError as exc:
                error, status = exc, form_error_add(form, exc)
            else:
                redirect_response = HttpResponseRedirect(_next_url(request))
                auth_cookie_set(redirect_response, request, user)
                return redirect_response
    response = render(request, "registration/login.html", {"form": form, "next": _next_url(request)}, status=status)
    return retry_after_set(response, error)


@require_http_methods(["GET", "POST"])
def signup_view(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = services.user_register(
                    client_ip=client_ip(request),
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                    email=form.cleaned_data["email"],
                )
            except DomainError as exc:
                status = form_error_add(form, exc, fields={"username": "username", "password": "password1"})
            else:
                response = redirect("dashboard")
                auth_cookie_set(response, request, user)
                return response
    return render(request, "registration/signup.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    raw = request.COOKIES.get(settings.AUTH_COOKIE_NAME)
    result = user_for_access_token(raw) if raw else None
    if result is not None:
        services.session_end(token_payload=result[1].payload)
    response = redirect("login")
    auth_cookie_delete(response)
    return response


@require_http_methods(["GET", "POST"])
@page_login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = auth_forms.PasswordChangeForm(request.user, request.POST or None)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Every older token fails its password fingerprint now; this browser gets a fresh one.
        response = render(request, "registration/password_change_done.html")
        auth_cookie_set(response, request, user)
        return response
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/password_change_form.html", {"form": form}, status=status)
