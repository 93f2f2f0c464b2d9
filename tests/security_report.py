"""Render docs/SECURITY.md from what the last test run wrote (test-results/security.json).

`make test` runs it after pytest; by hand: `.venv/bin/python -m tests.security_report`.
Each threat names its defence and the tests that prove it; the counts and
outcomes come from the run, never typed by hand.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "test-results" / "security.json"
DOC = ROOT / "docs" / "SECURITY.md"


@dataclass(frozen=True)
class Threat:
    threat: str
    defence: str
    tests: tuple[str, ...]  # node id fragments
    facts: tuple[tuple[str, str], ...] = ()  # (fact key, how to say it)


THREATS = (
    Threat(
        "Hostile JSON: 1e400, NaN, lone surrogates, NUL, nesting thousands deep, huge integers, non-UTF-8",
        "A strict JSON parser refuses each with a 400 before any view runs (datespark/http/parsers.py)",
        ("test_api.py::test_hostile_json_is_400_and_writes_nothing",),
    ),
    Threat(
        "Huge bodies, wrong content types, wrong methods, unknown paths",
        "Body bounds checked by Content-Length before parsing (413, body drained); 415; 405; JSON 404",
        (
            "test_api.py::test_body_over_the_bound_is_413",
            "test_api.py::test_mark_with_text_plain_is_415",
            "test_api.py::test_mark_with_wrong_method_is_405",
            "test_api.py::test_unknown_api_path_is_json_404",
            "test_views.py::test_photo_upload_over_the_page_bound_is_413",
        ),
    ),
    Threat(
        "Anything else a client can send to any endpoint",
        "The OpenAPI schema, fuzzed by schemathesis with all its checks: no 5xx, no undocumented status",
        ("test_fuzz.py::", "test_schema.py::"),
        (("fuzz_cases", "generated requests"),),
    ),
    Threat(
        "Forged or stolen tokens: alg none, wrong algorithm or key, tampered signature or payload, "
        "a refresh token used as an access token, expired tokens",
        "simplejwt with HS256 only, token type checked; 401 with WWW-Authenticate",
        (
            "test_auth.py::test_alg_none_is_401",
            "test_auth.py::test_wrong_algorithm_is_401",
            "test_auth.py::test_wrong_key_is_401",
            "test_auth.py::test_tampered_",
            "test_auth.py::test_refresh_token_as_access_token_is_401",
            "test_auth.py::test_expired_token_is_401",
            "test_auth.py::test_malformed_authorization_header_is_401",
        ),
    ),
    Threat(
        "Tokens that should be dead: after logout, password change, deactivation, account deletion",
        "One authenticator at the edge (session/jti revocation list, password fingerprint, active user), "
        "one indexed query on every authenticated request",
        (
            "test_api.py::test_hot_endpoints_refuse_spoiled_tokens",
            "test_auth.py::test_logout_",
            "test_auth.py::test_password_change_",
            "test_auth.py::test_token_of_a_",
        ),
    ),
    Threat(
        "Cross-site request forgery with the cookie",
        "CSRF enforced whenever the cookie authenticated (API) and on every form and htmx request (pages)",
        (
            "test_auth.py::test_cookie_request_with",
            "test_views.py::test_actions_need_csrf",
            "test_views.py::test_login_form_needs_csrf",
        ),
    ),
    Threat(
        "Password guessing and mass registration",
        "Rate limits per username and per client IP in a table shared by all workers; 429 with Retry-After; "
        "X-Forwarded-For believed only from trusted proxies",
        (
            "test_auth.py::test_failed_logins_",
            "test_auth.py::test_registrations_",
            "test_auth.py::test_forwarded_for_",
            "test_auth.py::test_trusted_proxy_",
            "test_views.py::test_login_is_rate_limited",
        ),
    ),
    Threat(
        "Reading or writing another user's data",
        "Every query is scoped to the authenticated user; a userId in a body is ignored; photos 404 for others",
        (
            "test_api.py::test_user_id_in_body_is_ignored",
            "test_api.py::test_progress_shows_only_own_data",
            "test_api.py::test_is_completed_does_not_see_other_users",
            "test_views.py::test_dashboard_shows_only_own",
            "test_views.py::test_photo_upload_stores_a_clean_jpeg_for_the_owner_only",
        ),
    ),
    Threat(
        "Exporting, resetting or erasing someone else's data; an erasure that leaves traces",
        "Export, reset and deletion act on the authenticated user only; deletion needs the password (rate-limited "
        "like a login) and removes rows, events, settings, files and the rate-limit counter in one transaction; "
        "every token dies with the user",
        (
            "test_data_ownership.py::",
            "test_history_api.py::test_reset_",
            "test_pages_data.py::test_delete_",
            "test_pages_data.py::test_export_",
        ),
    ),
    Threat(
        "Staff overreach and spreadsheet formula injection",
        "Analytics and exports for staff only (exports also need the model permission); staff views of one user's "
        "data and every export leave an audit record; CSV cells starting with = + - @ tab CR are neutralised",
        (
            "test_analytics.py::test_page_refuses_anonymous_and_non_staff",
            "test_analytics.py::test_export_",
            "test_analytics.py::test_opening_",
            "test_analytics.py::test_lists_narrowed_to_one_user_are_audited",
            "test_analytics.py::test_every_export_is_audited_with_its_query_string",
            "test_analytics.py::test_audit_log_is_read_only",
        ),
    ),
    Threat(
        "Malicious uploads: non-images, decompression bombs, location data in EXIF",
        "Pillow verification, size and pixel limits, re-encoding without EXIF/GPS, random names outside the web root",
        ("test_tools.py::", "test_views.py::test_photo_"),
    ),
    Threat(
        "Script injection, clickjacking, an insecure deployment",
        "Autoescaping, a strict Content-Security-Policy (browser tests fail on any violation), frame-ancestors "
        "'none', HSTS, secure cookies, `check --deploy` clean, secrets only from the environment",
        ("test_deploy.py::", "e2e/test_browser.py::"),
    ),
    Threat(
        "The database stops, goes read-only, or a worker dies mid-request",
        "Connect/statement/lock timeouts, 503 JSON for an unavailable database, one atomic statement per write",
        ("test_faults.py::",),
        (
            ("faults_database_stopped", "database stops (pg_ctl)"),
            ("faults_database_read_only", "read-only switches"),
            ("faults_workers_killed", "workers killed with SIGKILL under load"),
            ("acknowledged_writes_counted", "acknowledged writes counted in the database"),
            ("acknowledged_writes_lost", "acknowledged writes lost"),
        ),
    ),
    Threat(
        "A full disk",
        "Uploads are all or nothing: no row, no completion, no half-written file; a 503 with a message",
        ("test_views.py::test_a_full_disk_fails_the_upload_cleanly",),
        (("faults_disk_full", "uploads onto a full tmpfs"),),
    ),
    Threat(
        "Secrets in logs",
        "Request ids instead of payloads: no tokens, passwords or metadata logged; reset tokens masked in access logs",
        ("test_logging.py::",),
    ),
    Threat(
        "Unbounded growth of revocation and rate-limit records",
        "`manage.py purge_expired`, for operators to schedule",
        ("test_commands.py::test_purge_expired",),
    ),
)


def render(outcomes: dict[str, str], facts: dict[str, int], when: str) -> str:
    lines = [
        "# Security",
        "",
        "Each threat, the defence, and the tests that prove it, with the numbers from the last test run.",
        f"*Generated by `make test` ({when}) from `test-results/security.json`; do not edit by hand.*",
        "",
        "| threat | defence | tests (passed / run) | numbers from the run |",
        "|---|---|---|---|",
    ]
    all_passed = True
    for threat in THREATS:
        matched = {node: outcome for node, outcome in outcomes.items() if any(t in node for t in threat.tests)}
        passed = sum(1 for outcome in matched.values() if outcome == "passed")
        all_passed &= bool(matched) and passed == len(matched)
        numbers = "; ".join(f"{facts.get(key, 0)} {label}" for key, label in threat.facts) or "–"
        files = ", ".join(sorted({t.split("::")[0] for t in threat.tests}))
        lines.append(f"| {threat.threat} | {threat.defence} | {passed} / {len(matched)} in {files} | {numbers} |")
    total = len(outcomes)
    total_passed = sum(1 for outcome in outcomes.values() if outcome == "passed")
    lines += [
        "",
        f"Whole run: {total_passed} of {total} tests passed.",
        "",
        "Rate limits (settings, from the environment): 20 registrations a minute per client IP, 10 failed password "
        "checks per username and 50 per client IP in 15 minutes. The tool-completion endpoints are never rate-limited.",
        "",
    ]
    if not all_passed:
        lines.insert(4, "**Warning: some of these tests did not pass in the run this page was generated from.**\n")
    return "\n".join(lines)


def main() -> int:
    if not RESULTS.exists():
        print(f"No {RESULTS}: run the tests first.", file=sys.stderr)
        return 1
    data = json.loads(RESULTS.read_text())
    when = datetime.fromtimestamp(RESULTS.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
    DOC.write_text(render(data["outcomes"], data["facts"], when))
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
