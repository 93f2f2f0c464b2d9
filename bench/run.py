"""DateSpark's load benchmark: `make bench` (or `.venv/bin/python bench/run.py --help`).

Serves the app the way `make run` does (datespark/serve.py, embedded PostgreSQL
in its own data folder), seeds benchmark users, and drives each endpoint with
wrk at 16 and 64 connections using Bearer tokens spread over those users.
Every round also measures the two fixed yardsticks (bench/yardsticks.py): R1,
plain Django on gunicorn, which every endpoint's requests/s is a ratio to;
and R2, PostgreSQL alone running a mark's SQL in pgbench at the same
concurrency, the ceiling the database sets. Results go to
bench/results/*.json and into docs/PERFORMANCE.md (table and SVG plot).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import yardsticks
from machine import describe  # bench/machine.py: this script's folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "PERFORMANCE.md"
PLOT = ROOT / "docs" / "performance.svg"
PYTHON = sys.executable
ENDPOINTS = ("healthz", "mark", "progress", "is-completed")  # the app's
R1 = "r1"  # the yardstick every round starts with (bench/plain_django.py)
MEASURED = (R1, *ENDPOINTS)  # one round, in this order; then R2 (pgbench)
LABELS = {
    R1: "R1: plain Django",
    "healthz": "GET /healthz",
    "mark": "POST mark-completed",
    "progress": "GET progress",
    "is-completed": "GET is-completed",
}
TARGETS = {"mark": 0.3, "progress": 0.4, "is-completed": 0.45}  # × R1 at 16 connections
P99_OVER_P50 = 2.5  # at 16 connections, each endpoint: p99 at most this many times its p50
MARK_P99_OVER_P50_AT_64 = 3.0  # mark-completed at 64 connections
POOLED = " (pooled)"  # a dataset served through PgBouncer: reported, no targets
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def request_of(endpoint: str, pair: tuple[str, str], number: int | None = None) -> tuple[str, str, str | None]:
    """Method, path (query included) and JSON body of one benchmark request, as bench/wrk.lua sends it.

    ``number`` goes into a mark's metadata, as wrk's request counter does (None: no metadata).
    """
    tool, action = pair
    if endpoint == "healthz":
        return "GET", "/healthz", None
    if endpoint == "mark":
        body: dict[str, object] = {"toolName": tool, "actionName": action}
        if number is not None:
            body["metadata"] = {"run": number}
        return "POST", "/api/tool-completion/mark-completed", json.dumps(body)
    if endpoint == "progress":
        return "GET", "/api/tool-completion/progress", None
    if endpoint == "is-completed":
        return "GET", f"/api/tool-completion/is-completed?toolName={tool}&actionName={action}", None
    raise ValueError(f"unknown endpoint {endpoint!r}")


@dataclass
class CpuSplit:
    """Where the machine's CPU went during one run, in µs per request (Linux ``/proc``).

    ``app``: the server's main process and its workers; ``database``: the embedded
    PostgreSQL's postmaster and its processes (None with an external server);
    ``load``: wrk; ``other``: the rest of the machine (the kernel's own threads,
    other services, processes that exited during the run); ``stolen``: time the
    host gave this machine's virtual cores to others while they had work (steal:
    a noisy neighbour slows the run); ``idle``: idle and I/O wait over all cores.
    """

    app: float
    database: float | None
    load: float
    other: float
    stolen: float
    idle: float

    @classmethod
    def median(cls, splits: list[CpuSplit | None]) -> CpuSplit | None:
        """Each share's median over the rounds (None unless every round was measured)."""
        measured = [split for split in splits if split is not None]
        if not measured or len(measured) != len(splits):
            return None
        databases = [split.database for split in measured if split.database is not None]
        return cls(
            app=statistics.median(split.app for split in measured),
            database=statistics.median(databases) if len(databases) == len(measured) else None,
            load=statistics.median(split.load for split in measured),
            other=statistics.median(split.other for split in measured),
            stolen=statistics.median(split.stolen for split in measured),
            idle=statistics.median(split.idle for split in measured),
        )


