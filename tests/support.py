"""Helpers for the tests that serve the app in a real server process (e2e, make run, faults),
and for the tests of the benchmark's scripts."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

# Shared with deploy/ (make cluster starts its parts with them); the tests import them from here.
from deploy.services import free_port as free_port
from deploy.services import installed, log_tail

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def require_programs(*programs: str) -> None:
    """Debian programs a test needs: a missing one fails the run under CI=true (`make test` installs them)
    and skips the test otherwise."""
    missing = [program for program in programs if installed(program) is None]
    if not missing:
        return
    message = (
        f"{', '.join(missing)} not installed: `make test` installs Debian's packages"
        f" (apt-get install {' '.join(missing)})"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def wait_until_ready(
    base_url: str,
    process: subprocess.Popen[Any],
    *,
    timeout: float = 90,
    log: Path | None = None,
    paths: tuple[str, ...] = ("/healthz", "/readyz"),
) -> None:
    """Until every path answers 200: /healthz, a worker answers; /readyz, it reaches its database too."""
    deadline = time.monotonic() + timeout
    for path in paths:
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode} before {path} answered:\n{log_tail(log)}")
            try:
                with urllib.request.urlopen(base_url + path, timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer {path} within {timeout:.0f} s:\n{log_tail(log)}")
            time.sleep(0.1)


def load_bench_script(name: str) -> ModuleType:
    """A script of bench/ as a module, with its folder on sys.path as when it runs (it imports its siblings)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    sys.path.insert(0, str(BENCH))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def database_url_for(name: str) -> str:
    """A libpq URL for database ``name`` on the server the tests use (DATABASE_URL's, or the embedded one)."""
    from django.conf import settings
    from django.db import connection

    external = os.environ.get("DATABASE_URL")
    if external:
        # Same server, user, password and options; only the database differs.
        return urlsplit(external)._replace(path="/" + quote(name)).geturl()
    assert settings.EMBEDDED_DATABASE
    from datespark import embedded_db

    socket_dir = embedded_db.ensure_running()
    user = connection.settings_dict.get("USER") or embedded_db.USER
    return f"postgresql://{quote(user, safe='')}@{quote(socket_dir, safe='')}/{quote(name, safe='')}"


def release_together(database_url: str, instances: int) -> None:
    """``manage.py release`` started by ``instances`` processes at once against ``database_url``; all must succeed."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "datespark.settings"}
    env.pop("DATESPARK_DIRECT_DATABASE", None)
    starts = [
        subprocess.Popen(
            [sys.executable, "manage.py", "release", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(instances)
    ]
    outcomes = [(process.wait(timeout=180), process.stderr.read() if process.stderr else "") for process in starts]
    assert [code for code, _ in outcomes] == [0] * instances, outcomes
