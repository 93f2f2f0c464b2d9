"""`make run` as a user runs it: it serves on the embedded PostgreSQL (the v1.1 endpoints tried
as a new client would), and Ctrl-C leaves nothing behind."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.support import ROOT, free_port, wait_until_ready


def get(port: int, path: str, method: str = "GET", body: Any = None, token: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    payload = json.dumps(body) if body is not None else None
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def new_user_journey(port: int) -> None:
    """The v1.1 endpoints over real HTTP, as a new client would use them."""
    account = {"username": f"nieuw{port}", "password": "een-lang-wachtwoord-42"}
    assert get(port, "/api/auth/register", "POST", account)[0] == 201
    status, body = get(port, "/api/auth/token/", "POST", account)
    assert status == 200, body
    token = json.loads(body)["access"]
    items = [{"toolName": "chat-coach", "actionName": a} for a in ("first_question", "practice_completed")]
    status, body = get(port, "/api/tool-completion/batch", "POST", {"completions": items}, token)
    assert status == 200, body
    assert [r["wasNew"] for r in json.loads(body)["results"]] == [True, True]
    status, body = get(port, "/api/tool-completion/reset", "POST", {"toolName": "chat-coach"}, token)
    assert (status, json.loads(body)["removed"]) == (200, 2)
    status, body = get(port, "/api/tool-completion/activity?days=7", token=token)
    activity = json.loads(body)
    assert status == 200 and activity["tz"] == "Europe/Amsterdam" and activity["currentStreak"] == 1
    status, body = get(port, "/api/me/export", token=token)
    assert status == 200 and [e["kind"] for e in json.loads(body)["events"]].count("reset") == 2
    assert get(port, "/api/me/delete", "POST", {"password": "fout"}, token)[0] == 400
    assert get(port, "/api/me/delete", "POST", {"password": account["password"]}, token)[0] == 204
    assert get(port, "/api/tool-completion/progress", token=token)[0] == 401


def processes_using(path: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if any(path in part for part in cmdline):
            found.append(process)
    return found


@pytest.fixture
def pgdata() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="datespark-serve-pg-"))
    yield folder / "data"
    for process in processes_using(str(folder)):  # only if the test failed half-way
        process.kill()
    shutil.rmtree(folder, ignore_errors=True)


def test_make_run_serves_and_ctrl_c_stops_everything(pgdata: Path) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "MAKEFLAGS", "MAKELEVEL")}
    env.update({"DATESPARK_PGDATA": str(pgdata), "PORT": str(port)})
    with tempfile.TemporaryFile() as log:
        output = run_and_interrupt(env, port, pgdata, log)
    assert "Demo user (local use only)" in output
    assert '"GET /wachtwoord-herstellen/[redacted]/ HTTP/1.1"' in output and "cz1k2h" not in output
    assert '"POST /api/auth/login HTTP/1.1" 200' in output  # the access log is on by default


def run_and_interrupt(env: dict[str, str], port: int, pgdata: Path, log: Any) -> str:
    # A new session, like a terminal: Ctrl-C signals the whole foreground group.
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", make)
        status, body = get(port, "/api/auth/login", "POST", {"username": "demo", "password": "datespark-demo"})
        assert status == 200, body
        new_user_journey(port)
        assert processes_using(str(pgdata)), "the embedded PostgreSQL should be running"
        started = psutil.Process(make.pid).children(recursive=True)
        assert any("datespark.serve" in " ".join(p.cmdline()) for p in started)
        # The access log masks a password-reset link's one-time token.
        assert get(port, "/wachtwoord-herstellen/MQ/cz1k2h-4b8e1c0f9/")[0] in (200, 302)

        os.killpg(make.pid, signal.SIGINT)
        make.wait(timeout=60)

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and processes_using(str(pgdata)):
            time.sleep(0.2)
        assert not processes_using(str(pgdata)), "the embedded PostgreSQL outlived make run"
        assert not [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        with pytest.raises(OSError):
            get(port, "/healthz")
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
    log.seek(0)
    return str(log.read().decode(errors="replace"))
