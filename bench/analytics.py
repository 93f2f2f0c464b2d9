"""Time the staff analytics on a seeded database; results into docs/PERFORMANCE.md.

`make bench-analytics` does it all on a fresh embedded PostgreSQL (or on
BENCH_DATABASE_URL): ``bench/analytics.py --seed``. By hand, seed once (a fresh
database; bench/seed.py refuses DJANGO_HTTPS deployments):

    export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/datespark_analytics
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/seed.py --users 100000 --completions 1000000 --events 1000000 \\
        --tokens 0 --tokens-out /tmp/bench-tokens.json
    .venv/bin/python bench/analytics.py

Each selector in coaching/staff/analytics.py, and the admin views built on them, runs
a warm-up and then ``--runs`` times; the table gives the median and the
spread of the whole call (round trip and Python included) and, from
``EXPLAIN (ANALYZE, BUFFERS)`` of the exact statement the selector sent, the
server's execution time and the plan's scan and aggregate nodes. The tables
are vacuumed and analysed first (``--no-vacuum`` skips that): the steady
state autovacuum keeps, in which the event log's covering index answers
without visiting the table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from machine import describe  # bench/machine.py: this script's folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"
START, END = "<!-- analytics:start -->", "<!-- analytics:end -->"
DECLARE = re.compile(r'^DECLARE "[^"]+" .*?CURSOR (?:WITH(?:OUT)? HOLD )?FOR ', re.DOTALL)


@dataclass
class Timing:
    name: str
    median_ms: float
    min_ms: float
    max_ms: float
    server_ms: float
    plan: str


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datespark.settings")
    import django

    django.setup()


def plan_summary(plan: dict[str, Any]) -> str:
    """Scan, join and aggregate nodes, outermost first: 'Aggregate ← Index Only Scan on tool_events_at_idx'."""
    parts: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        kind = node["Node Type"]
        if kind == "Aggregate":
            strategy = {"Hashed": "HashAggregate", "Sorted": "GroupAggregate"}.get(node.get("Strategy", ""), kind)
            mode = node.get("Partial Mode", "Simple")
            kind = strategy if mode == "Simple" else f"{mode} {strategy}"
        if "Scan" in kind or "Aggregate" in kind or "Join" in kind or kind in ("Sort", "Gather", "Gather Merge"):
            label = kind
            if node.get("Index Name"):
                label += f" on {node['Index Name']}"
            elif node.get("Relation Name"):
                label += f" on {node['Relation Name']}"
            if node.get("Workers Launched"):
                label += f" ({node['Workers Launched']} workers)"
            if not parts or parts[-1] != label:
                parts.append(label)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan)
    return " ← ".join(parts)


def explain(sql: str) -> tuple[float, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
        raw = cursor.fetchone()[0]
    result = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    return float(result["Execution Time"]), plan_summary(result["Plan"])


def measure(name: str, call: Callable[[], object], runs: int) -> Timing:
    """Median of ``runs`` calls after a warm-up, and the plan of the call's (slowest) statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()  # warm-up: caches, the connection, the plan of the statement
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    # A streamed export's rows come through a server-side cursor: explain the query it declares.
    statements = [
        (float(query["time"]), DECLARE.sub("", query["sql"].strip()))
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(("SELECT", "DECLARE"))
    ]
    server_ms, plan = explain(max(statements)[1])
    if len(captured.captured_queries) > 1:
        plan = f"{len(captured.captured_queries)} statements; the slowest: {plan}"
    timing = Timing(
        name=name,
        median_ms=round(statistics.median(samples), 1),
        min_ms=round(min(samples), 1),
        max_ms=round(max(samples), 1),
        server_ms=round(server_ms, 1),
        plan=plan,
    )
    print(f"{name:<48} median {timing.median_ms:>8.1f} ms ({timing.min_ms}–{timing.max_ms})  {plan}", flush=True)
    return timing


