"""Building blocks shared by the coach tools."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    key: str
    label: str


def checklist_complete(*, checklist: tuple[ChecklistItem, ...], ticked: set[str] | list[str]) -> bool:
    """True only when every item of ``checklist`` is in ``ticked``; unknown keys are ignored."""
    ticked_keys = set(ticked)
    return all(item.key in ticked_keys for item in checklist)


def normalize_space(text: str) -> str:
    """``text`` stripped, with every run of whitespace collapsed to one space."""
    return " ".join(text.split())


def seed_for(*parts: str) -> int:
    """A stable 64-bit number derived from ``parts`` (case- and whitespace-insensitive)."""
    # A unit separator keeps ("ab", "c") and ("a", "bc") apart.
    joined = "\x1f".join(normalize_space(part).casefold() for part in parts)
    return int.from_bytes(hashlib.sha256(joined.encode("utf-8")).digest()[:8], "big")


def pick(options: Sequence[T], *, seed: int, offset: int = 0) -> T:
    """The option at ``seed + offset``, wrapping around; consecutive offsets visit every option."""
    if not options:
        raise ValueError("Er is niets om uit te kiezen.")
    return options[(seed + offset) % len(options)]


def join_dutch(items: Sequence[str]) -> str:
    """``["a", "b", "c"]`` as ``"a, b en c"``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} en {items[-1]}"


def clean_terms(terms: Iterable[str], *, max_chars: int, limit: int) -> list[str]:
    """Non-empty, whitespace-normalised terms, each cut to ``max_chars``, without duplicates, at most ``limit``."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for term in terms:
        text = normalize_space(term).strip(" .,;:!?")[:max_chars].rstrip(" .,;:!?")
        if not text or text.casefold() in seen:
            continue
        seen.add(text.casefold())
        cleaned.append(text)
        if len(cleaned) == limit:
            break
    return cleaned
