"""Numbers the security-relevant tests record for docs/SECURITY.md (see tests/security_report.py)."""

from __future__ import annotations

FACTS: dict[str, int] = {}


def record(name: str, amount: int = 1) -> None:
    FACTS[name] = FACTS.get(name, 0) + amount
