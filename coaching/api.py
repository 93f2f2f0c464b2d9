"""The JSON API (see ../shared/contract/API.md): thin viewsets over services and selectors."""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from coaching import accounts, schema, selectors, services, tokens
from coaching.authentication import (
    CredentialsInBody,
    TokenUser,
    auth_cookie_delete,
    auth_cookie_set,
    checks_token_in_query,
)
from coaching.errors import ApiError, Unauthorized
from coaching.schema import documented
from coaching.serializers import (
    LegacyImportInput,
    LoginInput,
    PasswordChangeInput,
    RefreshInput,
    RegisterInput,
    activity_data,
    activity_params,
    completion_state_data,
    imported_data,
    json_object,
    name_input,
    progress_data,
    tool_progress_data,
    user_data,
)
from coaching.tokens import TokenCheck


def _valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _user_id(request: Request) -> int:
    # Every caller sits behind IsAuthenticated, so there is a user.
    return int(cast(AbstractBaseUser, request.user).pk)


def _rendered(data: dict[str, Any]) -> HttpResponse:
    """A 200 with exactly the JSON a ``Response(data)`` would carry, rendered now.

    For the three hot endpoints, whose answers hold only JSON's own types
    (``serializers.timestamp`` spells the timestamps): one C encoder with the
    settings of DRF's JSONRenderer (compact, non-ASCII as is, no NaN, U+2028
    and U+2029 escaped), and DRF passes the finished response through with
    the same headers. DRF's deferred rendering cost ~100,000 CPU instructions
    a request more, its JSONRenderer here ~35,000 (it spells each timestamp
    in a Python ``default()``); docs/PERFORMANCE.md.
    """
    text = _ENCODER.encode(data)
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return HttpResponse(text.encode(), content_type="application/json")


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _token_check(request: Request) -> TokenCheck | None:
    """The token check a hot endpoint must fold into its query (None: already confirmed)."""
    user = request.user
    return user.check if isinstance(user, TokenUser) else None


