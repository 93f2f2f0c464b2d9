"""Staff analytics in the admin: the selectors, the page, the CSV export, the read-only logs and the audit trail."""

from __future__ import annotations

import csv
import io
import json
import re
import zoneinfo
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coaching.completions import services
from coaching.models import AuditRecord, ToolCompletion, ToolCompletionEvent
from coaching.staff import analytics, charts, csv_export
from tests.support import load_bench_script

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
ANALYTICS = "/admin/coaching/toolcompletion/analytics/"
COMPLETIONS = "/admin/coaching/toolcompletion/"
EXPORT = "/admin/coaching/toolcompletion/export-csv/"
EVENTS = "/admin/coaching/toolcompletionevent/"


@pytest.fixture
def staff_client(staff_user: Any) -> Client:
    """A staff member without any model permission."""
    client = Client()
    client.force_login(staff_user)
    return client


def event(user: Any, kind: str, at: datetime, tool: str = "chat-coach", action: str = "first_question") -> None:
    ToolCompletionEvent.objects.create(user=user, tool_name=tool, action_name=action, kind=kind, at=at)


def local(day: Any, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM)


# --- the selectors --------------------------------------------------------------------------


def test_funnel_counts_current_state_per_action_in_catalog_order(
    user: Any, other_user: Any, django_user_model: Any
) -> None:
    third = django_user_model.objects.create_user(username="cas", password="geheim-wachtwoord-4")
    for action in ("profile_completed", "bio_analyzed", "bio_generated"):  # out of order on purpose
        services.completion_mark(user_id=user.pk, tool_name="profiel-coach", action_name=action)
    services.completion_mark(user_id=other_user.pk, tool_name="profiel-coach", action_name="bio_generated")
    services.completion_mark(user_id=third.pk, tool_name="profiel-coach", action_name="bio_analyzed")
    # An action that left the catalog does not count, not even towards "started".
    ToolCompletion.objects.create(user=third, tool_name="foto-advies", action_name="retired_step")
    # A reset action is gone from the current state (its events stay in the log).
    services.completion_mark(user_id=other_user.pk, tool_name="chat-coach", action_name="first_question")
    services.completion_reset(user_id=other_user.pk, tool_name="chat-coach")

    funnels = {funnel.tool_name: funnel for funnel in analytics.funnel_get()}

    assert list(funnels) == ["profiel-coach", "foto-advies", "chat-coach", "gesprek-starter", "date-planner"]
    profiel = funnels["profiel-coach"]
    assert [(s.action_name, s.users) for s in profiel.steps] == [
        ("bio_generated", 2),
        ("bio_analyzed", 2),
        ("profile_completed", 1),
    ]
    assert [s.label for s in profiel.steps] == ["Bio schrijven", "Bio analyseren", "Profiel compleet"]
    assert (profiel.users_started, profiel.users_completed) == (3, 1)
    assert profiel.completion_percentage == pytest.approx(100 / 3)
    assert funnels["foto-advies"].users_started == 0
    assert funnels["foto-advies"].completion_percentage is None
    assert funnels["chat-coach"].users_started == 0
    assert [s.users for s in funnels["chat-coach"].steps] == [0, 0, 0]


def test_completions_per_day_are_amsterdam_days_with_zero_days_and_both_window_edges(
    user: Any, other_user: Any
) -> None:
    # 29 March 2026: the clocks go forward in Amsterdam (UTC+1 until 02:00, UTC+2 after).
    now = datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
    event(user, "completed", datetime(2026, 3, 28, 23, 30, tzinfo=UTC))  # 00:30 on the 29th in Amsterdam
    event(user, "repeated", datetime(2026, 3, 29, 9, 0, tzinfo=UTC))
    event(other_user, "completed", datetime(2026, 3, 28, 22, 59, tzinfo=UTC))  # 23:59 on the 28th
    event(other_user, "reset", datetime(2026, 3, 29, 8, 0, tzinfo=UTC))  # resets are not completions
    event(user, "completed", datetime(2026, 2, 27, 23, 0, tzinfo=UTC))  # 00:00 on 28 Feb: the first day
    event(user, "completed", datetime(2026, 2, 27, 22, 59, tzinfo=UTC))  # 23:59 on 27 Feb: one day too old
    event(user, "completed", datetime(2026, 3, 29, 22, 0, tzinfo=UTC))  # 00:00 on the 30th: tomorrow

    days = analytics.completions_per_day_get(days=30, now=now)

    assert len(days) == 30
    assert days[0].day.isoformat() == "2026-02-28" and days[-1].day.isoformat() == "2026-03-29"
    counts = {d.day.isoformat(): d.completions for d in days if d.completions}
    assert counts == {"2026-02-28": 1, "2026-03-28": 1, "2026-03-29": 2}
    assert sum(d.completions for d in analytics.completions_per_day_get(days=90, now=now)) == 5


