"""Concurrent marks on real connections: the upsert decides, not Python."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from coaching.completions import services
from coaching.completions.batch import completion_batch
from coaching.models import ToolCompletion

# Also run through PgBouncer in transaction mode by `make test-pooled`.
pytestmark = pytest.mark.pooled

THREADS = 16


def run_in_threads(count: int, work: Any) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_marks_create_one_row_and_one_new(user: Any) -> None:
    def work(index: int) -> bool:
        result = services.completion_mark(
            user_id=user.pk, tool_name="chat-coach", action_name="first_question", metadata={"thread": index}
        )
        return result.was_new

    was_new = run_in_threads(THREADS, work)

    assert was_new.count(True) == 1
    assert ToolCompletion.objects.filter(user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_marks_of_different_actions_all_land(user: Any) -> None:
    from coaching import catalog

    pairs = [(tool.name, action) for tool in catalog.TOOLS for action in tool.action_names]

    def work(index: int) -> bool:
        tool, action = pairs[index]
        return services.completion_mark(user_id=user.pk, tool_name=tool, action_name=action).was_new

    assert all(run_in_threads(len(pairs), work))
    assert ToolCompletion.objects.filter(user=user).count() == len(pairs)


@pytest.mark.django_db(transaction=True)
def test_catalog_survives_the_flush_of_transactional_tests() -> None:
    # The flush after each transactional test truncates tool_catalog; the
    # post_migrate hook re-seeds it. This test runs after the ones above.
    from coaching.models import CatalogAction

    assert CatalogAction.objects.count() == 15


@pytest.mark.django_db(transaction=True)
def test_batches_racing_single_marks_of_the_same_action_create_it_once(user: Any) -> None:
    from coaching.models import ToolCompletionEvent

    target = ("chat-coach", "first_question")
    others = [("profiel-coach", "bio_generated"), ("date-planner", "idea_generated")]

    def work(index: int) -> list[bool]:
        if index % 2:
            result = services.completion_mark(user_id=user.pk, tool_name=target[0], action_name=target[1])
            return [result.was_new]
        # Batches list the actions in different orders: the service locks them in one order (no deadlock).
        pairs = [target, *others] if index % 4 else [*reversed(others), target]
        batch = completion_batch(
            user_id=user.pk,
            date_joined=user.date_joined,
            items=[{"toolName": tool, "actionName": action} for tool, action in pairs],
        )
        return [r.was_new for r in batch.results if (r.tool_name, r.action_name) == target]

    outcomes = [flag for flags in run_in_threads(THREADS, work) for flag in flags]

    assert outcomes.count(True) == 1
    assert ToolCompletion.objects.filter(user=user, tool_name=target[0], action_name=target[1]).count() == 1
    created = ToolCompletionEvent.objects.filter(user=user, tool_name=target[0], kind="completed")
    assert created.count() == 1
    assert ToolCompletionEvent.objects.filter(user=user, tool_name=target[0]).count() == THREADS
