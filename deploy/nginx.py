"""nginx (Debian's package) balancing round-robin over the app instances: deploy/nginx.conf, rendered."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path

from django.template import Context, Engine

from datespark.http.errors import error_body
from deploy.services import Service, installed, port_open

DEPLOY = Path(__file__).resolve().parent
TEMPLATE = DEPLOY / "nginx.conf"

# The balancer's own answers under /api/, in the contract's error shape.
ERRORS = {
    "payload_too_large": error_body("payload_too_large", "The request body is too large."),
    "bad_gateway": error_body("bad_gateway", "No app instance could answer; retry shortly."),
    "gateway_timeout": error_body(
        "gateway_timeout", "The app did not answer in time; the request may have been applied, so retry it."
    ),
}


def binary() -> str | None:
    """The nginx executable, or None when it is not installed (``make cluster`` installs it)."""
    return installed("nginx")


def render(
    workdir: Path, logs: Path, *, port: int, instance_ports: list[int], max_body_bytes: int, read_timeout: int
) -> str:
    """deploy/nginx.conf for these ports and folders."""
    # As root, nginx's workers drop to nobody (who can use the cluster's folders, see start()).
    user = "nobody nogroup" if os.geteuid() == 0 else ""
    errors = {code: json.dumps(body, separators=(",", ":")) for code, body in ERRORS.items()}
    assert not any("'" in body for body in errors.values()), "nginx quotes the bodies in single quotes"
    engine = Engine(autoescape=False)
    context = {
        "workdir": workdir,
        "logs": logs,
        "user": user,
        "port": port,
        "instance_ports": instance_ports,
        "max_body_bytes": max_body_bytes,
        "read_timeout": read_timeout,
        "errors": errors,
    }
    return engine.from_string(TEMPLATE.read_text()).render(Context(context))


def check(config: Path) -> None:
    """``nginx -t``: raises ValueError with nginx's complaint when the configuration is not valid."""
    executable = binary()
    if executable is None:
        raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
    result = subprocess.run([executable, "-t", "-q", "-c", str(config)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ValueError(result.stderr.strip())


def start(
    workdir: Path, logs: Path, *, port: int, instance_ports: list[int], max_body_bytes: int, read_timeout: int
) -> Service:
    """nginx on 127.0.0.1:``port`` in front of ``instance_ports``, its files in ``workdir``."""
    executable = binary()
    if executable is None:
        raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / "tmp" / name).mkdir(parents=True, exist_ok=True)
    (workdir / "html").mkdir(parents=True, exist_ok=True)
    shutil.copy(DEPLOY / "unavailable.html", workdir / "html" / "unavailable.html")
    if os.geteuid() == 0:
        # Its workers run as nobody: they buffer bodies in tmp/ and read html/.
        nobody = pwd.getpwnam("nobody")
        for folder in (workdir / "tmp", workdir / "html"):
            for path in [folder, *folder.rglob("*")]:
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
        workdir.chmod(0o755)
    config = workdir / "nginx.conf"
    config.write_text(
        render(
            workdir,
            logs,
            port=port,
            instance_ports=instance_ports,
            max_body_bytes=max_body_bytes,
            read_timeout=read_timeout,
        )
    )
    check(config)
    # SIGQUIT: a graceful shutdown (requests in flight finish).
    service = Service.start(
        "nginx", [executable, "-c", str(config)], logs / "nginx-error.log", stop_signal=signal.SIGQUIT
    )
    service.wait_until(lambda: port_open(port), timeout=15)
    return service