@dataclass
class CpuReading:
    """CPU used so far: clock ticks of the app's and the database's process trees,
    wrk's seconds (this process's waited-for children), the machine's busy, stolen and idle ticks."""

    app: int
    database: int | None
    load: float
    busy: int
    stolen: int
    idle: int

    def split_since(self, before: CpuReading, requests: int) -> CpuSplit:
        tick_us = 1e6 / CLOCK_TICKS
        app = (self.app - before.app) * tick_us
        database = (
            (self.database - before.database) * tick_us
            if self.database is not None and before.database is not None
            else None
        )
        load = (self.load - before.load) * 1e6
        busy = (self.busy - before.busy) * tick_us
        stolen = (self.stolen - before.stolen) * tick_us
        per = max(requests, 1)
        return CpuSplit(
            app=round(app / per, 1),
            database=round(database / per, 1) if database is not None else None,
            load=round(load / per, 1),
            other=round(max(busy - app - (database or 0) - load, 0) / per, 1),
            stolen=round(stolen / per, 1),
            idle=round((self.idle - before.idle) * tick_us / per, 1),
        )


def process_ticks() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, user + system clock ticks so far) of every process in /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # exited meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, ...; utime, stime at 11, 12
        table[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def tree_ticks(table: dict[int, tuple[int, int]], root: int) -> int:
    """Clock ticks of ``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += table.get(pid, (0, 0))[1]
        todo += children.get(pid, [])
    return total


def cpu_reading(app_pid: int, database_pid: int | None) -> CpuReading:
    table = process_ticks()
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle, stolen = fields[3] + fields[4], fields[7]  # user nice system idle iowait irq softirq steal
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return CpuReading(
        app=tree_ticks(table, app_pid),
        database=tree_ticks(table, database_pid) if database_pid is not None else None,
        load=children.ru_utime + children.ru_stime,
        busy=sum(fields) - idle - stolen,
        stolen=stolen,
        idle=idle,
    )


@dataclass
class Round:
    """One wrk run of one endpoint; ``ratio`` is to R1 measured in the same round."""

    rps: float
    ratio: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    non2xx: int
    requests: int
    cpu: CpuSplit | None = None


@dataclass(kw_only=True)
class Result(Round):
    """An endpoint at one connection count: the median of its rounds (max, errors and requests: over all)."""

    dataset: str
    endpoint: str
    connections: int
    rounds: list[Round]

    @classmethod
    def of(cls, dataset: str, endpoint: str, connections: int, rounds: list[Round]) -> Result:
        def median(field: str, digits: int = 2) -> float:
            return round(statistics.median(getattr(r, field) for r in rounds), digits)

        return cls(
            dataset=dataset,
            endpoint=endpoint,
            connections=connections,
            rps=median("rps"),
            ratio=median("ratio", 3),  # judged against the targets unrounded
            p50_ms=median("p50_ms"),
            p95_ms=median("p95_ms"),
            p99_ms=median("p99_ms"),
            max_ms=max(r.max_ms for r in rounds),
            errors=sum(r.errors for r in rounds),
            non2xx=sum(r.non2xx for r in rounds),
            requests=sum(r.requests for r in rounds),
            cpu=CpuSplit.median([r.cpu for r in rounds]),
            rounds=rounds,
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def catalog_pairs(env: dict[str, str]) -> str:
    code = (
        "from coaching import catalog; print(','.join(f'{t.name}:{a}' for t in catalog.TOOLS for a in t.action_names))"
    )
    return subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


class Server:
    """The app as `make run` serves it (python -m datespark.serve: Granian); its main process owns the
    embedded PostgreSQL. The access log is off, as R1's is."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env = {**env, "PORT": str(port), "HOST": "127.0.0.1", "DATESPARK_ACCESS_LOG": "0"}
        self.port = port
        self.log = (WORK / "server.log").open("w")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "datespark.serve"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        wait_for(self.process, self.port, "/healthz", WORK / "server.log", timeout)

    def model(self) -> str:
        """What serves the run, read off the running server: its log and its live workers."""
        return server_model((WORK / "server.log").read_text(), process_ticks(), self.process.pid)

    def stop(self) -> None:
        stop(self.process)
        self.log.close()


def server_model(log: str, table: dict[int, tuple[int, int]], main: int) -> str:
    """e.g. "Granian 2.8.9, 2 workers × 4 threads": the version and threads from the server's start-up
    line, the number of workers from the main process's live children (``table``: :func:`process_ticks`)."""
    started = re.search(r"Serving on Granian (\S+): \d+ workers x (\d+) threads", log)
    workers = sum(1 for parent, _ in table.values() if parent == main)
    version, threads = (started[1], started[2]) if started else ("(version not logged)", "?")
    return f"Granian {version}, {workers} worker{'' if workers == 1 else 's'} × {threads} threads"


class YardstickServer:
    """R1: plain Django (bench/plain_django.py) on gunicorn, one sync worker per core, no access log.

    Run from bench/, where there is no gunicorn.conf.py to read. ``env`` is the
    app's (wrk reads its tokens from it; R1 ignores them)."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env = env
        self.port = port
        self.log = (WORK / "r1.log").open("w")
        self.process = subprocess.Popen(
            yardsticks.r1_command(port),
            cwd=ROOT / "bench",
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        wait_for(self.process, self.port, yardsticks.R1_PATH, WORK / "r1.log", timeout)

    def stop(self) -> None:
        stop(self.process)
        self.log.close()


def wait_for(process: subprocess.Popen[bytes], port: int, path: str, log: Path, timeout: float) -> None:
    """Until ``path`` answers 200 on ``port``; exits with the log's name if the server dies or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited; see {log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not become ready; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL to its whole session after 30 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def cold_requests(port: int, token: str, pair: tuple[str, str]) -> dict[str, float]:
    """The first request of each kind after start: new connections, empty caches (ms)."""
    timings = {}
    for name in ENDPOINTS:
        method, path, body = request_of(name, pair)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        timings[name] = round((time.perf_counter() - started) * 1000, 1)
        if response.status != 200:
            raise SystemExit(f"cold {name}: HTTP {response.status}")
        connection.close()
    return timings


def embedded_postmaster(env: dict[str, str]) -> int | None:
    """The embedded PostgreSQL's postmaster pid (None when the benchmark runs against BENCH_DATABASE_URL)."""
    pid_file = Path(env["DATESPARK_PGDATA"]) / "postmaster.pid"
    return int(pid_file.read_text().split("\n", 1)[0]) if pid_file.exists() else None


def wrk_missing() -> bool:
    """True, with how to install it on stderr, when wrk is not on PATH (make bench and bench-compare)."""
    if shutil.which("wrk") is not None:
        return False
    print("wrk is not installed (Debian: apt-get install wrk).", file=sys.stderr)
    return True


def wrk(port: int, endpoint: str, connections: int, seconds: int, env: dict[str, str]) -> dict[str, float]:
    output = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(ROOT / "bench" / "wrk.lua"),
            f"http://127.0.0.1:{port}",
        ],
        env={**env, "BENCH_ENDPOINT": endpoint},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON "))


