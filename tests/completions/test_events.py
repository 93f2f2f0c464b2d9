"""The append-only event log: every write path records, in the same transaction; and the completion_changed signal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection, transaction

from coaching.completions import services
from coaching.completions.signals import completion_changed
from coaching.models import ToolCompletion, ToolCompletionEvent

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def events(user: Any) -> list[tuple[str, str, str]]:
    return list(
        ToolCompletionEvent.objects.filter(user=user).order_by("id").values_list("tool_name", "action_name", "kind")
    )


def test_mark_then_repeat_logs_completed_then_repeated_at_the_apps_clock(user: Any) -> None:
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question", at=AT)
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")

    logged = list(ToolCompletionEvent.objects.filter(user=user).order_by("id"))
    assert [e.kind for e in logged] == ["completed", "repeated"]
    assert logged[0].at == AT
    assert logged[1].at == ToolCompletion.objects.get(user=user).completed_at


def test_the_sql_function_path_writes_the_log_too(user: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT mark_action_completed(%s, 'date-planner', 'idea_generated')", [user.pk])
        cursor.execute("SELECT mark_action_completed(%s, 'date-planner', 'idea_generated')", [user.pk])
    assert events(user) == [
        ("date-planner", "idea_generated", "completed"),
        ("date-planner", "idea_generated", "repeated"),
    ]


def test_an_orm_delete_logs_a_reset(user: Any) -> None:
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    ToolCompletion.objects.filter(user=user).delete()  # e.g. staff in the admin
    assert [kind for *_, kind in events(user)] == ["completed", "reset"]


def test_a_rolled_back_mark_leaves_no_event(user: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
        raise RuntimeError("the surrounding transaction fails")
    assert events(user) == []
    assert not ToolCompletion.objects.filter(user=user).exists()


def test_legacy_import_logs_only_what_it_created(user: Any) -> None:
    services.completion_mark(user_id=user.pk, tool_name="profiel-coach", action_name="bio_generated")
    services.legacy_import(user_id=user.pk, flags={"profiel-coach-bio": "true", "chat-coach-practice": "true"})
    assert events(user) == [
        ("profiel-coach", "bio_generated", "completed"),
        ("chat-coach", "practice_completed", "completed"),
    ]


def test_the_event_table_refuses_unknown_kinds(user: Any) -> None:
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        ToolCompletionEvent.objects.create(
            user=user, tool_name="chat-coach", action_name="first_question", kind="deleted", at=AT
        )


# --- the signal -------------------------------------------------------------------------------


@pytest.fixture
def received() -> Any:
    calls: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        calls.append({key: kwargs[key] for key in ("user_id", "tool_name", "action_name", "kind")})

    completion_changed.connect(receiver, dispatch_uid="test-receiver")
    yield calls
    completion_changed.disconnect(dispatch_uid="test-receiver")


def test_signal_carries_user_tool_action_and_kind_after_commit(
    user: Any, received: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    assert received == []  # not before the commit
    for callback in callbacks:
        callback()
    assert received == [
        {"user_id": user.pk, "tool_name": "chat-coach", "action_name": "first_question", "kind": "completed"}
    ]

    with django_capture_on_commit_callbacks(execute=True):
        services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
        services.completion_reset(user_id=user.pk, tool_name="chat-coach")
    assert [call["kind"] for call in received] == ["completed", "repeated", "reset"]


def test_no_signal_for_a_rolled_back_change(
    user: Any, received: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
        raise RuntimeError("rolled back")
    assert received == []


def test_a_failing_receiver_does_not_break_the_write_or_other_receivers(
    user: Any, received: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    def broken(sender: Any, **kwargs: Any) -> None:
        raise ValueError("analytics is down")

    completion_changed.connect(broken, dispatch_uid="broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    finally:
        completion_changed.disconnect(dispatch_uid="broken")
    assert result.was_new
    assert len(received) == 1
