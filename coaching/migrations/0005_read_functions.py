"""Functions for the progress and is-completed endpoints, token check included, as applied then.

Replaced by token-free versions in migration 0007.
"""

from django.db import migrations

USER_PROGRESS_ROWS = """
CREATE OR REPLACE FUNCTION user_progress_rows(p_user_id bigint, p_revocation_keys text[], p_fingerprint text)
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
    -- The progress endpoint in one round trip: one 'auth' row when the token
    -- holds (NULL fingerprint: the caller already authenticated the user),
    -- then the tool_progress rows and the user_coaching_progress row. A
    -- function, so PostgreSQL keeps the plans of these view queries per
    -- connection instead of planning the views on every request.
    IF p_fingerprint IS NOT NULL AND NOT auth_token_valid(p_user_id, p_revocation_keys, p_fingerprint) THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT 'auth'::text, NULL::text, NULL::integer, NULL::integer, NULL::text[], NULL::numeric,
                        NULL::timestamptz, NULL::timestamptz;
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
CREATE OR REPLACE FUNCTION completion_state(
    p_user_id bigint, p_revocation_keys text[], p_fingerprint text, p_tool_name text, p_action_name text
) RETURNS TABLE (completed_at timestamptz, metadata jsonb)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    -- The is-completed endpoint in one round trip: no row when the token
    -- fails, else one row (NULLs when the action is not completed).
    IF p_fingerprint IS NOT NULL AND NOT auth_token_valid(p_user_id, p_revocation_keys, p_fingerprint) THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT tc.completed_at, tc.metadata
                 FROM (SELECT 1) AS one
                 LEFT JOIN tool_completions tc
                   ON tc.user_id = p_user_id AND tc.tool_name = p_tool_name AND tc.action_name = p_action_name;
END
$$
"""

SQL_OBJECTS = {
    "user_progress_rows": USER_PROGRESS_ROWS,
    "completion_state": COMPLETION_STATE,
}

DROP = [
    "DROP FUNCTION IF EXISTS completion_state(bigint, text[], text, text, text)",
    "DROP FUNCTION IF EXISTS user_progress_rows(bigint, text[], text)",
]


class Migration(migrations.Migration):
    dependencies = [("coaching", "0004_token_check_functions")]

    sql_objects = SQL_OBJECTS

    operations = [migrations.RunSQL(sql=list(SQL_OBJECTS.values()), reverse_sql=DROP)]
