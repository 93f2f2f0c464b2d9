"""``completion_changed``: one signal per completion change, sent after the transaction commits.

For whoever wires analytics (or anything else) to completions::

    from django.dispatch import receiver
    from coaching.completions.signals import completion_changed

    @receiver(completion_changed)
    def on_completion_changed(sender, *, user_id, tool_name, action_name, kind, **kwargs):
        ...

``sender`` is :class:`coaching.models.ToolCompletion`; ``kind`` is
``"completed"`` (new), ``"repeated"`` (marked again) or ``"reset"`` (removed),
the same words as ``tool_completion_events.kind``. Sent by the services
(mark, batch, reset, legacy import, account deletion) once the write has
committed, so a receiver never sees a change that was rolled back, and a
receiver that fails cannot undo the change. Writes that bypass the services
(an analyst calling ``mark_action_completed`` in SQL, a delete in the admin)
reach the event log, through its trigger, but not this signal. See docs/HISTORY.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

completion_changed = Signal()


def completion_changed_send(user_id: int, changes: Iterable[tuple[str, str, str]]) -> None:
    """Send ``completion_changed`` for each ``(tool_name, action_name, kind)`` once the current transaction commits."""
    if not completion_changed.has_listeners():  # nobody listens (the metrics off): nothing to do
        return
    changes = list(changes)
    if not changes:
        return

    def send() -> None:
        from coaching.models import ToolCompletion

        for tool_name, action_name, kind in changes:
            # A failing receiver is logged and does not stop the others (the change is already committed).
            for receiver, result in completion_changed.send_robust(
                ToolCompletion, user_id=user_id, tool_name=tool_name, action_name=action_name, kind=kind
            ):
                if isinstance(result, Exception):
                    logger.error("completion_changed receiver %r failed", receiver, exc_info=result)

    transaction.on_commit(send)
