"""PgBouncer in transaction mode, Debian's package with stock settings, in front of the tests' PostgreSQL.

What Neon's pooled endpoint, Supabase and most managed poolers run: every
transaction may get another server connection, no session state survives
between transactions, and the ``options`` startup parameter is refused.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support import free_port, log_tail

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def pgbouncer_or_skip() -> str:
    """The pgbouncer binary; a missing one fails the run under CI=true (`make test` installs it) and skips otherwise."""
    if Path(PGBOUNCER).exists():
        return PGBOUNCER
    if os.environ.get("CI") == "true":
        pytest.fail("pgbouncer is not installed: `make test` installs Debian's package (apt-get install pgbouncer)")
    pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")


@contextmanager
def pgbouncer(host: str, port: int | None, user: str) -> Iterator[tuple[str, int]]:
    """PgBouncer, pool_mode = transaction, for ``user``'s every database on ``host``; yields its (host, port)."""
    binary = pgbouncer_or_skip()
    listen = free_port()
    # Its own folder, readable by the user it runs as (pytest's tmp_path is not).
    workdir = Path(tempfile.mkdtemp(prefix="datespark-pgbouncer-"))
    workdir.chmod(0o777)
    # As the owner of a Unix-socket directory (the embedded server's), else as postgres: never as root.
    owner = pwd.getpwuid(Path(host).stat().st_uid).pw_name if host.startswith("/") else "postgres"
    # auth_type = trust as the server trusts its local clients; the user must still be listed.
    (workdir / "userlist.txt").write_text(f'"{user}" ""\n')
    ini = workdir / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"* = host={host} port={port or 5432}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {listen}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {workdir / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        "max_client_conn = 200\n"
        "default_pool_size = 20\n"
        f"logfile = {workdir / 'pgbouncer.log'}\n"
        f"pidfile = {workdir / 'pgbouncer.pid'}\n"
    )
    for path in workdir.iterdir():
        path.chmod(0o666)
    process = subprocess.Popen([binary, "-u", owner, str(ini)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"pgbouncer did not start:\n{log_tail(workdir / 'pgbouncer.log')}")
                time.sleep(0.05)
        yield "127.0.0.1", listen
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)
