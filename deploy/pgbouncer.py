"""PgBouncer in transaction mode (Debian's package, stock settings otherwise) in front of PostgreSQL.

What Neon's pooled endpoint, Supabase's pooler and most managed poolers run:
every transaction may get another server connection, no session state
survives between transactions, and the ``options`` startup parameter is
refused. ``make cluster`` and ``make test-pooled`` both start it from here.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from deploy.services import Service, free_port, installed, port_open

# Seconds; well under nginx's read timeout (35 s).
QUERY_WAIT_TIMEOUT = 5


def binary() -> str | None:
    """The pgbouncer executable, or None when it is not installed (``make pooler`` installs it)."""
    return installed("pgbouncer")


@dataclass(frozen=True)
class Backend:
    """The PostgreSQL server behind the pooler: a host name or a Unix-socket directory."""

    host: str
    port: int
    user: str
    password: str = ""

    @classmethod
    def of_url(cls, url: str) -> tuple[Backend, str]:
        """The server a libpq URL names (a host, or a socket directory in ``?host=``), and its database."""
        parts = urlsplit(url)
        host = parts.hostname or parse_qs(parts.query).get("host", ["127.0.0.1"])[0]
        backend = cls(
            host=host, port=parts.port or 5432, user=parts.username or "postgres", password=parts.password or ""
        )
        return backend, parts.path.lstrip("/") or "postgres"


def run_as(backend: Backend) -> list[str]:
    """pgbouncer refuses to run as root: as the owner of the server's socket directory, else postgres."""
    if os.geteuid() != 0:
        return []
    owner = pwd.getpwuid(Path(backend.host).stat().st_uid).pw_name if backend.host.startswith("/") else "postgres"
    return ["-u", owner]


def write_config(workdir: Path, backend: Backend, listen_port: int, *, pool_size: int, max_clients: int) -> Path:
    """pgbouncer.ini and its user list in ``workdir``: every database on ``backend``, pool_mode = transaction."""
    server = f"host={backend.host} port={backend.port}"
    if backend.password:
        # The pooler logs in to the server as this user whoever the client is.
        server += f" user={backend.user} password={backend.password}"
    # Clients on the loopback interface are trusted as the server trusts its local clients;
    # a client must still be a listed user.
    (workdir / "userlist.txt").write_text(f'"{backend.user}" ""\n')
    ini = workdir / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"* = {server}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {listen_port}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {workdir / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {pool_size}\n"
        "reserve_pool_size = 2\n"
        # A client waits this long for a server connection, then gets an error (the app answers 503):
        # while the server is down PgBouncer before 1.22 queues clients rather than failing them fast.
        f"query_wait_timeout = {QUERY_WAIT_TIMEOUT}\n"
        f"max_client_conn = {max_clients}\n"
        f"pidfile = {workdir / 'pgbouncer.pid'}\n"
    )
    return ini


def start(workdir: Path, backend: Backend, *, pool_size: int = 20, max_clients: int = 200) -> tuple[Service, int]:
    """PgBouncer for ``backend`` on a free loopback port, its files in ``workdir``; the service and its port.

    Raises FileNotFoundError when pgbouncer is not installed, ServiceFailed when it does not start.
    """
    executable = binary()
    if executable is None:
        raise FileNotFoundError("pgbouncer is not installed (apt-get install pgbouncer)")
    workdir.mkdir(parents=True, exist_ok=True)
    listen = free_port()
    ini = write_config(workdir, backend, listen, pool_size=pool_size, max_clients=max_clients)
    # Its files must be readable and its log writable by the user it runs as.
    workdir.chmod(0o777)
    for path in workdir.iterdir():
        path.chmod(0o666)
    # Not daemonized, it logs to stderr: into pgbouncer.log.
    service = Service.start("pgbouncer", [executable, *run_as(backend), str(ini)], workdir / "pgbouncer.log")
    service.wait_until(lambda: port_open(listen), timeout=15)
    return service, listen
