"""`make run` as a user runs it: it serves on the embedded PostgreSQL, and Ctrl-C leaves nothing behind."""

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

from tests.support import free_port, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent


def get(port: int, path: str, method: str = "GET", body: dict[str, str] | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    payload = json.dumps(body) if body is not None else None
    connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, response.read()


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
        assert processes_using(str(pgdata)), "the embedded PostgreSQL should be running"
        started = psutil.Process(make.pid).children(recursive=True)
        assert any("gunicorn" in " ".join(p.cmdline()) for p in started)

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
