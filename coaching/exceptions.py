"""Domain errors: what a service refuses, as plain exceptions.

Each carries a stable ``code`` (one of the contract's error codes), a
``message`` in English, and, where one input is at fault, its ``field``. The
API maps them to the contract's error shape in one place
(coaching/api/errors.py); the pages map them to form errors in one place
(coaching/pages/form_errors.py).
"""

from __future__ import annotations


class DomainError(Exception):
    code: str = "invalid_input"
    default_message: str = "Invalid input."

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or self.default_message
        self.field = field
        super().__init__(self.message)


class InvalidInput(DomainError):
    """A value of the wrong type, shape or range."""
