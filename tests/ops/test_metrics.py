"""Prometheus metrics: counted by URL pattern, behind a bearer token, summed over every server worker."""

from __future__ import annotations

import http.client
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.conftest import Served

MARK = "api/tool-completion/mark-completed"


def samples(text: str, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


@pytest.fixture
def metrics_on(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)  # this process's own metrics
    settings.METRICS_TOKEN = "s3cret-token"
    return settings


def scrape(client: Client, token: str | None = "s3cret-token") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get("/metrics", **headers)


def test_metrics_are_off_without_a_token(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    response = scrape(client, "anything")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic czNjcmV0LXRva2Vu", "Bearer "])
def test_metrics_need_the_bearer_token(client: Client, metrics_on: Any, authorization: str | None) -> None:
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.get("/metrics", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db(transaction=True)  # completion changes are counted once committed
def test_requests_are_counted_by_url_pattern_and_completions_by_kind(
    client: Client, metrics_on: Any, user: Any
) -> None:
    before = scrape(client).content.decode()
    client.force_login(user)
    api = Client()
    token = api.post(
        "/api/auth/token/", {"username": "anna", "password": "geheim-wachtwoord-1"}, content_type="application/json"
    ).json()["access"]
    for _ in range(2):
        response = api.post(
            "/api/tool-completion/mark-completed",
            {"toolName": "chat-coach", "actionName": "first_question"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 200
    api.get("/api/onbekend/12345")
    after = scrape(client).content.decode()

    def grew(name: str, **labels: str) -> float:
        return samples(after, name, **labels) - samples(before, name, **labels)

    assert grew("datespark_http_request_duration_seconds_count", route=MARK, method="POST", status="200") == 2
    assert grew("datespark_http_request_duration_seconds_bucket", route=MARK, method="POST", le="+Inf") == 2
    assert grew("datespark_completion_changes_total", kind="completed") == 1
    assert grew("datespark_completion_changes_total", kind="repeated") == 1
    # A path no pattern matches is one label, not one per path.
    assert grew("datespark_http_request_duration_seconds_count", route="unmatched", status="404") == 1
    assert "/api/onbekend/12345" not in after


def test_every_worker_is_counted_and_stale_samples_are_cleared_at_start(served: Served) -> None:
    """Through the server (2 worker processes): one scrape sums them; the samples a previous run left were removed."""
    assert served.folder is not None
    folder = served.folder / "metrics"
    before = samples(served.metrics(), "datespark_http_request_duration_seconds_count", route="readyz", status="200")

    def probe() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=15)
        connection.request("GET", "/readyz")
        assert connection.getresponse().status == 200

    # Eight at once until both workers have answered some (each writes its own samples file).
    requests_made = 0
    deadline = time.monotonic() + 30
    with ThreadPoolExecutor(8) as pool:
        while len(list(folder.glob("histogram_*.db"))) < 2 or requests_made < 40:
            assert time.monotonic() < deadline, "one worker answered everything"
            for future in [pool.submit(probe) for _ in range(8)]:
                future.result()
            requests_made += 8
    after = samples(served.metrics(), "datespark_http_request_duration_seconds_count", route="readyz", status="200")
    assert after - before == requests_made  # one scrape, every worker's requests
    assert not (served.folder / "metrics" / "counter_1.db").exists()  # the stale file the fixture left


def test_the_main_process_empties_the_samples_folder_it_is_given(tmp_path: Path) -> None:
    from datespark.metrics import multiprocess_dir_reset

    (tmp_path / "counter_4242.db").write_bytes(b"stale")
    (tmp_path / "keep.txt").write_text("not a sample")
    multiprocess_dir_reset(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["keep.txt"]


def test_metrics_are_in_the_text_format_prometheus_parses(client: Client, metrics_on: Any) -> None:
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    names = {family.name for family in text_string_to_metric_families(response.content.decode())}
    assert {"datespark_http_request_duration_seconds", "datespark_completion_changes"} <= names
    assert "# TYPE datespark_http_request_duration_seconds histogram" in response.content.decode()
