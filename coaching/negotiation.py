"""Content negotiation for a JSON-only API.

DRF's default negotiation parses the Accept header against every renderer on
every request; with one renderer the answer is known unless a client rules
JSON out, in which case it is still a 406 in the contract's error shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

_JSON_OK = ("", "*/*", "application/json", "application/*")


class JSONContentNegotiation(BaseContentNegotiation):
    def __init__(self) -> None:
        self._full = DefaultContentNegotiation()

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> Any:
        return self._full.select_parser(request, parsers)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> Any:
        renderers = list(renderers)
        accept = request.META.get("HTTP_ACCEPT", "").strip()
        if accept in _JSON_OK and len(renderers) == 1:
            renderer = renderers[0]
            return renderer, renderer.media_type
        try:
            return self._full.select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            raise NotAcceptable("This API answers in JSON only (Accept: application/json).") from None
