"""Functions that folded the access-token check into the API's hot queries, as applied then.

``auth_token_valid`` was the revocation rule; ``mark_completed_progress`` checked the
token, marked and returned the tool's progress in one round trip. Migration 0007
replaces them with token-free versions (authentication moved to the edge).
"""

from django.db import migrations

AUTH_TOKEN_VALID = """
CREATE OR REPLACE FUNCTION auth_token_valid(p_user_id bigint, p_revocation_keys text[], p_fingerprint text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    -- The one rule for an access token that passed its signature check:
    -- an active user, the same password as when it was issued (fingerprint),
    -- and neither its login session nor its id revoked. See coaching/tokens.py.
    SELECT EXISTS (
        SELECT 1 FROM auth_user u
        WHERE u.id = p_user_id AND u.is_active AND left(md5(u.password), 16) = p_fingerprint
    ) AND NOT EXISTS (
        SELECT 1 FROM coaching_revoked_token r WHERE r.key = ANY(p_revocation_keys)
    )
$$
"""

MARK_COMPLETED_PROGRESS = """
CREATE OR REPLACE FUNCTION mark_completed_progress(
    p_user_id bigint,
    p_revocation_keys text[],
    p_fingerprint text,
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
    -- A mark in one round trip: check the token, upsert through
    -- mark_action_completed, return the tool's progress. No row: not
    -- authorised. A NULL fingerprint means the caller already authenticated
    -- the user (the pages do, through their cookie middleware).
    IF p_fingerprint IS NOT NULL AND NOT auth_token_valid(p_user_id, p_revocation_keys, p_fingerprint) THEN
        RETURN;
    END IF;
    v_new := mark_action_completed(p_user_id, p_tool_name, p_action_name, p_metadata, p_at);
    RETURN QUERY
        SELECT v_new, tp.completed_actions, tp.total_actions, tp.actions_completed,
               tp.progress_percentage, tp.first_completion, tp.last_completion
        FROM (SELECT 1) AS one
        LEFT JOIN tool_progress tp ON tp.user_id = p_user_id AND tp.tool_name = p_tool_name;
END
$$
"""

SQL_OBJECTS = {
    "auth_token_valid": AUTH_TOKEN_VALID,
    "mark_completed_progress": MARK_COMPLETED_PROGRESS,
}

DROP = [
    "DROP FUNCTION IF EXISTS mark_completed_progress(bigint, text[], text, text, text, jsonb, timestamptz)",
    "DROP FUNCTION IF EXISTS auth_token_valid(bigint, text[], text)",
]


class Migration(migrations.Migration):
    dependencies = [("coaching", "0003_photo")]

    sql_objects = SQL_OBJECTS

    operations = [migrations.RunSQL(sql=list(SQL_OBJECTS.values()), reverse_sql=DROP)]