def machine() -> str:
    return describe() + "; wrk on the same machine"


@dataclass
class Dataset:
    """What `make bench` seeds and serves: users, completions, the environment wrk needs, whose tokens R2 uses."""

    name: str
    env: dict[str, str]
    tokens_file: Path
    first_pair: tuple[str, str]
    pairs: list[tuple[str, str]]
    token_users: list[int]


def seed(name: str, users: int, completions: int, base_env: dict[str, str]) -> Dataset:
    """Migrate and seed one dataset: its users, their tokens, the catalog's pairs."""
    tokens_file = WORK / f"tokens-{name}.json"
    users_file = WORK / f"token-users-{name}.json"
    print(f"[{name}] seeding {users} users, {completions} completions ...", flush=True)
    manage(base_env, "migrate", "--verbosity", "0")
    subprocess.run(
        [
            PYTHON,
            "bench/seed.py",
            "--users",
            str(users),
            "--completions",
            str(completions),
            "--tokens",
            str(min(users, 400)),
            "--tokens-out",
            str(tokens_file),
            "--token-users-out",
            str(users_file),
        ],
        cwd=ROOT,
        env=base_env,
        check=True,
        capture_output=True,
    )
    text = catalog_pairs(base_env)
    pairs = [(tool, action) for tool, action in (pair.split(":", 1) for pair in text.split(","))]
    return Dataset(
        name=name,
        env={**base_env, "BENCH_TOKENS": str(tokens_file), "BENCH_PAIRS": text},
        tokens_file=tokens_file,
        first_pair=pairs[0],
        pairs=pairs,
        token_users=json.loads(users_file.read_text()),
    )


