"""The tracking core's views and functions, as this migration applied them.

Frozen history: a changed definition is a new migration with its own text
(0007 replaces the token-checking functions). ``SQL_OBJECTS`` names each object
this migration defines; the staff init endpoint replays, per object, the text of
the latest applied migration that defines it (coaching/staff/tracking.py).
"""

from django.db import migrations

TOOL_PROGRESS = """
CREATE OR REPLACE VIEW tool_progress AS
SELECT tc.user_id,
       tc.tool_name,
       count(*)::integer AS completed_actions,
       totals.total_actions,
       array_agg(tc.action_name::text ORDER BY cat.action_position) AS actions_completed,
       round(100.0 * count(*) / totals.total_actions, 1) AS progress_percentage,
       min(tc.completed_at) AS first_completion,
       max(tc.completed_at) AS last_completion
FROM tool_completions tc
JOIN tool_catalog cat ON cat.tool_name = tc.tool_name AND cat.action_name = tc.action_name
JOIN (SELECT tool_name, count(*)::integer AS total_actions FROM tool_catalog GROUP BY tool_name) totals
  ON totals.tool_name = tc.tool_name
GROUP BY tc.user_id, tc.tool_name, totals.total_actions
"""

USER_COACHING_PROGRESS = """
CREATE OR REPLACE VIEW user_coaching_progress AS
SELECT tc.user_id,
       count(DISTINCT tc.tool_name)::integer AS tools_used,
       count(*)::integer AS total_completions,
       round(100.0 * count(*) / (SELECT count(*) FROM tool_catalog), 1) AS overall_progress,
       min(tc.completed_at) AS started_at,
       max(tc.completed_at) AS last_activity
FROM tool_completions tc
JOIN tool_catalog cat ON cat.tool_name = tc.tool_name AND cat.action_name = tc.action_name
GROUP BY tc.user_id
"""

MARK_ACTION_COMPLETED = """
CREATE OR REPLACE FUNCTION mark_action_completed(
    p_user_id bigint,
    p_tool_name text,
    p_action_name text,
    p_metadata jsonb DEFAULT '{}'::jsonb,
    p_at timestamptz DEFAULT now()
) RETURNS boolean
LANGUAGE sql VOLATILE AS $$
    -- One atomic upsert: only the key is the conflict target, the payload is
    -- the update. xmax = 0 holds exactly for a freshly inserted row.
    INSERT INTO tool_completions AS tc (user_id, tool_name, action_name, metadata, completed_at)
    VALUES (p_user_id, p_tool_name, p_action_name, COALESCE(p_metadata, '{}'::jsonb), COALESCE(p_at, now()))
    ON CONFLICT (user_id, tool_name, action_name)
    DO UPDATE SET metadata = EXCLUDED.metadata, completed_at = EXCLUDED.completed_at
    RETURNING (xmax = 0)
$$
"""

IS_ACTION_COMPLETED = """
CREATE OR REPLACE FUNCTION is_action_completed(p_user_id bigint, p_tool_name text, p_action_name text)
RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT completed_at FROM tool_completions
    WHERE user_id = p_user_id AND tool_name = p_tool_name AND action_name = p_action_name
$$
"""

GET_TOOL_COMPLETIONS = """
CREATE OR REPLACE FUNCTION get_tool_completions(p_user_id bigint, p_tool_name text)
RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(array_agg(tc.action_name::text ORDER BY cat.action_position), '{}'::text[])
    FROM tool_completions tc
    JOIN tool_catalog cat ON cat.tool_name = tc.tool_name AND cat.action_name = tc.action_name
    WHERE tc.user_id = p_user_id AND tc.tool_name = p_tool_name
$$
"""

SQL_OBJECTS = {
    "tool_progress": TOOL_PROGRESS,
    "user_coaching_progress": USER_COACHING_PROGRESS,
    "mark_action_completed": MARK_ACTION_COMPLETED,
    "is_action_completed": IS_ACTION_COMPLETED,
    "get_tool_completions": GET_TOOL_COMPLETIONS,
}

DROP = [
    "DROP FUNCTION IF EXISTS get_tool_completions(bigint, text)",
    "DROP FUNCTION IF EXISTS is_action_completed(bigint, text, text)",
    "DROP FUNCTION IF EXISTS mark_action_completed(bigint, text, text, jsonb, timestamptz)",
    "DROP VIEW IF EXISTS user_coaching_progress",
    "DROP VIEW IF EXISTS tool_progress",
]


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial")]

    sql_objects = SQL_OBJECTS

    operations = [migrations.RunSQL(sql=list(SQL_OBJECTS.values()), reverse_sql=DROP)]
