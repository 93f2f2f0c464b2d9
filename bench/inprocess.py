"""A worker's CPU per request without HTTP: the WSGI app called in-process (`make bench-inprocess`).

`make bench` measures the whole machine under load; this measures one
worker's own share, the part the code decides, with nothing else running:
each endpoint is called N times through Django's WSGI handler (middleware,
URL resolution, DRF, the view, the database round trip and the rendering;
no server, no sockets to a client) and the process's CPU time is divided
by N. ``--profile`` prints cProfile's view of one endpoint instead, and
``--metrics-cost`` what the Prometheus metrics add to each endpoint (the
app with and without them, request by request in turn).

It uses the database and the tokens that `make bench` leaves in bench/.work/
(the embedded PostgreSQL is started if it is not running, and stopped again),
or DATABASE_URL with ``--tokens``. Figures move by a few percent from run to
run; compare by alternating, as docs/PERFORMANCE.md does.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from run import ENDPOINTS, ROOT, WORK, request_of  # bench/run.py: this script's folder is on sys.path


def wsgi_environ(endpoint: str, token: str, pair: tuple[str, str], number: int) -> dict[str, Any]:
    """The WSGI environ of one benchmark request, the one bench/wrk.lua sends over HTTP."""
    method, target, body = request_of(endpoint, pair, number)
    path, _, query = target.partition("?")
    content = (body or "").encode()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(content),
        "wsgi.errors": sys.stderr,
    }
    if endpoint != "healthz":
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if body is not None:
        environ.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(content)))
    return environ


def call(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> str:
    """One request through the WSGI app; its status line."""
    status = ""

    def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        nonlocal status
        status = line

    for _ in app(environ, start_response):
        pass
    return status


def requests(endpoint: str, tokens: list[str], pairs: list[tuple[str, str]], count: int) -> list[dict[str, Any]]:
    """The environs of ``count`` requests, tokens and catalog pairs taken in turn (built before timing)."""
    return [wsgi_environ(endpoint, tokens[i % len(tokens)], pairs[i % len(pairs)], i) for i in range(count)]


def cpu_per_request(app: Callable[..., Iterable[bytes]], environs: list[dict[str, Any]]) -> dict[str, float]:
    """CPU µs per request over ``environs`` (and its user/system split, to a clock tick); every answer a 200."""
    before, started = os.times(), time.process_time()
    for environ in environs:
        status = call(app, environ)
        if not status.startswith("200"):
            raise SystemExit(f"{environ['PATH_INFO']}: {status}")
    cpu, after = time.process_time() - started, os.times()
    count = len(environs)
    user = (after.user - before.user) / count * 1e6  # os.times() counts in clock ticks (10 ms)
    system = (after.system - before.system) / count * 1e6
    return {"cpu": round(cpu / count * 1e6, 1), "user": round(user), "system": round(system)}


def metrics_cost(
    app: Callable[..., Iterable[bytes]],
    tokens: list[str],
    pairs: list[tuple[str, str]],
    endpoints: list[str],
    count: int,
) -> int:
    """CPU per request with the metrics (``app``) and without (no middleware, no completion receiver).

    Both WSGI handlers live in this one process and answer request by request
    in turn, so whatever the machine does meanwhile falls on both alike; the
    cost is the median of the paired differences, against the median request.
    """
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    from coaching.completions.signals import completion_changed
    from datespark.metrics import completion_change_counted

    with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if not m.endswith(".MetricsMiddleware")]):
        bare = WSGIHandler()

    def timed(handler: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> float:
        started = time.process_time()
        status = call(handler, environ)
        spent = time.process_time() - started
        if not status.startswith("200"):
            raise SystemExit(f"{environ['PATH_INFO']}: {status}")
        return spent * 1e6

    print(f"{'endpoint':<14} {'with µs':>9} {'without µs':>11} {'metrics µs':>11} {'cost':>7}   ({count} pairs each)")
    for endpoint in endpoints:
        with_metrics: list[float] = []
        without: list[float] = []
        differences: list[float] = []
        for number, environ in enumerate(requests(endpoint, tokens, pairs, 2 * count)):
            if number % 2:
                completion_changed.disconnect(completion_change_counted, dispatch_uid="coaching.count_completions")
                without.append(timed(bare, environ))
                completion_changed.connect(completion_change_counted, dispatch_uid="coaching.count_completions")
                differences.append(with_metrics[-1] - without[-1])
            else:
                with_metrics.append(timed(app, environ))
        on, off, extra = (statistics.median(values) for values in (with_metrics, without, differences))
        print(f"{endpoint:<14} {on:>9.1f} {off:>11.1f} {extra:>11.1f} {extra / off:>7.1%}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help="comma-separated, of " + ", ".join(ENDPOINTS))
    parser.add_argument("--requests", type=int, default=3000, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=300, help="requests per endpoint before measuring")
    parser.add_argument("--dataset", default="small", help="whose tokens: small or '100k users' (make bench's)")
    parser.add_argument("--tokens", type=Path, help="a JSON list of access tokens (default: make bench's)")
    parser.add_argument("--profile", metavar="ENDPOINT", help="print cProfile's top functions for one endpoint")
    parser.add_argument(
        "--metrics-cost",
        action="store_true",
        help="the Prometheus metrics' share of each endpoint's CPU, A/B alternated",
    )
    args = parser.parse_args()
    tokens_file = args.tokens or WORK / f"tokens-{args.dataset}.json"
    if not tokens_file.exists():
        print(f"{tokens_file} is missing: run `make bench` first (or pass --tokens).", file=sys.stderr)
        return 2
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATESPARK_PGDATA"] = str(WORK / "pgdata")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datespark.settings")
    sys.path.insert(0, str(ROOT))
    import django

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    from coaching import catalog

    app = WSGIHandler()
    tokens = json.loads(tokens_file.read_text())
    pairs = [(tool.name, action) for tool in catalog.TOOLS for action in tool.action_names]
    endpoints = [args.profile] if args.profile else args.endpoints.split(",")
    for endpoint in endpoints:
        for environ in requests(endpoint, tokens, pairs, args.warmup):
            call(app, environ)
    gc.collect()
    gc.freeze()  # as datespark/serve.py's workers do after their warm-up
    if args.metrics_cost:
        return metrics_cost(app, tokens, pairs, endpoints, args.requests)
    if args.profile:
        environs = requests(args.profile, tokens, pairs, args.requests)
        profile = cProfile.Profile()
        profile.runcall(cpu_per_request, app, environs)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return 0
    print(f"{'endpoint':<14} {'CPU µs/request':>15} {'user':>8} {'system':>8}   ({args.requests} requests each)")
    for endpoint in endpoints:
        figures = cpu_per_request(app, requests(endpoint, tokens, pairs, args.requests))
        print(f"{endpoint:<14} {figures['cpu']:>15.1f} {figures['user']:>8.0f} {figures['system']:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
