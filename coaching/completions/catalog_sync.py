"""The ``tool_catalog`` table: a mirror of coaching/catalog.py for the SQL views, synced after every migrate."""

from __future__ import annotations

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from coaching import catalog
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
