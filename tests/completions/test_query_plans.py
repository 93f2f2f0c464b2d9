"""With many users loaded and analysed, the hot queries use the indexes, not a scan of every completion."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coaching import catalog
from coaching.accounts import tokens
from coaching.accounts.authentication import user_for_access_token
from coaching.completions import selectors

pytestmark = pytest.mark.django_db

USERS = 10_000
PER_USER = 8


@pytest.fixture
def loaded(db: Any) -> int:
    """USERS users with PER_USER completions each (COPY, like bench/seed.py), analysed; returns one user id."""
    pairs = [(tool.name, action) for tool in catalog.TOOLS for action in tool.action_names]
    password, now = make_password("x"), timezone.now()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY auth_user (username, password, is_superuser, is_staff, is_active, first_name, last_name, email, "
            "date_joined) FROM STDIN"
        ) as copy:
            for index in range(USERS):
                copy.write_row((f"plan-{index}", password, False, False, True, "", "", "", now))
        cursor.execute("SELECT min(id), max(id) FROM auth_user WHERE username LIKE 'plan-%%'")
        low, high = cursor.fetchone()
        with cursor.cursor.copy(
            "COPY tool_completions (user_id, tool_name, action_name, metadata, completed_at) FROM STDIN"
        ) as copy:
            for user_id in range(low, high + 1):
                for offset in range(PER_USER):
                    tool, action = pairs[(user_id + offset) % len(pairs)]
                    copy.write_row((user_id, tool, action, "{}", now))
        with cursor.cursor.copy("COPY coaching_revoked_token (key, expires_at) FROM STDIN") as copy:
            for index in range(USERS):
                copy.write_row((f"revoked-{index:032d}", now))
        cursor.execute("ANALYZE auth_user")
        cursor.execute("ANALYZE tool_completions")
        cursor.execute("ANALYZE coaching_revoked_token")
    return int(low) + USERS // 2


def plan_of(sql: str) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += nodes(child)
    return found


def assert_indexed(plan: dict[str, Any]) -> None:
    """tool_completions is reached only through an index looked up by user_id, never scanned whole."""
    all_nodes = nodes(plan)
    on_table = [n for n in all_nodes if n.get("Relation Name") == "tool_completions"]
    assert on_table, plan
    assert all(n["Node Type"] != "Seq Scan" for n in on_table), plan
    by_user = [
        n
        for n in all_nodes
        if n.get("Index Name", "").startswith("tool_completions") and "user_id" in n.get("Index Cond", "")
    ]
    assert by_user, plan


# The statements inside user_progress_rows, completion_state and mark_completed_progress (migration 0007).


def test_progress_reads_use_the_indexes(loaded: int) -> None:
    assert_indexed(plan_of(f"SELECT * FROM tool_progress WHERE user_id = {loaded}"))
    assert_indexed(plan_of(f"SELECT * FROM user_coaching_progress WHERE user_id = {loaded}"))


def test_is_completed_read_uses_the_indexes(loaded: int) -> None:
    assert_indexed(
        plan_of(
            "SELECT tc.completed_at, tc.metadata FROM (SELECT 1) AS one LEFT JOIN tool_completions tc "
            f"ON tc.user_id = {loaded} AND tc.tool_name = 'chat-coach' AND tc.action_name = 'first_question'"
        )
    )


def test_hot_functions_answer_on_loaded_tables(loaded: int, django_user_model: Any) -> None:
    user = django_user_model.objects.get(pk=loaded)
    _, access = tokens.token_pair_for(user)
    assert user_for_access_token(str(access)) is not None
    progress = selectors.progress_get(user_id=loaded)
    assert progress.overall.total_completions == PER_USER


def test_plans_without_the_indexes_would_scan(loaded: int) -> None:
    # The check above can fail: with the user indexes gone, the planner scans.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DROP INDEX tool_completions_user_idx, tool_completions_user_tool_idx")
        cursor.execute("ALTER TABLE tool_completions DROP CONSTRAINT tool_completions_user_tool_action_uniq")
    plan = plan_of(f"SELECT * FROM tool_progress WHERE user_id = {loaded} AND tool_name = 'chat-coach'")
    with pytest.raises(AssertionError):
        assert_indexed(plan)


def test_mark_reads_one_tool_of_one_user_by_index(loaded: int) -> None:
    # mark_completed_progress upserts on the unique index, then reads this view row.
    assert_indexed(plan_of(f"SELECT * FROM tool_progress WHERE user_id = {loaded} AND tool_name = 'chat-coach'"))


def test_token_check_uses_primary_keys(loaded: int, django_user_model: Any) -> None:
    claims = tokens.TokenClaims.of(tokens.cookie_token_for(django_user_model.objects.get(pk=loaded)))
    assert claims is not None
    with CaptureQueriesContext(connection) as queries:
        tokens.user_for_claims(claims)
    (query,) = queries.captured_queries
    plan = plan_of(query["sql"])
    index_names = {n.get("Index Name") for n in nodes(plan)}
    assert {"auth_user_pkey", "coaching_revoked_token_pkey"} <= index_names, plan
