"""``/api/auth/``: register, log in, log out, change the password; the Bearer token pair for clients."""

from __future__ import annotations

from typing import cast

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, permissions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from coaching.accounts import services, tokens
from coaching.accounts.authentication import CredentialsInBody
from coaching.accounts.cookies import auth_cookie_delete, auth_cookie_set
from coaching.api import schema
from coaching.api.base import ApiViewSet, request_user
from coaching.api.inputs import LoginInput, PasswordChangeInput, RefreshInput, RegisterInput, validated
from coaching.api.outputs import user_data
from coaching.api.schema import documented
from datespark.http.client import client_ip


class CredentialsViewSet(ApiViewSet):
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
        data = validated(RegisterInput, request.data)
        user = services.user_register(
            client_ip=client_ip(request), username=data["username"], password=data["password"], email=data["email"]
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
        data = validated(LoginInput, request.data)
        user = services.user_authenticate(
            client_ip=client_ip(request), username=data["username"], password=data["password"]
        )
        response = Response(user_data(user))
        auth_cookie_set(response, request._request, user)
        return response


class SessionViewSet(ApiViewSet):
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
        services.session_end(token_payload=cast(AccessToken, request.auth).payload)
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
        data = validated(PasswordChangeInput, request.data)
        user = services.password_change(
            user=request_user(request), old_password=data["oldPassword"], new_password=data["newPassword"]
        )
        response = Response(status=status.HTTP_204_NO_CONTENT)
        auth_cookie_set(response, request._request, user)
        return response


class TokenViewSet(ApiViewSet):
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
        data = validated(LoginInput, request.data)
        user = services.user_authenticate(
            client_ip=client_ip(request), username=data["username"], password=data["password"]
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
        raw = validated(RefreshInput, request.data)["refresh"]
        try:
            old = RefreshToken(raw)  # type: ignore[arg-type]
        except TokenError:
            raise exceptions.AuthenticationFailed("The refresh token is invalid or expired.") from None
        user = tokens.refresh_user(old)
        if user is None:
            raise exceptions.AuthenticationFailed("The refresh token is invalid, expired or revoked.")
        tokens.revoke(str(old["jti"]), expires_at=timezone.now() + tokens.REFRESH_LIFETIME)
        refresh, access = tokens.token_pair_for(user, sid=str(old[tokens.SESSION_CLAIM]))
        return Response({"access": str(access), "refresh": str(refresh)})
