"""The hot endpoints' functions without the token check: authentication happens once, at the edge.

``mark_completed_progress``, ``user_progress_rows`` and ``completion_state`` take a
user id the edge has already authenticated, and ``auth_token_valid`` goes (the
accounts authenticator holds the revocation rule now). The reverse restores the
token-checking versions exactly as 0004 and 0005 applied them.
"""

import importlib

from django.db import migrations

MARK_COMPLETED_PROGRESS = """
CREATE OR REPLACE FUNCTION mark_completed_progress(
    p_user_id bigint,
    p_tool_name text,
    p_action_name text,
    p_metadata jsonb,
    p_at timestamptz
) RETURNS TABLE (
    was_new boolean,
    completed_actions integer,
    total_actions integer,
    actions_completed text[],
    progress_percentage numeric,
    first_completion timestamptz,
    last_completion timestamptz
)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_new boolean;
BEGIN
    -- A mark through mark_action_completed, and the tool's progress as read
    -- after it: one statement for the caller.
    v_new := mark_action_completed(p_user_id, p_tool_name, p_action_name, p_metadata, p_at);
    RETURN QUERY
        SELECT v_new, tp.completed_actions, tp.total_actions, tp.actions_completed,
               tp.progress_percentage, tp.first_completion, tp.last_completion
        FROM (SELECT 1) AS one
        LEFT JOIN tool_progress tp ON tp.user_id = p_user_id AND tp.tool_name = p_tool_name;
END
$$
"""

USER_PROGRESS_ROWS = """
CREATE OR REPLACE FUNCTION user_progress_rows(p_user_id bigint)
RETURNS TABLE (
    kind text,
    tool_name text,
    completed_actions integer,
    total_actions integer,
    actions_completed text[],
    progress_percentage numeric,
    first_at timestamptz,
    last_at timestamptz
)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    -- The user's tool_progress rows ('tool') and user_coaching_progress row
    -- ('overall') in one statement. A function, so PostgreSQL keeps the plans
    -- of these view queries per connection instead of planning the views on
    -- every request.
    RETURN QUERY SELECT 'tool'::text, tp.tool_name::text, tp.completed_actions, tp.total_actions,
                        tp.actions_completed, tp.progress_percentage, tp.first_completion, tp.last_completion
                 FROM tool_progress tp WHERE tp.user_id = p_user_id;
    RETURN QUERY SELECT 'overall'::text, NULL::text, up.tools_used, up.total_completions, NULL::text[],
                        up.overall_progress, up.started_at, up.last_activity
                 FROM user_coaching_progress up WHERE up.user_id = p_user_id;
END
$$
"""

COMPLETION_STATE = """
CREATE OR REPLACE FUNCTION completion_state(p_user_id bigint, p_tool_name text, p_action_name text)
RETURNS TABLE (completed_at timestamptz, metadata jsonb)
LANGUAGE sql STABLE AS $$
    -- Always one row: NULLs when the action is not completed.
    SELECT tc.completed_at, tc.metadata
    FROM (SELECT 1) AS one
    LEFT JOIN tool_completions tc
      ON tc.user_id = p_user_id AND tc.tool_name = p_tool_name AND tc.action_name = p_action_name
$$
"""

# None: this migration removes the object.
SQL_OBJECTS = {
    "auth_token_valid": None,
    "mark_completed_progress": MARK_COMPLETED_PROGRESS,
    "user_progress_rows": USER_PROGRESS_ROWS,
    "completion_state": COMPLETION_STATE,
}

# The token-checking versions differ in their arguments, so they are dropped, not replaced.
DROP_TOKEN_CHECKING = [
    "DROP FUNCTION IF EXISTS completion_state(bigint, text[], text, text, text)",
    "DROP FUNCTION IF EXISTS user_progress_rows(bigint, text[], text)",
    "DROP FUNCTION IF EXISTS mark_completed_progress(bigint, text[], text, text, text, jsonb, timestamptz)",
    "DROP FUNCTION IF EXISTS auth_token_valid(bigint, text[], text)",
]
DROP_TOKEN_FREE = [
    "DROP FUNCTION IF EXISTS completion_state(bigint, text, text)",
    "DROP FUNCTION IF EXISTS user_progress_rows(bigint)",
    "DROP FUNCTION IF EXISTS mark_completed_progress(bigint, text, text, jsonb, timestamptz)",
]


def _applied_before(name: str) -> list[str]:
    """The frozen texts of an earlier migration (history, not live code), for the reverse."""
    return list(importlib.import_module(f"coaching.migrations.{name}").SQL_OBJECTS.values())


class Migration(migrations.Migration):
    dependencies = [("coaching", "0006_events_settings_audit")]

    sql_objects = SQL_OBJECTS

    operations = [
        migrations.RunSQL(
            sql=[*DROP_TOKEN_CHECKING, MARK_COMPLETED_PROGRESS, USER_PROGRESS_ROWS, COMPLETION_STATE],
            reverse_sql=[
                *DROP_TOKEN_FREE,
                *_applied_before("0004_token_check_functions"),
                *_applied_before("0005_read_functions"),
            ],
        )
    ]
