"""What every API viewset shares."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.http.response import HttpResponseBase
from django.utils import translation
from rest_framework import viewsets
from rest_framework.request import Request


class ApiViewSet(viewsets.ViewSet):
    """A viewset that answers in English (DRF's and Django's messages included); the pages are Dutch."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)


def request_user(request: Request) -> AbstractBaseUser:
    """The authenticated caller (every view that calls this sits behind IsAuthenticated)."""
    return cast(AbstractBaseUser, request.user)


def request_user_id(request: Request) -> int:
    return int(request_user(request).pk)