class ToolCompletionViewSet(viewsets.ViewSet):
    """Mark, read and import a user's tool completions. Every query is scoped to request.user.

    The three hot endpoints confirm the token inside their one query
    (``checks_token_in_query``), so each costs a single round trip.
    """

    @documented(
        summary="Mark an action completed (idempotent)",
        request=schema.MarkIn,
        ok=schema.MarkOut,
        error_codes=schema.WRITE_ERRORS,
    )
    @action(detail=False, methods=["post"], url_path="mark-completed")
    @checks_token_in_query
    def mark_completed(self, request: Request) -> HttpResponse:
        data = request.data
        result = services.completion_mark(
            user_id=_user_id(request),
            tool_name=name_input(data, "toolName"),
            action_name=name_input(data, "actionName"),
            metadata=data.get("metadata"),
            check=_token_check(request),
        )
        return _rendered({"success": True, "wasNew": result.was_new, "progress": tool_progress_data(result.progress)})

    @documented(
        summary="Progress per tool and overall",
        ok=schema.ProgressOut,
        error_codes=schema.READ_ERRORS,
        parameters=[schema.TOOL_QUERY],
    )
    @action(detail=False, methods=["get"])
    @checks_token_in_query
    def progress(self, request: Request) -> HttpResponse:
        tool_name = name_input(request.query_params, "toolName", required=False)
        if tool_name is not None:
            services.tool_get_or_error(tool_name)
        progress = selectors.progress_get(user_id=_user_id(request), tool_name=tool_name, check=_token_check(request))
        return _rendered(progress_data(progress))

    @documented(
        summary="Whether one action is completed",
        ok=schema.IsCompletedOut,
        error_codes=schema.READ_ERRORS,
        parameters=[
            schema.TOOL_QUERY_REQUIRED,
            schema.ACTION_QUERY,
        ],
    )
    @action(detail=False, methods=["get"], url_path="is-completed")
    @checks_token_in_query
    def is_completed(self, request: Request) -> HttpResponse:
        query = request.query_params
        tool = services.tool_get_or_error(name_input(query, "toolName"))
        action_name = services.action_validate(tool, name_input(query, "actionName"))
        state = selectors.completion_state_get(
            user_id=_user_id(request), tool_name=tool.name, action_name=action_name, check=_token_check(request)
        )
        return _rendered(completion_state_data(state))

    @documented(
        summary="Move old localStorage flags in",
        request=schema.ImportIn,
        ok=schema.ImportOut,
        error_codes=schema.WRITE_ERRORS,
    )
    @action(detail=False, methods=["post"], url_path="import-legacy")
    def import_legacy(self, request: Request) -> Response:
        data = _valid(LegacyImportInput, request.data)
        result = services.legacy_import(user_id=_user_id(request), flags=data["flags"])
        return Response(
            {
                "success": True,
                "imported": imported_data(result.imported),
                "ignored": result.ignored,
            }
        )

    @documented(
        summary="Mark a batch of completions (offline clients): all or nothing",
        request=schema.BatchIn,
        ok=schema.BatchOut,
        error_codes=schema.WRITE_ERRORS,
    )
    @action(detail=False, methods=["post"])
    def batch(self, request: Request) -> Response:
        data = json_object(request.data)
        if "completions" not in data:
            raise ApiError("This field is required.", field="completions")
        user = cast(Any, request.user)
        result = services.completion_batch(
            user_id=_user_id(request), date_joined=user.date_joined, items=data["completions"]
        )
        return Response(
            {
                "success": True,
                "results": imported_data(result.results),
                "progress": progress_data(result.progress),
            }
        )

    @documented(
        summary="Undo: remove one action's completion, or the whole tool's",
        request=schema.ResetIn,
        ok=schema.ResetOut,
        error_codes=schema.WRITE_ERRORS,
    )
    @action(detail=False, methods=["post"])
    def reset(self, request: Request) -> Response:
        data = request.data
        result = services.completion_reset(
            user_id=_user_id(request),
            tool_name=name_input(data, "toolName"),
            action_name=name_input(data, "actionName", required=False),
        )
        return Response({"success": True, "removed": result.removed, "progress": tool_progress_data(result.progress)})

    @documented(
        summary="Completions per local day, and the streaks",
        ok=schema.ActivityOut,
        error_codes=schema.READ_ERRORS,
        parameters=[schema.DAYS_QUERY, schema.TZ_QUERY],
    )
    @action(detail=False, methods=["get"])
    def activity(self, request: Request) -> Response:
        days, tz = activity_params(request.query_params)
        user_id = _user_id(request)
        activity = selectors.activity_get(user_id=user_id, tz=tz or selectors.user_timezone(user_id=user_id), days=days)
        return Response(activity_data(activity))


