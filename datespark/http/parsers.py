"""A JSON parser that refuses what Python's json module lets through.

``json.loads`` accepts ``1e400`` (as inf), ``NaN``, lone surrogates and NUL
characters, all of which crash later (PostgreSQL text/jsonb cannot hold NUL or
lone surrogates). This parser turns each into a 400 before any view runs, and
bounds the body so a huge one is a 413, never read whole.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.conf import settings
from rest_framework.parsers import BaseParser

from datespark.http.errors import InvalidJSON, PayloadTooLarge

MAX_DEPTH = 32


def _reject_constant(name: str) -> Any:
    raise InvalidJSON(f"{name} is not allowed in JSON.")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InvalidJSON("A number is out of range.")
    return value


def _check_string(value: str) -> None:
    if "\x00" in value:
        raise InvalidJSON("Strings may not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidJSON("Strings may not contain lone surrogates.") from None


def check_json_value(data: Any) -> None:
    """Walk a parsed value iteratively: bounded depth, no NUL, no lone surrogates."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_string(value)
        elif isinstance(value, dict):
            if depth > MAX_DEPTH:
                raise InvalidJSON("The JSON is nested too deeply.")
            for key, item in value.items():
                _check_string(key)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            if depth > MAX_DEPTH:
                raise InvalidJSON("The JSON is nested too deeply.")
            stack.extend((item, depth + 1) for item in value)


def loads_strict(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidJSON("The request body is not UTF-8.") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_parse_float)
    except RecursionError:
        raise InvalidJSON("The JSON is nested too deeply.") from None
    except ValueError as exc:  # JSONDecodeError, and ints over the digit limit
        raise InvalidJSON(f"The request body is not valid JSON: {exc}") from None
    check_json_value(data)
    return data


class StrictJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body is over {limit} bytes.")
        if not raw.strip():
            raise InvalidJSON("The request body is empty.")
        return loads_strict(raw)
