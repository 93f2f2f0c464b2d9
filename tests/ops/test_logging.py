"""Logs carry a request id and never tokens, passwords or metadata."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from typing import Any

import pytest
from django.test import Client
from granian.log import log_request_builder

from coaching.accounts import tokens
from datespark.http.logs import JsonFormatter
from datespark.serve import ACCESS_FORMAT, SECRET_PATHS, MaskResetTokens, logging_config

pytestmark = pytest.mark.django_db


def test_every_response_has_a_request_id(client: Client) -> None:
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_request_id_from_an_untrusted_peer_is_replaced(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="spoofed-request-id")["X-Request-ID"] != "spoofed-request-id"


def test_request_id_from_a_trusted_proxy_is_kept(client: Client, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="proxy-id-12345")["X-Request-ID"] == "proxy-id-12345"


def test_logs_hold_no_secrets_and_carry_the_request_id(
    client: Client, user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _, access = tokens.token_pair_for(user)
    secret_meta = "mijn-geheime-notitie"
    with caplog.at_level(logging.DEBUG):
        client.post(
            "/api/auth/login", {"username": "anna", "password": "fout-wachtwoord-xyz"}, content_type="application/json"
        )
        client.post(
            "/api/tool-completion/mark-completed",
            {"toolName": "nope", "actionName": "x", "metadata": {"note": secret_meta}},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {access}",
        )
        response = client.get("/api/tool-completion/progress", HTTP_AUTHORIZATION=f"Bearer {access}x")
    assert response.status_code == 401
    assert caplog.records, "the 4xx answers should have been logged"
    for record in caplog.records:
        text = record.getMessage()
        assert str(access) not in text and "fout-wachtwoord-xyz" not in text and secret_meta not in text
    # Records logged during a request carry its id (the one the response was sent with).
    assert caplog.records[-1].request_id == response["X-Request-ID"]


def test_json_log_lines() -> None:
    record = logging.makeLogRecord(
        {"name": "coaching", "levelno": 30, "levelname": "WARNING", "msg": "database unavailable"}
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["message"] == "database unavailable"
    assert line["request_id"] == "-"


def test_access_log_masks_password_reset_tokens() -> None:
    line = "GET /wachtwoord-herstellen/MQ/cz1k2h-4b8e1c0f9/ HTTP/1.1"
    assert SECRET_PATHS.sub(r"\1[redacted]/", line) == "GET /wachtwoord-herstellen/[redacted]/ HTTP/1.1"


def _access_line(access_format: str, path: str, *, masked: bool) -> str:
    """One access line as Granian writes it (its own request logger), through our filter or not."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    if masked:
        handler.addFilter(MaskResetTokens())
    access = logging.getLogger("granian.access")
    access.addHandler(handler)
    previous_level, access.level = access.level, logging.INFO
    try:
        request = {
            "addr_remote": "203.0.113.9",
            "path": path,
            "qs": "toolName=x",
            "method": "POST",
            "scheme": "http",
            "protocol": "HTTP/1.1",
            "headers": {"x-request-id": "f" * 32, "user-agent": 'curl/8 "quoted"'}.get,
        }
        log_request_builder(access_format)(time.time() - 1.2, time.perf_counter() - 1.2, request, 201)
    finally:
        access.removeHandler(handler)
        access.level = previous_level
    return stream.getvalue()


@pytest.mark.parametrize(
    "access_format",
    [ACCESS_FORMAT, "%(time)s %(dt_ms).0f %(status)d %(scheme)s %(header{user-agent})s %(query_string)s"],
)
def test_access_log_lines_are_granians_own(access_format: str) -> None:
    # Granian's own atoms: the lines are Granian's, but for the masked reset token.
    for path in ("/api/tool-completion/progress", "/wachtwoord-herstellen/MQ/cz1k2h-4b8e1c0f9/"):
        ours = _access_line(access_format, path, masked=True)
        theirs = _access_line(access_format, path, masked=False).replace("MQ/cz1k2h-4b8e1c0f9", "[redacted]")
        assert ours == theirs and ours.strip()
        assert "cz1k2h" not in ours


def test_the_access_line_names_the_request_and_its_id() -> None:
    line = _access_line(ACCESS_FORMAT, "/api/tool-completion/mark-completed", masked=True)
    assert re.fullmatch(
        r'203\.0\.113\.9 "POST /api/tool-completion/mark-completed HTTP/1\.1" 201 1\d{3}\.\dms rid=f{32}\n', line
    ), line
    assert "toolName" not in line  # no query strings in the access log


def test_the_servers_logging_masks_its_access_lines() -> None:
    config = logging_config()
    assert config["handlers"]["access"]["filters"] == ["mask_reset_tokens"]
    assert config["filters"]["mask_reset_tokens"]["()"] == "datespark.serve.MaskResetTokens"
