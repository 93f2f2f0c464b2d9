"""The app as ``make run`` serves it (datespark/serve.py, 2 workers, DEBUG off), on the test database, plus
Chromium.

The server subprocess connects to pytest-django's test database, so the tests
must use ``transactional_db``: rows written by the server are visible to the
test process and vice versa, and each test's rows are flushed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import database_url_for, free_port, wait_until_ready

# Playwright's sync API keeps an asyncio event loop in this thread; without this,
# Django refuses ORM calls from the test with SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"!!! E2E TESTS SKIPPED: chromium not installed at {CHROMIUM}: "
            "apt-get install chromium (or run make e2e-browser)"
        )
    return CHROMIUM


def _server_database_url() -> str:
    """A libpq URL for the test database (call after django_db_setup created it)."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    assert name and name.startswith("test_"), f"not a test database: {name!r}"
    return database_url_for(name)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the master (it stops its workers), then SIGKILL to the whole process group if need be."""
    pgid = process.pid  # start_new_session: the master leads its own group
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
    # Any worker left behind (it should not be) goes too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


@dataclass(frozen=True)
class Server:
    base_url: str
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="module")
def e2e_server(
    chromium_executable: str,
    django_db_setup: Any,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """python -m datespark.serve (as `make run`) on a free port, talking to the test database."""
    with django_db_blocker.unblock():
        database_url = _server_database_url()
    workdir = tmp_path_factory.mktemp("e2e-server")
    python = BASE_DIR / ".venv" / "bin" / "python"
    python = python if python.exists() else Path(sys.executable)

    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "datespark.settings",
        "DATABASE_URL": database_url,
        "DATESPARK_SKIP_SETUP": "1",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DATESPARK_MEDIA_ROOT": str(workdir / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATESPARK_PGDATA", "DATESPARK_TEST_DB"):
        env.pop(name, None)

    # The manifest static storage needs the manifest, as for `make run`.
    subprocess.run(
        [str(python), "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=120,
    )

    log = workdir / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [str(python), "-m", "datespark.serve"],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(base_url=f"http://127.0.0.1:{port}", log=log)
    try:
        wait_until_ready(server.base_url, process, timeout=STARTUP_TIMEOUT, log=log)
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def browser(chromium_executable: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def live(e2e_server: Server, transactional_db: Any) -> Server:
    """The running app for one test; the test's rows are flushed afterwards (transactional_db)."""
    return e2e_server


NewContext = Callable[..., Any]


@pytest.fixture
def new_context(browser: Any, live: Server) -> Iterator[NewContext]:
    """Fresh, isolated browser contexts (separate cookies and localStorage), closed before the flush."""
    contexts: list[Any] = []
    violations: list[str] = []
    missing_assets: list[str] = []

    def asset_missing(response: Any) -> None:
        # A 404 for the favicon or a static file is an error in every page's console.
        if response.status >= 400 and ("/static/" in response.url or response.url.endswith("/favicon.ico")):
            missing_assets.append(f"{response.status} {response.url}")

    def make(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=live.base_url, locale="nl-NL", timezone_id="Europe/Amsterdam", **options)
        context.set_default_timeout(15_000)
        # Every page must obey the Content-Security-Policy the app sends.
        context.on(
            "console",
            lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
        )
        context.on("response", asset_missing)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not violations, violations
    assert not missing_assets, missing_assets
