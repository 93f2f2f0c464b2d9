"""Writes. Each service is one transaction (often one statement) and validates against the catalog.

The views (API and pages) call these and hold no rules of their own.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from psycopg.types.json import Jsonb

from coaching import catalog, selectors, sql
from coaching.catalog import Tool
from coaching.errors import ApiError, Unauthorized
from coaching.models import CatalogAction, Photo, UserSettings
from coaching.selectors import Progress, ToolProgress
from coaching.signals import completion_changed_send
from coaching.tokens import TokenCheck, check_params

METADATA_MAX_BYTES = 4096
METADATA_MAX_DEPTH = 8
LEGACY_MAX_KEYS = 100


class UnknownTool(ApiError):
    default_code = "unknown_tool"
    default_detail = "Unknown toolName."


class UnknownAction(ApiError):
    default_code = "unknown_action"
    default_detail = "Unknown actionName for this tool."


class InvalidMetadata(ApiError):
    default_code = "invalid_metadata"
    default_detail = "metadata must be a JSON object."


@dataclass(frozen=True)
class MarkResult:
    was_new: bool
    progress: ToolProgress


@dataclass(frozen=True)
class ImportedAction:
    tool_name: str
    action_name: str
    was_new: bool


@dataclass(frozen=True)
class ImportResult:
    imported: list[ImportedAction]
    ignored: list[str]


def tool_get_or_error(tool_name: Any, *, field: str = "toolName") -> Tool:
    tool = catalog.get_tool(tool_name) if isinstance(tool_name, str) else None
    if tool is None:
        raise UnknownTool(
            f"Unknown toolName {tool_name!r}; expected one of {', '.join(catalog.TOOL_NAMES)}.", field=field
        )
    return tool


def action_validate(tool: Tool, action_name: Any, *, field: str = "actionName") -> str:
    if not isinstance(action_name, str) or not tool.has_action(action_name):
        raise UnknownAction(
            f"Unknown actionName {action_name!r} for {tool.name}; expected one of {', '.join(tool.action_names)}.",
            field=field,
        )
    return action_name


def _depth(value: Any) -> int:
    """Container nesting depth, iteratively: {} is 1, {"a": {}} is 2."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def metadata_validate(metadata: Any, *, field: str = "metadata") -> dict[str, Any]:
    """An object, at most 4 KiB as compact UTF-8 JSON and at most 8 levels deep."""
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise InvalidMetadata("metadata must be a JSON object.", field=field)
    if _depth(metadata) > METADATA_MAX_DEPTH:
        raise InvalidMetadata(f"metadata is nested more than {METADATA_MAX_DEPTH} levels deep.", field=field)
    size = len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    if size > METADATA_MAX_BYTES:
        raise InvalidMetadata(f"metadata is {size} bytes; the limit is {METADATA_MAX_BYTES}.", field=field)
    return metadata


def completion_mark(
    *,
    user_id: int,
    tool_name: Any,
    action_name: Any,
    metadata: Any = None,
    at: datetime | None = None,
    check: TokenCheck | None = None,
) -> MarkResult:
    """Mark one catalog action completed for the user; idempotent.

    The first call creates the row (``was_new``); later calls replace the
    metadata and move ``completed_at`` to ``at`` (default now). One round
    trip: ``mark_completed_progress`` upserts through ``mark_action_completed``
    (atomic, so under concurrent identical calls exactly one reports new) and
    returns the tool's progress as read after the write. With ``check`` (an
    unconfirmed API token) the same statement confirms the token first and
    nothing is written when it fails (:class:`Unauthorized`).
    """
    tool = tool_get_or_error(tool_name)
    action = action_validate(tool, action_name)
    clean_metadata = metadata_validate(metadata)
    auth = check_params(user_id, check)
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT * FROM mark_completed_progress(%s, %s, %s, %s, %s, %s, %s)",
            [*auth, tool.name, action, cast(Any, Jsonb(clean_metadata)), at or timezone.now()],
        )
        row = cursor.fetchone()
    if row is None:
        raise Unauthorized("The token is invalid, expired or revoked.")
    was_new, *progress = row
    completion_changed_send(user_id, [(tool.name, action, "completed" if was_new else "repeated")])
    if progress[0] is None:  # the action is not in tool_catalog (migrate has not synced it)
        return MarkResult(was_new=bool(was_new), progress=ToolProgress.empty(tool))
    return MarkResult(was_new=bool(was_new), progress=selectors.tool_progress_from_row((tool.name, *progress)))


