"""Real faults against the app as `make run` serves it: the database stops and comes back.

The server runs on its own embedded PostgreSQL (a temporary data folder),
which the test stops with pg_ctl (`python -m datespark.embedded_db stop`)
and starts again, never a mocked exception.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import psycopg
import pytest

from coaching import catalog
from tests.ops.conftest import Served
from tests.security_facts import record
from tests.support import ROOT, wait_until_ready

# `make test-pooled` runs these again with PgBouncer (transaction mode) between the app and the database.
pytestmark = pytest.mark.pooled

LATER_MARK = {"toolName": "date-planner", "actionName": "idea_generated"}


def test_database_stop_gives_503_json_and_the_app_recovers_without_restart(served: Served) -> None:
    status, pair = served.request("POST", "/api/auth/token/", {"username": "demo", "password": "datespark-demo"})
    assert status == 200, pair
    token = pair["access"]
    mark = {"toolName": "chat-coach", "actionName": "first_question"}
    assert served.request("POST", "/api/tool-completion/mark-completed", mark, token)[0] == 200

    served.database("stop")
    record("faults_database_stopped")
    try:
        for method, path, body in [
            (
                "POST",
                "/api/tool-completion/mark-completed",
                {"toolName": "date-planner", "actionName": "idea_generated"},
            ),
            ("GET", "/api/tool-completion/progress", None),
            ("GET", "/api/tool-completion/is-completed?toolName=chat-coach&actionName=first_question", None),
        ]:
            started = time.monotonic()
            status, answer = served.request(method, path, body, token)
            assert status == 503, answer
            assert answer["success"] is False and answer["error"]["code"] == "database_unavailable"
            assert time.monotonic() - started < 10  # an answer, not a hang
        assert served.request("GET", "/readyz") == (503, {"status": "unavailable"})
        assert served.request("GET", "/healthz") == (200, {"status": "ok"})  # liveness: the process is fine
        # The operators see it: the outage's database errors are in the metrics, summed over the workers.
        errors = re.findall(r'^datespark_database_errors_total\{error="(\w+)"\} ([0-9.]+)$', served.metrics(), re.M)
        assert errors and sum(float(count) for _, count in errors) >= 3, errors
    finally:
        served.database("start")

    deadline = time.monotonic() + 20
    status = None
    while time.monotonic() < deadline:
        status, _ = served.request("GET", "/readyz")
        if status == 200:
            break
        time.sleep(0.2)
    assert status == 200
    # Every worker recovers: a stale connection costs at most one 503 per worker.
    answers = [served.request("GET", "/api/tool-completion/progress", token=token) for _ in range(6)]
    assert answers[-1][0] == 200
    progress = answers[-1][1]
    chat = next(tool for tool in progress["tools"] if tool["toolName"] == "chat-coach")
    assert chat["actionsCompleted"] == ["first_question"]  # the write before the outage is still there
    assert progress["overall"]["totalCompletions"] == 1  # the mark during the outage wrote nothing


def test_workers_killed_mid_load_lose_no_acknowledged_write(served: Served, tmp_path: Path) -> None:
    tokens_file = tmp_path / "tokens.json"
    subprocess.run(
        [sys.executable, "bench/seed.py", "--users", "12", "--tokens-out", str(tokens_file)],
        cwd=ROOT,
        env=served.env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    tokens = json.loads(tokens_file.read_text())
    pairs = [(tool.name, action) for tool in catalog.TOOLS for action in tool.action_names]
    acknowledged: set[tuple[int, str, str]] = set()
    lock = threading.Lock()
    enough = threading.Event()

    def client(index: int) -> None:
        token = tokens[index]
        # The catalog's marks, again and again (a mark is idempotent) until the workers were killed enough.
        for tool, action in itertools.islice(itertools.cycle(pairs), 20_000):
            if enough.is_set():
                break
            try:
                status, _ = served.request(
                    "POST", "/api/tool-completion/mark-completed", {"toolName": tool, "actionName": action}, token
                )
            except (OSError, http.client.HTTPException):
                continue  # the worker died under this request: not acknowledged
            if status == 200:
                with lock:
                    acknowledged.add((index, tool, action))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    killed = 0
    main = psutil.Process(served.main_pid)
    while any(thread.is_alive() for thread in threads) and killed < 12:
        # The oldest worker each time: Granian replaces a dead worker at once, and stops the instance
        # when the worker it replaced last dies again within seconds (a crash loop, for the
        # orchestrator to restart); killing workers in turn is a crash, not a loop.
        workers = sorted(main.children(), key=lambda worker: worker.create_time())
        if len(workers) == 2:
            workers[0].send_signal(signal.SIGKILL)
            killed += 1
        time.sleep(0.5)
    enough.set()
    for thread in threads:
        thread.join()

    record("faults_workers_killed", killed)
    assert killed >= 3
    assert acknowledged, "no request got through"
    # Each worker listens on its own socket (SO_REUSEPORT): while both are being replaced, none does.
    assert served.process is not None
    assert served.folder is not None
    log = served.folder / "server.log"
    wait_until_ready(f"http://127.0.0.1:{served.port}", served.process, timeout=30, log=log, paths=("/healthz",))
    # Count every acknowledged completion in the database.
    missing = []
    for index, token in enumerate(tokens):
        status, progress = served.request("GET", "/api/tool-completion/progress", token=token)
        assert status == 200
        done = {(tool["toolName"], a) for tool in progress["tools"] for a in tool["actionsCompleted"]}
        missing += [(index, t, a) for (i, t, a) in acknowledged if i == index and (t, a) not in done]
    record("acknowledged_writes_counted", len(acknowledged))
    record("acknowledged_writes_lost", len(missing))
    assert missing == []


def test_a_read_only_database_refuses_writes_with_503_and_keeps_serving_reads(served: Served) -> None:
    status, pair = served.request("POST", "/api/auth/token/", {"username": "demo", "password": "datespark-demo"})
    token = pair["access"]
    socket_dir = served.env["DATESPARK_PGDATA"]

    def mark_later() -> tuple[int, Any]:
        return served.request("POST", "/api/tool-completion/mark-completed", LATER_MARK, token)

    with psycopg.connect(f"postgresql://postgres@/postgres?host={socket_dir}", autocommit=True) as admin:

        def reconnect_workers() -> None:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = 'postgres' AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )

        admin.execute("ALTER DATABASE postgres SET default_transaction_read_only = on")
        record("faults_database_read_only")
        reconnect_workers()
        try:
            answers = [
                served.request("POST", "/api/tool-completion/mark-completed", LATER_MARK, token) for _ in range(4)
            ]
            assert {status for status, _ in answers} == {503}
            assert all(body["error"]["code"] == "database_unavailable" for _, body in answers)
            # Reading still works: once a worker's terminated connection has cost its one 503
            # (which worker took the writes above is the kernel's choice), it reads again.
            reads: list[int] = []
            while len(reads) < 8 and (not reads or reads[-1] != 200):
                reads.append(served.request("GET", "/api/tool-completion/progress", token=token)[0])
            assert reads[-1] == 200, reads
            assert set(reads[:-1]) <= {503}, reads
        finally:
            admin.execute("ALTER DATABASE postgres RESET default_transaction_read_only")
            reconnect_workers()
    # Each worker's first request may still meet its terminated (or, if the
    # terminate landed late, its read-only) connection: a 503, after which it
    # reconnects. A bounded number of tries, then it must have recovered.
    answers: list[tuple[int, Any]] = []
    while len(answers) < 8 and (not answers or answers[-1][0] != 200):
        answers.append(mark_later())
    assert answers[-1][0] == 200, answers
    assert {status for status, _ in answers[:-1]} <= {503}, answers
    assert answers[-1][1]["wasNew"] is True  # nothing was half-written while read-only
