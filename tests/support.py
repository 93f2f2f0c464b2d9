"""Helpers for the tests that serve the app in a real gunicorn process (e2e, make run, faults)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(path: Path | None, lines: int = 80) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path else "(no log)"
    except OSError:
        return "(no server log)"


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
