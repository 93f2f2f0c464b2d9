"""Writes. Each service is one transaction (often one statement) and validates against the catalog.

The views (API and pages) call these and hold no rules of their own. The
package re-exports every service, so callers write ``services.completion_mark``:

- ``completions``: validation, mark, legacy import;
- ``history``: batch and reset (contract v1.1);
- ``tracking``: the catalog table and the SQL objects (init endpoint);
- ``photos``: Foto Advies uploads;
- ``preferences``: user settings.
"""

from coaching.services.completions import (
    LEGACY_MAX_KEYS,
    METADATA_MAX_BYTES,
    METADATA_MAX_DEPTH,
    ImportedAction,
    ImportResult,
    InvalidMetadata,
    MarkResult,
    UnknownAction,
    UnknownTool,
    action_validate,
    completion_mark,
    legacy_import,
    metadata_validate,
    tool_get_or_error,
)
from coaching.services.history import (
    BATCH_MAX_ITEMS,
    COMPLETED_AT_MAX_AHEAD,
    BatchItem,
    BatchResult,
    ResetResult,
    batch_validate,
    completed_at_parse,
    completion_batch,
    completion_reset,
)
from coaching.services.photos import StorageUnavailable, photo_store
from coaching.services.preferences import settings_update
from coaching.services.tracking import TRACKING_LOCK_ID, TrackingReport, catalog_sync, tracking_ensure

__all__ = [
    "BATCH_MAX_ITEMS",
    "COMPLETED_AT_MAX_AHEAD",
    "LEGACY_MAX_KEYS",
    "METADATA_MAX_BYTES",
    "METADATA_MAX_DEPTH",
    "TRACKING_LOCK_ID",
    "BatchItem",
    "BatchResult",
    "ImportResult",
    "ImportedAction",
    "InvalidMetadata",
    "MarkResult",
    "ResetResult",
    "StorageUnavailable",
    "TrackingReport",
    "UnknownAction",
    "UnknownTool",
    "action_validate",
    "batch_validate",
    "catalog_sync",
    "completed_at_parse",
    "completion_batch",
    "completion_mark",
    "completion_reset",
    "legacy_import",
    "metadata_validate",
    "photo_store",
    "settings_update",
    "tool_get_or_error",
    "tracking_ensure",
]