def test_completions_per_day_refuses_a_window_outside_1_to_366() -> None:
    now = timezone.now()
    for days in (0, -1, 367):
        with pytest.raises(ValueError):
            analytics.completions_per_day_get(days=days, now=now)


def test_active_users_are_distinct_users_with_completions_in_rolling_windows(
    user: Any, other_user: Any, django_user_model: Any
) -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    third = django_user_model.objects.create_user(username="cas", password="geheim-wachtwoord-4")
    fourth = django_user_model.objects.create_user(username="dirk", password="geheim-wachtwoord-5")
    event(user, "completed", now - timedelta(days=2))
    event(user, "repeated", now - timedelta(days=1))  # the same user twice counts once
    event(other_user, "repeated", now - timedelta(days=7, minutes=1))  # just outside the 7 days
    event(third, "completed", now - timedelta(days=30, minutes=1))  # just outside the 30 days
    event(fourth, "reset", now - timedelta(hours=1))  # a reset is not activity
    event(fourth, "completed", now + timedelta(minutes=1))  # after `now`

    active = analytics.active_users_get(now=now)

    assert (active.last_7_days, active.last_30_days) == (1, 2)


def test_day_chart_scales_bars_to_a_round_ceiling() -> None:
    today = datetime(2026, 6, 1).date()
    days = [analytics.DayCount(today - timedelta(days=2 - i), n) for i, n in enumerate([0, 7, 3])]

    chart = charts.day_chart(days=days)

    assert [t.value for t in chart.ticks] == [0, 2, 4, 6, 8]
    heights = [float(bar.height) for bar in chart.bars]
    assert heights[0] == 0 and heights[1] == pytest.approx(200 * 7 / 8) and heights[2] == pytest.approx(200 * 3 / 8)
    assert chart.total == 10
    assert chart.bars[-1].labelled  # today always has its date


# --- the page -------------------------------------------------------------------------------


def content_main(response: Any) -> str:
    html = response.content.decode()
    return html[html.index('<div id="content-main" class="analytics-page">') : html.index("<!-- END Content -->")]


def chart_data(html: str) -> dict[str, int]:
    return {day: int(n) for day, n in re.findall(r'data-day="([\d-]+)" data-completions="(\d+)"', html)}


def table_data(html: str) -> dict[str, int]:
    table = html[html.index('<table id="per-day-table">') :]
    table = table[: table.index("</table>")]
    return {day: int(n) for day, n in re.findall(r'<time datetime="([\d-]+)">[^<]*</time></th><td>(\d+)</td>', table)}


def funnel_users(html: str, tool_name: str) -> list[int]:
    table = html[html.index(f'id="funnel-{tool_name}"') :]
    table = table[: table.index("</table>")]
    return [int(n) for n in re.findall(r'<td class="users">(\d+)</td>', table)]


def test_page_shows_funnel_chart_and_active_users_to_staff(staff_client: Client, user: Any, other_user: Any) -> None:
    today = timezone.now().astimezone(AMSTERDAM).date()
    for action in ("opener_generated", "platform_selected", "safety_reviewed"):
        services.completion_mark(user_id=user.pk, tool_name="gesprek-starter", action_name=action)
    services.completion_mark(user_id=other_user.pk, tool_name="gesprek-starter", action_name="opener_generated")
    three_days_ago = today - timedelta(days=3)
    event(other_user, "repeated", local(three_days_ago, 0, 5))
    event(other_user, "repeated", local(three_days_ago, 23, 55))
    event(other_user, "reset", local(three_days_ago, 12))
    event(other_user, "completed", local(today - timedelta(days=40), 12))  # only in the 90-day view

    response = staff_client.get(ANALYTICS)

    assert response.status_code == 200
    html = content_main(response)
    assert funnel_users(html, "gesprek-starter") == [2, 1, 1]
    assert funnel_users(html, "chat-coach") == [0, 0, 0]
    assert "50,0 % (1 van 2)" in html
    # The four marks happened now: today, in Amsterdam.
    expected = {today.isoformat(): 4, three_days_ago.isoformat(): 2}
    for data in (chart_data(html), table_data(html)):
        assert len(data) == 30
        assert min(data) == (today - timedelta(days=29)).isoformat() and max(data) == today.isoformat()
        assert {day: n for day, n in data.items() if n} == expected
    assert re.search(r'id="active-7">2<', html) and re.search(r'id="active-30">2<', html)
    assert not AuditRecord.objects.exists()  # aggregates only: nothing to audit


