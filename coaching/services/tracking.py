"""The tracking objects: the catalog table synced from code, and the init endpoint's repair."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from coaching import catalog, sql
from coaching.models import CatalogAction


def _table_exists(connection: BaseDatabaseWrapper, table: str) -> bool:
    with connection.cursor() as cursor:
        return table in connection.introspection.table_names(cursor)


def catalog_sync(*, using: str = "default") -> None:
    """Make the tool_catalog table equal ``coaching.catalog`` (run after every migrate)."""
    connection = connections[using]
    if not _table_exists(connection, CatalogAction._meta.db_table):
        return  # migrated to zero, or not yet migrated
    rows = catalog.catalog_rows()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            """
            DELETE FROM tool_catalog c
            WHERE NOT EXISTS (
                SELECT 1 FROM unnest(%s::text[], %s::text[]) AS k(tool_name, action_name)
                WHERE k.tool_name = c.tool_name AND k.action_name = c.action_name
            )
            """,
            [[r[0] for r in rows], [r[1] for r in rows]],
        )
        cursor.execute(
            """
            INSERT INTO tool_catalog (tool_name, action_name, tool_position, action_position)
            SELECT * FROM unnest(%s::text[], %s::text[], %s::smallint[], %s::smallint[])
            ON CONFLICT (tool_name, action_name)
            DO UPDATE SET tool_position = EXCLUDED.tool_position, action_position = EXCLUDED.action_position
            """,
            [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]],
        )


# An arbitrary constant: the advisory lock that serialises tracking set-up.
TRACKING_LOCK_ID = 0x_DA7E_5BA2


@dataclass(frozen=True)
class TrackingReport:
    tables_created: list[str]
    views_created: list[str]
    functions_created: list[str]
    present: list[str]


def _tracking_objects_present(cursor: Any) -> dict[str, set[str]]:
    cursor.execute(
        """
        SELECT c.relname, c.relkind FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s)
        """,
        [list(sql.TABLES + sql.VIEWS)],
    )
    relations = cursor.fetchall()
    cursor.execute(
        """
        SELECT DISTINCT proname FROM pg_proc
        WHERE pronamespace = current_schema()::regnamespace AND proname = ANY(%s)
        """,
        [list(sql.FUNCTIONS)],
    )
    functions = {row[0] for row in cursor.fetchall()}
    cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)", [list(sql.TRIGGERS)])
    triggers = {row[0] for row in cursor.fetchall()}
    return {
        "tables": {name for name, kind in relations if kind in ("r", "p")},
        "views": {name for name, kind in relations if kind == "v"},
        "functions": functions,
        "triggers": triggers,
    }


def tracking_ensure() -> TrackingReport:
    """Make sure the tracking tables, views and functions exist; report what this call created.

    Idempotent and serialised by an advisory lock. Missing tables are created
    by running the coaching migrations (so ``django_migrations`` stays true);
    views and functions come from the same SQL the migration uses.
    """
    from django.core.management import call_command

    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [TRACKING_LOCK_ID])
        try:
            before = _tracking_objects_present(cursor)
            if before["tables"] != set(sql.TABLES):
                call_command("migrate", "coaching", verbosity=0, interactive=False)
            with transaction.atomic():
                for statement in sql.CREATE_ALL:
                    cursor.execute(statement)
            catalog_sync()
            after = _tracking_objects_present(cursor)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [TRACKING_LOCK_ID])

    def created(kind: str, names: tuple[str, ...]) -> list[str]:
        return [name for name in names if name in after[kind] and name not in before[kind]]

    return TrackingReport(
        tables_created=created("tables", sql.TABLES),
        views_created=created("views", sql.VIEWS),
        functions_created=created("functions", sql.FUNCTIONS),
        present=[name for kind, names in after.items() for name in sorted(names)],
    )
