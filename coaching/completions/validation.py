"""What a completion must be: a catalog tool and action, and metadata within bounds."""

from __future__ import annotations

import json
from typing import Any

from coaching import catalog
from coaching.catalog import Tool
from coaching.completions.exceptions import InvalidMetadata, UnknownAction, UnknownTool

METADATA_MAX_BYTES = 4096


METADATA_MAX_DEPTH = 8


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
    metadata_json(metadata, field=field)
    return metadata or {}


def metadata_json(metadata: Any, *, field: str = "metadata") -> str:
    """Validated metadata (see :func:`metadata_validate`) as the compact JSON text that is stored."""
    if metadata is None:
        return "{}"
    if not isinstance(metadata, dict):
        raise InvalidMetadata("metadata must be a JSON object.", field=field)
    if _depth(metadata) > METADATA_MAX_DEPTH:
        raise InvalidMetadata(f"metadata is nested more than {METADATA_MAX_DEPTH} levels deep.", field=field)
    text = json.dumps(metadata, separators=(",", ":"), ensure_ascii=False)
    size = len(text.encode("utf-8"))
    if size > METADATA_MAX_BYTES:
        raise InvalidMetadata(f"metadata is {size} bytes; the limit is {METADATA_MAX_BYTES}.", field=field)
    return text