def admin_request(path: str, query: dict[str, str]) -> Any:
    """A GET as a superuser that exists only in memory (the views need a user, not a row)."""
    from django.contrib.auth import get_user_model
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    request = RequestFactory().get(path, query)
    request.user = get_user_model()(username="bench-staff", is_staff=True, is_superuser=True, is_active=True)
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def dataset() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT count(*) FROM auth_user), (SELECT count(*) FROM tool_completions),
                   (SELECT count(*) FROM tool_completion_events),
                   (SELECT count(*) FROM tool_completion_events WHERE at > now() - interval '30 days'),
                   (SELECT count(*) FROM tool_completion_events WHERE at > now() - interval '90 days')
            """
        )
        users, completions, events, events_30, events_90 = cursor.fetchone()
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"{users} users, {completions} completions, {events} events; PostgreSQL {version}", flush=True)
    return {
        "users": users,
        "completions": completions,
        "events": events,
        "events_30": events_30,
        "events_90": events_90,
        "version": version,
    }


def machine() -> str:
    return describe()


def markdown(timings: list[Timing], data: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        START,
        f"*Generated by `bench/analytics.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; median of {args.runs} runs "
        f"after a warm-up{'' if args.no_vacuum else ', tables vacuumed and analysed first'}.*",
        "",
        f"Data: {data['users']:,} users, {data['completions']:,} completions, {data['events']:,} events "
        f"({data['events_30']:,} in the last 30 days, {data['events_90']:,} in the last 90); "
        f"PostgreSQL {data['version']}. Machine: {machine()}.",
        "",
        "| what | median ms | min–max ms | server ms | plan (outermost node first) |",
        "|---|---:|---:|---:|---|",
    ]
    for t in timings:
        lines.append(f"| {t.name} | {t.median_ms:.1f} | {t.min_ms:.1f}–{t.max_ms:.1f} | {t.server_ms:.1f} | {t.plan} |")
    lines += ["", END]
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text()
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Staff analytics at scale\n\n" + section + "\n"
    DOC.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-vacuum", action="store_true", help="time the tables as they are")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/PERFORMANCE.md")
    parser.add_argument(
        "--seed",
        action="store_true",
        help="first migrate and load 100,000 users, 1,000,000 completions and 1,000,000 events (make bench-analytics)",
    )
    args = parser.parse_args()
    setup_django()
    if args.seed:
        from django.core.management import call_command

        print("migrate, then bench/seed.py: 100,000 users, 1,000,000 completions, 1,000,000 events ...", flush=True)
        call_command("migrate", verbosity=0)
        tokens_out = ROOT / "bench" / ".work" / "tokens-analytics.json"
        tokens_out.parent.mkdir(parents=True, exist_ok=True)
        from seed import seed  # bench/seed.py: this script's folder is on sys.path

        seed(users=100_000, completions=1_000_000, events=1_000_000, tokens=0, tokens_out=tokens_out)

    from django.contrib import admin
    from django.db import connection
    from django.utils import timezone

    from coaching.admin import ToolCompletionAdmin
    from coaching.models import AuditRecord, ToolCompletion, ToolCompletionEvent
    from coaching.staff import analytics

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        if not args.no_vacuum:
            print("VACUUM (ANALYZE) tool_completions, tool_completion_events ...", flush=True)
            cursor.execute("VACUUM (ANALYZE) tool_completions, tool_completion_events")
    data = dataset()
    now = timezone.now()
    completions_admin = cast(ToolCompletionAdmin, admin.site.get_model_admin(ToolCompletion))
    events_admin = admin.site.get_model_admin(ToolCompletionEvent)
    some_user = ToolCompletion.objects.order_by().values_list("user_id", flat=True).first()
    audit_before = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def render(view: Callable[..., Any], path: str, query: dict[str, str], *view_args: Any) -> Callable[[], None]:
        def call() -> None:
            response = view(admin_request(path, query), *view_args)
            if hasattr(response, "render"):
                response.render()
            elif response.streaming:
                for _ in response.streaming_content:
                    pass

        return call

    base = "/admin/coaching/toolcompletion/"
    timings = [
        measure("funnel_get", analytics.funnel_get, args.runs),
        measure(
            "completions_per_day_get(days=30)", lambda: analytics.completions_per_day_get(days=30, now=now), args.runs
        ),
        measure(
            "completions_per_day_get(days=90)", lambda: analytics.completions_per_day_get(days=90, now=now), args.runs
        ),
        measure("active_users_get (7 and 30 days)", lambda: analytics.active_users_get(now=now), args.runs),
        measure(
            "admin: analytics page, 90 days (rendered)",
            render(completions_admin.analytics_view, f"{base}analytics/", {"days": "90"}),
            args.runs,
        ),
        measure(
            "admin: completions list, first page",
            render(completions_admin.changelist_view, base, {}),
            args.runs,
        ),
        measure(
            "admin: completions list of one user (audited)",
            render(completions_admin.changelist_view, base, {"user__id__exact": str(some_user)}),
            args.runs,
        ),
        measure(
            "admin: event log, first page",
            render(events_admin.changelist_view, "/admin/coaching/toolcompletionevent/", {}),
            args.runs,
        ),
        measure(
            "admin: CSV export of one tool (~1/5 of the rows)",
            render(completions_admin.export_csv_view, f"{base}export-csv/", {"tool_name": "chat-coach"}),
            max(1, args.runs // 3),
        ),
        measure(
            "admin: CSV export of every completion",
            render(completions_admin.export_csv_view, f"{base}export-csv/", {}),
            1,
        ),
    ]
    # The audited views above wrote audit records as the in-memory staff user: not real staff activity.
    AuditRecord.objects.filter(id__gt=audit_before, staff_username="bench-staff").delete()
    if not args.no_doc:
        write_doc(markdown(timings, data, args))
        print(f"written to {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