class Served(Protocol):
    """What :func:`measure` drives: a server's port, its process (whose tree's CPU is the app's) and environment."""

    port: int
    process: subprocess.Popen[bytes]
    env: dict[str, str]


def measure(served: Served, endpoint: str, connections: int, args: argparse.Namespace, r1: float | None) -> Round:
    """One measured wrk run after a warm-up, with the CPU split; ``r1``: the round's R1 (None: this is it)."""
    database_pid = embedded_postmaster(served.env)
    wrk(served.port, endpoint, connections, args.warmup, served.env)
    before = cpu_reading(served.process.pid, database_pid)
    raw = wrk(served.port, endpoint, connections, args.duration, served.env)
    cpu = cpu_reading(served.process.pid, database_pid).split_since(before, int(raw["requests"]))
    rps = raw["requests"] / (raw["duration_us"] / 1e6)
    return Round(
        rps=round(rps, 1),
        ratio=round(rps / (r1 or rps), 3),
        p50_ms=round(raw["p50_us"] / 1000, 2),
        p95_ms=round(raw["p95_us"] / 1000, 2),
        p99_ms=round(raw["p99_us"] / 1000, 2),
        max_ms=round(raw["max_us"] / 1000, 2),
        errors=int(raw["errors"]),
        non2xx=int(raw["non2xx"]),
        requests=int(raw["requests"]),
        cpu=cpu,
    )


def measure_round(
    servers: dict[str, Served], endpoints: Iterable[str], connections: int, args: argparse.Namespace
) -> Iterator[tuple[str, Round]]:
    """One round: each endpoint measured in turn, as it is measured; R1 comes first and every ratio is to it.

    ``servers``: "r1" -> the yardstick's server, "app" -> the app's."""
    r1 = None
    for endpoint in endpoints:
        if r1 is None and endpoint != R1:
            raise ValueError("a round starts with the yardstick, R1")
        one = measure(servers[R1 if endpoint == R1 else "app"], endpoint, connections, args, r1)
        r1 = r1 or one.rps
        yield endpoint, one


@dataclass
class Ceiling:
    """R2 at one connection count: pgbench's transactions a second, the medians of the rounds."""

    dataset: str
    connections: int
    tps: float
    latency_ms: float
    failed: int
    rounds: list[float]

    @classmethod
    def of(cls, dataset: str, connections: int, reports: list[dict[str, float]]) -> Ceiling:
        return cls(
            dataset=dataset,
            connections=connections,
            tps=round(statistics.median(r["tps"] for r in reports), 1),
            latency_ms=round(statistics.median(r["latency_ms"] for r in reports), 2),
            failed=int(sum(r["failed"] for r in reports)),
            rounds=[round(r["tps"], 1) for r in reports],
        )


def database_url(env: dict[str, str]) -> str:
    """The URL of the database server the app uses: DATABASE_URL, or the running embedded server's socket
    (the fifth line of its postmaster.pid)."""
    if env.get("DATABASE_URL"):
        return env["DATABASE_URL"]
    socket_dir = (Path(env["DATESPARK_PGDATA"]) / "postmaster.pid").read_text().split("\n")[4]
    return f"postgresql://postgres@/postgres?host={socket_dir}"


