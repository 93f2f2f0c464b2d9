"""Production settings: Django's deployment checks pass, secrets come only from the environment, headers are set."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

from tests.support import ROOT


def clean_env(**env: str) -> dict[str, str]:
    """This process's environment without its Django and database settings, plus ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return {**base, **env}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_HTTPS": "1",
    "DJANGO_ALLOWED_HOSTS": "datespark.nl",
    "DATABASE_URL": "postgresql://datespark@db.internal:5432/datespark",
}


def test_check_deploy_reports_nothing_with_production_settings() -> None:
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY=secrets.token_urlsafe(60), **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_deployment_refuses_to_start_without_its_secret_key() -> None:
    result = manage("check", **PRODUCTION)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/inloggen/", "/healthz", "/api/tool-completion/progress"])
def test_security_headers_on_pages_and_json(client: Client, path: str) -> None:
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_pages_get_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get("/inloggen/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "default-src 'self'" in policy


@pytest.mark.django_db
def test_hsts_and_secure_cookies_over_https(settings: Any, user: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = Client().post(
        "/api/auth/login",
        {"username": "anna", "password": "geheim-wachtwoord-1"},
        content_type="application/json",
        secure=True,
    )
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.cookies["datespark_auth_token"]["secure"]
    assert response.cookies["datespark_auth_token"]["httponly"]


def test_workers_are_warm_before_their_first_request() -> None:
    """Each worker's app loader loads the URLconf and its views (a cold first request took ~0.1 s more) and
    freezes them."""
    probe = (
        "import gc, sys, django; django.setup();"
        "from django.urls import get_resolver;"
        "before = ('coaching.api' in sys.modules, get_resolver()._populated);"
        "from datespark.serve import warm_application; warm_application('datespark.wsgi:application');"
        "print(before, ('coaching.api' in sys.modules, get_resolver()._populated), gc.get_freeze_count() > 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=clean_env(DJANGO_SETTINGS_MODULE="datespark.settings"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["(False,", "False)", "(True,", "True)", "True"], result.stderr
