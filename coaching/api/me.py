"""``/api/me/``: the caller's own data. Export it, or delete the account (GDPR articles 15, 17 and 20)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from coaching.accounts.cookies import auth_cookie_delete
from coaching.api import schema
from coaching.api.base import ApiViewSet, request_user
from coaching.api.inputs import DeleteInput, validated
from coaching.api.outputs import account_export_data
from coaching.api.schema import documented
from coaching.mydata.deletion import account_delete
from coaching.mydata.export import account_export, account_export_filename
from datespark.http.client import client_ip


class MeViewSet(ApiViewSet):
    @documented(
        summary="Download everything the app holds about you (JSON attachment)",
        ok=schema.ExportOut,
        error_codes=(401, 406, 503),
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> Response:
        user = request_user(request)
        response = Response(account_export_data(account_export(user=user)))
        filename = account_export_filename(user_id=int(user.pk), today=timezone.localdate())
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
        data = validated(DeleteInput, request.data)
        account_delete(client_ip=client_ip(request), user=request_user(request), password=data.get("password"))
        response = Response(status=status.HTTP_204_NO_CONTENT)
        auth_cookie_delete(response)
        return response