def r2_round(dataset: Dataset, script: Path, connections: int, args: argparse.Namespace) -> dict[str, float]:
    """R2 once: a warm-up, then pgbench for the measured duration at ``connections`` clients."""
    url = database_url(dataset.env)
    yardsticks.r2_run(script, url, connections, args.warmup)
    return yardsticks.r2_run(script, url, connections, args.duration)


def pooled(env: dict[str, str]) -> tuple[dict[str, str], Callable[[], None]]:
    """PgBouncer in transaction mode in front of the benchmark's PostgreSQL, as `make cluster` puts it
    (deploy/pgbouncer.py, pool = the app's workers × threads + 2): the app's environment pointing at it,
    and what stops it (and the embedded server, started here so that the app does not own it)."""
    sys.path.insert(0, str(ROOT))
    from datespark.serve import DEFAULT_THREADS, default_workers
    from deploy import pgbouncer

    embedded = not env.get("DATABASE_URL")
    if embedded:
        manage_module(env, "datespark.embedded_db", "start")
    backend, database = pgbouncer.Backend.of_url(database_url(env))
    workers = int(env.get("WEB_CONCURRENCY") or default_workers())
    threads = int(env.get("DATESPARK_THREADS") or DEFAULT_THREADS)
    service, port = pgbouncer.start(WORK / "pgbouncer", backend, pool_size=workers * threads + 2, max_clients=200)
    credentials = f"{backend.user}:{backend.password}" if backend.password else backend.user
    through = {**env, "DATABASE_URL": f"postgresql://{credentials}@127.0.0.1:{port}/{database}"}

    def stop() -> None:
        service.stop()
        if embedded:
            manage_module(env, "datespark.embedded_db", "stop")

    return through, stop


def manage_module(env: dict[str, str], module: str, *args: str) -> None:
    subprocess.run([PYTHON, "-m", module, *args], cwd=ROOT, env=env, check=True, capture_output=True)


def run_dataset(
    name: str, users: int, completions: int, args: argparse.Namespace, base_env: dict[str, str]
) -> tuple[list[Result], list[Ceiling], dict[str, float], str]:
    dataset = seed(name, users, completions, base_env)
    script = WORK / f"r2-{name}.sql"
    script.write_text(yardsticks.r2_script(dataset.pairs, min(dataset.token_users), max(dataset.token_users)))
    app_env, stop_pooler = pooled(dataset.env) if name.endswith(POOLED) else (dataset.env, lambda: None)
    app = Server(app_env, free_port())
    r1 = YardstickServer(dataset.env, free_port())
    results: list[Result] = []
    ceilings: list[Ceiling] = []
    try:
        app.wait_ready()
        r1.wait_ready()
        model = app.model()
        token = json.loads(dataset.tokens_file.read_text())[0]
        cold = cold_requests(app.port, token, dataset.first_pair)
        print(f"[{name}] cold first requests (ms): {cold}", flush=True)
        servers: dict[str, Served] = {R1: r1, "app": app}
        for connections in args.connections:
            rounds: dict[str, list[Round]] = {endpoint: [] for endpoint in MEASURED}
            reports: list[dict[str, float]] = []
            # R1 and the endpoints take turns, round after round, so each ratio compares an
            # endpoint with R1 measured seconds before it, and a slow spell of the shared
            # machine lands in one round instead of on one endpoint.
            for number in range(1, args.rounds + 1):
                for endpoint, one in measure_round(servers, MEASURED, connections, args):
                    rounds[endpoint].append(one)
                    print(
                        f"[{name}] c={connections:<3} round {number}  {LABELS[endpoint]:<20} {one.rps:>8.0f} req/s "
                        f"({one.ratio:.2f}× R1)  p50 {one.p50_ms:.1f}  p99 {one.p99_ms:.1f} ms "
                        f"({spread(one):.1f}× p50)  errors {one.errors + one.non2xx}",
                        flush=True,
                    )
                reports.append(r2_round(dataset, script, connections, args))
                print(
                    f"[{name}] c={connections:<3} round {number}  {'R2: PostgreSQL alone':<20} "
                    f"{reports[-1]['tps']:>8.0f} marks/s  latency {reports[-1]['latency_ms']:.1f} ms  "
                    f"failed {reports[-1]['failed']:.0f}",
                    flush=True,
                )
            results += [Result.of(name, endpoint, connections, rounds[endpoint]) for endpoint in MEASURED]
            ceilings.append(Ceiling.of(name, connections, reports))
    finally:
        app.stop()
        r1.stop()
        stop_pooler()
    return results, ceilings, cold, model


