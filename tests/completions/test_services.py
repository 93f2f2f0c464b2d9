"""The completion core on its own: services called with a user id and plain values, no HTTP anywhere.

What they refuse, they refuse with a domain error naming the code and the field, and write nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from coaching.completions import selectors, services
from coaching.completions.batch import completion_batch
from coaching.completions.exceptions import InvalidMetadata, UnknownAction, UnknownTool
from coaching.exceptions import DomainError, InvalidInput
from coaching.models import ToolCompletion, ToolCompletionEvent

# Also run through PgBouncer in transaction mode by `make test-pooled`.
pytestmark = pytest.mark.pooled


def assert_nothing_written() -> None:
    assert ToolCompletion.objects.count() == 0
    assert ToolCompletionEvent.objects.count() == 0


def test_a_new_mark_reports_new_and_the_tools_progress(user: Any) -> None:
    result = services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    assert result.was_new is True
    assert result.progress.actions_completed == ["first_question"]
    assert result.progress.completed_actions == 1 and result.progress.total_actions == 3
    again = services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    assert again.was_new is False


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"tool_name": "nope", "action_name": "bio_generated"}, UnknownTool, "toolName"),
        ({"tool_name": "chat-coach", "action_name": "bio_generated"}, UnknownAction, "actionName"),
        ({"tool_name": "chat-coach", "action_name": "first_question", "metadata": [1]}, InvalidMetadata, "metadata"),
        (
            {"tool_name": "chat-coach", "action_name": "first_question", "metadata": {"x": "é" * 3000}},
            InvalidMetadata,
            "metadata",
        ),
    ],
)
def test_a_refused_mark_raises_a_domain_error_and_writes_nothing(
    user: Any, kwargs: dict[str, Any], error: type[DomainError], field: str
) -> None:
    with pytest.raises(error) as raised:
        services.completion_mark(user_id=user.pk, **kwargs)
    assert raised.value.field == field
    assert raised.value.code == error.code
    assert_nothing_written()


def test_a_batch_with_one_bad_item_raises_naming_it_and_writes_nothing(user: Any) -> None:
    now = timezone.now()
    items = [
        {"toolName": "chat-coach", "actionName": "first_question"},
        {"toolName": "chat-coach", "actionName": "practice_completed", "completedAt": "gisteren"},
    ]
    with pytest.raises(InvalidInput) as raised:
        completion_batch(user_id=user.pk, date_joined=user.date_joined, items=items, now=now)
    assert raised.value.field == "completions[1].completedAt"
    assert raised.value.code == "invalid_input"
    assert_nothing_written()


def test_a_batch_item_from_the_future_is_refused(user: Any) -> None:
    ahead = (timezone.now() + timedelta(hours=1)).isoformat()
    items = [{"toolName": "chat-coach", "actionName": "first_question", "completedAt": ahead}]
    with pytest.raises(InvalidInput, match="future"):
        completion_batch(user_id=user.pk, date_joined=user.date_joined, items=items)
    assert_nothing_written()


def test_reset_of_an_unknown_tool_is_refused(user: Any) -> None:
    with pytest.raises(UnknownTool):
        services.completion_reset(user_id=user.pk, tool_name="nope")


def test_reset_removes_and_reports_the_progress_read_after_it(user: Any) -> None:
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    result = services.completion_reset(user_id=user.pk, tool_name="chat-coach")
    assert result.removed == 1
    assert result.progress.completed_actions == 0
    assert selectors.progress_get(user_id=user.pk).overall.total_completions == 0


def test_legacy_import_refuses_flags_that_are_not_an_object(user: Any) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.legacy_import(user_id=user.pk, flags=["profiel-coach-bio"])
    assert raised.value.field == "flags"
    assert_nothing_written()


def test_the_state_of_one_action_reads_without_any_token(user: Any) -> None:
    services.completion_mark(
        user_id=user.pk, tool_name="gesprek-starter", action_name="opener_generated", metadata={"style": "grappig"}
    )
    state = selectors.completion_state_get(user_id=user.pk, tool_name="gesprek-starter", action_name="opener_generated")
    assert state.is_completed and state.metadata == {"style": "grappig"}
    other = selectors.completion_state_get(user_id=user.pk, tool_name="gesprek-starter", action_name="safety_reviewed")
    assert other.is_completed is False and other.completed_at is None
