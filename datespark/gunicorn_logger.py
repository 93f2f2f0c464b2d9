"""gunicorn's logger, computing only the access-log atoms the format names, with secrets in URLs masked."""

from __future__ import annotations

import functools
import re
from typing import Any

from gunicorn.glogging import Logger

# Password-reset links carry a one-time token in the path.
SECRET_PATHS = re.compile(r"(/wachtwoord-herstellen/)[^/\s?]+/[^/\s?]+/")

_FORMAT_KEY = re.compile(r"%\(([^)]+)\)")
# The atoms computed here, the way gunicorn's Logger.atoms computes them.
_LEAN = {
    "h": lambda resp, environ, took: environ.get("REMOTE_ADDR", "-"),
    "r": lambda resp, environ, took: f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} {environ['SERVER_PROTOCOL']}",
    "s": lambda resp, environ, took: resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status,
    "b": lambda resp, environ, took: getattr(resp, "sent", None) is not None and str(resp.sent) or "-",
    "M": lambda resp, environ, took: took.seconds * 1000 + int(took.microseconds / 1000),
    "a": lambda resp, environ, took: environ.get("HTTP_USER_AGENT", "-"),
}


@functools.cache
def _plan(access_log_format: str) -> tuple[list[str], list[str]] | None:
    """The lean atoms and response headers a format names, or None if it names anything else."""
    atoms, headers = [], []
    for key in _FORMAT_KEY.findall(access_log_format):
        if key in _LEAN:
            atoms.append(key)
        elif key.startswith("{") and key.lower().endswith("}o"):
            headers.append(key.lower())
        else:
            return None
    return atoms, headers


class RedactingLogger(Logger):
    """gunicorn's Logger with a cheaper ``atoms`` and reset tokens masked.

    gunicorn builds every atom for every request, including each request
    and response header and the whole WSGI environ (~6 % of a worker's time
    under load in the benchmark, docs/PERFORMANCE.md). When the format names
    only atoms in ``_LEAN`` and response headers, as ``gunicorn.conf.py``'s
    does, only those are computed; any other format gets gunicorn's own.
    """

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        plan = _plan(self.cfg.access_log_format)
        if plan is None:
            atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        else:
            names, headers = plan
            atoms = {name: _LEAN[name](resp, environ, request_time) for name in names}
            if headers:
                sent = {f"{{{name.lower()}}}o": value for name, value in resp.headers}
                atoms.update((key, sent[key]) for key in headers if key in sent)
        for key in ("r", "U"):
            if isinstance(atoms.get(key), str):
                atoms[key] = SECRET_PATHS.sub(r"\1[redacted]/", atoms[key])
        return atoms
