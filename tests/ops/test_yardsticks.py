"""The benchmark's fixed yardsticks (bench/yardsticks.py): R1 serves plain Django, R2 runs a mark's SQL in pgbench."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from coaching import catalog
from coaching.models import ToolCompletion
from tests.support import BENCH, database_url_for, free_port
from tests.support import load_bench_script as load

yardsticks = load("yardsticks")


def test_r1_is_plain_django_on_gunicorn_one_sync_worker_per_core_without_access_log(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "r1.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            yardsticks.r1_command(port), cwd=BENCH, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", yardsticks.R1_PATH)
                response = connection.getresponse()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        assert (response.status, json.loads(response.read())) == (200, {"status": "ok"})
        assert response.getheader("Content-Type") == "application/json"
        assert len(psutil.Process(process.pid).children()) == (os.cpu_count() or 1)
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert "GET /" not in log.read_text()  # no access log


def test_r1_reads_no_gunicorn_conf_of_ours() -> None:
    assert not (BENCH / "gunicorn.conf.py").exists()  # gunicorn reads ./gunicorn.conf.py: R1 runs in bench/


@pytest.mark.django_db(transaction=True)
def test_r2_runs_the_sql_of_a_mark_in_pgbench(django_user_model: Any, tmp_path: Path) -> None:
    from django.db import connection

    user = django_user_model.objects.create_user(username="pgbench", password="geheim-wachtwoord-9")
    pairs = [(tool.name, action) for tool in catalog.TOOLS for action in tool.action_names]
    script = tmp_path / "mark.sql"
    script.write_text(yardsticks.r2_script(pairs, user.pk, user.pk))
    report = yardsticks.r2_run(script, database_url_for(connection.settings_dict["NAME"]), clients=2, seconds=2)
    assert report["tps"] > 0 and report["failed"] == 0
    # The marks really ran: the user's rows are there, one per catalog action at most.
    marked = ToolCompletion.objects.filter(user=user).count()
    assert 0 < marked <= len(pairs)


def test_r2_reads_pgbenchs_report() -> None:
    report = """transaction type: mark.sql
number of clients: 16
number of transactions actually processed: 35004
number of failed transactions: 0 (0.000%)
latency average = 2.281 ms
initial connection time = 12.804 ms
tps = 7014.257862 (without initial connection time)
"""
    assert yardsticks.r2_result(report) == {"tps": 7014.257862, "latency_ms": 2.281, "failed": 0}
    with pytest.raises(ValueError):
        yardsticks.r2_result("pgbench: error: connection refused")
