"""Test set-up: a real PostgreSQL, always.

With no DATABASE_URL the session gets its own embedded server in a temporary
data directory (started on first connection, stopped and removed at the end),
so test runs never touch the ``make run`` database or each other. With
DATABASE_URL set, the test database on that server gets a per-run name
(see settings.DATABASES["default"]["TEST"]).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

if not os.environ.get("DATABASE_URL"):
    os.environ["DATESPARK_PGDATA"] = tempfile.mkdtemp(prefix="datespark-test-pg-")


OUTCOMES: dict[str, str] = {}
RESULTS_DIR = Path(__file__).resolve().parent.parent / "test-results"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # What each test did, for the generated docs/SECURITY.md.
    if report.when == "call" or report.outcome != "passed":
        OUTCOMES[report.nodeid] = report.outcome


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests.security_facts import FACTS

    if OUTCOMES and not hasattr(session.config, "workerinput"):
        RESULTS_DIR.mkdir(exist_ok=True)
        (RESULTS_DIR / "security.json").write_text(json.dumps({"outcomes": OUTCOMES, "facts": FACTS}, indent=1))
    pgdata = os.environ.get("DATESPARK_PGDATA")
    if pgdata and pgdata.startswith(tempfile.gettempdir()):
        from datespark import embedded_db

        embedded_db.stop()
        shutil.rmtree(pgdata, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """With DATESPARK_POOLED=1 (`make test-pooled`): the test database, created directly, used through PgBouncer.

    Transaction mode, stock settings: what Neon's pooled endpoint runs. The
    database is dropped directly again once the pooler is gone.
    """
    if os.environ.get("DATESPARK_POOLED") != "1":
        yield
        return
    from django.db import connection

    from tests.pooler import pgbouncer

    with django_db_blocker.unblock():
        direct = connection.get_connection_params()
    saved = {key: connection.settings_dict.get(key) for key in ("HOST", "PORT")}
    with pgbouncer(direct["host"], direct.get("port"), direct.get("user") or "postgres") as (host, port):
        connection.close()
        connection.settings_dict.update(HOST=host, PORT=port)
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.update(saved)


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="anna", password="geheim-wachtwoord-1")


@pytest.fixture
def other_user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="bram", password="geheim-wachtwoord-2")


@pytest.fixture
def staff_user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="staf", password="geheim-wachtwoord-3", is_staff=True)


@pytest.fixture
def browser(user: Any) -> Any:
    """``user`` logged in through the login page, with Django's CSRF checks on."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get("/inloggen/")
    response = client.post(
        "/inloggen/",
        {
            "username": "anna",
            "password": "geheim-wachtwoord-1",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploads go to a fresh folder for the test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def bearer(user: Any) -> dict[str, str]:
    """Request headers that authenticate as ``user`` with a Bearer access token."""
    from coaching.accounts import tokens

    _, access = tokens.token_pair_for(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {access}"}


@pytest.fixture
def api(client: Any, bearer: dict[str, str]) -> Iterator[Any]:
    """A Django test client that sends JSON with ``user``'s Bearer token."""
    yield JsonClient(client, bearer)


class JsonClient:
    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.client.post(path, data, content_type="application/json", **{**self.headers, **extra})

    def get(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.client.get(path, data, **{**self.headers, **extra})


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's deliberate slowness is not under test here; MD5 keeps the suite fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    # The manifest storage needs collectstatic; view tests use the source files.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}
