"""gunicorn's own access log, with the one-time tokens of password-reset links masked."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

# Password-reset links carry a one-time token in the path.
SECRET_PATHS = re.compile(r"(/wachtwoord-herstellen/)[^/\s?]+/[^/\s?]+/")


class RedactingLogger(Logger):
    """gunicorn's Logger as shipped, but the request line and path lose a reset link's token."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            if isinstance(atoms.get(key), str):
                atoms[key] = SECRET_PATHS.sub(r"\1[redacted]/", atoms[key])
        return atoms
