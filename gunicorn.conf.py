"""gunicorn settings for ``make run`` and production.

With no DATABASE_URL the master owns the embedded PostgreSQL: it starts it,
applies migrations and creates the local demo user before forking workers,
and stops it on exit (Ctrl-C included). Workers only connect.
"""

import gc
import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 10
accesslog = "-"
# The request id the app answers with (X-Request-ID) ends every access line.
logger_class = "datespark.gunicorn_logger.RedactingLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" rid=%({x-request-id}o)s'
wsgi_app = "datespark.wsgi:application"
_own_metrics_dir = None


def on_starting(server):
    # Prometheus' multi-process mode (datespark/metrics.py): every worker writes its samples
    # under this folder. Set before anything imports prometheus-client (it picks its mode
    # at import), so the workers forked later inherit it. The operator's folder if given,
    # else one of this master's own (removed at exit); emptied below either way.
    global _own_metrics_dir
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _own_metrics_dir = tempfile.mkdtemp(prefix="datespark-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = _own_metrics_dir
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


def child_exit(server, worker):
    from datespark.metrics import worker_exited

    worker_exited(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(_own_metrics_dir, ignore_errors=True)
    from django.conf import settings

    if settings.EMBEDDED_DATABASE:
        from datespark import embedded_db

        embedded_db.stop_if_owner()


def post_worker_init(worker):
    # Load now what each worker's first request would load: the URLconf,
    # every view module it imports, and its reverse map, so no client waits
    # for it. Before gc.freeze(), so they are frozen too.
    from django.urls import resolve, reverse

    resolve("/healthz")
    reverse("healthz")
    # The app's long-lived objects (modules, URL patterns, templates) never
    # become garbage: freezing them keeps them out of every full collection,
    # which otherwise stalls a worker every few thousand requests
    # (docs/PERFORMANCE.md has the measurements).
    gc.collect()
    gc.freeze()
