"""Request ids on every log line, and JSON log lines for log collectors.

Each request gets an id (a trusted proxy's ``X-Request-ID`` when it looks
like one, else a fresh one), sent back in ``X-Request-ID``, written by the
server's access log (the id nginx passes on), and attached to every record
logged while the request runs. Log lines carry messages only: no bodies, tokens, passwords or
completion metadata are ever logged by this app.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str] = ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def install_record_factory() -> None:
    """Stamp the current request id on every log record, whichever handler emits it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "stamps_request_id", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id.get()
        return record

    factory.stamps_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message (and the exception, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Once per process, when the handler loads its middleware: before that
        # (a migrate at start-up) the plain format's default "-" stands in.
        install_record_factory()
        request_finished.connect(clear_request_id, dispatch_uid="datespark.clear_request_id")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        trusted = request.META.get("REMOTE_ADDR", "") in settings.TRUSTED_PROXIES
        rid = incoming if trusted and _VALID_ID.match(incoming) else uuid.uuid4().hex
        # Cleared on request_finished (see __init__), not here: Django logs 4xx
        # and 5xx answers after the middleware chain returns.
        request_id.set(rid)
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


def clear_request_id(**kwargs: object) -> None:
    request_id.set("-")
