"""What the completion services refuse."""

from __future__ import annotations

from coaching.exceptions import DomainError


class UnknownTool(DomainError):
    code = "unknown_tool"
    default_message = "Unknown toolName."


class UnknownAction(DomainError):
    code = "unknown_action"
    default_message = "Unknown actionName for this tool."


class InvalidMetadata(DomainError):
    code = "invalid_metadata"
    default_message = "metadata must be a JSON object."
