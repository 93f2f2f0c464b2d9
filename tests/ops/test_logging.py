"""Logs carry a request id and never tokens, passwords or metadata."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from gunicorn.config import Config
from gunicorn.glogging import Logger, SafeAtoms

from coaching.accounts import tokens
from datespark.gunicorn_logger import SECRET_PATHS, RedactingLogger
from datespark.http.logs import JsonFormatter
from tests.support import ROOT

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


def _project_access_format() -> str:
    settings: dict[str, Any] = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)  # noqa: S102
    return str(settings["access_log_format"])


def _access_line(logger_class: type[Logger], access_format: str, path: str, *, sent: int | None = 1234) -> str:
    config = Config()
    config.set("access_log_format", access_format)
    logger = logger_class(config)
    environ = {
        "REMOTE_ADDR": "203.0.113.9",
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": 'curl/8 "quoted"',
    }
    response = SimpleNamespace(
        status="201 Created",
        sent=sent,
        headers=[("Content-Type", "application/json"), ("X-Request-ID", "f" * 32)],
    )
    request = SimpleNamespace(headers=[("USER-AGENT", 'curl/8 "quoted"')])
    took = timedelta(seconds=1, microseconds=234_567)
    return access_format % SafeAtoms(logger.atoms(response, request, environ, took))


@pytest.mark.parametrize("sent", [1234, 0, None])
@pytest.mark.parametrize(
    "access_format",
    [
        _project_access_format(),
        '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" rid=%({X-Request-Id}o)s %({missing}o)s',
        "%(t)s %(D)s %(s)s %(p)s %({user-agent}i)s",
    ],
)
def test_access_log_lines_are_gunicorns_own(access_format: str, sent: int | None) -> None:
    # gunicorn's own atoms: the lines are gunicorn's, but for the masked reset token.
    for path in ("/api/tool-completion/progress?toolName=x", "/wachtwoord-herstellen/MQ/cz1k2h-4b8e1c0f9/"):
        ours = _access_line(RedactingLogger, access_format, path, sent=sent)
        theirs = _access_line(Logger, access_format, path, sent=sent).replace("MQ/cz1k2h-4b8e1c0f9", "[redacted]")
        if "%(t)s" in access_format:  # the time of day is formatted twice
            ours, theirs = ours.split("] ", 1)[1], theirs.split("] ", 1)[1]
        assert ours == theirs
        assert "cz1k2h" not in ours
