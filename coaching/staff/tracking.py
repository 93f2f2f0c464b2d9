"""The staff init endpoint's repair: the tracking tables, views, functions and triggers, from the migrations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

from coaching.completions.catalog_sync import catalog_sync
from datespark.db.release import release_transaction

# The tracking tables; the coaching migrations create them.
TABLES: tuple[str, ...] = ("tool_completions", "tool_catalog", "tool_completion_events")


@dataclass(frozen=True)
class TrackingReport:
    tables_created: list[str]
    views_created: list[str]
    functions_created: list[str]
    present: list[str]


def sql_definitions(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """Each SQL view, function and trigger as the latest applied coaching migration defines it.

    Every migration that runs SQL declares ``sql_objects`` (name -> the text it
    ran, or None where it dropped the object), so the migrations are the one
    source: this replays their history, never a second copy of it.
    """
    loader = MigrationLoader(connection)
    definitions: dict[str, str | None] = {}
    for leaf in loader.graph.leaf_nodes("coaching"):
        for key in loader.graph.forwards_plan(leaf):
            if key[0] == "coaching" and key in loader.applied_migrations:
                definitions.update(getattr(loader.graph.nodes[key], "sql_objects", {}))
    return {name: text for name, text in definitions.items() if text is not None}


def _tracking_objects_present(cursor: Any, names: list[str]) -> dict[str, set[str]]:
    cursor.execute(
        """
        SELECT c.relname, c.relkind FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s)
        """,
        [[*TABLES, *names]],
    )
    relations = cursor.fetchall()
    cursor.execute(
        """
        SELECT DISTINCT proname FROM pg_proc
        WHERE pronamespace = current_schema()::regnamespace AND proname = ANY(%s)
        """,
        [names],
    )
    functions = {row[0] for row in cursor.fetchall()}
    cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)", [names])
    triggers = {row[0] for row in cursor.fetchall()}
    return {
        "tables": {name for name, kind in relations if kind in ("r", "p")},
        "views": {name for name, kind in relations if kind == "v"},
        "functions": functions,
        "triggers": triggers,
    }


def tracking_ensure() -> TrackingReport:
    """Make sure the tracking tables, views and functions exist; report what this call created.

    One transaction under the release lock (datespark/db/release.py: it ends
    with the transaction and holds no session state; the app's timeouts are
    lifted inside it), so it never races an instance's release.
    Missing tables are created by running the coaching migrations (so
    ``django_migrations`` stays true); views, functions and triggers are
    recreated from the text of the latest applied migration that defines each
    (:func:`sql_definitions`). All or nothing.
    """
    from django.core.management import call_command

    connection = connections["default"]
    with release_transaction() as cursor:
        names = list(sql_definitions(connection))
        before = _tracking_objects_present(cursor, names)
        if before["tables"] != set(TABLES):
            call_command("migrate", "coaching", verbosity=0, interactive=False)
        definitions = sql_definitions(connection)
        names = list(definitions)
        for statement in definitions.values():
            cursor.execute(statement)
        catalog_sync()
        after = _tracking_objects_present(cursor, names)

    def created(kind: str, candidates: Iterable[str]) -> list[str]:
        return [name for name in candidates if name in after[kind] and name not in before[kind]]

    return TrackingReport(
        tables_created=created("tables", TABLES),
        views_created=created("views", names),
        functions_created=created("functions", names),
        present=[name for kind, found in after.items() for name in sorted(found)],
    )