def test_page_switches_between_30_and_90_days(staff_client: Client, user: Any) -> None:
    old = timezone.now().astimezone(AMSTERDAM).date() - timedelta(days=60)
    event(user, "completed", local(old, 12))

    thirty = content_main(staff_client.get(ANALYTICS, {"days": "30"}))
    ninety = content_main(staff_client.get(ANALYTICS, {"days": "90"}))

    assert len(chart_data(thirty)) == 30 and old.isoformat() not in chart_data(thirty)
    assert len(chart_data(ninety)) == 90 and chart_data(ninety)[old.isoformat()] == 1
    assert '<a href="?days=30" aria-current="page">' in thirty and '<a href="?days=90">' in thirty
    assert '<a href="?days=90" aria-current="page">' in ninety
    assert "errornote" not in thirty + ninety


@pytest.mark.parametrize("days", ["7", "abc", "90.0", "-30", ""])
def test_page_answers_another_period_with_30_days(staff_client: Client, days: str) -> None:
    response = staff_client.get(ANALYTICS, {"days": days})

    assert response.status_code == 200
    html = content_main(response)
    assert len(chart_data(html)) == 30
    assert ("Onbekende periode" in html) is (days != "")


def test_page_is_accessible_and_needs_no_inline_style_or_script(staff_client: Client, user: Any) -> None:
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")

    response = staff_client.get(ANALYTICS, {"days": "90"})
    html = content_main(response)

    svg = re.search(r"<svg class=\"analytics-chart\"[^>]*>", html)
    assert svg and 'role="img"' in svg.group(0) and 'aria-label="Staafdiagram' in svg.group(0)
    assert "<title>Voltooiingen per dag" in html
    assert "<caption>Voltooiingen per dag, de laatste 90 dagen</caption>" in html
    assert "style=" not in html and "<script" not in html
    assert '<link rel="stylesheet" href="/static/css/admin-analytics.css">' in response.content.decode()
    # Geometry is never localised (the admin is Dutch: 1,5 would break the SVG).
    for name, value in re.findall(r'\b(x|y|x1|x2|y1|y2|width|height)="([^"]*)"', html):
        assert re.fullmatch(r"\d+(\.\d+)?", value), (name, value)
    assert Client().get("/static/css/admin-analytics.css").status_code == 200


def test_page_refuses_anonymous_and_non_staff(client: Client, user: Any) -> None:
    anonymous = client.get(ANALYTICS)
    client.force_login(user)
    member = client.get(ANALYTICS)

    for response in (anonymous, member):
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_changelist_and_app_index_link_to_the_page_and_the_export(admin_client_: Client) -> None:
    changelist = admin_client_.get(COMPLETIONS, {"tool_name": "chat-coach", "q": "anna", "p": "1"}).content.decode()
    app_index = admin_client_.get("/admin/coaching/").content.decode()

    assert f'<a href="{ANALYTICS}">Statistieken</a>' in changelist
    assert f'<a href="{EXPORT}?tool_name=chat-coach&amp;q=anna" download>Exporteer CSV</a>' in changelist
    assert f'<a href="{ANALYTICS}">Statistieken</a>' in app_index


# --- the CSV export -------------------------------------------------------------------------