class MeViewSet(viewsets.ViewSet):
    """The caller's own data: export it, or delete the account (GDPR articles 15, 17 and 20)."""

    @documented(
        summary="Download everything the app holds about you (JSON attachment)",
        ok=schema.ExportOut,
        error_codes=(401, 406, 503),
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> Response:
        user = cast(Any, request.user)
        response = Response(selectors.account_export(user=user))
        filename = selectors.account_export_filename(user_id=user.pk, today=timezone.localdate())
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response

    @documented(
        summary="Delete the account and everything tied to it (password required)",
        request=schema.DeleteIn,
        ok=OpenApiResponse(description="Deleted; every token of the user stops working."),
        status=204,
        error_codes=(400, 401, 403, 406, 413, 415, 429, 503),
    )
    @action(detail=False, methods=["post"], url_path="delete")
    def delete_account(self, request: Request) -> Response:  # not "delete": that name is DRF's DELETE handler
        data = json_object(request.data)
        accounts.account_delete(
            request=request._request, user=cast(AbstractBaseUser, request.user), password=data.get("password")
        )
        response = Response(status=status.HTTP_204_NO_CONTENT)
        auth_cookie_delete(response)
        return response


class CredentialsViewSet(viewsets.ViewSet):
    """Register and log in: the password in the body is the credential."""

    authentication_classes = [CredentialsInBody]
    permission_classes = [permissions.AllowAny]

    @documented(
        summary="Create an account and log in (sets the cookies)",
        request=schema.RegisterIn,
        ok=schema.UserOut,
        status=201,
        error_codes=(400, 406, 413, 415, 429, 503),
    )
    @action(detail=False, methods=["post"])
    def register(self, request: Request) -> Response:
        data = _valid(RegisterInput, request.data)
        user = accounts.user_register(
            request=request._request, username=data["username"], password=data["password"], email=data["email"]
        )
        response = Response(user_data(user), status=status.HTTP_201_CREATED)
        auth_cookie_set(response, request._request, user)
        return response

    @documented(
        summary="Log in (sets the cookies)",
        request=schema.LoginIn,
        ok=schema.UserOut,
        error_codes=(400, 401, 406, 413, 415, 429, 503),
    )
    @action(detail=False, methods=["post"])
    def login(self, request: Request) -> Response:
        data = _valid(LoginInput, request.data)
        user = accounts.user_authenticate(
            request=request._request, username=data["username"], password=data["password"]
        )
        response = Response(user_data(user))
        auth_cookie_set(response, request._request, user)
        return response


class SessionViewSet(viewsets.ViewSet):
    """Log out and change the password: need a valid token (cookie + CSRF, or Bearer)."""

    @documented(
        summary="Log out: clear the cookie, revoke the token",
        request=None,
        ok=OpenApiResponse(description="Logged out."),
        status=204,
        error_codes=(401, 403, 406, 503),
    )
    @action(detail=False, methods=["post"])
    def logout(self, request: Request) -> Response:
        accounts.session_end(token_payload=cast(tokens.VerifiedToken, request.auth).payload)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        auth_cookie_delete(response)
        return response

    @documented(
        summary="Change the password; other tokens are revoked, a fresh cookie is set",
        request=schema.PasswordIn,
        ok=OpenApiResponse(description="Changed."),
        status=204,
        error_codes=(400, 401, 403, 406, 413, 415, 429, 503),
    )
    @action(detail=False, methods=["post"])
    def password(self, request: Request) -> Response:
        data = _valid(PasswordChangeInput, request.data)
        user = accounts.password_change(
            request=request._request,
            user=cast(AbstractBaseUser, request.user),
            old_password=data["oldPassword"],
            new_password=data["newPassword"],
        )
        response = Response(status=status.HTTP_204_NO_CONTENT)
        auth_cookie_set(response, request._request, user)
        return response


class TokenViewSet(viewsets.ViewSet):
    """The simplejwt pair for non-browser clients: obtain, and refresh with rotation."""

    authentication_classes = [CredentialsInBody]
    permission_classes = [permissions.AllowAny]

    @documented(
        summary="Obtain a Bearer token pair",
        request=schema.LoginIn,
        ok=schema.TokenPairOut,
        error_codes=(400, 401, 406, 413, 415, 429, 503),
    )
    def obtain(self, request: Request) -> Response:
        data = _valid(LoginInput, request.data)
        user = accounts.user_authenticate(
            request=request._request, username=data["username"], password=data["password"]
        )
        refresh, access = tokens.token_pair_for(user)
        return Response({"access": str(access), "refresh": str(refresh)})

    @documented(
        summary="Rotate a refresh token",
        request=schema.RefreshIn,
        ok=schema.TokenPairOut,
        error_codes=(400, 401, 406, 413, 415, 503),
    )
    def refresh(self, request: Request) -> Response:
        raw = _valid(RefreshInput, request.data)["refresh"]
        try:
            old = RefreshToken(raw)  # type: ignore[arg-type]
        except TokenError:
            raise Unauthorized("The refresh token is invalid or expired.") from None
        user = tokens.refresh_user(old)
        if user is None:
            raise Unauthorized("The refresh token is invalid, expired or revoked.")
        tokens.revoke(str(old["jti"]), expires_at=timezone.now() + tokens.REFRESH_LIFETIME)
        refresh, access = tokens.token_pair_for(user, sid=str(old[tokens.SESSION_CLAIM]))
        return Response({"access": str(access), "refresh": str(refresh)})


class AdminViewSet(viewsets.ViewSet):
    permission_classes = [permissions.IsAdminUser]

    @documented(
        summary="Staff: ensure the tracking tables, views and functions",
        request=None,
        ok=schema.InitOut,
        error_codes=(401, 403, 406, 503),
    )
    @action(detail=False, methods=["post"], url_path="init-tool-tracking")
    def init_tool_tracking(self, request: Request) -> Response:
        report = services.tracking_ensure()
        return Response(
            {
                "tablesCreated": report.tables_created,
                "viewsCreated": report.views_created,
                "functionsCreated": report.functions_created,
                "present": report.present,
            }
        )
