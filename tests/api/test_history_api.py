"""The v1.1 completion endpoints: batch, reset and activity (contract: "Beyond the seed")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from coaching import catalog
from coaching.completions import selectors, services
from coaching.models import ToolCompletion, ToolCompletionEvent, UserSettings

pytestmark = [pytest.mark.pooled, pytest.mark.django_db]

BATCH = "/api/tool-completion/batch"
RESET = "/api/tool-completion/reset"
ACTIVITY = "/api/tool-completion/activity"
PAIRS = [(tool.name, action) for tool in catalog.TOOLS for action in tool.action_names]


def item(tool: str = "chat-coach", action: str = "first_question", **extra: Any) -> dict[str, Any]:
    return {"toolName": tool, "actionName": action, **extra}


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def snapshot(user: Any) -> tuple[list[Any], list[Any]]:
    rows = list(ToolCompletion.objects.filter(user=user).order_by("id").values_list())
    logged = list(ToolCompletionEvent.objects.filter(user=user).order_by("id").values_list())
    return rows, logged


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert body["success"] is False
    return dict(body["error"])


# --- batch --------------------------------------------------------------------------------------


def test_batch_marks_every_item_and_answers_in_request_order(api: Any, user: Any) -> None:
    services.completion_mark(user_id=user.pk, tool_name="date-planner", action_name="idea_generated")
    body = [item("profiel-coach", "bio_generated"), item("date-planner", "idea_generated"), item()]

    response = api.post(BATCH, {"completions": body})

    assert response.status_code == 200
    data = response.json()
    assert data["success"] is True
    assert data["results"] == [
        {"toolName": "profiel-coach", "actionName": "bio_generated", "wasNew": True},
        {"toolName": "date-planner", "actionName": "idea_generated", "wasNew": False},
        {"toolName": "chat-coach", "actionName": "first_question", "wasNew": True},
    ]
    assert [tool["toolName"] for tool in data["progress"]["tools"]] == list(catalog.TOOL_NAMES)
    assert data["progress"]["overall"]["totalCompletions"] == 3
    assert ToolCompletion.objects.filter(user=user).count() == 3


def test_batch_duplicates_count_once_last_metadata_wins_one_event(api: Any, user: Any) -> None:
    body = [item(metadata={"n": 1}), item("profiel-coach", "bio_generated"), item(metadata={"n": 2})]

    data = api.post(BATCH, {"completions": body}).json()

    assert [r["wasNew"] for r in data["results"]] == [True, True, False]  # only the first of a duplicate
    row = ToolCompletion.objects.get(user=user, tool_name="chat-coach")
    assert row.metadata == {"n": 2}
    assert ToolCompletionEvent.objects.filter(user=user, tool_name="chat-coach").count() == 1


def test_batch_completed_at_new_row_takes_it_existing_row_keeps_the_later(api: Any, user: Any) -> None:
    now = timezone.now()
    user.date_joined = now - timedelta(days=1)
    user.save(update_fields=["date_joined"])
    early, late = now - timedelta(hours=3), now - timedelta(hours=1)
    services.completion_mark(
        user_id=user.pk,
        tool_name="chat-coach",
        action_name="first_question",
        metadata={"v": "mid"},
        at=now - timedelta(hours=2),
    )

    data = api.post(
        BATCH,
        {
            "completions": [
                item(metadata={"v": "early"}, completedAt=iso(early)),  # older than the row: row stays
                item("profiel-coach", "bio_generated", completedAt=iso(early), metadata={"v": "new"}),
            ]
        },
    ).json()

    assert [r["wasNew"] for r in data["results"]] == [False, True]
    kept = ToolCompletion.objects.get(user=user, tool_name="chat-coach")
    assert kept.metadata == {"v": "mid"} and kept.completed_at == now - timedelta(hours=2)
    new = ToolCompletion.objects.get(user=user, tool_name="profiel-coach")
    assert new.completed_at == early and new.metadata == {"v": "new"}
    # The older item is still history: a 'repeated' event at its own time.
    repeated = ToolCompletionEvent.objects.get(user=user, tool_name="chat-coach", kind="repeated")
    assert repeated.at == early

    api.post(BATCH, {"completions": [item(metadata={"v": "late"}, completedAt=iso(late))]})
    moved = ToolCompletion.objects.get(user=user, tool_name="chat-coach")
    assert moved.metadata == {"v": "late"} and moved.completed_at == late  # time and metadata together


def test_batch_without_completed_at_uses_now(api: Any, user: Any) -> None:
    before = timezone.now()
    api.post(BATCH, {"completions": [item()]})
    assert ToolCompletion.objects.get(user=user).completed_at >= before


def test_batch_accepts_offsets_other_than_utc(api: Any, user: Any) -> None:
    user.date_joined = timezone.now() - timedelta(days=1)
    user.save(update_fields=["date_joined"])
    at = (timezone.now() - timedelta(minutes=30)).replace(microsecond=0)
    local = at.astimezone(datetime.now().astimezone().tzinfo).isoformat()
    amsterdam = at.astimezone(selectors.zoneinfo.ZoneInfo("Europe/Amsterdam")).isoformat()
    api.post(
        BATCH, {"completions": [item(completedAt=amsterdam), item("profiel-coach", "bio_generated", completedAt=local)]}
    )
    assert set(ToolCompletion.objects.filter(user=user).values_list("completed_at", flat=True)) == {at}


@pytest.mark.parametrize(
    ("completed_at", "why"),
    [
        ("2026-11-25T10:00:00", "no timezone"),
        ("yesterday", "not ISO-8601"),
        (12345, "not a string"),
        ("2026-02-30T10:00:00Z", "no such date"),
    ],
)
def test_batch_completed_at_format_rules(api: Any, user: Any, completed_at: Any, why: str) -> None:
    response = api.post(BATCH, {"completions": [item(), item(completedAt=completed_at)]})
    assert response.status_code == 400, why
    assert error(response)["field"] == "completions[1].completedAt"
    assert snapshot(user) == ([], [])


def test_batch_completed_at_at_most_five_minutes_ahead(api: Any, user: Any) -> None:
    ahead = timezone.now() + timedelta(minutes=6)
    response = api.post(BATCH, {"completions": [item(completedAt=iso(ahead))]})
    assert response.status_code == 400
    assert error(response)["field"] == "completions[0].completedAt"

    skew = timezone.now() + timedelta(minutes=4)
    assert api.post(BATCH, {"completions": [item(completedAt=iso(skew))]}).status_code == 200


def test_batch_completed_at_not_before_the_account(api: Any, user: Any) -> None:
    before_joining = user.date_joined - timedelta(days=1)
    response = api.post(BATCH, {"completions": [item(completedAt=iso(before_joining))]})
    assert response.status_code == 400
    assert "account" in error(response)["message"]
    assert snapshot(user) == ([], [])


def test_one_bad_item_in_a_hundred_writes_nothing(api: Any, user: Any) -> None:
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question", metadata={"v": 1})
    before = snapshot(user)
    body = [item(*PAIRS[i % len(PAIRS)], metadata={"i": i}) for i in range(100)]
    body[73] = item("chat-coach", "no_such_action")

    response = api.post(BATCH, {"completions": body})

    assert response.status_code == 400
    assert error(response) == {**error(response), "code": "unknown_action", "field": "completions[73].actionName"}
    assert snapshot(user) == before


@pytest.mark.parametrize(
    ("bad", "field", "code"),
    [
        (item("no-such-tool"), "completions[1].toolName", "unknown_tool"),
        ({"actionName": "first_question"}, "completions[1].toolName", "invalid_input"),
        (item("chat-coach", None), "completions[1].actionName", "invalid_input"),
        (item(metadata=[1, 2]), "completions[1].metadata", "invalid_metadata"),
        (item(metadata={"x": "y" * 5000}), "completions[1].metadata", "invalid_metadata"),
        ("chat-coach/first_question", "completions[1]", "invalid_input"),
    ],
)
def test_batch_names_the_bad_item(api: Any, user: Any, bad: Any, field: str, code: str) -> None:
    response = api.post(BATCH, {"completions": [item(), bad]})
    assert response.status_code == 400
    assert error(response)["field"] == field
    assert error(response)["code"] == code
    assert snapshot(user) == ([], [])


@pytest.mark.parametrize("completions", [[], [item()] * 101, "all", None, {"0": item()}])
def test_batch_needs_one_to_a_hundred_items(api: Any, user: Any, completions: Any) -> None:
    response = api.post(BATCH, {"completions": completions})
    assert response.status_code == 400
    assert error(response)["field"] == "completions"
    assert snapshot(user) == ([], [])


def test_batch_needs_the_completions_field_and_a_json_object(api: Any) -> None:
    assert error(api.post(BATCH, {}))["field"] == "completions"
    assert api.post(BATCH, [item()]).status_code == 400


def test_a_batch_of_a_hundred_costs_a_fixed_number_of_queries(
    api: Any, user: Any, django_assert_max_num_queries: Any
) -> None:
    body = [item(*PAIRS[i % len(PAIRS)], metadata={"i": i}) for i in range(100)]
    # Authentication, savepoint/commit, one write statement, one progress read: never one per item.
    with django_assert_max_num_queries(6):
        response = api.post(BATCH, {"completions": body})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 100


def test_batch_ignores_a_user_id_in_the_body(api: Any, user: Any, other_user: Any) -> None:
    api.post(BATCH, {"userId": other_user.pk, "completions": [item(userId=other_user.pk)]})
    assert ToolCompletion.objects.filter(user=user).count() == 1
    assert not ToolCompletion.objects.filter(user=other_user).exists()


def test_batch_needs_authentication(client: Any) -> None:
    response = client.post(BATCH, {"completions": [item()]}, content_type="application/json")
    assert response.status_code == 401


# --- reset --------------------------------------------------------------------------------------


def test_reset_one_action_then_mark_is_new_again_and_events_record_both(api: Any, user: Any) -> None:
    api.post("/api/tool-completion/mark-completed", item())
    api.post("/api/tool-completion/mark-completed", item("chat-coach", "practice_completed"))

    response = api.post(RESET, item())

    assert response.status_code == 200
    data = response.json()
    assert data["success"] is True and data["removed"] == 1
    assert data["progress"]["completedActions"] == 1
    assert data["progress"]["actionsCompleted"] == ["practice_completed"]
    again = api.post("/api/tool-completion/mark-completed", item()).json()
    assert again["wasNew"] is True
    kinds = list(
        ToolCompletionEvent.objects.filter(user=user, action_name="first_question")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["completed", "reset", "completed"]


def test_reset_a_whole_tool_and_every_figure_follows(api: Any, user: Any, other_user: Any) -> None:
    for action in catalog.get_tool("chat-coach").action_names:  # type: ignore[union-attr]
        services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name=action)
        services.completion_mark(user_id=other_user.pk, tool_name="chat-coach", action_name=action)
    services.completion_mark(user_id=user.pk, tool_name="date-planner", action_name="idea_generated")

    data = api.post(RESET, {"toolName": "chat-coach"}).json()

    assert data["removed"] == 3
    assert data["progress"] == {
        "toolName": "chat-coach",
        "completedActions": 0,
        "totalActions": 3,
        "actionsCompleted": [],
        "progressPercentage": 0.0,
        "firstCompletion": None,
        "lastCompletion": None,
    }
    progress = api.get("/api/tool-completion/progress").json()
    assert progress["overall"]["totalCompletions"] == 1
    assert api.get("/api/tool-completion/is-completed", item()).json()["isCompleted"] is False
    assert ToolCompletion.objects.filter(user=other_user).count() == 3  # only the caller's rows
    assert ToolCompletionEvent.objects.filter(user=user, kind="reset").count() == 3


def test_reset_of_nothing_removes_zero(api: Any, user: Any) -> None:
    response = api.post(RESET, {"toolName": "foto-advies"})
    assert response.status_code == 200
    assert response.json()["removed"] == 0
    assert snapshot(user) == ([], [])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"toolName": "no-such-tool"}, "toolName"),
        ({"toolName": "chat-coach", "actionName": "bio_generated"}, "actionName"),
        ({"toolName": "chat-coach", "actionName": None}, "actionName"),  # null is not "the whole tool"
        ({"actionName": "first_question"}, "toolName"),
    ],
)
def test_reset_bad_input_is_400_and_removes_nothing(api: Any, user: Any, body: dict[str, Any], field: str) -> None:
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    before = snapshot(user)
    response = api.post(RESET, body)
    assert response.status_code == 400
    assert error(response)["field"] == field
    assert snapshot(user) == before


def test_reset_with_the_cookie_needs_csrf(user: Any) -> None:
    from django.conf import settings
    from django.test import Client

    from coaching.accounts import tokens

    client = Client(enforce_csrf_checks=True)
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    client.cookies[settings.AUTH_COOKIE_NAME] = str(tokens.cookie_token_for(user))
    response = client.post(RESET, {"toolName": "chat-coach"}, content_type="application/json")
    assert response.status_code == 403
    assert ToolCompletion.objects.filter(user=user).count() == 1


# --- activity -----------------------------------------------------------------------------------


def at_event(user: Any, when: datetime, kind: str = "completed") -> None:
    ToolCompletionEvent.objects.create(
        user=user, tool_name="chat-coach", action_name="first_question", kind=kind, at=when
    )


def test_activity_defaults_thirty_days_in_the_users_timezone(api: Any, user: Any) -> None:
    now = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)  # 23:30 in Amsterdam
    at_event(user, now - timedelta(minutes=5))
    at_event(user, now - timedelta(days=1))
    at_event(user, now - timedelta(days=1), kind="reset")  # resets are not activity
    with mock.patch("django.utils.timezone.now", return_value=now):
        data = api.get(ACTIVITY).json()
    assert data["tz"] == "Europe/Amsterdam"
    assert len(data["days"]) == 30
    assert data["days"][0]["date"] == "2026-10-27" and data["days"][-1]["date"] == "2026-11-25"
    assert data["days"][-1]["completions"] == 1 and data["days"][-2]["completions"] == 1
    assert sum(day["completions"] for day in data["days"]) == 2
    assert (data["currentStreak"], data["longestStreak"]) == (2, 2)


def test_activity_follows_the_timezone_setting_and_the_tz_parameter(api: Any, user: Any) -> None:
    now = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)  # 07:30 the next day in Tokyo
    UserSettings.objects.create(user=user, timezone="Asia/Tokyo")
    with mock.patch("django.utils.timezone.now", return_value=now):
        assert api.get(ACTIVITY, {"days": "1"}).json()["days"] == [{"date": "2026-11-26", "completions": 0}]
        data = api.get(ACTIVITY, {"days": "1", "tz": "America/New_York"}).json()
    assert data["tz"] == "America/New_York"
    assert data["days"] == [{"date": "2026-11-25", "completions": 0}]


def test_activity_counts_only_the_callers_events(api: Any, user: Any, other_user: Any) -> None:
    at_event(other_user, timezone.now())
    data = api.get(ACTIVITY, {"days": "7"}).json()
    assert sum(day["completions"] for day in data["days"]) == 0
    assert data["currentStreak"] == data["longestStreak"] == 0


def test_activity_takes_up_to_366_days(api: Any) -> None:
    assert len(api.get(ACTIVITY, {"days": "366"}).json()["days"]) == 366
    assert len(api.get(ACTIVITY, {"days": "1"}).json()["days"]) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"days": "0"}, "days"),
        ({"days": "367"}, "days"),
        ({"days": "-1"}, "days"),
        ({"days": "1.5"}, "days"),
        ({"days": "abc"}, "days"),
        ({"days": ""}, "days"),
        ({"days": "٣"}, "days"),  # a digit, but not an ASCII one
        ({"tz": "Mars/Olympus_Mons"}, "tz"),
        ({"tz": ""}, "tz"),
        ({"tz": "europe/amsterdam"}, "tz"),
    ],
)
def test_activity_bad_parameters_are_400(api: Any, params: dict[str, str], field: str) -> None:
    response = api.get(ACTIVITY, params)
    assert response.status_code == 400
    assert error(response)["field"] == field


def test_activity_needs_authentication(client: Any) -> None:
    assert client.get(ACTIVITY).status_code == 401


# --- streaks across midnight and DST, frozen clocks, two (and more) zones --------------------


def activity(user: Any, tz: str, now: datetime, days: int = 7) -> selectors.Activity:
    return selectors.activity_get(user_id=user.pk, tz=tz, days=days, now=now)


def test_midnight_splits_days_in_local_time_not_utc(user: Any) -> None:
    # 23:59 and 00:01 Amsterdam time (winter, UTC+1): two local days, one UTC day.
    at_event(user, datetime(2026, 11, 23, 22, 59, tzinfo=UTC))
    at_event(user, datetime(2026, 11, 23, 23, 1, tzinfo=UTC))
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    amsterdam = activity(user, "Europe/Amsterdam", now)
    assert [(d.day.isoformat(), d.completions) for d in amsterdam.days[-2:]] == [("2026-11-23", 1), ("2026-11-24", 1)]
    assert amsterdam.current_streak == 2

    london = activity(user, "Europe/London", now)  # both at 22:59/23:01 on the 23rd
    assert [(d.day.isoformat(), d.completions) for d in london.days[-2:]] == [("2026-11-23", 2), ("2026-11-24", 0)]
    assert london.current_streak == 1  # today has none yet: counted back from yesterday


def test_streak_across_the_autumn_dst_change_in_amsterdam(user: Any) -> None:
    # 2026-10-25: clocks go back 03:00 CEST -> 02:00 CET; the day has 25 hours.
    at_event(user, datetime(2026, 10, 23, 21, 30, tzinfo=UTC))  # 23:30 CEST on the 23rd
    at_event(user, datetime(2026, 10, 24, 22, 30, tzinfo=UTC))  # 00:30 CEST on the 25th (not the 24th)
    at_event(user, datetime(2026, 10, 25, 22, 30, tzinfo=UTC))  # 23:30 CET, still the 25th
    now = datetime(2026, 10, 25, 22, 45, tzinfo=UTC)

    result = activity(user, "Europe/Amsterdam", now, days=3)
    assert [(d.day.isoformat(), d.completions) for d in result.days] == [
        ("2026-10-23", 1),
        ("2026-10-24", 0),
        ("2026-10-25", 2),
    ]
    assert (result.current_streak, result.longest_streak) == (1, 1)


def test_streak_across_the_spring_dst_change_in_new_york(user: Any) -> None:
    # 2026-03-08: clocks jump 02:00 EST -> 03:00 EDT; the day has 23 hours.
    for when in (
        datetime(2026, 3, 7, 4, 30, tzinfo=UTC),  # 23:30 EST on the 6th
        datetime(2026, 3, 8, 4, 30, tzinfo=UTC),  # 23:30 EST on the 7th
        datetime(2026, 3, 9, 3, 30, tzinfo=UTC),  # 23:30 EDT on the 8th
        datetime(2026, 3, 9, 4, 30, tzinfo=UTC),  # 00:30 EDT on the 9th
    ):
        at_event(user, when)
    now = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)

    new_york = activity(user, "America/New_York", now, days=4)
    assert [d.completions for d in new_york.days] == [1, 1, 1, 1]
    assert (new_york.current_streak, new_york.longest_streak) == (4, 4)

    # The same instants in Amsterdam fall on the 7th, 8th and twice on the 9th: no event on the 6th.
    amsterdam = activity(user, "Europe/Amsterdam", now, days=4)
    assert [(d.day.isoformat(), d.completions) for d in amsterdam.days] == [
        ("2026-03-06", 0),
        ("2026-03-07", 1),
        ("2026-03-08", 1),
        ("2026-03-09", 2),
    ]
    assert amsterdam.current_streak == 3


def test_quarter_hour_offsets_are_exact(user: Any) -> None:
    # Kathmandu is UTC+05:45: 18:14 UTC is 23:59 local, 18:15 UTC is midnight.
    at_event(user, datetime(2026, 11, 25, 18, 14, 59, tzinfo=UTC))
    at_event(user, datetime(2026, 11, 25, 18, 15, tzinfo=UTC))
    result = activity(user, "Asia/Kathmandu", datetime(2026, 11, 26, 1, 0, tzinfo=UTC), days=2)
    assert [(d.day.isoformat(), d.completions) for d in result.days] == [("2026-11-25", 1), ("2026-11-26", 1)]


def test_a_broken_streak_keeps_the_longest(user: Any) -> None:
    for day in (1, 2, 3, 4, 6, 7):
        at_event(user, datetime(2026, 11, day, 12, 0, tzinfo=UTC))
    result = activity(user, "Europe/Amsterdam", datetime(2026, 11, 7, 18, 0, tzinfo=UTC))
    assert (result.current_streak, result.longest_streak) == (2, 4)
    after_a_gap = activity(user, "Europe/Amsterdam", datetime(2026, 11, 9, 18, 0, tzinfo=UTC))
    assert (after_a_gap.current_streak, after_a_gap.longest_streak) == (0, 4)


@pytest.mark.parametrize(
    ("active", "today", "expected"),
    [
        (set(), 10, (0, 0)),
        ({10}, 10, (1, 1)),
        ({9}, 10, (1, 1)),  # yesterday still counts while today is young
        ({8}, 10, (0, 1)),
        ({8, 9, 10}, 10, (3, 3)),
        ({1, 2, 3, 5, 9, 10}, 10, (2, 3)),
        ({10, 11, 12}, 10, (1, 1)),  # the future does not count
    ],
)
def test_streak_rules(active: set[int], today: int, expected: tuple[int, int]) -> None:
    base = datetime(2026, 1, 1).date()
    days = {base + timedelta(days=n) for n in active}
    assert selectors.streaks(days, base + timedelta(days=today)) == expected


def test_activity_reads_the_events_index(user: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT count(*) FROM tool_completion_events"
            " WHERE user_id = %s AND kind IN ('completed', 'repeated')",
            [user.pk],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "tool_events_user_at_idx" in plan
