"""`make cluster` as an operator runs it: nginx round-robin over two instances from their own folders,
PgBouncer in transaction mode, a fresh embedded PostgreSQL and an S3-API object store.

Through the balancer the contract's endpoints answer as it says; across the
instances a user reads their writes, racing marks make exactly one ``wasNew``,
a photo stored by one is exported by the other, an account deleted on one is
dead on the other with its objects gone; nginx's own errors keep the JSON
shape and it names the real client; one instance killed loses nothing that
was acknowledged; and Ctrl-C stops everything the cluster started.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
import requests

from coaching.catalog import TOOLS, TOOLS_BY_NAME
from datespark.http.errors import ERROR_CODES
from deploy import nginx, objectstore
from tests.ops.test_serve import processes_using
from tests.pages.test_views import png_bytes
from tests.support import ROOT, free_port, log_tail, require_programs

pytestmark = pytest.mark.topology

PASSWORD = "een-lang-wachtwoord-42"
# Low enough to reach in a test: failed password checks per client address.
FAILED_PER_IP = 4


@dataclass
class Cluster:
    url: str
    port: int
    instances: list[dict[str, Any]]
    folder: Path
    description: dict[str, Any]
    process: subprocess.Popen[bytes]
    log: Path

    def instance_url(self, index: int) -> str:
        return str(self.instances[index]["url"])


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    require_programs("nginx", "pgbouncer")
    folder = Path(tempfile.mkdtemp(prefix="datespark-cluster-"))
    log = Path(tempfile.mkstemp(prefix="datespark-cluster-", suffix=".log")[1])
    port = free_port()
    scrubbed = ("DATABASE_URL", "DATESPARK_PGDATA", "DJANGO_SECRET_KEY", "MAKEFLAGS", "MAKELEVEL")
    env = {key: value for key, value in os.environ.items() if key not in scrubbed and not key.startswith("AWS_")}
    env["DATESPARK_RATE_FAILED_PER_IP"] = str(FAILED_PER_IP)
    with log.open("wb") as output:
        # A new session, like a terminal: Ctrl-C signals the whole foreground group.
        process = subprocess.Popen(
            ["make", "--no-print-directory", "cluster", f"CLUSTER_PORT={port}", f"CLUSTER_ARGS=--folder {folder}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 240
        while not (folder / "cluster.json").exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make cluster did not start:\n{log_tail(log)}")
            time.sleep(0.2)
        description = json.loads((folder / "cluster.json").read_text())
        yield Cluster(description["url"], port, description["instances"], folder, description, process, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=60)
        for leftover in processes_using(str(folder)):  # only if a test failed half-way
            with contextlib.suppress(psutil.Error):
                leftover.kill()
        shutil.rmtree(folder, ignore_errors=True)
        log.unlink(missing_ok=True)


def client(base: str) -> requests.Session:
    session = requests.Session()
    session.headers["Accept"] = "application/json"
    session.base = base  # type: ignore[attr-defined]
    return session


def call(session: requests.Session, method: str, path: str, base: str | None = None, **kwargs: Any) -> Any:
    url = (base or session.base) + path  # type: ignore[attr-defined]
    return session.request(method, url, timeout=20, **kwargs)


def bearer(base: str, username: str) -> tuple[requests.Session, str]:
    """A new account, registered through ``base``; a session carrying its Bearer access token."""
    session = client(base)
    account = {"username": username, "password": PASSWORD}
    assert call(session, "POST", "/api/auth/register", json=account).status_code == 201
    tokens = call(requests.Session(), "POST", "/api/auth/token/", base=base, json=account).json()
    session.headers["Authorization"] = f"Bearer {tokens['access']}"
    return session, tokens["refresh"]


def upstreams(cluster: Cluster, since: int) -> set[str]:
    """The instances nginx sent requests to, in its access log from byte ``since`` on."""
    text = (cluster.folder / "logs" / "nginx-access.log").read_bytes()[since:].decode()
    return {
        part.split("=", 1)[1] for line in text.splitlines() for part in line.split() if part.startswith("upstream=")
    }


def access_log_size(cluster: Cluster) -> int:
    return (cluster.folder / "logs" / "nginx-access.log").stat().st_size


def test_the_contract_answers_through_the_balancer_from_both_instances(cluster: Cluster) -> None:
    since = access_log_size(cluster)
    browser = client(cluster.url)
    account = {"username": "reiziger", "password": PASSWORD}
    # A browser: register (logged in by cookie), then every completion endpoint with the CSRF header.
    response = call(browser, "POST", "/api/auth/register", json=account)
    assert response.status_code == 201 and response.json()["user"]["username"] == "reiziger"
    assert (
        call(
            browser,
            "POST",
            "/api/tool-completion/mark-completed",
            json={"toolName": "chat-coach", "actionName": "first_question"},
        ).status_code
        == 403
    )  # no CSRF header
    browser.headers["X-CSRFToken"] = browser.cookies["csrftoken"]
    mark = {"toolName": "profiel-coach", "actionName": "bio_generated", "metadata": {"tone": "speels"}}
    response = call(browser, "POST", "/api/tool-completion/mark-completed", json=mark)
    assert response.status_code == 200 and response.json()["wasNew"] is True
    assert response.json()["progress"]["totalActions"] == len(TOOLS_BY_NAME["profiel-coach"].actions)
    response = call(browser, "GET", "/api/tool-completion/is-completed?toolName=profiel-coach&actionName=bio_generated")
    assert response.json()["isCompleted"] is True and response.json()["metadata"] == {"tone": "speels"}
    flags = {"flags": {"chat-coach-practice": "true", "onbekend": "true"}}
    response = call(browser, "POST", "/api/tool-completion/import-legacy", json=flags)
    assert response.status_code == 200 and response.json()["ignored"] == ["onbekend"]
    progress = call(browser, "GET", "/api/tool-completion/progress").json()
    assert progress["overall"]["totalCompletions"] == 2
    assert call(browser, "GET", "/api/tool-completion/progress?toolName=nee").json()["error"]["code"] == "unknown_tool"
    assert call(browser, "POST", "/api/admin/init-tool-tracking").status_code == 403  # not staff
    new_password = PASSWORD + "-nieuw"
    response = call(browser, "POST", "/api/auth/password", json={"oldPassword": PASSWORD, "newPassword": new_password})
    assert response.status_code == 204
    browser.headers["X-CSRFToken"] = browser.cookies["csrftoken"]
    assert call(browser, "POST", "/api/auth/logout").status_code == 204
    assert call(browser, "GET", "/api/tool-completion/progress").status_code == 401
    login = {"username": "reiziger", "password": new_password}
    assert call(browser, "POST", "/api/auth/login", json=login).json()["user"]["username"] == "reiziger"
    assert call(browser, "GET", "/api/tool-completion/progress").status_code == 200

    # A non-browser client: the token pair, a refresh, and the data endpoints.
    app = client(cluster.url)
    tokens = call(app, "POST", "/api/auth/token/", json=login).json()
    refreshed = call(app, "POST", "/api/auth/token/refresh/", json={"refresh": tokens["refresh"]})
    assert refreshed.status_code == 200
    app.headers["Authorization"] = f"Bearer {refreshed.json()['access']}"
    batch = {"completions": [{"toolName": "date-planner", "actionName": "idea_generated"}]}
    assert call(app, "POST", "/api/tool-completion/batch", json=batch).json()["results"][0]["wasNew"] is True
    assert call(app, "POST", "/api/tool-completion/reset", json={"toolName": "date-planner"}).json()["removed"] == 1
    assert call(app, "GET", "/api/tool-completion/activity?days=7").json()["tz"] == "Europe/Amsterdam"
    assert {"chat-coach", "profiel-coach"} <= {
        c["toolName"] for c in call(app, "GET", "/api/me/export").json()["completions"]
    }
    assert call(app, "GET", "/api/schema/").status_code == 200
    assert call(app, "GET", "/healthz").json() == {"status": "ok"}
    assert call(app, "GET", "/readyz").json() == {"status": "ok"}
    assert call(app, "GET", "/api/onbekend").json()["error"]["code"] == "not_found"
    assert call(app, "POST", "/api/me/delete", json={"password": new_password}).status_code == 204
    assert call(app, "GET", "/api/tool-completion/progress").status_code == 401
    # The pages, too, and the static files each instance collected in its own folder.
    page = call(client(cluster.url), "GET", "/inloggen/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")

    # The edge's request id is the one the app answers with (and logs under).
    answered = call(app, "GET", "/healthz").headers["X-Request-ID"]
    deadline = time.monotonic() + 5  # nginx logs a request just after answering it
    while f"rid={answered}" not in (cluster.folder / "logs" / "nginx-access.log").read_text():
        assert time.monotonic() < deadline, "the edge's request id is not the app's"
        time.sleep(0.05)

    assert upstreams(cluster, since) == {f"127.0.0.1:{i['url'].rsplit(':', 1)[1]}" for i in cluster.instances}


def test_staff_reach_the_init_endpoint_and_the_admin_through_the_balancer(cluster: Cluster) -> None:
    staff = client(cluster.url)
    account = {"username": "beheerder", "password": PASSWORD}
    assert call(staff, "POST", "/api/auth/register", json=account).status_code == 201
    # Made staff as an operator would: a management command on an instance's folder, through the pooler.
    pooled = f"postgresql://postgres@127.0.0.1:{cluster.description['pgbouncer']['port']}/postgres"
    promote = (
        "from django.contrib.auth.models import User; User.objects.filter(username='beheerder').update(is_staff=True)"
    )
    subprocess.run(
        [str(Path(sys.executable).parent / "python"), "manage.py", "shell", "-c", promote],
        cwd=cluster.instances[0]["folder"],
        env={**os.environ, "DATABASE_URL": pooled, "DJANGO_SECRET_KEY": "a-command-signs-nothing"},
        check=True,
        capture_output=True,
    )
    staff.headers["X-CSRFToken"] = staff.cookies["csrftoken"]
    for _ in cluster.instances:  # each instance answers once, round-robin: the same report
        response = call(staff, "POST", "/api/admin/init-tool-tracking")
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["tablesCreated"] == report["viewsCreated"] == report["functionsCreated"] == []
        assert "tool_completions" in report["present"]
    admin = call(staff, "GET", "/admin/", headers={"Accept": "text/html"})
    assert admin.status_code == 200 and "beheerder" in admin.text


def test_a_user_reads_their_writes_whichever_instance_answers(cluster: Cluster) -> None:
    session, _ = bearer(cluster.url, "lezer")
    actions = [(tool.name, action.name) for tool in TOOLS for action in tool.actions][:8]
    for index, (tool, action) in enumerate(actions):
        writer, reader = cluster.instance_url(index % 2), cluster.instance_url(1 - index % 2)
        response = call(
            session,
            "POST",
            "/api/tool-completion/mark-completed",
            writer,
            json={"toolName": tool, "actionName": action},
        )
        assert response.json()["wasNew"] is True
        state = call(session, "GET", f"/api/tool-completion/is-completed?toolName={tool}&actionName={action}", reader)
        assert state.json()["isCompleted"] is True
        progress = call(session, "GET", "/api/tool-completion/progress", reader).json()
        assert progress["overall"]["totalCompletions"] == index + 1
    response = call(
        session, "POST", "/api/tool-completion/reset", cluster.instance_url(0), json={"toolName": "profiel-coach"}
    )
    assert response.json()["removed"] == 3
    progress = call(session, "GET", "/api/tool-completion/progress", cluster.instance_url(1)).json()
    assert progress["overall"]["totalCompletions"] == len(actions) - 3


def test_racers_on_both_instances_mark_one_new_action_exactly_once(cluster: Cluster) -> None:
    session, _ = bearer(cluster.url, "racer")
    racers = 12
    barrier = threading.Barrier(racers)
    results: list[Any] = [None] * racers

    def race(index: int) -> None:
        own = requests.Session()
        own.headers.update(session.headers)
        barrier.wait()
        body = {"toolName": "gesprek-starter", "actionName": "opener_generated", "metadata": {"racer": index}}
        results[index] = call(
            own, "POST", "/api/tool-completion/mark-completed", cluster.instance_url(index % 2), json=body
        )

    threads = [threading.Thread(target=race, args=(index,)) for index in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [response.status_code for response in results] == [200] * racers
    assert sum(response.json()["wasNew"] for response in results) == 1
    progress = call(session, "GET", "/api/tool-completion/progress?toolName=gesprek-starter").json()
    assert progress["tools"][0]["completedActions"] == 1


def upload_photo(base: str, username: str) -> requests.Session:
    """A browser logged in on ``base`` that uploaded a photo there through the Foto Advies tab."""
    browser = client(base)
    assert (
        call(browser, "POST", "/api/auth/register", json={"username": username, "password": PASSWORD}).status_code
        == 201
    )
    response = call(
        browser,
        "POST",
        "/tools/foto-advies/photo_uploaded/",
        headers={"X-CSRFToken": browser.cookies["csrftoken"], "HX-Request": "true", "Accept": "text/html"},
        files={"photo": ("foto.png", io.BytesIO(png_bytes()), "image/png")},
    )
    assert response.status_code == 200, response.text[:500]
    return browser


def bucket_keys(cluster: Cluster) -> set[str]:
    store = cluster.description["object_store"]
    listing = objectstore.client(store["AWS_S3_ENDPOINT_URL"]).list_objects_v2(Bucket=store["AWS_STORAGE_BUCKET_NAME"])
    return {item["Key"] for item in listing.get("Contents", [])}


def test_a_photo_stored_by_one_instance_is_exported_by_the_other(cluster: Cluster) -> None:
    browser = upload_photo(cluster.instance_url(0), "fotograaf")
    export = call(browser, "GET", "/api/me/export", cluster.instance_url(1)).json()
    [photo] = export["uploads"]
    content = base64.b64decode(photo["dataBase64"])
    assert content[:2] == b"\xff\xd8" and len(content) == photo["sizeBytes"]
    assert [key for key in bucket_keys(cluster) if key.endswith(f"/{photo['id'].replace('-', '')}.jpg")]
    served = call(browser, "GET", f"/foto/{photo['id']}.jpg", cluster.instance_url(1))
    assert served.status_code == 200 and served.content == content


def test_an_account_deleted_on_one_instance_is_dead_on_the_other_and_its_objects_gone(cluster: Cluster) -> None:
    browser = upload_photo(cluster.instance_url(0), "vertrekker")
    token = call(
        requests.Session(),
        "POST",
        "/api/auth/token/",
        cluster.instance_url(1),
        json={"username": "vertrekker", "password": PASSWORD},
    ).json()["access"]
    app = client(cluster.instance_url(1))
    app.headers["Authorization"] = f"Bearer {token}"
    [photo] = call(app, "GET", "/api/me/export").json()["uploads"]
    [key] = [key for key in bucket_keys(cluster) if key.endswith(f"/{photo['id'].replace('-', '')}.jpg")]

    browser.headers["X-CSRFToken"] = browser.cookies["csrftoken"]
    assert call(browser, "POST", "/api/me/delete", json={"password": PASSWORD}).status_code == 204
    for base in (cluster.instance_url(1), cluster.instance_url(0), cluster.url):
        assert call(app, "GET", "/api/tool-completion/progress", base).status_code == 401
    assert key not in bucket_keys(cluster)


def raw(
    cluster: Cluster,
    method: str,
    path: str,
    body: bytes = b"",
    source: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request to nginx from ``source`` (any loopback address), over http.client."""
    connection = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=20, source_address=(source, 0))
    connection.request(method, path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def test_the_balancers_own_errors_under_api_keep_the_json_shape(cluster: Cluster) -> None:
    too_big = b"{" + b" " * (8 * 1024 * 1024) + b"}"  # over every bound: nginx answers
    status, headers, body = raw(cluster, "POST", "/api/tool-completion/mark-completed", too_big)
    assert (status, json.loads(body)["error"]["code"]) == (413, "payload_too_large")
    assert headers["Content-Type"] == "application/json"
    over_api_bound = json.dumps({"toolName": "x" * 70_000}).encode()  # the app's own bound for JSON
    status, _, body = raw(cluster, "POST", "/api/tool-completion/mark-completed", over_api_bound)
    assert (status, json.loads(body)["success"], json.loads(body)["error"]["code"]) == (413, False, "payload_too_large")
    # Metrics are scraped per instance, never through the edge.
    assert raw(cluster, "GET", "/metrics")[0] == 403
    token = Path(cluster.description["metrics_token_file"]).read_text()
    for instance in cluster.instances:
        scraped = requests.get(instance["url"] + "/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert scraped.status_code == 200 and "datespark_http_request_duration_seconds_count{" in scraped.text


def test_every_answer_the_balancer_makes_under_api_is_a_listed_error_in_the_contracts_shape(tmp_path: Path) -> None:
    require_programs("nginx", "pgbouncer")
    config = nginx.render(
        tmp_path, tmp_path, port=8080, instance_ports=[8001, 8002], max_body_bytes=1024, read_timeout=5
    )
    bodies = re.findall(r"return (\d{3}) '(.*)';", config)
    assert [status for status, _ in bodies] == ["413", "502", "504"]
    for _, body in bodies:
        error = json.loads(body)
        assert error["success"] is False and error["error"]["code"] in ERROR_CODES and error["error"]["message"]
    (tmp_path / "tmp").mkdir()
    (tmp_path / "nginx.conf").write_text(config)
    nginx.check(tmp_path / "nginx.conf")  # nginx itself accepts it


def test_rate_limits_see_the_client_nginx_names_not_a_forged_header(cluster: Cluster) -> None:
    def failed_login(source: str, attempt: int) -> int:
        body = json.dumps({"username": f"onbekend{source}-{attempt}", "password": "fout"}).encode()
        forged = {"X-Forwarded-For": f"203.0.113.{attempt}"}  # a different address each time: ignored
        return raw(cluster, "POST", "/api/auth/login", body, source=source, headers=forged)[0]

    assert [failed_login("127.0.0.2", n) for n in range(FAILED_PER_IP)] == [401] * FAILED_PER_IP
    assert failed_login("127.0.0.2", FAILED_PER_IP) == 429
    assert failed_login("127.0.0.3", 0) == 401  # another client is not held back


def test_an_instance_killed_under_load_loses_nothing_acknowledged(cluster: Cluster) -> None:
    writers = [bearer(cluster.url, f"schrijver{n}")[0] for n in range(3)]
    actions = [(tool.name, action.name) for tool in TOOLS for action in tool.actions]
    acknowledged: list[tuple[int, str, str]] = []
    failures: list[int] = []
    halfway = threading.Event()

    def write(index: int) -> None:
        for step, (tool, action) in enumerate(actions):
            if step == len(actions) // 3:
                halfway.set()
            try:
                response = call(
                    writers[index],
                    "POST",
                    "/api/tool-completion/mark-completed",
                    json={"toolName": tool, "actionName": action},
                )
            except requests.RequestException:
                failures.append(0)
                continue
            if response.status_code == 200:
                acknowledged.append((index, tool, action))
            else:  # a request the dying instance had taken: not acknowledged, and says so in JSON
                failures.append(response.status_code)
                assert response.json()["success"] is False
            time.sleep(0.02)

    threads = [threading.Thread(target=write, args=(index,)) for index in range(len(writers))]
    for thread in threads:
        thread.start()
    assert halfway.wait(timeout=60)
    victim = psutil.Process(cluster.instances[0]["pid"])
    for process in [victim, *victim.children(recursive=True)]:
        process.kill()
    for thread in threads:
        thread.join()

    assert len(acknowledged) >= len(writers) * len(actions) - 3, failures
    for index, tool, action in acknowledged:
        state = call(
            writers[index],
            "GET",
            f"/api/tool-completion/is-completed?toolName={tool}&actionName={action}",
            cluster.instance_url(1),
        )
        assert state.json()["isCompleted"] is True, (index, tool, action)
    # The balancer keeps answering with the instance left.
    for _ in range(6):
        assert call(writers[0], "GET", "/api/tool-completion/progress").status_code == 200

    # With no instance left, nginx's own 502: JSON under /api/, a Dutch page elsewhere.
    survivor = psutil.Process(cluster.instances[1]["pid"])
    for process in [survivor, *survivor.children(recursive=True)]:
        process.kill()
    status, headers, body = raw(cluster, "GET", "/api/tool-completion/progress")
    assert (status, json.loads(body)["error"]["code"]) == (502, "bad_gateway")
    assert headers["Retry-After"] == "5"
    status, _, body = raw(cluster, "GET", "/inloggen/")
    assert status == 502 and "even niet bereikbaar" in body.decode()


def test_ctrl_c_stops_everything_the_cluster_started(cluster: Cluster) -> None:
    started = psutil.Process(cluster.process.pid).children(recursive=True)
    commands = ""
    for process in started:
        with contextlib.suppress(psutil.Error):  # the killed instances' workers may be zombies by now
            commands += " ".join(process.cmdline()) + "\n"
    assert all(part in commands for part in ("nginx", "pgbouncer", "moto_server")), commands
    assert processes_using(str(cluster.folder / "pgdata")), "the embedded PostgreSQL should be running"

    os.killpg(cluster.process.pid, signal.SIGINT)
    cluster.process.wait(timeout=60)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and processes_using(str(cluster.folder)):
        time.sleep(0.2)
    assert not processes_using(str(cluster.folder)), "the embedded PostgreSQL or nginx outlived the cluster"
    assert not [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert "Stopped." in cluster.log.read_text()
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=2).request("GET", "/healthz")