@pytest.fixture
def completions(user: Any, other_user: Any) -> None:
    services.completion_mark(
        user_id=user.pk, tool_name="profiel-coach", action_name="bio_generated", metadata={"bioLength": 250}
    )
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    services.completion_mark(user_id=other_user.pk, tool_name="chat-coach", action_name="first_question")
    services.completion_mark(
        user_id=other_user.pk, tool_name="chat-coach", action_name="practice_completed", metadata={"note": "Hé"}
    )


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="completions-')
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def export_link(changelist: Any) -> str:
    match = re.search(r'<a href="([^"]+)" download>Exporteer CSV</a>', changelist.content.decode())
    assert match
    return match.group(1).replace("&amp;", "&")


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"tool_name": "chat-coach"},
        {"q": "anna"},
        {"q": "first_q"},
        {"tool_name": "chat-coach", "q": "bram"},
        {"action_name": "first_question", "o": "1"},
    ],
)
def test_export_has_exactly_the_rows_of_the_filtered_changelist(
    admin_client_: Client, completions: None, query: dict[str, str]
) -> None:
    changelist = admin_client_.get(COMPLETIONS, query)
    listed = {row.pk for row in changelist.context["cl"].result_list}

    exported = csv_rows(admin_client_.get(export_link(changelist)))

    assert {int(row["id"]) for row in exported} == listed
    assert len(exported) == len(listed)


def test_export_rows_match_the_filter_independently_of_the_changelist(
    admin_client_: Client, completions: None, user: Any
) -> None:
    exported = csv_rows(admin_client_.get(EXPORT, {"tool_name": "chat-coach", "q": "anna"}))

    (only,) = ToolCompletion.objects.filter(user=user, tool_name="chat-coach")
    assert exported == [
        {
            "id": str(only.pk),
            "user_id": str(user.pk),
            "username": "anna",
            "tool_name": "chat-coach",
            "action_name": "first_question",
            "completed_at": only.completed_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "metadata": "{}",
        }
    ]


def test_export_covers_every_page_not_just_the_first(admin_client_: Client, django_user_model: Any) -> None:
    for index in range(105):
        member = django_user_model.objects.create_user(username=f"lid-{index}")
        services.completion_mark(user_id=member.pk, tool_name="date-planner", action_name="idea_generated")

    changelist = admin_client_.get(COMPLETIONS, {"p": "2"})
    exported = csv_rows(admin_client_.get(export_link(changelist)))

    assert len(changelist.context["cl"].result_list) == 5
    assert len(exported) == 105


def test_export_writes_compact_json_and_neutralises_formulas(admin_client_: Client, django_user_model: Any) -> None:
    names = ['=HYPERLINK("http://x")', "+31612345678", "-2+3", "@SUM(A1)", "\tverborgen", "\rterug", "gewoon"]
    for name in names:
        member = django_user_model.objects.create(username=name)
        services.completion_mark(
            user_id=member.pk, tool_name="chat-coach", action_name="first_question", metadata={"zin": "=1+1", "n": 2}
        )

    exported = {row["user_id"]: row for row in csv_rows(admin_client_.get(EXPORT))}

    by_name = {name: django_user_model.objects.get(username=name).pk for name in names}
    for name, pk in by_name.items():
        expected = name if name == "gewoon" else "'" + name
        assert exported[str(pk)]["username"] == expected
        assert exported[str(pk)]["metadata"] == '{"n":2,"zin":"=1+1"}'
    for row in exported.values():
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


def test_export_answers_bad_filter_parameters_with_400(admin_client_: Client) -> None:
    response = admin_client_.get(EXPORT, {"completed_at__gte": "not-a-date"})

    assert response.status_code == 400
    assert not AuditRecord.objects.exists()


def test_export_needs_staff_and_the_view_permission(
    client: Client, user: Any, staff_user: Any, staff_client: Client, completions: None
) -> None:
    anonymous = client.get(EXPORT)
    client.force_login(user)
    member = client.get(EXPORT)
    without_permission = staff_client.get(EXPORT)
    staff_user.user_permissions.add(Permission.objects.get(codename="view_toolcompletion"))
    with_permission = staff_client.get(EXPORT)

    assert anonymous.status_code == member.status_code == 302
    assert without_permission.status_code == 403
    assert len(csv_rows(with_permission)) == 4


# --- read-only logs -------------------------------------------------------------------------


