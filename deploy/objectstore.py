"""An S3-API object store on this machine: moto's standalone server (``moto_server``, from PyPI).

No cloud is reachable here; moto speaks the S3 API over HTTP, so the app's
django-storages backend talks to it exactly as to AWS S3, R2 or MinIO. It
keeps objects in memory: they go when it stops. ``make cluster`` and the
object-store tests start it from here.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import boto3

from deploy.services import Service, free_port

# moto accepts any credentials; these are what the app is configured with.
CREDENTIALS = {"aws_access_key_id": "datespark-local", "aws_secret_access_key": "datespark-local"}
REGION = "us-east-1"


def binary() -> str | None:
    """moto_server from this Python's environment (the dev dependencies), or on PATH."""
    beside = Path(sys.executable).parent / "moto_server"
    if beside.exists():
        return str(beside)
    return shutil.which("moto_server")


def client(endpoint: str):  # type: ignore[no-untyped-def]  # boto3's clients are generated at runtime
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **CREDENTIALS)


def start(log: Path) -> tuple[Service, str]:
    """moto_server on a free loopback port; the service and its endpoint URL.

    Raises FileNotFoundError when moto_server is not installed, ServiceFailed when it does not start.
    """
    executable = binary()
    if executable is None:
        raise FileNotFoundError("moto_server is not installed (pip install 'moto[server]': the dev dependencies)")
    port = free_port()
    service = Service.start("object store", [executable, "-H", "127.0.0.1", "-p", str(port)], log)
    endpoint = f"http://127.0.0.1:{port}"
    s3 = client(endpoint)

    def answers() -> bool:
        try:
            s3.list_buckets()
        except Exception:  # not up yet: connection refused, or a half-started server
            return False
        return True

    service.wait_until(answers, timeout=30)
    return service, endpoint


def bucket_create(endpoint: str, bucket: str) -> None:
    """A private bucket (S3's default: nothing public), unless it exists."""
    s3 = client(endpoint)
    existing = {item["Name"] for item in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        s3.create_bucket(Bucket=bucket)