def legacy_import(*, user_id: int, flags: Any) -> ImportResult:
    """Move an old browser's localStorage flags in, leaving existing completions as they are.

    Known keys with the value ``'true'`` are marked with metadata
    ``{"source": "localStorage"}``; every other key is reported as ignored.
    """
    if not isinstance(flags, dict):
        raise ApiError("flags must be an object of localStorage keys.", field="flags")
    if len(flags) > LEGACY_MAX_KEYS:
        raise ApiError(f"flags may hold at most {LEGACY_MAX_KEYS} keys.", field="flags")
    wanted: list[tuple[str, str]] = []
    ignored: list[str] = []
    for key, value in flags.items():
        target = catalog.LEGACY_KEYS.get(key)
        if target is None or value != "true":
            ignored.append(key)
        elif target not in wanted:
            wanted.append(target)
    created: set[tuple[str, str]] = set()
    if wanted:
        with connections["default"].cursor() as cursor:  # one statement: atomic on its own
            cursor.execute(
                """
                INSERT INTO tool_completions (user_id, tool_name, action_name, metadata, completed_at)
                SELECT %s, t.tool_name, t.action_name, %s, %s
                FROM unnest(%s::text[], %s::text[]) AS t(tool_name, action_name)
                ON CONFLICT (user_id, tool_name, action_name) DO NOTHING
                RETURNING tool_name, action_name
                """,
                [
                    user_id,
                    cast(Any, Jsonb({"source": "localStorage"})),
                    timezone.now(),
                    [tool for tool, _ in wanted],
                    [action for _, action in wanted],
                ],
            )
            created = {(row[0], row[1]) for row in cursor.fetchall()}
    completion_changed_send(
        user_id, [(tool, action, "completed") for tool, action in wanted if (tool, action) in created]
    )
    return ImportResult(
        imported=[ImportedAction(tool, action, (tool, action) in created) for tool, action in wanted],
        ignored=ignored,
    )


BATCH_MAX_ITEMS = 100
# How far ahead of the server's clock a client's completedAt may be (clock skew).
COMPLETED_AT_MAX_AHEAD = timedelta(minutes=5)


@dataclass(frozen=True)
class BatchItem:
    tool_name: str
    action_name: str
    metadata: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class BatchResult:
    results: list[ImportedAction]  # one per request item, in request order
    progress: Progress


@dataclass(frozen=True)
class ResetResult:
    removed: int
    progress: ToolProgress


def _required_string(item: dict[str, Any], key: str, field: str) -> str:
    if key not in item or item[key] is None:
        raise ApiError("This field is required.", field=field)
    value = item[key]
    if not isinstance(value, str):
        raise ApiError("Must be a string.", field=field)
    return value


def completed_at_parse(value: Any, *, now: datetime, not_before: datetime, field: str) -> datetime:
    """A client's ``completedAt``: ISO-8601 with a timezone, at most 5 minutes ahead, not before ``not_before``."""
    if value is None:
        return now
    if not isinstance(value, str):
        raise ApiError("completedAt must be an ISO-8601 string.", field=field)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError("completedAt is not an ISO-8601 date and time.", field=field) from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise ApiError("completedAt needs a timezone (e.g. 'Z' or '+01:00').", field=field)
    if at > now + COMPLETED_AT_MAX_AHEAD:
        raise ApiError("completedAt is more than 5 minutes in the future.", field=field)
    if at < not_before:
        raise ApiError("completedAt is before the account existed.", field=field)
    return at


def batch_validate(items: Any, *, now: datetime, not_before: datetime) -> list[BatchItem]:
    """Every item checked before anything is written: the first bad one raises, naming its field."""
    if not isinstance(items, list):
        raise ApiError("completions must be a list.", field="completions")
    if not 1 <= len(items) <= BATCH_MAX_ITEMS:
        raise ApiError(f"completions must hold 1 to {BATCH_MAX_ITEMS} items.", field="completions")
    clean: list[BatchItem] = []
    for index, item in enumerate(items):
        prefix = f"completions[{index}]"
        if not isinstance(item, dict):
            raise ApiError("Each completion must be an object.", field=prefix)
        tool = tool_get_or_error(_required_string(item, "toolName", f"{prefix}.toolName"), field=f"{prefix}.toolName")
        action = action_validate(
            tool, _required_string(item, "actionName", f"{prefix}.actionName"), field=f"{prefix}.actionName"
        )
        metadata = metadata_validate(item.get("metadata"), field=f"{prefix}.metadata")
        at = completed_at_parse(item.get("completedAt"), now=now, not_before=not_before, field=f"{prefix}.completedAt")
        clean.append(BatchItem(tool.name, action, metadata, at))
    return clean


