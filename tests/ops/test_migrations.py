"""The migrations create (and remove) the tables, views and functions; the SQL functions keep their promises."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from psycopg.types.json import Jsonb

from coaching import catalog
from coaching import migrations as migrations_package
from coaching.accounts import tokens
from coaching.completions import services
from coaching.completions.catalog_sync import catalog_sync
from coaching.staff.tracking import sql_definitions, tracking_ensure

# Also run through PgBouncer in transaction mode by `make test-pooled`.
pytestmark = pytest.mark.pooled

VIEWS = {"tool_progress", "user_coaching_progress"}
FUNCTIONS = {
    "mark_action_completed",
    "is_action_completed",
    "get_tool_completions",
    "mark_completed_progress",
    "user_progress_rows",
    "completion_state",
    "tool_completion_event_log",
    "tool_completion_events_erase",
    "reset_completions",
}
TRIGGERS = {"tool_completions_event_log", "auth_user_erase_events"}
TABLES = {"tool_completions", "tool_catalog", "tool_completion_events"}


def existing() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.views WHERE table_schema = current_schema()")
        views = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace")
        functions = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        triggers = {row[0] for row in cursor.fetchall()}
        tables = set(connection.introspection.table_names(cursor))
    return {"views": views, "functions": functions, "tables": tables, "triggers": triggers}


@pytest.fixture
def migrated_back_afterwards(transactional_db: Any) -> Iterator[None]:
    yield
    call_command("migrate", verbosity=0)


def test_migrate_zero_removes_everything_and_forward_recreates_it(migrated_back_afterwards: None) -> None:
    before = existing()
    assert before["views"] >= VIEWS and before["functions"] >= FUNCTIONS
    assert before["tables"] >= TABLES and before["triggers"] >= TRIGGERS

    call_command("migrate", "coaching", "zero", verbosity=0)

    gone = existing()
    assert not VIEWS & gone["views"]
    assert not FUNCTIONS & gone["functions"]
    assert not TABLES & gone["tables"]
    assert not TRIGGERS & gone["triggers"]

    call_command("migrate", "coaching", verbosity=0)

    again = existing()
    assert again["views"] >= VIEWS and again["functions"] >= FUNCTIONS
    assert again["triggers"] >= TRIGGERS
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tool_catalog")
        assert cursor.fetchone()[0] == catalog.total_actions()


def signatures() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace"
        )
        return {row[0] for row in cursor.fetchall()}


def test_a_database_migrated_before_0007_upgrades_and_downgrades(migrated_back_afterwards: None) -> None:
    token_checking = {
        "auth_token_valid(bigint,text[],text)",
        "mark_completed_progress(bigint,text[],text,text,text,jsonb,timestamp with time zone)",
        "user_progress_rows(bigint,text[],text)",
        "completion_state(bigint,text[],text,text,text)",
    }
    token_free = {
        "mark_completed_progress(bigint,text,text,jsonb,timestamp with time zone)",
        "user_progress_rows(bigint)",
        "completion_state(bigint,text,text)",
    }
    assert token_free <= signatures() and not token_checking & signatures()

    call_command("migrate", "coaching", "0006", verbosity=0)  # what the code before 0007 left behind

    assert token_checking <= signatures() and not token_free & signatures()

    call_command("migrate", "coaching", verbosity=0)

    assert token_free <= signatures() and not token_checking & signatures()


def test_migrations_take_no_sql_or_logic_from_live_modules() -> None:
    """A migration is history: it may import Django and what Django needs (0003's upload_to), nothing else of ours."""
    folder = Path(migrations_package.__file__).parent
    for path in sorted(folder.glob("0*.py")):
        tree = ast.parse(path.read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        ours = {name for name in imported if name.split(".")[0] in {"coaching", "datespark"}}
        assert ours <= {"coaching.models"}, (path.name, ours)
        if "coaching.models" in ours:
            assert "coaching.models.photo_upload_path" in path.read_text(), path.name


def definitions(names: list[str]) -> dict[str, list[str]]:
    """What PostgreSQL holds for the named views, functions and triggers, as it prints them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_viewdef(c.oid) FROM pg_class c WHERE c.relkind = 'v' AND c.relname = ANY(%s)",
            [names],
        )
        views = sorted(cursor.fetchall())
        cursor.execute(
            "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p"
            " WHERE p.pronamespace = current_schema()::regnamespace AND p.proname = ANY(%s)",
            [names],
        )
        functions = sorted(cursor.fetchall())
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)",
            [names],
        )
        triggers = sorted(cursor.fetchall())
    return {"views": views, "functions": functions, "triggers": triggers}


def test_init_recreates_every_object_exactly_as_the_migrations_left_it(staff_user: Any) -> None:
    names = list(sql_definitions(connection))
    migrated = definitions(names)
    assert len(migrated["views"]) == 2 and len(migrated["triggers"]) == 2 and len(migrated["functions"]) == 9
    with connection.cursor() as cursor:
        for name, _ in migrated["views"]:
            cursor.execute(f"DROP VIEW {name}")
        cursor.execute(
            "SELECT oid::regprocedure::text FROM pg_proc"
            " WHERE pronamespace = current_schema()::regnamespace AND proname = ANY(%s)",
            [names],
        )
        for (signature,) in cursor.fetchall():
            cursor.execute(f"DROP FUNCTION {signature} CASCADE")  # the triggers go with their functions
    assert definitions(names) == {"views": [], "functions": [], "triggers": []}

    report = tracking_ensure()

    assert definitions(names) == migrated
    assert report.views_created == ["tool_progress", "user_coaching_progress"]
    assert len(report.functions_created) == 9


def test_table_has_the_contract_indexes_and_constraints(db: Any) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "tool_completions")
    unique = [c["columns"] for c in constraints.values() if c["unique"] and not c["primary_key"]]
    assert ["user_id", "tool_name", "action_name"] in unique
    indexes = [c["columns"] for c in constraints.values() if c["index"] and not c["unique"]]
    for columns in (["user_id"], ["tool_name"], ["user_id", "tool_name"]):
        assert indexes.count(columns) == 1, indexes


# --- the SQL functions ------------------------------------------------------------


def call(sql_text: str, params: list[Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql_text, params)
        return cursor.fetchone()[0]


def test_mark_action_completed_is_true_when_new_then_false(user: Any) -> None:
    args = [user.pk, "gesprek-starter", "opener_generated"]
    assert call("SELECT mark_action_completed(%s, %s, %s)", args) is True
    assert call("SELECT mark_action_completed(%s, %s, %s, %s)", [*args, Jsonb({"a": 1})]) is False
    assert call("SELECT metadata::text FROM tool_completions WHERE user_id = %s", [user.pk]) == '{"a": 1}'


def test_mark_action_completed_defaults_metadata_to_empty_object(user: Any) -> None:
    call("SELECT mark_action_completed(%s, %s, %s)", [user.pk, "gesprek-starter", "opener_generated"])
    assert call("SELECT metadata::text FROM tool_completions WHERE user_id = %s", [user.pk]) == "{}"


def test_mark_action_completed_takes_the_time_from_the_caller(user: Any) -> None:
    at = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    call("SELECT mark_action_completed(%s, %s, %s, '{}', %s)", [user.pk, "date-planner", "idea_generated", at])
    assert call("SELECT is_action_completed(%s, %s, %s)", [user.pk, "date-planner", "idea_generated"]) == at


def test_is_action_completed_is_null_when_not_done(user: Any) -> None:
    assert call("SELECT is_action_completed(%s, %s, %s)", [user.pk, "date-planner", "idea_generated"]) is None


def test_get_tool_completions_returns_names_in_catalog_order(user: Any) -> None:
    for action in ("checklist_completed", "idea_generated"):
        services.completion_mark(user_id=user.pk, tool_name="date-planner", action_name=action)
    names = call("SELECT get_tool_completions(%s, %s)", [user.pk, "date-planner"])
    assert names == ["idea_generated", "checklist_completed"]
    assert call("SELECT get_tool_completions(%s, %s)", [user.pk, "chat-coach"]) == []


def test_database_refuses_malformed_names(user: Any) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        call("SELECT mark_action_completed(%s, %s, %s)", [user.pk, "Bad Name", "x"])


def test_views_compute_progress_from_the_catalog_table(user: Any) -> None:
    services.completion_mark(user_id=user.pk, tool_name="foto-advies", action_name="photo_uploaded")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT completed_actions, total_actions, actions_completed, progress_percentage FROM tool_progress"
            " WHERE user_id = %s",
            [user.pk],
        )
        assert cursor.fetchone() == (1, 3, ["photo_uploaded"], Decimal("33.3"))
        cursor.execute(
            "SELECT tools_used, total_completions, overall_progress FROM user_coaching_progress WHERE user_id = %s",
            [user.pk],
        )
        assert cursor.fetchone() == (1, 1, Decimal("6.7"))


# --- the catalog drives every count ---------------------------------------------------


@pytest.fixture
def catalog_with_extra_action(monkeypatch: pytest.MonkeyPatch, transactional_db: Any) -> Iterator[None]:
    extra = catalog.Action("bio_translated", "translate", "Bio vertalen")
    profiel = catalog.TOOLS[0]
    tools = (catalog.Tool(profiel.name, profiel.label, (*profiel.actions, extra)), *catalog.TOOLS[1:])
    monkeypatch.setattr(catalog, "TOOLS", tools)
    monkeypatch.setattr(catalog, "TOOLS_BY_NAME", {tool.name: tool for tool in tools})
    yield
    monkeypatch.undo()
    catalog_sync()


def test_adding_a_catalog_action_changes_totals_after_migrate(catalog_with_extra_action: None, user: Any) -> None:
    call_command("migrate", verbosity=0)  # post_migrate syncs tool_catalog from the code
    _, access = tokens.token_pair_for(user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {access}")

    marked = client.post(
        "/api/tool-completion/mark-completed",
        {"toolName": "profiel-coach", "actionName": "bio_translated"},
        content_type="application/json",
    ).json()
    progress = client.get("/api/tool-completion/progress").json()

    assert marked["progress"]["totalActions"] == 4
    assert marked["progress"]["progressPercentage"] == 25.0
    assert progress["tools"][0]["totalActions"] == 4
    assert progress["overall"]["totalActions"] == 16
    assert progress["overall"]["overallProgress"] == 6.3


# --- the staff init endpoint repairs ------------------------------------------------------


def test_init_recreates_a_dropped_view_and_function(staff_user: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP VIEW tool_progress")
        cursor.execute("DROP FUNCTION is_action_completed(bigint, text, text)")
    assert "tool_progress" not in existing()["views"]
    _, access = tokens.token_pair_for(staff_user)

    response = Client().post("/api/admin/init-tool-tracking", HTTP_AUTHORIZATION=f"Bearer {access}")

    assert response.status_code == 200
    body = response.json()
    assert body["tablesCreated"] == []
    assert body["viewsCreated"] == ["tool_progress"]
    assert body["functionsCreated"] == ["is_action_completed"]
    after = existing()
    assert after["views"] >= VIEWS and after["functions"] >= FUNCTIONS


def test_init_runs_the_migrations_when_the_tables_are_gone(migrated_back_afterwards: None) -> None:
    call_command("migrate", "coaching", "zero", verbosity=0)
    assert not TABLES & existing()["tables"]

    report = tracking_ensure()

    assert report.tables_created == ["tool_completions", "tool_catalog", "tool_completion_events"]
    assert set(report.views_created) == VIEWS and set(report.functions_created) == FUNCTIONS
    after = existing()
    assert after["tables"] >= TABLES and after["triggers"] >= TRIGGERS
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'coaching'")
        assert cursor.fetchone()[0] == len(list((Path(migrations_package.__file__).parent).glob("0*.py")))
        cursor.execute("SELECT count(*) FROM tool_catalog")
        assert cursor.fetchone()[0] == catalog.total_actions()


def test_init_is_idempotent(staff_user: Any) -> None:
    first = tracking_ensure()
    second = tracking_ensure()
    assert first.present == second.present
    assert second.views_created == second.functions_created == second.tables_created == []