def spread(r: Round) -> float:
    """p99 over p50: how far the slow requests trail the typical one."""
    return r.p99_ms / max(r.p50_ms, 0.01)


def verdicts(results: list[Result], ceilings: Iterable[Ceiling] = ()) -> list[str]:
    """PASS or FAIL per target, dataset by dataset (see the module's TARGETS and P99 limits)."""
    lines = []
    for dataset in dict.fromkeys(r.dataset for r in results):
        targeted = not dataset.endswith(POOLED)  # the pooled topology is reported, not judged
        for r in (r for r in results if r.dataset == dataset and r.endpoint != R1):
            errors = r.errors + r.non2xx
            if not targeted:
                if errors:
                    lines.append(f"NOTE [{dataset}] {r.endpoint} at {r.connections}: errors {errors}")
            elif r.connections == 16 and r.endpoint in TARGETS:
                ok = r.ratio >= TARGETS[r.endpoint] and spread(r) <= P99_OVER_P50 and errors == 0
                lines.append(
                    f"{'PASS' if ok else 'FAIL'} [{dataset}] {r.endpoint} at 16: {r.ratio:.2f}× R1 "
                    f"(target {TARGETS[r.endpoint]}), p99 {spread(r):.1f}× p50 (target ≤ {P99_OVER_P50}), "
                    f"errors {errors}"
                )
            elif r.connections == 64 and r.endpoint == "mark":
                ok = spread(r) <= MARK_P99_OVER_P50_AT_64 and errors == 0
                lines.append(
                    f"{'PASS' if ok else 'FAIL'} [{dataset}] mark at 64: p99 {spread(r):.1f}× p50 "
                    f"(target ≤ {MARK_P99_OVER_P50_AT_64}), errors {errors}"
                )
            elif errors:
                lines.append(f"FAIL [{dataset}] {r.endpoint} at {r.connections}: errors {errors}")
        for c in (c for c in ceilings if c.dataset == dataset and c.failed):
            lines.append(f"FAIL [{dataset}] R2 at {c.connections}: {c.failed} failed transactions")
    return lines


