"""bench/run.py's arithmetic: rounds are summarised by their medians, ratios come from the same round."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.support import load_bench_script as load


@pytest.fixture(scope="module")
def run() -> ModuleType:
    return load("run")


def one(run: ModuleType, rps: float, floor: float, p99: float, errors: int = 0) -> object:
    return run.Round(
        rps=rps, ratio=rps / floor, p50_ms=p99 / 2, p95_ms=p99 * 0.9, p99_ms=p99, max_ms=p99 * 1.5,
        errors=errors, non2xx=0, requests=int(rps * 5),
    )  # fmt: skip


def test_a_result_is_the_median_of_its_rounds_and_the_worst_of_its_errors(run: ModuleType) -> None:
    rounds = [one(run, 900, 3000, 30.0), one(run, 600, 2000, 45.0, errors=2), one(run, 800, 2500, 20.0)]
    result = run.Result.of("small", "mark", 16, rounds)
    assert (result.rps, result.ratio, result.p99_ms) == (800, 0.3, 30.0)
    assert (result.max_ms, result.errors, result.requests) == (67.5, 2, 11500)


def test_the_ratio_compares_each_round_with_its_own_r1(run: ModuleType) -> None:
    # Against the median R1 (4,000) the median mark (1,200) would read 0.30×; round by round it is 0.29×.
    rounds = [one(run, 1300, 4500, 20.0), one(run, 1000, 3500, 20.0), one(run, 1200, 4000, 20.0)]
    r1 = [one(run, rps, rps, 5.0) for rps in (4500, 3500, 4000)]
    results = [run.Result.of("small", "r1", 16, r1), run.Result.of("small", "mark", 16, rounds)]
    assert run.verdicts(results) == [
        "FAIL [small] mark at 16: 0.29× R1 (target 0.3), p99 2.0× p50 (target ≤ 2.5), errors 0"
    ]


def test_verdicts_fail_on_the_ratio_the_p99_spread_or_any_error(run: ModuleType) -> None:
    def at16(endpoint: str, rps: float, p50: float, p99: float, errors: int = 0) -> object:
        rounds = [one(run, rps, 4000, p99, errors)]
        rounds[0].p50_ms = p50  # type: ignore[attr-defined]
        return run.Result.of("small", endpoint, 16, rounds)

    good = [at16("mark", 1200, 10.0, 25.0), at16("progress", 1600, 8.0, 20.0), at16("is-completed", 1800, 8.0, 9.0)]
    assert [line[:4] for line in run.verdicts(good)] == ["PASS"] * 3
    assert (
        run.verdicts(good)[0] == "PASS [small] mark at 16: 0.30× R1 (target 0.3), p99 2.5× p50 (target ≤ 2.5), errors 0"
    )
    for bad in (
        at16("is-completed", 1780, 8.0, 9.0),  # 0.445× R1: under 0.45
        at16("progress", 1600, 8.0, 20.1),  # p99 over 2.5× p50
        at16("mark", 1300, 10.0, 11.0, errors=1),
    ):
        [line] = run.verdicts([bad])
        assert line.startswith("FAIL"), line
    at64 = run.Result.of("small", "mark", 64, [one(run, 900, 2500, 60.0)])  # p50 30: p99 2× p50
    assert run.verdicts([at64]) == ["PASS [small] mark at 64: p99 2.0× p50 (target ≤ 3.0), errors 0"]
    spread = run.Result.of("small", "mark", 64, [one(run, 900, 2500, 60.0)])
    spread.p50_ms = 19.0
    assert run.verdicts([spread])[0].startswith("FAIL [small] mark at 64: p99 3.2× p50")


def test_no_errors_anywhere_and_r2_must_not_fail_either(run: ModuleType) -> None:
    # /healthz and the other endpoints at 64 have no ratio target: they pass silently, or fail on an error.
    quiet = [run.Result.of("small", endpoint, 64, [one(run, 900, 900, 5.0)]) for endpoint in ("healthz", "progress")]
    assert run.verdicts(quiet) == []
    broken = run.Result.of("small", "healthz", 16, [one(run, 900, 900, 5.0, errors=3)])
    assert run.verdicts([broken]) == ["FAIL [small] healthz at 16: errors 3"]
    ceiling = run.Ceiling.of("small", 16, [{"tps": 2400.0, "latency_ms": 6.6, "failed": 0}] * 2)
    failing = run.Ceiling.of("small", 64, [{"tps": 2000.0, "latency_ms": 30.0, "failed": 2}])
    assert run.verdicts(quiet, [ceiling, failing]) == ["FAIL [small] R2 at 64: 2 failed transactions"]


def test_the_pooled_topology_is_reported_not_judged(run: ModuleType) -> None:
    slow = run.Result.of("small (pooled)", "mark", 16, [one(run, 100, 4000, 90.0)])
    assert run.verdicts([slow]) == []
    broken = run.Result.of("small (pooled)", "progress", 64, [one(run, 100, 4000, 90.0, errors=2)])
    assert run.verdicts([broken]) == ["NOTE [small (pooled)] progress at 64: errors 2"]


def test_r2_is_reported_beside_the_marks_the_app_served(run: ModuleType) -> None:
    reports = [{"tps": tps, "latency_ms": 6.0, "failed": 0} for tps in (2400.0, 2600.0, 2500.0)]
    ceiling = run.Ceiling.of("small", 16, reports)
    assert (ceiling.tps, ceiling.rounds) == (2500.0, [2400.0, 2600.0, 2500.0])
    mark = run.Result.of("small", "mark", 16, [one(run, 500, 4000, 30.0)])
    lines = run.ceiling_table([mark], [ceiling])
    assert lines[-1] == "| small | 16 | 2500 | 6.0 | 2400 / 2600 / 2500 | 500 | 0.20 | 0 |"


def test_the_cpu_split_is_per_request_and_the_rest_of_the_machine_is_what_nobody_named(run: ModuleType) -> None:
    tick = run.CLOCK_TICKS  # ticks a second
    before = run.CpuReading(app=1000, database=500, load=2.0, busy=10_000, stolen=300, idle=4_000)
    # 2 s of app, 1 s of database, 0.5 s of wrk, 4 s busy in all, 0.25 s stolen, 1 s idle; 1,000 requests.
    after = run.CpuReading(
        app=1000 + 2 * tick, database=500 + tick, load=2.5, busy=10_000 + 4 * tick, stolen=300 + tick // 4,
        idle=4_000 + tick,
    )  # fmt: skip
    split = after.split_since(before, 1000)
    assert split == run.CpuSplit(app=2000.0, database=1000.0, load=500.0, other=500.0, stolen=250.0, idle=1000.0)
    external = run.CpuReading(
        app=1000 + 2 * tick, database=None, load=2.5, busy=10_000 + 4 * tick, stolen=300, idle=4_000
    )
    assert external.split_since(run.CpuReading(1000, None, 2.0, 10_000, 300, 4_000), 1000).database is None


def test_the_cpu_of_rounds_is_summarised_by_medians(run: ModuleType) -> None:
    shares = [(900, 300, 10), (1100, 500, 30), (1000, 400, 20)]
    splits = [run.CpuSplit(app=a, database=d, load=1.0, other=2.0, stolen=i / 10, idle=i) for a, d, i in shares]
    assert run.CpuSplit.median(splits) == run.CpuSplit(app=1000, database=400, load=1.0, other=2.0, stolen=2.0, idle=20)
    assert run.CpuSplit.median([*splits, None]) is None  # a round that was not measured
    rounds = [one(run, 900, 3000, 20.0)]
    rounds[0].cpu = splits[0]  # type: ignore[attr-defined]
    lines = run.cpu_table([run.Result.of("small", "mark", 16, rounds), run.Result.of("small", "mark", 64, rounds)])
    assert lines[-1] == "| small | POST mark-completed | 900 | 300 | 1 | 2 | 1 | 10 | 1214 |"
    assert sum(line.startswith("| small") for line in lines) == 1  # 16 connections only


def test_a_round_starts_with_r1(run: ModuleType) -> None:
    # Refused before anything is measured: every ratio of a round is to the R1 run that opens it.
    with pytest.raises(ValueError, match="starts with the yardstick, R1"):
        next(run.measure_round({}, ["healthz", "r1"], 16, None))


def test_the_server_is_described_by_its_log_and_its_live_workers(run: ModuleType) -> None:
    log = (
        "Serving on Granian 2.8.9: 2 workers x 4 threads, keep-alive\n"
        "[INFO] Starting granian (main PID: 100)\n"
        "[INFO] Spawning worker-1 with PID: 101\n"
        "[INFO] Spawning worker-2 with PID: 102\n"
        "[INFO] Spawning worker-1 with PID: 103\n"  # 101 was replaced
    )
    # pid -> (parent, ticks): the main process (100), its live workers, and an unrelated process.
    table = {100: (1, 50), 102: (100, 900), 103: (100, 800), 200: (1, 10)}
    assert run.server_model(log, table, 100) == "Granian 2.8.9, 2 workers × 4 threads"
    assert run.server_model("", {100: (1, 0), 101: (100, 0)}, 100) == (
        "Granian (version not logged), 1 worker × ? threads"
    )


def test_without_wrk_the_benchmarks_say_how_to_install_it(
    run: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(run.shutil, "which", lambda name: None)
    assert run.wrk_missing()
    assert "apt-get install wrk" in capsys.readouterr().err
    monkeypatch.setattr(run.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert not run.wrk_missing()
    assert capsys.readouterr().err == ""


def test_a_process_tree_is_charged_the_cpu_of_its_descendants(run: ModuleType) -> None:
    burn = (
        "import time\n"
        "end = time.process_time() + 0.3\n"
        "while time.process_time() < end: pass\n"
        "print('done', flush=True)\n"
        "time.sleep(30)"
    )
    child = subprocess.Popen([sys.executable, "-c", burn], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "done\n"
        table = run.process_ticks()
        burnt = run.tree_ticks(table, child.pid)
        assert burnt >= 0.25 * run.CLOCK_TICKS
        assert run.tree_ticks(table, os.getpid()) >= table[os.getpid()][1] + burnt
    finally:
        child.kill()
        child.wait()


@pytest.fixture(scope="module")
def inprocess() -> ModuleType:
    return load("inprocess")


@pytest.fixture
def connections_kept() -> Iterator[None]:
    """Requests keep the test's connection, as Django's test client arranges (its handler does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("connections_kept")
def test_the_in_process_benchmark_sends_what_wrk_sends_and_counts_cpu(inprocess: ModuleType) -> None:
    from django.contrib.auth import get_user_model
    from django.core.handlers.wsgi import WSGIHandler

    from coaching.accounts import tokens
    from coaching.models import ToolCompletion

    user = get_user_model().objects.create_user("bench-inprocess", password="x" * 12)
    token = str(tokens.cookie_token_for(user))
    pairs = [("profiel-coach", "bio_generated"), ("foto-advies", "photo_uploaded")]
    app = WSGIHandler()
    for endpoint in inprocess.ENDPOINTS:
        environs = inprocess.requests(endpoint, [token], pairs, 4)
        assert [inprocess.call(app, environ) for environ in environs] == ["200 OK"] * 4, endpoint
    assert set(ToolCompletion.objects.filter(user=user).values_list("tool_name", "action_name")) == set(pairs)
    figures = inprocess.cpu_per_request(app, inprocess.requests("progress", [token], pairs, 20))
    assert figures["cpu"] > 0
    with pytest.raises(SystemExit, match="401"):  # a request that fails stops the measurement
        inprocess.cpu_per_request(app, inprocess.requests("progress", ["not-a-token"], pairs, 1))


@pytest.fixture(scope="module")
def compare() -> ModuleType:
    return load("compare")


def test_compare_alternates_which_set_up_goes_first(compare: ModuleType) -> None:
    assert [compare.order(n) for n in (1, 2, 3, 4)] == [("A", "B"), ("B", "A"), ("A", "B"), ("B", "A")]


def test_compare_takes_settings_as_name_equals_value(compare: ModuleType) -> None:
    assert compare.setting("GUNICORN_CMD_ARGS=--keep-alive 0") == ("GUNICORN_CMD_ARGS", "--keep-alive 0")
    for wrong in ("WEB_CONCURRENCY", "=3", "NOT A NAME=1"):
        with pytest.raises(Exception, match="NAME=VALUE"):
            compare.setting(wrong)


def test_compare_summarises_each_set_up_by_its_medians_and_b_against_a(compare: ModuleType, run: ModuleType) -> None:
    def rounds(rps: list[float], floors: list[float]) -> list[object]:
        return [one(run, r, f, 20.0) for r, f in zip(rps, floors, strict=True)]

    data = {
        ("A", "r1"): rounds([3000, 2000, 2500], [3000, 2000, 2500]),
        ("B", "r1"): rounds([2400, 2600, 2500], [2400, 2600, 2500]),
        ("A", "mark"): rounds([600, 500, 700], [3000, 2000, 2500]),
        ("B", "mark"): rounds([700, 800, 750], [2400, 2600, 2500]),
    }
    header, r1, mark = compare.summary(data, ["r1", "mark"])
    assert header.split()[:4] == ["endpoint", "A", "req/s", "B"]
    assert r1.split()[3:6] == ["2500", "2500", "1.00"]
    # mark: medians 600 and 750 req/s (B/A 1.25); ratios 0.25 and 0.30 of their own rounds' R1.
    assert mark.split()[2:7] == ["600", "750", "1.25", "0.25", "0.30"]
    assert mark.split()[-2:] == ["–,", "–"]  # no CPU split measured in these rounds
