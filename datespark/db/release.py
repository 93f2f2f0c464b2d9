"""The release step: migrations applied once, timeouts set on the database, safe through a pooler.

Every instance runs ``manage.py release`` as it starts (the server's main process does,
see datespark/serve.py), however many start at the same moment: each takes the
same transaction-level advisory lock, so one migrates while the others wait,
then find nothing left to do. The lock ends with the transaction, so it holds
on a transaction-mode pooler (PgBouncer, Neon, Supabase) as well as on a
direct connection.

The app's timeouts are set on the database (``ALTER DATABASE ... SET``), so
every new session gets them, pooled or not; a startup ``options`` parameter
would be refused by a transaction-mode pooler. The release transaction lifts
them for itself alone (``set_config(..., true)``), so a long migration is not
cut off by them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections, transaction

# An arbitrary constant: the advisory lock every release (and the staff init endpoint) takes.
RELEASE_LOCK_ID = 0x_DA7E_5BA2


@contextmanager
def release_transaction(using: str = "default") -> Iterator[Any]:
    """A transaction holding the release lock, with the app's timeouts lifted inside it; yields a cursor."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT set_config(name, '0', true) FROM unnest(%s::text[]) AS name",
            [list(settings.DATABASE_TIMEOUTS)],
        )
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RELEASE_LOCK_ID])
        yield cursor


def database_timeouts_set(using: str = "default") -> None:
    """``ALTER DATABASE`` the current database so that every new session gets ``DATABASE_TIMEOUTS``."""
    with connections[using].cursor() as cursor:
        for name, value in settings.DATABASE_TIMEOUTS.items():
            cursor.execute(
                "SELECT format('ALTER DATABASE %%I SET %%I = %%L', current_database(), %s::text, %s::text)",
                [name, value],
            )
            (statement,) = cursor.fetchone()
            cursor.execute(statement)
