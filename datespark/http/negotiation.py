"""DRF's content negotiation, with an empty ``Accept`` header read as no preference.

HTTP says a request without Accept accepts anything; some clients send the
header empty, which DRF's DefaultContentNegotiation takes as ruling JSON out
(a 406). Everything else, 406 included, is DRF's own.
"""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request


class JSONContentNegotiation(DefaultContentNegotiation):
    def get_accept_list(self, request: Request) -> list[str]:
        if not request.META.get("HTTP_ACCEPT", "").strip():
            return ["*/*"]
        return super().get_accept_list(request)
