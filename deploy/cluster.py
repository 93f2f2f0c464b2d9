"""``make cluster``: DateSpark's production topology on this machine, in one command.

::

    client ─ nginx :8080 ─┬─ instance a (Granian, own folder)  ─┬─ PgBouncer ─ PostgreSQL
            round-robin   └─ instance b (Granian, own folder)  ─┤  (transaction   (embedded, or
                                                                │   mode)          DATABASE_URL)
                                                                └─ S3-API object store

The instances share one ``DJANGO_SECRET_KEY`` and nothing else: each runs
from its own copy of the code, starts at the same moment as the other (the
release lock makes one of them migrate, datespark/db/release.py), reaches
PostgreSQL only through PgBouncer and keeps uploads in the object store.
nginx names the client in X-Forwarded-For and the instances trust it
(``DATESPARK_TRUSTED_PROXIES``).

A throwaway cluster: its folder (``.cluster/`` by default) is emptied at
start, the embedded database and the object store (moto_server, in memory)
start empty. With ``DATABASE_URL`` it uses that server instead, and with
``AWS_STORAGE_BUCKET_NAME`` (and django-storages' other ``AWS_*`` settings)
that store. It prints the URL, writes what it started to
``<folder>/cluster.json``, and Ctrl-C stops everything it started.

    python -m deploy.cluster [--port 8080] [--instances 2] [--folder .cluster]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import FrameType
from urllib.parse import quote

from datespark.serve import DEFAULT_THREADS
from deploy import nginx, objectstore, pgbouncer
from deploy.services import Service, ServiceFailed, free_port, installed, log_tail, port_open

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BUCKET = "datespark-uploads"
# Not copied into an instance's folder: environments, data, caches, build output.
NOT_CODE = shutil.ignore_patterns(
    ".venv",
    ".git",
    ".cluster",
    ".pgdata",
    ".secret_key",
    "media",
    "staticfiles",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "test-results",
    ".work",
    "results",
)


@dataclass
class Instance:
    name: str
    folder: Path
    port: int
    service: Service | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Stop(Exception):
    """SIGINT (Ctrl-C) or SIGTERM: stop everything."""


def _stop_on_signal(signum: int, frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


def database_backend(folder: Path) -> tuple[pgbouncer.Backend, str, str]:
    """The server PgBouncer pools, its database's name, and how to describe it."""
    url = os.environ.get("DATABASE_URL")
    if url:
        backend, database = pgbouncer.Backend.of_url(url)
        return backend, database, f"PostgreSQL at {backend.host}:{backend.port}"
    os.environ["DATESPARK_PGDATA"] = str(folder / "pgdata")
    from datespark import embedded_db

    socket_dir = embedded_db.ensure_running()
    return (
        pgbouncer.Backend(host=socket_dir, port=5432, user=embedded_db.USER),
        embedded_db.DATABASE_NAME,
        f"embedded PostgreSQL in {folder / 'pgdata'}",
    )


def object_store(folder: Path, started: list[Service]) -> tuple[dict[str, str], str]:
    """django-storages' settings for the instances, and how to describe the store."""
    if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        names = ("AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME")
        described = ", ".join(f"{name}={os.environ[name]}" for name in names if os.environ.get(name))
        return {}, f"the configured store ({described})"
    service, endpoint = objectstore.start(folder / "logs" / "object-store.log")
    started.append(service)
    objectstore.bucket_create(endpoint, BUCKET)
    settings = {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": objectstore.REGION,
        "AWS_ACCESS_KEY_ID": objectstore.CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": objectstore.CREDENTIALS["aws_secret_access_key"],
    }
    return settings, f"{endpoint}, bucket {BUCKET} (moto_server, in memory)"


