"""The release step and the database's timeouts: pooler-safe (no startup options, no session state).

Instances started together each run ``manage.py release``; the migrations are
applied once. The timeouts live on the database, so every new session has
them, and the release transaction lifts them for itself alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import errors

from datespark.db.release import database_timeouts_set, release_transaction
from tests.support import database_url_for, release_together


def database_settings() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unnest(setconfig) FROM pg_db_role_setting"
            " WHERE setrole = 0 AND setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return dict(row[0].split("=", 1) for row in cursor.fetchall())


def new_session(dbname: str | None = None) -> psycopg.Connection[Any]:
    """A fresh connection to the test database (or ``dbname``) the way the app connects: no startup options."""
    params = connection.get_connection_params()
    if dbname:
        params["dbname"] = dbname
    params.pop("options", None)
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


@pytest.fixture
def short_timeouts(settings: Any, transactional_db: Any) -> Iterator[None]:
    settings.DATABASE_TIMEOUTS = {
        "statement_timeout": "1s",
        "lock_timeout": "500ms",
        "idle_in_transaction_session_timeout": "60s",
    }
    database_timeouts_set()
    yield
    settings.DATABASE_TIMEOUTS = dict(django_settings_timeouts)
    database_timeouts_set()


django_settings_timeouts = dict(settings.DATABASE_TIMEOUTS)


def test_the_connection_carries_no_startup_options() -> None:
    # A transaction-mode pooler refuses the "options" startup parameter outright.
    # (What else a pooled connection leaves out: tests/ops/test_prepared.py.)
    assert "options" not in settings.DATABASES["default"]["OPTIONS"]


def test_a_migrated_database_carries_the_apps_timeouts(db: Any) -> None:
    assert database_settings() == {
        "statement_timeout": "15s",
        "lock_timeout": "5s",
        "idle_in_transaction_session_timeout": "60s",
    }


def test_a_runaway_statement_is_cut_off(short_timeouts: None) -> None:
    with new_session() as session, pytest.raises(errors.QueryCanceled):
        session.execute("SELECT pg_sleep(3)")


def test_a_stuck_lock_times_out(short_timeouts: None) -> None:
    with new_session() as holder, new_session() as waiter, holder.transaction():
        holder.execute("LOCK TABLE tool_catalog IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(errors.LockNotAvailable):
            waiter.execute("SELECT count(*) FROM tool_catalog")


def test_the_release_transaction_lifts_the_timeouts_for_itself_alone(short_timeouts: None) -> None:
    with release_transaction() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
        cursor.execute("SELECT pg_sleep(1.5)")  # longer than the database's statement_timeout
    with new_session() as session:
        assert session.execute("SHOW statement_timeout").fetchone()[0] == "1s"


@pytest.fixture
def fresh_database(transactional_db: Any) -> Iterator[str]:
    name = f"test_datespark_release_{uuid.uuid4().hex[:8]}"
    with new_session() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with new_session() as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_instances_started_together_migrate_once(fresh_database: str) -> None:
    release_together(database_url_for(fresh_database), instances=4)
    with new_session(fresh_database) as session:
        applied = session.execute("SELECT app, name, count(*) FROM django_migrations GROUP BY 1, 2").fetchall()
        assert applied and all(count == 1 for _, _, count in applied)
        assert ("coaching", "0007_token_free_functions", 1) in applied
        assert session.execute("SELECT count(*) FROM tool_catalog").fetchone()[0] == 15