def svg_plot(results: list[Result]) -> str:
    """A grouped bar chart of requests/s per endpoint, R1 beside them, one group per dataset and connection count."""
    groups = [
        (d, c) for d in dict.fromkeys(r.dataset for r in results) for c in sorted({r.connections for r in results})
    ]
    colors = {R1: "#616161", "healthz": "#bdbdbd", "mark": "#c2185b", "progress": "#1565c0", "is-completed": "#2e7d32"}
    top = max(r.rps for r in results) * 1.1
    step_width = 40 + 40 * len(MEASURED)
    width, height, left, bottom = 80 + step_width * len(groups), 340, 60, 290
    bar = 36
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
        f'font-size="11"><title>DateSpark API throughput against R1, plain Django (requests/s)</title>',
        f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#333"/>',
    ]
    for step in range(6):
        value = top * step / 5
        y = bottom - (value / top) * 250
        parts.append(f'<text x="{left - 6}" y="{y + 4:.0f}" text-anchor="end">{value:.0f}</text>')
        parts.append(f'<line x1="{left}" y1="{y:.0f}" x2="{width - 10}" y2="{y:.0f}" stroke="#eee"/>')
    for g, (dataset, connections) in enumerate(groups):
        x0 = left + 20 + g * step_width
        for e, endpoint in enumerate(MEASURED):
            row = next(
                (r for r in results if (r.dataset, r.connections, r.endpoint) == (dataset, connections, endpoint)), None
            )
            if row is None:
                continue
            h = row.rps / top * 250
            x = x0 + e * (bar + 4)
            parts.append(
                f'<rect x="{x}" y="{bottom - h:.0f}" width="{bar}" height="{h:.0f}" fill="{colors[endpoint]}">'
                f"<title>{LABELS[endpoint]}: {row.rps:.0f} req/s ({row.ratio:.2f}× R1), p99 {row.p99_ms} ms</title>"
                "</rect>"
            )
            parts.append(f'<text x="{x + bar / 2}" y="{bottom - h - 4:.0f}" text-anchor="middle">{row.rps:.0f}</text>')
        parts.append(
            f'<text x="{x0 + len(MEASURED) * (bar + 4) / 2}" y="{bottom + 18}" text-anchor="middle">'
            f"{dataset}, {connections} conn.</text>"
        )
    for e, endpoint in enumerate(MEASURED):
        parts.append(f'<rect x="{left + e * 150}" y="{bottom + 32}" width="12" height="12" fill="{colors[endpoint]}"/>')
        parts.append(f'<text x="{left + e * 150 + 16}" y="{bottom + 42}">{LABELS[endpoint]}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def markdown(
    results: list[Result],
    ceilings: list[Ceiling],
    colds: dict[str, dict[str, float]],
    args: argparse.Namespace,
    server: str,
) -> str:
    lines = [
        START,
        f"*Generated by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"{args.rounds} rounds, R1 and the endpoints taking turns, then R2; {args.duration} s per run after a "
        f"{args.warmup} s warm-up. Each figure is the median of the rounds (× R1: of the ratios to "
        "R1 of the same round); max and errors are over all rounds.*",
        "",
        f"Machine: {machine()}. Server: {server}. R1: {yardsticks.R1_SERVER}.",
        "",
        "| dataset | conn. | endpoint | req/s | × R1 | p50 ms | p95 ms | p99 ms | p99 ÷ p50 | p99 per round "
        "| max ms | errors |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in results:
        per_round = " / ".join(f"{x.p99_ms:.1f}" for x in r.rounds)
        lines.append(
            f"| {r.dataset} | {r.connections} | {LABELS[r.endpoint]} | {r.rps:.0f} | {r.ratio:.2f} | "
            f"{r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {spread(r):.1f} | {per_round} | {r.max_ms:.1f} | "
            f"{r.errors + r.non2xx} |"
        )
    lines += ceiling_table(results, ceilings)
    lines += cpu_table(results)
    lines += [
        "",
        "![Throughput per endpoint, R1 beside them](performance.svg)",
        "",
        "Cold path: the first request of each kind right after start (new connection, empty caches):",
        "",
    ]
    lines += ["| dataset | " + " | ".join(LABELS[e] for e in ENDPOINTS) + " |", "|---|" + "---:|" * len(ENDPOINTS)]
    for dataset, cold in colds.items():
        lines.append(f"| {dataset} | " + " | ".join(f"{cold[e]:.1f} ms" for e in ENDPOINTS) + " |")
    lines += ["", "Against the targets:", ""] + [f"- {line}" for line in verdicts(results, ceilings)] + ["", END]
    return "\n".join(lines)


def ceiling_table(results: list[Result], ceilings: list[Ceiling]) -> list[str]:
    """R2 beside the marks the app served: how much of the database's ceiling a mark over HTTP reaches."""
    if not ceilings:
        return []
    lines = [
        "",
        "R2, PostgreSQL alone: a mark's SQL (the authentication query and `mark_completed_progress`) in pgbench "
        "at the same connections, against the same server, in the same rounds:",
        "",
        "| dataset | conn. | R2 marks/s | R2 latency ms | R2 per round | app's marks/s | app ÷ R2 | failed |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for c in ceilings:
        key = (c.dataset, c.connections, "mark")
        mark = next((r for r in results if (r.dataset, r.connections, r.endpoint) == key), None)
        served = f"{mark.rps:.0f} | {mark.rps / c.tps:.2f}" if mark else "– | –"
        per_round = " / ".join(f"{tps:.0f}" for tps in c.rounds)
        lines.append(
            f"| {c.dataset} | {c.connections} | {c.tps:.0f} | {c.latency_ms:.1f} | {per_round} | {served} "
            f"| {c.failed} |"
        )
    return lines


def cpu_table(results: list[Result]) -> list[str]:
    """Where the machine's CPU went at 16 connections, per request (median of the rounds)."""
    rows = [r for r in results if r.connections == 16 and r.cpu is not None]
    if not rows:
        return []
    lines = [
        "",
        "Where the CPU went at 16 connections, in µs per request (median of the rounds; from `/proc`: the "
        "server's processes (the app's, or R1's for R1), the embedded PostgreSQL's processes, wrk, the rest of "
        "the machine, time the host gave to other machines (steal), and idle time over all cores):",
        "",
        "| dataset | endpoint | server | PostgreSQL | wrk | rest of the machine | stolen by the host | idle | in all |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cpu = r.cpu
        assert cpu is not None
        total = cpu.app + (cpu.database or 0) + cpu.load + cpu.other + cpu.stolen + cpu.idle
        database = f"{cpu.database:.0f}" if cpu.database is not None else "–"
        lines.append(
            f"| {r.dataset} | {LABELS[r.endpoint]} | {cpu.app:.0f} | {database} | {cpu.load:.0f} | "
            f"{cpu.other:.0f} | {cpu.stolen:.0f} | {cpu.idle:.0f} | {total:.0f} |"
        )
    return lines


def write_doc(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{START}\n{END}\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + section + tail
    else:
        text += "\n" + section + "\n"
    DOC.write_text(text)


def bench_environment() -> dict[str, str]:
    """The environment of the benchmark's commands and server: a fresh embedded PostgreSQL under
    bench/.work/ (or BENCH_DATABASE_URL), and the static files collected, as `make run` does."""
    WORK.mkdir(parents=True, exist_ok=True)
    pgdata = WORK / "pgdata"
    shutil.rmtree(pgdata, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DATESPARK_PGDATA": str(pgdata), "DJANGO_SETTINGS_MODULE": "datespark.settings"})
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="rounds in which the endpoints take turns")
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up before each run")
    parser.add_argument("--connections", type=lambda s: [int(c) for c in s.split(",")], default=[16, 64])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--scale", action="store_true", help="also run with 100,000 users and 1,000,000 completions")
    parser.add_argument("--pooled", action="store_true", help="also serve the small dataset through PgBouncer")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/PERFORMANCE.md")
    args = parser.parse_args()
    if wrk_missing():
        return 2
    RESULTS.mkdir(parents=True, exist_ok=True)
    base_env = bench_environment()
    datasets = [("small", args.users, 0)]
    if args.pooled:
        datasets.append(("small" + POOLED, args.users, 0))
    if args.scale:
        datasets.append(("100k users", 100_000, 1_000_000))
    results: list[Result] = []
    ceilings: list[Ceiling] = []
    colds: dict[str, dict[str, float]] = {}
    servers: list[str] = []
    for name, users, completions in datasets:
        rows, limits, cold, server = run_dataset(name, users, completions, args, base_env)
        results += rows
        ceilings += limits
        colds[name] = cold
        servers.append(server)
    server = " / ".join(dict.fromkeys(servers))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {
        "machine": machine(),
        "server": server,
        "r1": yardsticks.R1_SERVER,
        "results": [asdict(r) for r in results],
        "r2": [asdict(c) for c in ceilings],
        "cold_ms": colds,
    }
    (RESULTS / f"{stamp}.json").write_text(json.dumps(payload, indent=2))
    if not args.no_doc:  # latest.json always matches the figures in docs/PERFORMANCE.md
        (RESULTS / "latest.json").write_text(json.dumps(payload, indent=2))
        PLOT.write_text(svg_plot(results))
        write_doc(markdown(results, ceilings, colds, args, server))
    print("\n".join(verdicts(results, ceilings)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
