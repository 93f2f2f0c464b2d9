"""Property-based tests of the service layer: whatever the sequence of marks, the state stays exact."""

from __future__ import annotations

import threading
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coaching import catalog
from coaching.completions import selectors, services
from coaching.completions.batch import completion_batch
from coaching.models import ToolCompletion

pytestmark = pytest.mark.django_db

PAIRS = [(tool.name, action) for tool in catalog.TOOLS for action in tool.action_names]
metadata = st.dictionaries(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8),
    st.one_of(st.integers(-(10**6), 10**6), st.booleans(), st.text(max_size=20).filter(lambda s: "\x00" not in s)),
    max_size=4,
)
marks = st.lists(st.tuples(st.sampled_from(PAIRS), metadata), max_size=40)


def percent(done: int, total: int) -> float:
    return float((Decimal(100 * done) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=marks)
def test_any_sequence_of_marks_leaves_one_row_per_action_and_exact_progress(user: Any, sequence: list[Any]) -> None:
    ToolCompletion.objects.filter(user=user).delete()
    seen: dict[tuple[str, str], dict[str, Any]] = {}

    for (tool, action), meta in sequence:
        result = services.completion_mark(user_id=user.pk, tool_name=tool, action_name=action, metadata=meta)
        assert result.was_new == ((tool, action) not in seen)
        seen[(tool, action)] = meta
        assert 0.0 <= result.progress.progress_percentage <= 100.0

    rows = {(r.tool_name, r.action_name): r.metadata for r in ToolCompletion.objects.filter(user=user)}
    assert rows == seen  # one row per (tool, action), holding the last metadata
    progress = selectors.progress_get(user_id=user.pk)
    for tool_progress in progress.tools:
        tool = catalog.TOOLS_BY_NAME[tool_progress.tool_name]
        done = [a for a in tool.action_names if (tool.name, a) in seen]
        assert tool_progress.actions_completed == done
        assert tool_progress.completed_actions == len(done)
        assert tool_progress.progress_percentage == percent(len(done), len(tool.actions))
    assert progress.overall.total_completions == len(seen)
    assert progress.overall.overall_progress == percent(len(seen), catalog.total_actions())
    assert 0.0 <= progress.overall.overall_progress <= 100.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    flags=st.dictionaries(
        st.sampled_from([*catalog.LEGACY_KEYS, "x-y", "profiel-coach"]),
        st.sampled_from(["true", "false", True, 1]),
        max_size=20,
    )
)
def test_legacy_import_marks_exactly_the_true_known_keys(user: Any, flags: dict[str, Any]) -> None:
    ToolCompletion.objects.filter(user=user).delete()
    result = services.legacy_import(user_id=user.pk, flags=flags)
    expected = {catalog.LEGACY_KEYS[k] for k, v in flags.items() if k in catalog.LEGACY_KEYS and v == "true"}
    assert {(i.tool_name, i.action_name) for i in result.imported} == expected
    assert set(ToolCompletion.objects.filter(user=user).values_list("tool_name", "action_name")) == expected
    assert sorted(result.ignored) == sorted(
        k for k in flags if catalog.LEGACY_KEYS.get(k) not in expected or flags[k] != "true"
    )


@pytest.mark.django_db(transaction=True)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(st.sampled_from(PAIRS), min_size=1, max_size=6), min_size=2, max_size=6))
def test_concurrent_marks_leave_one_row_and_one_new_per_action(user: Any, batches: list[list[Any]]) -> None:
    ToolCompletion.objects.filter(user=user).delete()
    results: list[tuple[tuple[str, str], bool]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(batches))

    def worker(batch: list[tuple[str, str]]) -> None:
        try:
            barrier.wait(timeout=30)
            for tool, action in batch:
                was_new = services.completion_mark(user_id=user.pk, tool_name=tool, action_name=action).was_new
                with lock:
                    results.append(((tool, action), was_new))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    marked = {pair for batch in batches for pair in batch}
    assert len(results) == sum(len(batch) for batch in batches)
    for pair in marked:
        assert [new for p, new in results if p == pair].count(True) == 1  # exactly one caller saw it new
    rows = set(ToolCompletion.objects.filter(user=user).values_list("tool_name", "action_name"))
    assert rows == marked
    progress = selectors.progress_get(user_id=user.pk)
    assert progress.overall.total_completions == len(marked)
    assert progress.overall.overall_progress == percent(len(marked), catalog.total_actions())


# Marks, batches and resets mixed: the event log replayed gives the current state, and every wasNew is exact.
operations = st.lists(
    st.one_of(
        st.tuples(st.just("mark"), st.sampled_from(PAIRS)),
        st.tuples(st.just("batch"), st.lists(st.sampled_from(PAIRS), min_size=1, max_size=6)),
        st.tuples(st.just("reset"), st.sampled_from(PAIRS), st.booleans()),
    ),
    max_size=25,
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=operations)
def test_the_event_log_replays_to_the_current_state(user: Any, sequence: list[Any]) -> None:
    from coaching.models import ToolCompletionEvent

    ToolCompletion.objects.filter(user=user).delete()
    ToolCompletionEvent.objects.filter(user=user).delete()
    done: set[tuple[str, str]] = set()

    for operation in sequence:
        if operation[0] == "mark":
            (tool, action) = operation[1]
            result = services.completion_mark(user_id=user.pk, tool_name=tool, action_name=action)
            assert result.was_new == ((tool, action) not in done)
            done.add((tool, action))
        elif operation[0] == "batch":
            batch = completion_batch(
                user_id=user.pk,
                date_joined=user.date_joined,
                items=[{"toolName": tool, "actionName": action} for tool, action in operation[1]],
            )
            for item in batch.results:
                key = (item.tool_name, item.action_name)
                assert item.was_new == (key not in done)
                done.add(key)
        else:
            (tool, action), whole_tool = operation[1], operation[2]
            reset = services.completion_reset(
                user_id=user.pk, tool_name=tool, action_name=None if whole_tool else action
            )
            gone = {key for key in done if key[0] == tool and (whole_tool or key[1] == action)}
            assert reset.removed == len(gone)
            done -= gone

    replayed: set[tuple[str, str]] = set()
    for event in ToolCompletionEvent.objects.filter(user=user).order_by("id"):
        key = (event.tool_name, event.action_name)
        if event.kind == "completed":
            assert key not in replayed
            replayed.add(key)
        elif event.kind == "repeated":
            assert key in replayed
        else:
            replayed.remove(key)
    assert replayed == done == set(ToolCompletion.objects.filter(user=user).values_list("tool_name", "action_name"))
