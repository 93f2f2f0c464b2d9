"""PgBouncer in transaction mode in front of the tests' PostgreSQL (started by deploy/pgbouncer.py)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from deploy import pgbouncer as pgbouncer_service
from deploy.services import ServiceFailed
from tests.support import require_programs


@contextmanager
def pgbouncer(host: str, port: int | None, user: str) -> Iterator[tuple[str, int]]:
    """PgBouncer, pool_mode = transaction, for ``user``'s every database on ``host``; yields its (host, port)."""
    require_programs("pgbouncer")
    # Its own folder, which the user it runs as can use (pytest's tmp_path is private to root).
    workdir = Path(tempfile.mkdtemp(prefix="datespark-pgbouncer-"))
    backend = pgbouncer_service.Backend(host=host, port=port or 5432, user=user)
    try:
        service, listen = pgbouncer_service.start(workdir, backend)
    except ServiceFailed as failure:
        shutil.rmtree(workdir, ignore_errors=True)
        pytest.fail(str(failure))
    try:
        yield "127.0.0.1", listen
    finally:
        service.stop(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