def instance_folders(folder: Path, count: int) -> list[Instance]:
    """Each instance's own copy of the code, its static files collected there, as a deploy would build it."""
    instances = []
    for index in range(count):
        name = chr(ord("a") + index)
        copy = folder / "instances" / name
        shutil.copytree(ROOT, copy, ignore=NOT_CODE)
        instances.append(Instance(name, copy, free_port()))
    collecting = [
        subprocess.Popen(
            [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=instance.folder,
            env={**os.environ, "DJANGO_SECRET_KEY": "collectstatic"},
        )
        for instance in instances
    ]
    for process in collecting:
        if process.wait() != 0:
            raise ServiceFailed("collectstatic failed in an instance's folder")
    return instances


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], prog="make cluster")
    parser.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_PORT", "8080")))
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("DATESPARK_THREADS", DEFAULT_THREADS)))
    parser.add_argument("--folder", type=Path, default=ROOT / ".cluster")
    args = parser.parse_args(argv)
    folder: Path = args.folder.resolve()

    if port_open(args.port):
        print(f"Port {args.port} is in use: choose another, e.g. make cluster CLUSTER_PORT=8081", file=sys.stderr)
        return 2
    missing = [program for program in ("nginx", "pgbouncer") if installed(program) is None]
    if missing:
        print(f"Not installed: {', '.join(missing)} (make cluster installs Debian's packages as root)", file=sys.stderr)
        return 2

    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    started: list[Service] = []
    embedded = not os.environ.get("DATABASE_URL")
    try:
        fresh_folder(folder)
        # One secret for every instance: a token or cookie signed by one is good on the other.
        secret_key = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
        os.environ["DJANGO_SECRET_KEY"] = secret_key
        # Prometheus scrapes each instance with this token (nginx denies /metrics at the edge).
        metrics_token = os.environ.get("DATESPARK_METRICS_TOKEN") or secrets.token_urlsafe(24)
        token_file = folder / "metrics-token"
        token_file.write_text(metrics_token)
        token_file.chmod(0o600)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datespark.settings")
        import django

        django.setup()
        from django.conf import settings

        print("Starting the DateSpark cluster...", flush=True)
        backend, database, database_described = database_backend(folder)
        # Every request in flight may hold a transaction (instances x workers x threads), and a release or a command.
        pool_size = args.instances * args.workers * args.threads + 2
        pooler, pooler_port = pgbouncer.start(
            folder / "pgbouncer", backend, pool_size=pool_size, max_clients=4 * pool_size + 20
        )
        started.append(pooler)
        storage, store_described = object_store(folder, started)
        instances = instance_folders(folder, args.instances)

        pooled_url = f"postgresql://{quote(backend.user)}@127.0.0.1:{pooler_port}/{quote(database)}"
        base_env = {key: value for key, value in os.environ.items() if key not in ("DATESPARK_PGDATA", "MAKEFLAGS")}
        for instance in instances:  # all at once, as a scale-out or a rolling deploy starts them
            env = {
                **base_env,
                **storage,
                "DATABASE_URL": pooled_url,
                "DJANGO_SECRET_KEY": secret_key,
                "DATESPARK_TRUSTED_PROXIES": "127.0.0.1",
                "DATESPARK_METRICS_TOKEN": metrics_token,
                "HOST": "127.0.0.1",
                "PORT": str(instance.port),
                "WEB_CONCURRENCY": str(args.workers),
                "DATESPARK_THREADS": str(args.threads),
            }
            instance.service = Service.start(
                f"instance {instance.name}",
                [str(BIN / "python"), "-m", "datespark.serve"],
                folder / "logs" / f"instance-{instance.name}.log",
                cwd=instance.folder,
                env=env,
            )
            started.append(instance.service)
        for instance in instances:
            assert instance.service is not None
            instance.service.wait_until(partial(ready, instance.url), timeout=120)

        balancer = nginx.start(
            folder / "nginx",
            folder / "logs",
            port=args.port,
            instance_ports=[instance.port for instance in instances],
            max_body_bytes=max(settings.PAGE_MAX_BODY_BYTES, settings.API_MAX_BODY_BYTES),
            read_timeout=35,
        )
        started.append(balancer)
        url = f"http://127.0.0.1:{args.port}"
        description = {
            "url": url,
            "nginx": {
                "port": args.port,
                "pid": balancer.process.pid,
                "access_log": str(folder / "logs/nginx-access.log"),
            },
            "instances": [
                {"name": i.name, "url": i.url, "pid": i.service.process.pid, "folder": str(i.folder)}
                for i in instances
                if i.service
            ],
            "pgbouncer": {"port": pooler_port, "pool_size": pool_size},
            "database": database_described,
            "object_store": {**storage, "described": store_described},
            "metrics_token_file": str(token_file),
        }
        (folder / "cluster.json").write_text(json.dumps(description, indent=2))
        print_summary(url, folder, instances, pooler_port, pool_size, database_described, store_described)
        watch(started)
    except Stop:
        pass
    except (ServiceFailed, FileNotFoundError, ValueError) as failure:
        print(f"The cluster did not start: {failure}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("Stopping the cluster...", flush=True)
        for service in reversed(started):
            service.stop()
        if embedded:
            from datespark import embedded_db

            embedded_db.stop()
        print("Stopped.", flush=True)
    return 0


def fresh_folder(folder: Path) -> None:
    """Empty the cluster's folder (stopping an embedded server a killed cluster left behind)."""
    if (folder / "pgdata").exists():
        os.environ["DATESPARK_PGDATA"] = str(folder / "pgdata")
        from datespark import embedded_db

        embedded_db.stop()
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "logs").mkdir(parents=True)
    folder.chmod(0o755)


def print_summary(
    url: str,
    folder: Path,
    instances: list[Instance],
    pooler_port: int,
    pool_size: int,
    database: str,
    store: str,
) -> None:
    lines = [
        f"DateSpark cluster on {url}  (Ctrl-C stops everything)",
        f"  nginx         round-robin over {len(instances)} instances; logs in {folder / 'logs'}",
    ]
    for instance in instances:
        assert instance.service is not None
        lines.append(
            f"  instance {instance.name}    {instance.url}  pid {instance.service.process.pid}  {instance.folder}"
        )
    lines += [
        f"  PgBouncer     127.0.0.1:{pooler_port}, transaction mode, pool {pool_size}, in front of {database}",
        f"  object store  {store}",
        f'  metrics       curl -H "Authorization: Bearer $(cat {folder / "metrics-token"})" <instance>/metrics',
        f"  described in  {folder / 'cluster.json'}",
    ]
    print("\n".join(lines), flush=True)


def watch(services: list[Service]) -> None:
    """Until Ctrl-C: say so when a part exits (an instance may be killed; nginx answers with the others)."""
    reported: set[str] = set()
    while True:
        for service in services:
            if not service.running and service.name not in reported:
                reported.add(service.name)
                print(
                    f"{service.name} exited with {service.process.returncode}:\n{log_tail(service.log, 10)}",
                    flush=True,
                )
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
