"""The app as `make run` serves it (datespark/serve.py, own embedded PostgreSQL), for the fault and metrics tests."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support import ROOT, free_port, wait_until_ready

METRICS_TOKEN = "metrics-token-for-the-tests"
SERVE = [sys.executable, "-m", "datespark.serve"]


@dataclass
class Served:
    port: int
    env: dict[str, str]
    main_pid: int = 0

    folder: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        content_type = response.getheader("Content-Type", "")
        return response.status, json.loads(raw) if content_type.startswith("application/json") else raw

    def metrics(self) -> str:
        """/metrics as Prometheus scrapes it, with the bearer token."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        connection.request("GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        response = connection.getresponse()
        assert response.status == 200
        return response.read().decode()

    def database(self, command: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "datespark.embedded_db", command], cwd=ROOT, env=self.env, check=True, timeout=60
        )


@contextmanager
def database_for(env: dict[str, str]) -> Iterator[None]:
    """Under `make test-pooled`: the served app's embedded PostgreSQL started here, and PgBouncer in front of it.

    Otherwise the server's main process starts (and stops) the embedded server itself.
    """
    if os.environ.get("DATESPARK_POOLED") != "1":
        yield
        return
    from tests.pooler import pgbouncer

    url = subprocess.run(
        [sys.executable, "-m", "datespark.embedded_db", "url"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    socket_dir = parse_qs(urlsplit(url).query)["host"][0]
    try:
        with pgbouncer(socket_dir, None, "postgres") as (host, port):
            env["DATABASE_URL"] = f"postgresql://postgres@{host}:{port}/postgres"
            yield
    finally:
        subprocess.run([sys.executable, "-m", "datespark.embedded_db", "stop"], cwd=ROOT, env=env, timeout=60)


@pytest.fixture
def served() -> Iterator[Served]:
    """The app as `make run` serves it, on its own embedded PostgreSQL (through PgBouncer under `make test-pooled`)."""
    folder = Path(tempfile.mkdtemp(prefix="datespark-faults-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "DATESPARK_PGDATA": str(folder / "pgdata"),
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "DATESPARK_METRICS_TOKEN": METRICS_TOKEN,
            "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
        }
    )
    # A worker file a previous run left behind: the main process must clear it (tests/ops/test_metrics.py).
    (folder / "metrics").mkdir()
    (folder / "metrics" / "counter_1.db").write_bytes(b"")
    with database_for(env), (folder / "server.log").open("wb") as log:
        process = subprocess.Popen(
            SERVE,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Served(port, env, process.pid, folder, process)
        try:
            wait_until_ready(f"http://127.0.0.1:{port}", process, log=folder / "server.log")
            yield server
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    shutil.rmtree(folder, ignore_errors=True)
