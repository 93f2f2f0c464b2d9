"""The staff audit trail: who looked at or exported which user's data in the admin, and where."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from coaching.models import AuditRecord

# AuditRecord.action values.
USER_VIEWED = "user_viewed"
COMPLETION_VIEWED = "completion_viewed"
COMPLETIONS_LISTED = "completions_listed"
COMPLETIONS_EXPORTED = "completions_exported"
EVENT_VIEWED = "event_viewed"
EVENTS_LISTED = "events_listed"

PATH_MAX_LENGTH = AuditRecord._meta.get_field("path").max_length or 500


def audit_record(*, request: HttpRequest, action: str, subject_user_id: int | None) -> AuditRecord:
    """Record that the signed-in staff member did ``action`` to ``subject_user_id``'s data (None: several users').

    The path keeps its query string (the filters and search of a list or an
    export), cut to the column's length.
    """
    staff = request.user
    return AuditRecord.objects.create(
        staff_id=staff.pk,
        staff_username=staff.get_username(),
        action=action,
        subject_user_id=subject_user_id,
        path=request.get_full_path()[:PATH_MAX_LENGTH],
    )


def single_user_of(queryset: QuerySet[Any]) -> int | None:
    """The one user whose rows ``queryset`` holds, or None when it holds none or several users' rows.

    Two short reads: any row's user, then whether a row of another user
    exists; both stop at the first row they find.
    """
    user_ids = queryset.order_by().values_list("user_id", flat=True)
    first = list(user_ids[:1])
    if not first or user_ids.exclude(user_id=first[0]).exists():
        return None
    return int(first[0])
