"""The completions list as CSV: read in keyset pages, streamed in chunks, spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any

from django.db.models import QuerySet

from coaching.formats import timestamp_text

CSV_HEADER = ("id", "user_id", "username", "tool_name", "action_name", "completed_at", "metadata")


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


CSV_ROWS_PER_CHUNK = 1000


def csv_cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def completion_csv_row(row: tuple[Any, ...]) -> list[str]:
    pk, user_id, username, tool_name, action_name, completed_at, metadata = row
    cells = [
        str(pk),
        str(user_id),
        username,
        tool_name,
        action_name,
        timestamp_text(completed_at.astimezone(UTC)),
        json.dumps(metadata, separators=(",", ":"), ensure_ascii=False, sort_keys=True),
    ]
    return [csv_cell(cell) for cell in cells]


def completions_csv(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """The header, then the rows as CSV text, a chunk of rows per piece."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for count, row in enumerate(rows, start=1):
        writer.writerow(completion_csv_row(row))
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# Rows read per statement by keyset_rows.
EXPORT_PAGE_ROWS = 2000


def keyset_rows(queryset: QuerySet[Any], fields: tuple[str, ...]) -> Iterator[Any]:
    """``queryset``'s rows as ``values_list(*fields)``, newest first, read a page at a time by primary key.

    One short statement per page (``pk < the last one seen``): no server-side
    cursor, which a transaction-mode pooler cannot keep open between
    statements, and never more than one page in memory, however many rows.
    """
    size = EXPORT_PAGE_ROWS
    ordered = queryset.order_by("-pk").values_list("pk", *fields)
    last = None
    while True:
        page = list((ordered if last is None else ordered.filter(pk__lt=last))[:size])
        for row in page:
            yield row[1:]
        if len(page) < size:
            return
        last = page[-1][0]
