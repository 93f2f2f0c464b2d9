"""Fixed-window rate limits on the credential endpoints, shared by every worker.

Counters live in PostgreSQL (``coaching_rate_limit``), so every worker
of every instance sees the same counts with no extra service. Limits
are the ``RATE_LIMITS`` setting: ``name -> (max hits, window seconds)``.

Our own rather than django-ratelimit: that counts in Django's cache, which
here would be per process (no shared cache is deployed), and it limits views,
where these limits count failed attempts inside the account services (a
wrong password, not every request) for the API and the pages alike.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

from coaching.accounts.exceptions import RateLimited
from coaching.models import RateLimitCounter


def _limit(name: str) -> tuple[int, int]:
    hits, seconds = settings.RATE_LIMITS[name]
    return int(hits), int(seconds)


def hit(name: str, subject: str) -> int:
    """Count one hit against ``name`` for ``subject``; return the hits in the current window."""
    _, seconds = _limit(name)
    now = timezone.now()
    with connections["default"].cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO coaching_rate_limit AS rl (key, window_start, hits) VALUES (%s, %s, 1)
            ON CONFLICT (key) DO UPDATE SET
                hits = CASE WHEN rl.window_start <= %s THEN 1 ELSE rl.hits + 1 END,
                window_start = CASE WHEN rl.window_start <= %s THEN EXCLUDED.window_start ELSE rl.window_start END
            RETURNING hits
            """,
            [f"{name}:{subject}", now, now - timedelta(seconds=seconds), now - timedelta(seconds=seconds)],
        )
        (hits,) = cursor.fetchone()
    return int(hits)


def check(name: str, subject: str) -> None:
    """Raise 429 when ``subject`` has used up ``name`` in the current window."""
    limit, seconds = _limit(name)
    row = (
        RateLimitCounter.objects.filter(
            key=f"{name}:{subject}", window_start__gt=timezone.now() - timedelta(seconds=seconds)
        )
        .values_list("hits", "window_start")
        .first()
    )
    if row is not None and row[0] >= limit:
        retry_after = (row[1] + timedelta(seconds=seconds) - timezone.now()).total_seconds()
        raise RateLimited(retry_after=int(retry_after) + 1)


def hit_and_check(name: str, subject: str) -> None:
    """Count an attempt, then refuse it if it goes over the limit (e.g. registrations)."""
    limit, seconds = _limit(name)
    if hit(name, subject) > limit:
        raise RateLimited(retry_after=seconds)


def purge_expired() -> int:
    longest = max(seconds for _, seconds in settings.RATE_LIMITS.values())
    deleted, _ = RateLimitCounter.objects.filter(window_start__lt=timezone.now() - timedelta(seconds=longest)).delete()
    return deleted


def forget(name: str, subject: str) -> None:
    """Drop ``subject``'s counter (an erased account leaves no username behind)."""
    RateLimitCounter.objects.filter(key=f"{name}:{subject}").delete()
