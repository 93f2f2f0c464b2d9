"""The app's server: Granian (WSGI), as `make run`, `make cluster` and a deployment start it.

    python -m datespark.serve

This process is the instance's main process. Before any worker exists it
runs the release step (migrations under the release lock, see
datespark/db/release.py), creates the local demo user when not behind
HTTPS, and prepares the Prometheus samples folder; with no DATABASE_URL it
starts the embedded PostgreSQL and stops it again on the way out (Ctrl-C,
SIGTERM). Workers are forked processes, each serving requests from a few
threads while Granian's Rust side handles the connections (keep-alive,
HTTP parsing), so several requests, and their transactions, are in flight
per worker.

Settings (environment):

- ``HOST``, ``PORT``: where to listen (127.0.0.1:8000).
- ``WEB_CONCURRENCY``: worker processes (one per core, at least 2).
- ``DATESPARK_THREADS``: requests in flight per worker (2).
- ``DATESPARK_WORKER_LIFETIME``: seconds after which a worker is replaced,
  gracefully (off; at least 60).
- ``DATESPARK_ACCESS_LOG``: ``0`` turns the access log off (on).

A crashed worker is replaced at once; a worker that crashes again within
seconds of its replacement stops the instance (a crash loop), for the
orchestrator to restart. On SIGINT/SIGTERM workers finish their requests
for up to ``GRACEFUL_SECONDS``; SIGHUP replaces them all, one by one.
"""

from __future__ import annotations

import copy
import gc
import logging
import multiprocessing
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

GRACEFUL_SECONDS = 10
DEFAULT_THREADS = 2
# The request line as Granian logs it, and the request id nginx (or the client) sent; no query strings.
ACCESS_FORMAT = '%(addr)s "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1fms rid=%(header{x-request-id})s'
# Password-reset links carry a one-time token in the path.
SECRET_PATHS = re.compile(r"(/wachtwoord-herstellen/)[^/\s?]+/[^/\s?]+/")


class MaskResetTokens(logging.Filter):
    """Access lines lose a password-reset link's one-time token (Granian passes the path as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict) and isinstance(record.args.get("path"), str):
            record.args = {**record.args, "path": SECRET_PATHS.sub(r"\1[redacted]/", record.args["path"])}
        return True


def default_workers() -> int:
    """One worker process per core, at least two (one busy worker never holds up every request)."""
    return max(2, multiprocessing.cpu_count())


def env_int(name: str, default: int | None) -> int | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}.") from None


def logging_config() -> dict[str, Any]:
    """Granian's own logging set-up, with the reset-token mask on its access lines."""
    from granian.log import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"mask_reset_tokens": {"()": "datespark.serve.MaskResetTokens"}}
    config["handlers"]["access"]["filters"] = ["mask_reset_tokens"]
    return config


def warm_application(target: str) -> Callable[..., Any]:
    """Each worker's WSGI app, loaded before its first request: the URLconf, every view module it
    imports and its reverse map; then the long-lived objects are frozen out of the garbage
    collector's full collections, which otherwise stall a worker every few thousand requests."""
    from django.urls import resolve, reverse

    from datespark.wsgi import application

    resolve("/healthz")
    reverse("healthz")
    gc.collect()
    gc.freeze()
    return application


def release() -> Callable[[], None]:
    """Everything that happens once per instance before workers exist; returns what undoes it at exit."""
    # Prometheus' multi-process mode (datespark/metrics.py): every worker writes its samples under
    # this folder. Set before anything imports prometheus-client (it picks its mode at import), so
    # the workers forked later inherit it. The operator's folder if given, else one of our own
    # (removed at exit); emptied below either way.
    own_metrics_dir = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        own_metrics_dir = tempfile.mkdtemp(prefix="datespark-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = own_metrics_dir
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datespark.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from datespark.metrics import multiprocess_dir_reset

    multiprocess_dir_reset(Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]))
    if os.environ.get("DATESPARK_SKIP_SETUP") != "1":
        # Under the release lock: instances started together migrate once (datespark/db/release.py).
        call_command("release", verbosity=1)
        if not settings.HTTPS:
            call_command("demo_user")
    # Workers open their own connections after the fork.
    connections.close_all()

    def undo() -> None:
        if own_metrics_dir:
            shutil.rmtree(own_metrics_dir, ignore_errors=True)
        if settings.EMBEDDED_DATABASE:
            from datespark import embedded_db

            embedded_db.stop_if_owner()

    return undo


def main() -> int:
    import granian
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server import Server

    workers = env_int("WEB_CONCURRENCY", default_workers())
    threads = env_int("DATESPARK_THREADS", DEFAULT_THREADS)
    lifetime = env_int("DATESPARK_WORKER_LIFETIME", None)
    port = env_int("PORT", 8000)
    if not workers or workers < 1 or not threads or threads < 1:
        raise SystemExit("WEB_CONCURRENCY and DATESPARK_THREADS must be at least 1.")
    if lifetime is not None and lifetime < 60:
        raise SystemExit("DATESPARK_WORKER_LIFETIME must be at least 60 (seconds).")
    undo = release()
    print(
        f"Serving on Granian {granian.__version__}: {workers} workers x {threads} threads, keep-alive"
        f"{f', workers replaced every {lifetime} s' if lifetime else ''}",
        flush=True,
    )
    server = Server(
        "datespark.wsgi:application",
        address=os.environ.get("HOST", "127.0.0.1"),
        port=port or 8000,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        http=HTTPModes.http1,
        websockets=False,
        http1_settings=HTTP1Settings(keep_alive=True),
        log_level=LogLevels.info,
        log_dictconfig=logging_config(),
        log_access=os.environ.get("DATESPARK_ACCESS_LOG", "1") != "0",
        log_access_format=ACCESS_FORMAT,
        respawn_failed_workers=True,
        workers_lifetime=lifetime,
        workers_kill_timeout=GRACEFUL_SECONDS,
    )
    server.on_shutdown(undo)
    server.serve(target_loader=warm_application)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