def test_event_log_lists_filters_and_refuses_edits(admin_client_: Client, user: Any, other_user: Any) -> None:
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    services.completion_reset(user_id=user.pk, tool_name="chat-coach")
    services.completion_mark(user_id=other_user.pk, tool_name="date-planner", action_name="idea_generated")
    reset = ToolCompletionEvent.objects.get(kind="reset")

    def listed(query: dict[str, str]) -> list[tuple[str, str]]:
        response = admin_client_.get(EVENTS, query)
        assert response.status_code == 200
        return sorted((e.kind, e.tool_name) for e in response.context["cl"].result_list)

    assert listed({}) == [("completed", "chat-coach"), ("completed", "date-planner"), ("reset", "chat-coach")]
    assert listed({"kind__exact": "reset"}) == [("reset", "chat-coach")]
    assert listed({"tool_name": "date-planner"}) == [("completed", "date-planner")]
    assert listed({"at__year": str(reset.at.astimezone(AMSTERDAM).year)}) != []
    changelist = admin_client_.get(EVENTS).content.decode()
    assert "/admin/coaching/toolcompletionevent/add/" not in changelist
    assert 'name="action"' not in changelist  # no bulk delete
    assert admin_client_.get(f"{EVENTS}add/").status_code == 403
    assert admin_client_.post(f"{EVENTS}{reset.pk}/change/", {"kind": "completed"}).status_code == 403
    assert admin_client_.post(f"{EVENTS}{reset.pk}/delete/", {"post": "yes"}).status_code == 403
    reset.refresh_from_db()
    assert reset.kind == "reset"


def test_audit_log_is_read_only(admin_client_: Client, user: Any) -> None:
    admin_client_.get(f"/admin/auth/user/{user.pk}/change/")
    record = AuditRecord.objects.get()
    base = "/admin/coaching/auditrecord/"

    assert admin_client_.get(base).status_code == 200
    assert admin_client_.get(f"{base}add/").status_code == 403
    assert admin_client_.post(f"{base}{record.pk}/change/", {"action": "x"}).status_code == 403
    assert admin_client_.post(f"{base}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = admin_client_.post(base, {"action": "delete_selected", "_selected_action": [record.pk]})
    assert bulk.status_code == 200  # no bulk actions here: the list is shown again
    assert AuditRecord.objects.filter(pk=record.pk, action="user_viewed").exists()
    assert AuditRecord.objects.count() == 1  # browsing the audit log is not itself audited


# --- the audit trail ------------------------------------------------------------------------


def audited() -> list[tuple[str, int | None, str]]:
    return list(AuditRecord.objects.order_by("id").values_list("action", "subject_user_id", "path"))


def test_opening_a_users_page_is_audited(admin_client_: Client, superuser: Any, user: Any) -> None:
    assert admin_client_.get(f"/admin/auth/user/{user.pk}/change/").status_code == 200

    record = AuditRecord.objects.get()
    assert (record.staff_id, record.staff_username) == (superuser.pk, "beheer")
    assert (record.action, record.subject_user_id, record.path) == (
        "user_viewed",
        user.pk,
        f"/admin/auth/user/{user.pk}/change/",
    )


def test_opening_a_completion_or_an_event_is_audited(admin_client_: Client, completions: None, user: Any) -> None:
    completion = ToolCompletion.objects.filter(user=user).first()
    assert completion is not None
    logged = ToolCompletionEvent.objects.filter(user=user).first()
    assert logged is not None

    admin_client_.get(f"{COMPLETIONS}{completion.pk}/change/")
    admin_client_.get(f"{EVENTS}{logged.pk}/change/")

    assert audited() == [
        ("completion_viewed", user.pk, f"{COMPLETIONS}{completion.pk}/change/"),
        ("event_viewed", user.pk, f"{EVENTS}{logged.pk}/change/"),
    ]


def test_lists_narrowed_to_one_user_are_audited(
    admin_client_: Client, completions: None, user: Any, other_user: Any
) -> None:
    admin_client_.get(COMPLETIONS, {"user__id__exact": str(user.pk)})
    admin_client_.get(COMPLETIONS, {"q": "bram"})
    admin_client_.get(EVENTS, {"user__id__exact": str(other_user.pk)})
    admin_client_.get(EVENTS, {"q": "anna", "kind__exact": "completed"})

    assert audited() == [
        ("completions_listed", user.pk, f"{COMPLETIONS}?user__id__exact={user.pk}"),
        ("completions_listed", other_user.pk, f"{COMPLETIONS}?q=bram"),
        ("events_listed", other_user.pk, f"{EVENTS}?user__id__exact={other_user.pk}"),
        ("events_listed", user.pk, f"{EVENTS}?q=anna&kind__exact=completed"),
    ]


def test_every_export_is_audited_with_its_query_string(admin_client_: Client, completions: None, user: Any) -> None:
    csv_rows(admin_client_.get(EXPORT, {"tool_name": "chat-coach"}))
    csv_rows(admin_client_.get(EXPORT, {"q": "anna"}))

    assert audited() == [
        ("completions_exported", None, f"{EXPORT}?tool_name=chat-coach"),  # two users' rows
        ("completions_exported", user.pk, f"{EXPORT}?q=anna"),
    ]


def test_views_of_several_users_or_of_nothing_are_not_audited(
    admin_client_: Client, completions: None, staff_client: Client
) -> None:
    last = ToolCompletion.objects.order_by("pk").last()
    assert last is not None
    responses = [
        admin_client_.get(COMPLETIONS),
        admin_client_.get(COMPLETIONS, {"tool_name": "chat-coach"}),
        admin_client_.get(COMPLETIONS, {"q": "nobody"}),
        admin_client_.get(EVENTS),
        admin_client_.get(f"{COMPLETIONS}{last.pk + 1000}/change/"),  # no such completion
        admin_client_.get("/admin/auth/user/"),
        admin_client_.get("/admin/coaching/auditrecord/"),
        admin_client_.get(ANALYTICS),
        staff_client.get(f"{COMPLETIONS}{last.pk}/change/"),  # no permission: 403, nothing shown
    ]

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 302, 200, 200, 200, 403]
    assert audited() == []


