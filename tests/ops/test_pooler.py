"""Through PgBouncer in transaction mode with stock settings: the app's connections work, its timeouts hold,
and its release step migrates a fresh database once, as on Neon's pooled endpoint."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import errors

from coaching.accounts import tokens
from datespark.db.release import database_timeouts_set
from tests.pooler import pgbouncer
from tests.support import release_together

pytestmark = pytest.mark.django_db(transaction=True)


def direct_params() -> dict[str, Any]:
    params = connection.get_connection_params()
    return {key: params[key] for key in ("host", "port", "user", "dbname") if params.get(key)}


@contextmanager
def through_pooler() -> Iterator[dict[str, Any]]:
    """Connection parameters that reach the test database through a fresh PgBouncer, as the app connects."""
    direct = direct_params()
    with pgbouncer(direct["host"], direct.get("port"), direct.get("user", "postgres")) as (host, port):
        # What settings.py gives Django for a DATABASE_URL that is not direct (tests/ops/test_prepared.py):
        # connect_timeout, client-side binding, no prepared statements, no startup options.
        options = dict(settings.DATABASES["default"]["OPTIONS"])
        options.pop("server_side_binding", None)
        assert "options" not in options
        yield {**options, "prepare_threshold": None, **direct, "host": host, "port": port}


@pytest.fixture
def short_timeouts(settings: Any) -> Iterator[None]:
    """Short timeouts on the database, set before the pooler opens its server connections."""
    defaults = dict(settings.DATABASE_TIMEOUTS)
    settings.DATABASE_TIMEOUTS = {**defaults, "statement_timeout": "1s", "lock_timeout": "500ms"}
    database_timeouts_set()
    yield
    settings.DATABASE_TIMEOUTS = defaults
    database_timeouts_set()


def test_the_apps_own_queries_run_through_the_pooler(user: Any, tmp_path: Path) -> None:
    claims = tokens.TokenClaims.of(tokens.cookie_token_for(user))
    assert claims is not None
    with through_pooler() as params, psycopg.connect(**params, autocommit=True) as session:
        for _ in range(8):  # more than psycopg's prepare threshold: no prepared statement may be left behind
            found = session.execute(
                "SELECT u.id FROM auth_user u WHERE u.id = %s AND u.is_active"
                " AND NOT EXISTS (SELECT 1 FROM coaching_revoked_token r WHERE r.key IN (%s, %s))",
                [claims.user_id, claims.session_id, claims.token_id],
            ).fetchone()
            assert found == (user.pk,)
            marked = session.execute(
                "SELECT was_new FROM mark_completed_progress(%s, %s, %s, %s::jsonb, now())",
                [user.pk, "chat-coach", "first_question", "{}"],
            ).fetchone()
            assert marked is not None


def test_a_runaway_statement_is_cut_off_through_the_pooler(short_timeouts: None, tmp_path: Path) -> None:
    with (
        through_pooler() as params,
        psycopg.connect(**params, autocommit=True) as session,
        pytest.raises(errors.QueryCanceled),
    ):
        session.execute("SELECT pg_sleep(3)")


def test_a_stuck_lock_times_out_through_the_pooler(short_timeouts: None, tmp_path: Path) -> None:
    with (
        through_pooler() as params,
        psycopg.connect(**params, autocommit=True) as holder,
        psycopg.connect(**params, autocommit=True) as waiter,
        holder.transaction(),
    ):
        holder.execute("LOCK TABLE tool_catalog IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(errors.LockNotAvailable):
            waiter.execute("SELECT count(*) FROM tool_catalog")


def test_instances_released_together_through_the_pooler_migrate_once(tmp_path: Path) -> None:
    direct = direct_params()
    name = f"test_datespark_pooled_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**direct, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with pgbouncer(direct["host"], direct.get("port"), direct.get("user", "postgres")) as (host, port):
            release_together(f"postgresql://{direct.get('user', 'postgres')}@{host}:{port}/{name}", instances=3)
        with psycopg.connect(**{**direct, "dbname": name}, autocommit=True) as session:
            counts = session.execute("SELECT count(*) FROM django_migrations GROUP BY app, name").fetchall()
            assert counts and {count for (count,) in counts} == {1}
            setting = session.execute(
                "SELECT setconfig FROM pg_db_role_setting WHERE setrole = 0"
                " AND setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ).fetchone()
            assert setting is not None and "statement_timeout=15s" in setting[0]
    finally:
        with psycopg.connect(**direct, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.pooled
def test_the_pooled_run_goes_through_pgbouncer() -> None:
    """`make test-pooled` runs the pooled tests with Django's connection on PgBouncer, not on PostgreSQL."""
    if os.environ.get("DATESPARK_POOLED") != "1":
        pytest.skip("only in `make test-pooled`")
    port = int(connection.settings_dict["PORT"])
    listening = [c.pid for c in psutil.net_connections(kind="tcp") if c.status == "LISTEN" and c.laddr.port == port]
    assert listening and psutil.Process(listening[0]).name() == "pgbouncer"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
