"""``/api/admin/``: staff only."""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from coaching.api import schema
from coaching.api.base import ApiViewSet
from coaching.api.schema import documented
from coaching.staff.tracking import tracking_ensure


class AdminViewSet(ApiViewSet):
    permission_classes = [permissions.IsAdminUser]

    @documented(
        summary="Staff: ensure the tracking tables, views and functions",
        request=None,
        ok=schema.InitOut,
        error_codes=(401, 403, 406, 503),
    )
    @action(detail=False, methods=["post"], url_path="init-tool-tracking")
    def init_tool_tracking(self, request: Request) -> Response:
        report = tracking_ensure()
        return Response(
            {
                "tablesCreated": report.tables_created,
                "viewsCreated": report.views_created,
                "functionsCreated": report.functions_created,
                "present": report.present,
            }
        )