def completion_batch(*, user_id: int, date_joined: datetime, items: Any, now: datetime | None = None) -> BatchResult:
    """Mark a batch of completions (an offline client's queue): all or nothing, in one transaction.

    The same (tool, action) twice counts once, the last item winning. A new
    row takes the item's ``completedAt``; an existing row keeps the later of
    its time and the item's (with that one's metadata), and the item is
    logged as ``repeated`` at its own time either way. One statement writes
    everything, whatever the batch size; a second reads the progress.
    """
    now = now or timezone.now()
    # A second of slack: date_joined is Python's clock, the client rounds to whole seconds.
    clean = batch_validate(items, now=now, not_before=date_joined - timedelta(seconds=1))
    last: dict[tuple[str, str], BatchItem] = {}
    for item in clean:
        last[(item.tool_name, item.action_name)] = item
    unique = sorted(last.values(), key=lambda item: (item.tool_name, item.action_name))  # one lock order
    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute(
            """
            WITH items AS (
                SELECT * FROM unnest(%(tools)s::text[], %(actions)s::text[], %(metadata)s::jsonb[],
                                     %(at)s::timestamptz[]) AS i(tool_name, action_name, metadata, at)
            ), upserted AS (
                INSERT INTO tool_completions AS tc (user_id, tool_name, action_name, metadata, completed_at)
                SELECT %(user)s, tool_name, action_name, metadata, at FROM items ORDER BY tool_name, action_name
                ON CONFLICT (user_id, tool_name, action_name)
                DO UPDATE SET metadata = EXCLUDED.metadata, completed_at = EXCLUDED.completed_at
                WHERE EXCLUDED.completed_at >= tc.completed_at
                RETURNING tc.tool_name, tc.action_name, (tc.xmax = 0) AS was_new
            ), kept_later AS (
                -- Rows that already hold a later time are not updated, so the
                -- trigger does not log them: the item is logged here.
                INSERT INTO tool_completion_events (user_id, tool_name, action_name, kind, at)
                SELECT %(user)s, i.tool_name, i.action_name, 'repeated', i.at FROM items i
                WHERE NOT EXISTS (
                    SELECT 1 FROM upserted u WHERE u.tool_name = i.tool_name AND u.action_name = i.action_name
                )
                RETURNING tool_name, action_name
            )
            SELECT tool_name, action_name, was_new FROM upserted
            UNION ALL
            SELECT tool_name, action_name, false FROM kept_later
            """,
            {
                "user": user_id,
                "tools": [item.tool_name for item in unique],
                "actions": [item.action_name for item in unique],
                "metadata": [json.dumps(item.metadata, ensure_ascii=False) for item in unique],
                "at": [item.at for item in unique],
            },
        )
        created = {(tool, action) for tool, action, was_new in cursor.fetchall() if was_new}
        progress = selectors.progress_get(user_id=user_id)
    completion_changed_send(
        user_id,
        [
            (
                item.tool_name,
                item.action_name,
                "completed" if (item.tool_name, item.action_name) in created else "repeated",
            )
            for item in unique
        ],
    )
    results: list[ImportedAction] = []
    reported: set[tuple[str, str]] = set()
    for item in clean:
        key = (item.tool_name, item.action_name)
        results.append(ImportedAction(item.tool_name, item.action_name, key in created and key not in reported))
        reported.add(key)
    return BatchResult(results=results, progress=progress)


def completion_reset(
    *, user_id: int, tool_name: Any, action_name: Any = None, at: datetime | None = None
) -> ResetResult:
    """Remove one action's completion, or the whole tool's (``action_name`` None); removing nothing is fine.

    One transaction: the rows go, the event-log trigger records a ``reset``
    for each, and the tool's progress is read after the change.
    """
    tool = tool_get_or_error(tool_name)
    action = None if action_name is None else action_validate(tool, action_name)
    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT * FROM reset_completions(%s, %s, %s, %s)", [user_id, tool.name, action, at or timezone.now()]
        )
        removed = [row[0] for row in cursor.fetchall()]
        progress = selectors.progress_get(user_id=user_id, tool_name=tool.name).tools[0]
    completion_changed_send(user_id, [(tool.name, name, "reset") for name in removed])
    return ResetResult(removed=len(removed), progress=progress)


def settings_update(*, user_id: int, timezone_name: str) -> UserSettings:
    """Save the user's timezone (an IANA name; the caller has validated it)."""
    user_settings, _ = UserSettings.objects.update_or_create(user_id=user_id, defaults={"timezone": timezone_name})
    return user_settings


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


class StorageUnavailable(ValueError):
    """The upload could not be stored (disk full, read-only): a server problem, nothing kept."""


def photo_store(*, user_id: int, content: bytes, width: int, height: int) -> Photo:
    """Keep the user's new (already re-encoded) photo and drop the previous ones, files included.

    All or nothing: when the file cannot be written (a full or read-only disk)
    no row is saved, a partly written file is removed, the old photo stays,
    and :class:`StorageUnavailable` is raised.
    """
    photo = Photo(user_id=user_id, width=width, height=height)
    try:
        with transaction.atomic():
            old = list(Photo.objects.filter(user_id=user_id))
            photo.image.save(f"{photo.id.hex}.jpg", ContentFile(content), save=False)
            photo.save()
            for previous in old:
                previous.delete()  # the post_delete hook removes the file after commit
    except OSError:
        name = photo.upload_path()
        with contextlib.suppress(OSError):
            photo.image.storage.delete(name)
        raise StorageUnavailable("Je foto kon nu niet worden opgeslagen. Probeer het later opnieuw.") from None
    return photo
