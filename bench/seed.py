"""Bulk-load users (and optionally completions and events) for the benchmarks, and write Bearer tokens.

Users are COPYed with one precomputed password hash (hashing 100,000
passwords one by one takes hours); completions and events are COPYed too.
Never for production data: the accounts share one known password, which is
why this lives with the benchmark and not in the app. Run it from the
project's root, with the app's environment:

    .venv/bin/python bench/seed.py --users 40 --tokens-out bench/.work/tokens.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PREFIX = "bench-"
PASSWORD = "bench-wachtwoord"
# Events go back this far, so the analytics' 30- and 90-day windows are both full.
EVENT_DAYS = 120
EVENT_KIND_WEIGHTS = (60, 32, 8)


def seed(
    *,
    users: int,
    completions: int = 0,
    events: int = 0,
    tokens: int = 200,
    tokens_out: Path,
    token_users_out: Path | None = None,
) -> str:
    """Create ``users`` benchmark users (bench-000001...), optional completions and events; write access tokens
    (and, to ``token_users_out``, the ids of the users holding them: the benchmark's R2 marks for the same users).

    Returns a one-line summary. Refuses a deployment (DJANGO_HTTPS).
    """
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError, connection

    from coaching.accounts.tokens import cookie_token_for

    if settings.HTTPS:
        raise SystemExit("Benchmark users are for local benchmarks only (DJANGO_HTTPS is set).")
    with connection.cursor() as cursor:
        # Bulk loads run longer than the request-sized statement_timeout in settings.
        cursor.execute("SET statement_timeout = 0")
    User = get_user_model()
    existing = User.objects.filter(username__startswith=PREFIX).count()
    if existing < users:
        _copy_users(existing, users)
    ids = list(User.objects.filter(username__startswith=PREFIX).order_by("pk").values_list("pk", flat=True)[:users])
    if completions:
        _copy_completions(ids, completions)
    if events:
        _copy_events(ids, events)
    with connection.cursor() as cursor:
        # Measure the steady state, not the load's aftermath: vacuum and analyse
        # now (else autovacuum does it during the measured runs, on the same two
        # cores) and write the load's WAL out in a checkpoint of our choosing.
        cursor.execute("VACUUM (ANALYZE) auth_user, tool_completions, tool_completion_events")
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError:
            print("CHECKPOINT needs a superuser (or pg_checkpoint); skipped.", file=sys.stderr)
    chosen = User.objects.filter(pk__in=ids[:tokens]).order_by("pk")
    access = [str(cookie_token_for(user)) for user in chosen]
    tokens_out.write_text(json.dumps(access))
    if token_users_out is not None:
        token_users_out.write_text(json.dumps([user.pk for user in chosen]))
    return f"{len(ids)} benchmark users, {len(access)} tokens in {tokens_out}"


def _copy_users(start: int, end: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    password = make_password(PASSWORD)
    now = timezone.now()
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY auth_user (username, password, is_superuser, is_staff, is_active, first_name, last_name, "
            "email, date_joined) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for index in range(start + 1, end + 1):
                copy.write_row((f"{PREFIX}{index:06d}", password, False, False, True, "", "", "", now))


def _copy_completions(user_ids: list[int], total: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from coaching import catalog

    pairs = [(tool.name, action) for tool in catalog.TOOLS for action in tool.action_names]
    per_user = min(len(pairs), max(1, total // max(1, len(user_ids))))
    rng = random.Random(42)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tool_completions WHERE user_id = ANY(%s)", [user_ids])
        copy_sql = "COPY tool_completions (user_id, tool_name, action_name, metadata, completed_at) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for user_id in user_ids:
                for tool_name, action_name in rng.sample(pairs, per_user):
                    copy.write_row((user_id, tool_name, action_name, '{"source": "bench"}', now))


def _copy_events(user_ids: list[int], total: int) -> None:
    """The users' event log, replaced by ``total`` events at random times over the last EVENT_DAYS days.

    Mostly completed and repeated, some resets. COPYing completions logs
    a 'completed' event per row at the same instant (the trigger); those
    go too, so the log reads like months of use rather than one burst.
    """
    from django.db import connection
    from django.utils import timezone

    from coaching import catalog
    from coaching.models import EventKind

    pairs = [(tool.name, action) for tool in catalog.TOOLS for action in tool.action_names]
    rng = random.Random(43)
    now = timezone.now()
    span = timedelta(days=EVENT_DAYS).total_seconds()
    kinds = rng.choices([EventKind.COMPLETED, EventKind.REPEATED, EventKind.RESET], weights=EVENT_KIND_WEIGHTS, k=total)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tool_completion_events WHERE user_id = ANY(%s)", [user_ids])
        copy_sql = "COPY tool_completion_events (user_id, tool_name, action_name, kind, at) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for kind in kinds:
                tool_name, action_name = rng.choice(pairs)
                at = now - timedelta(seconds=rng.random() * span)
                copy.write_row((rng.choice(user_ids), tool_name, action_name, kind.value, at))
        # What autovacuum's insert threshold would soon do: the visibility map lets the
        # analytics read the (at) index alone.
        cursor.execute("VACUUM (ANALYZE) tool_completion_events")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--completions", type=int, default=0, help="completions in total, spread over the users")
    parser.add_argument(
        "--events",
        type=int,
        default=0,
        help=f"events in total over the last {EVENT_DAYS} days, spread over the users (replaces their event log)",
    )
    parser.add_argument("--tokens", type=int, default=200, help="how many users get a token in --tokens-out")
    parser.add_argument("--tokens-out", type=Path, required=True)
    parser.add_argument("--token-users-out", type=Path, help="a JSON list of the ids of the users holding the tokens")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datespark.settings")
    import django

    django.setup()
    print(
        seed(
            users=args.users,
            completions=args.completions,
            events=args.events,
            tokens=args.tokens,
            tokens_out=args.tokens_out,
            token_users_out=args.token_users_out,
        )
    )


if __name__ == "__main__":
    main()
