"""Prepared statements only where the connection can carry them, proven both ways.

A transaction-mode pooler hands each transaction a different server
connection, so a statement prepared on one is unknown on the next: with a
DATABASE_URL nothing is prepared and queries are bound client-side, unless
the operator says the connection is direct (DATESPARK_DIRECT_DATABASE=1).
The embedded server is always reached directly. On a direct connection
psycopg binds on the server and prepares what a connection runs again and
again (a mark's two statements, after five uses): alternated with the
client-side binding on the same database, progress served 1.25x and
is-completed 1.43x as many requests (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support import ROOT, database_url_for

# Seven marks (each authenticated) on one connection, then what that connection has prepared.
PROBE = """
import os
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from coaching.accounts.authentication import user_for_access_token
from coaching.accounts.tokens import cookie_token_for
from coaching.completions import services

user = get_user_model().objects.create_user(f"prepared-probe-{os.getpid()}", password="een-lang-wachtwoord-42")
token = str(cookie_token_for(user))
for _ in range(7):
    assert user_for_access_token(token) is not None
    services.completion_mark(user_id=user.pk, tool_name="profiel-coach", action_name="bio_generated")
with connection.cursor() as cursor:
    cursor.execute("SELECT statement FROM pg_prepared_statements")
    prepared = [row[0] for row in cursor.fetchall()]
print(settings.DATABASES["default"]["OPTIONS"].get("server_side_binding", False))
print(sum("mark_completed_progress" in s for s in prepared), sum("coaching_revoked_token" in s for s in prepared))
"""

SETTINGS = """
import json
from django.conf import settings
database = settings.DATABASES["default"]
options = database["OPTIONS"]
print(json.dumps([options.get("server_side_binding", False), options["prepare_threshold"],
                  database["DISABLE_SERVER_SIDE_CURSORS"], "options" in options]))
"""


def run(code: str, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATESPARK_DIRECT_DATABASE")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "datespark.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_a_direct_connection_prepares_the_hot_statements_and_a_pooled_one_nothing() -> None:
    from django.db import connection

    url = database_url_for(connection.settings_dict["NAME"])
    # A DATABASE_URL (a pooler, perhaps): client-side binding, nothing prepared.
    assert run(PROBE, DATABASE_URL=url).split() == ["False", "0", "0"]
    # The operator says it is direct: the authentication query and the mark are prepared.
    assert run(PROBE, DATABASE_URL=url, DATESPARK_DIRECT_DATABASE="1").split() == ["True", "1", "1"]


def test_which_connections_are_direct() -> None:
    pooled = [False, None, True, False]  # no binding on the server, nothing prepared, no server-side cursors
    direct = [True, 5, False, False]
    url = "postgresql://app@db.example.com:6543/datespark"
    assert json.loads(run(SETTINGS, DATABASE_URL=url)) == pooled
    assert json.loads(run(SETTINGS, DATABASE_URL=url, DATESPARK_DIRECT_DATABASE="1")) == direct
    assert json.loads(run(SETTINGS)) == direct  # the embedded server
    assert json.loads(run(SETTINGS, DATESPARK_DIRECT_DATABASE="0")) == pooled  # make test-pooled
