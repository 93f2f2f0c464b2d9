"""Prometheus metrics (prometheus-client), correct across every worker of an instance.

Each worker of the server (datespark/serve.py) is a process: prometheus-client's
multi-process mode keeps every worker's samples in files under
``PROMETHEUS_MULTIPROC_DIR`` (the server gives each instance its own folder,
emptied at start), and ``/metrics`` adds them up. Only counters and histograms
are kept, so a dead worker's files need no marking: its totals still count.
Outside the server (tests, ``manage.py``) the metrics live in the process.

What is measured:

- ``datespark_http_request_duration_seconds{route, method, status}``: every
  request, by the URL pattern that answered it (``api/tool-completion/mark-completed``),
  never by its raw path; ``_count`` is the number of requests, the buckets
  and ``_sum`` their latency;
- ``datespark_completion_changes_total{kind}``: completions ``completed``
  (new), ``repeated`` and ``reset``, from the core's ``completion_changed``;
- ``datespark_database_errors_total{error}``: database exceptions that reached
  a request's error handling, by class (``OperationalError``...).
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.registry import REGISTRY

MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"

# One histogram answers both questions: its ``_count`` is the requests answered by
# pattern, method and status, its buckets and ``_sum`` their latency. (A separate
# counter would cost every request a second label lookup and write.)
HTTP_REQUESTS = Histogram(
    "datespark_http_request_duration_seconds",
    "Requests answered, by URL pattern, method and status: time from the first middleware to the response.",
    ["route", "method", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0),
)
COMPLETION_CHANGES = Counter(
    "datespark_completion_changes",
    "Completion changes committed: completed (new), repeated (marked again), reset (removed).",
    ["kind"],
)
DATABASE_ERRORS = Counter(
    "datespark_database_errors",
    "Database exceptions that reached a request's error handling, by exception class.",
    ["error"],
)


def completion_change_counted(*, kind: str, **kwargs: object) -> None:
    """A receiver of the core's ``completion_changed`` (connected in coaching/apps.py)."""
    COMPLETION_CHANGES.labels(kind=kind).inc()


def database_error_observed(exc: BaseException) -> None:
    DATABASE_ERRORS.labels(error=type(exc).__name__).inc()


def registry() -> CollectorRegistry:
    """What ``/metrics`` exposes: every worker's samples in multi-process mode, else this process's."""
    if not os.environ.get(MULTIPROCESS_DIR_ENV):
        return REGISTRY
    collected = CollectorRegistry()
    multiprocess.MultiProcessCollector(collected)
    return collected


def multiprocess_dir_reset(folder: Path) -> None:
    """Empty the samples folder at an instance's start: files a previous run left are stale."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