def test_an_audit_record_outlives_the_staff_account(admin_client_: Client, superuser: Any, user: Any) -> None:
    admin_client_.get(f"/admin/auth/user/{user.pk}/change/")
    superuser.delete()

    record = AuditRecord.objects.get()
    assert (record.staff_id, record.staff_username, record.subject_user_id) == (None, "beheer", user.pk)


def test_a_long_path_is_cut_to_the_column(admin_client_: Client, completions: None) -> None:
    assert csv_rows(admin_client_.get(EXPORT, {"q": "anna" + "x" * 600})) == []
    record = AuditRecord.objects.get()
    assert len(record.path) == 500 and record.path.startswith(f"{EXPORT}?q=anna")


# --- query plans on a loaded table ----------------------------------------------------------

PLAN_USERS = 5_000
PLAN_EVENTS = 100_000


@pytest.fixture
def loaded_events(transactional_db: Any) -> datetime:
    """PLAN_USERS users, ~5 completions each, and PLAN_EVENTS events over the last year; vacuumed and analysed.

    A transactional test, so VACUUM can run: an append-only table like the
    event log is vacuumed by autovacuum's insert threshold in production,
    which is what makes its covering index answer without the heap.
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        # Generated in the server: the plans are under test here, not the loading.
        cursor.execute(
            """
            INSERT INTO auth_user (username, password, is_superuser, is_staff, is_active, first_name, last_name,
                                   email, date_joined)
            SELECT 'plan-' || g, '!', false, false, true, '', '', '', %(now)s FROM generate_series(1, %(users)s) g
            """,
            {"now": now, "users": PLAN_USERS},
        )
        # About five of the fifteen catalog actions per user (the trigger logs each as an event too).
        cursor.execute(
            """
            INSERT INTO tool_completions (user_id, tool_name, action_name, metadata, completed_at)
            SELECT u.id, c.tool_name, c.action_name, '{}', %(now)s
            FROM auth_user u JOIN tool_catalog c ON (u.id + c.tool_position * 3 + c.action_position) %% 3 = 0
            WHERE u.username LIKE 'plan-%%'
            """,
            {"now": now},
        )
        cursor.execute(
            """
            INSERT INTO tool_completion_events (user_id, tool_name, action_name, kind, at)
            SELECT u.low + g %% %(users)s, 'chat-coach', 'first_question',
                   (ARRAY['completed', 'repeated', 'completed', 'reset'])[g %% 4 + 1],
                   %(now)s - make_interval(secs => (g * 7919) %% (365 * 86400))
            FROM generate_series(0, %(events)s - 1) g,
                 (SELECT min(id) AS low FROM auth_user WHERE username LIKE 'plan-%%') u
            """,
            {"now": now, "users": PLAN_USERS, "events": PLAN_EVENTS},
        )
        cursor.execute("VACUUM (ANALYZE) tool_completion_events")
        cursor.execute("VACUUM (ANALYZE) tool_completions")
        cursor.execute("ANALYZE auth_user")
    return now


def statements_of(call: Any) -> list[str]:
    """The SQL a selector runs, with its parameters bound, as PostgreSQL receives it."""
    with CaptureQueriesContext(connection) as captured:
        call()
    return [query["sql"] for query in captured.captured_queries]


def plan_nodes(sql: str) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    found, stack = [], [plan]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.get("Plans", []))
    return found


def assert_index_only_on_events(sql: str) -> None:
    nodes = plan_nodes(sql)
    on_events = [n for n in nodes if n.get("Relation Name") == "tool_completion_events"]
    assert on_events, nodes
    assert all(n["Node Type"] == "Index Only Scan" for n in on_events), nodes
    assert {n["Index Name"] for n in on_events} == {"tool_events_at_idx"}, nodes
    assert not [n for n in nodes if n.get("Relation Name") in ("tool_completions", "auth_user")], nodes


def test_window_queries_read_only_the_events_at_index_and_would_scan_without_it(loaded_events: datetime) -> None:
    statements = [
        *statements_of(lambda: analytics.completions_per_day_get(days=30, now=loaded_events)),
        *statements_of(lambda: analytics.completions_per_day_get(days=90, now=loaded_events)),
        *statements_of(lambda: analytics.active_users_get(now=loaded_events)),
    ]
    assert len(statements) == 3
    for sql in statements:
        assert_index_only_on_events(sql)
    # The check can fail: without tool_events_at_idx the planner reads the whole table.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX tool_events_at_idx")
        for sql in statements:
            with pytest.raises(AssertionError):
                assert_index_only_on_events(sql)
        transaction.set_rollback(True)  # DDL is transactional: the index stays for the next test


def test_funnel_reads_the_current_state_in_one_pass(loaded_events: datetime) -> None:
    (sql,) = statements_of(analytics.funnel_get)
    nodes = plan_nodes(sql)
    scans = [n for n in nodes if n.get("Relation Name") == "tool_completions"]
    assert len(scans) == 1, nodes
    assert not [n for n in nodes if n.get("Relation Name") in ("tool_completion_events", "auth_user")], nodes


# --- the benchmark seed ---------------------------------------------------------------------


def test_bench_seed_replaces_the_event_log_with_events_over_120_days(transactional_db: Any, tmp_path: Any) -> None:
    started = timezone.now()
    tokens_out = tmp_path / "tokens.json"
    bench_seed = load_bench_script("seed")
    bench_seed.seed(users=20, completions=100, events=500, tokens=0, tokens_out=tokens_out)

    logged = ToolCompletionEvent.objects.filter(user__username__startswith="bench-")
    assert logged.count() == 500  # the completions' trigger-logged events are gone
    assert ToolCompletion.objects.filter(user__username__startswith="bench-").count() == 100
    assert set(logged.values_list("kind", flat=True)) == {"completed", "repeated", "reset"}
    assert logged.filter(at__lt=started - timedelta(days=bench_seed.EVENT_DAYS)).count() == 0
    assert logged.filter(at__gt=timezone.now()).count() == 0
    assert logged.filter(at__lt=started - timedelta(days=90)).exists()  # the 90-day view has a full window


def test_export_reads_keyset_pages_not_a_server_side_cursor(
    admin_client_: Client, django_user_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A transaction-mode pooler cannot keep a cursor open between statements; pages keyed on the id need none.
    monkeypatch.setattr(csv_export, "EXPORT_PAGE_ROWS", 10)
    for index in range(25):
        member = django_user_model.objects.create_user(username=f"pagina-{index}")
        services.completion_mark(user_id=member.pk, tool_name="chat-coach", action_name="first_question")

    with CaptureQueriesContext(connection) as queries:
        exported = csv_rows(admin_client_.get(EXPORT))

    ids = [int(row["id"]) for row in exported]
    assert len(set(ids)) == 25 and ids == sorted(ids, reverse=True)
    pages = [q["sql"] for q in queries.captured_queries if "tool_completions" in q["sql"] and "LIMIT 10" in q["sql"]]
    assert len(pages) == 3
