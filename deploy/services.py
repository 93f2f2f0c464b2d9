"""A started helper process (PgBouncer, the object store, nginx, an app instance) and how it is stopped."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class ServiceFailed(RuntimeError):
    """A part of the topology did not start; the message ends with its log's tail."""


def log_tail(path: Path | None, lines: int = 80) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path else "(no log)"
    except OSError:
        return "(no log)"


def installed(program: str) -> str | None:
    """A Debian package's program (on PATH, or in /usr/sbin, which a non-root PATH may lack), or None."""
    found = shutil.which(program) or f"/usr/sbin/{program}"
    return found if Path(found).exists() else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


@dataclass
class Service:
    """A process in its own session (the terminal's Ctrl-C reaches the cluster, which stops it in order)."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    stop_signal: int = signal.SIGTERM

    @classmethod
    def start(
        cls,
        name: str,
        command: list[str],
        log: Path,
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        stop_signal: int = signal.SIGTERM,
    ) -> Service:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as output:
            process = subprocess.Popen(
                command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        return cls(name, process, log, stop_signal)

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def wait_until(self, ready: Callable[[], bool], timeout: float = 30) -> None:
        """Until ``ready()`` holds; ServiceFailed if the process exits first or time runs out."""
        deadline = time.monotonic() + timeout
        while not ready():
            if not self.running:
                raise ServiceFailed(f"{self.name} exited with {self.process.returncode}:\n{log_tail(self.log)}")
            if time.monotonic() > deadline:
                raise ServiceFailed(f"{self.name} was not ready within {timeout:.0f} s:\n{log_tail(self.log)}")
            time.sleep(0.1)

    def stop(self, timeout: float = 15) -> None:
        """Its stop signal, then SIGKILL to its whole process group if it lingers (workers included)."""
        if self.running:
            self.process.send_signal(self.stop_signal)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)
