"""The SQL views and functions, as one list the migrations and the init endpoint share.

Each migration names the objects it introduces (``sql.create("tool_progress", ...)``);
the staff init endpoint ensures all of them (``CREATE_ALL``).

Progress arithmetic joins ``tool_catalog`` (synced from ``coaching.catalog``
after every migrate), so no action count is written down here: rows for
actions that left the catalog do not count.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SqlObject:
    kind: str  # "view", "function" or "trigger"
    name: str
    create: str
    drop: str


TOOL_PROGRESS = SqlObject(
    "view",
    "tool_progress",
    """
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
""",
    "DROP VIEW IF EXISTS tool_progress",
)

USER_COACHING_PROGRESS = SqlObject(
    "view",
    "user_coaching_progress",
    """
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
""",
    "DROP VIEW IF EXISTS user_coaching_progress",
)

MARK_ACTION_COMPLETED = SqlObject(
    "function",
    "mark_action_completed",
    """
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
""",
    "DROP FUNCTION IF EXISTS mark_action_completed(bigint, text, text, jsonb, timestamptz)",
)

IS_ACTION_COMPLETED = SqlObject(
    "function",
    "is_action_completed",
    """
CREATE OR REPLACE FUNCTION is_action_completed(p_user_id bigint, p_tool_name text, p_action_name text)
RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT completed_at FROM tool_completions
    WHERE user_id = p_user_id AND tool_name = p_tool_name AND action_name = p_action_name
$$
""",
    "DROP FUNCTION IF EXISTS is_action_completed(bigint, text, text)",
)

GET_TOOL_COMPLETIONS = SqlObject(
    "function",
    "get_tool_completions",
    """
CREATE OR REPLACE FUNCTION get_tool_completions(p_user_id bigint, p_tool_name text)
RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(array_agg(tc.action_name::text ORDER BY cat.action_position), '{}'::text[])
    FROM tool_completions tc
    JOIN tool_catalog cat ON cat.tool_name = tc.tool_name AND cat.action_name = tc.action_name
    WHERE tc.user_id = p_user_id AND tc.tool_name = p_tool_name
$$
""",
    "DROP FUNCTION IF EXISTS get_tool_completions(bigint, text)",
)

AUTH_TOKEN_VALID = SqlObject(
    "function",
    "auth_token_valid",
    """
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
""",
    "DROP FUNCTION IF EXISTS auth_token_valid(bigint, text[], text)",
)

MARK_COMPLETED_PROGRESS = SqlObject(
    "function",
    "mark_completed_progress",
    """
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
""",
    "DROP FUNCTION IF EXISTS mark_completed_progress(bigint, text[], text, text, text, jsonb, timestamptz)",
)

USER_PROGRESS_ROWS = SqlObject(
    "function",
    "user_progress_rows",
    """
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
""",
    "DROP FUNCTION IF EXISTS user_progress_rows(bigint, text[], text)",
)

COMPLETION_STATE = SqlObject(
    "function",
    "completion_state",
    """
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
""",
    "DROP FUNCTION IF EXISTS completion_state(bigint, text[], text, text, text)",
)

EVENT_LOG = SqlObject(
    "function",
    "tool_completion_event_log",
    """
CREATE OR REPLACE FUNCTION tool_completion_event_log() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Every change of tool_completions, whoever makes it (the API, the SQL
    -- functions, the admin, an analyst's UPDATE), lands in the append-only
    -- log in the same transaction. A delete's time is the transaction-local
    -- setting datespark.event_at when the app passes its clock, else now().
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tool_completion_events (user_id, tool_name, action_name, kind, at)
        VALUES (NEW.user_id, NEW.tool_name, NEW.action_name, 'completed', NEW.completed_at);
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO tool_completion_events (user_id, tool_name, action_name, kind, at)
        VALUES (NEW.user_id, NEW.tool_name, NEW.action_name, 'repeated', NEW.completed_at);
    ELSE
        INSERT INTO tool_completion_events (user_id, tool_name, action_name, kind, at)
        VALUES (OLD.user_id, OLD.tool_name, OLD.action_name, 'reset',
                COALESCE(NULLIF(current_setting('datespark.event_at', true), '')::timestamptz, now()));
    END IF;
    RETURN NULL;
END
$$
""",
    "DROP FUNCTION IF EXISTS tool_completion_event_log()",
)

EVENT_LOG_TRIGGER = SqlObject(
    "trigger",
    "tool_completions_event_log",
    """
CREATE OR REPLACE TRIGGER tool_completions_event_log
AFTER INSERT OR UPDATE OR DELETE ON tool_completions
FOR EACH ROW EXECUTE FUNCTION tool_completion_event_log()
""",
    "DROP TRIGGER IF EXISTS tool_completions_event_log ON tool_completions",
)

EVENTS_ERASE = SqlObject(
    "function",
    "tool_completion_events_erase",
    """
CREATE OR REPLACE FUNCTION tool_completion_events_erase() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Deleting a user cascades to tool_completions, whose trigger logs a
    -- 'reset' per row: erase those (and any other event of the user) with
    -- the account, so an erased user leaves no history behind.
    DELETE FROM tool_completion_events WHERE user_id = OLD.id;
    RETURN NULL;
END
$$
""",
    "DROP FUNCTION IF EXISTS tool_completion_events_erase()",
)

EVENTS_ERASE_TRIGGER = SqlObject(
    "trigger",
    "auth_user_erase_events",
    """
CREATE OR REPLACE TRIGGER auth_user_erase_events
AFTER DELETE ON auth_user
FOR EACH ROW EXECUTE FUNCTION tool_completion_events_erase()
""",
    "DROP TRIGGER IF EXISTS auth_user_erase_events ON auth_user",
)

RESET_COMPLETIONS = SqlObject(
    "function",
    "reset_completions",
    """
CREATE OR REPLACE FUNCTION reset_completions(
    p_user_id bigint, p_tool_name text, p_action_name text, p_at timestamptz DEFAULT now()
) RETURNS SETOF text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- Remove one action's completion, or the whole tool's when p_action_name
    -- is NULL, and return the removed action names; the event-log trigger
    -- records a 'reset' at p_at for each row.
    PERFORM set_config('datespark.event_at', COALESCE(p_at, now())::text, true);
    RETURN QUERY
        DELETE FROM tool_completions
        WHERE user_id = p_user_id AND tool_name = p_tool_name
          AND (p_action_name IS NULL OR action_name = p_action_name)
        RETURNING action_name::text;
    PERFORM set_config('datespark.event_at', '', true);
END
$$
""",
    "DROP FUNCTION IF EXISTS reset_completions(bigint, text, text, timestamptz)",
)

# Creation order; drop in reverse.
OBJECTS: tuple[SqlObject, ...] = (
    TOOL_PROGRESS,
    USER_COACHING_PROGRESS,
    MARK_ACTION_COMPLETED,
    IS_ACTION_COMPLETED,
    GET_TOOL_COMPLETIONS,
    AUTH_TOKEN_VALID,
    MARK_COMPLETED_PROGRESS,
    USER_PROGRESS_ROWS,
    COMPLETION_STATE,
    EVENT_LOG,
    EVENT_LOG_TRIGGER,
    EVENTS_ERASE,
    EVENTS_ERASE_TRIGGER,
    RESET_COMPLETIONS,
)
BY_NAME: dict[str, SqlObject] = {obj.name: obj for obj in OBJECTS}
TABLES: tuple[str, ...] = ("tool_completions", "tool_catalog", "tool_completion_events")
VIEWS: tuple[str, ...] = tuple(obj.name for obj in OBJECTS if obj.kind == "view")
FUNCTIONS: tuple[str, ...] = tuple(obj.name for obj in OBJECTS if obj.kind == "function")
TRIGGERS: tuple[str, ...] = tuple(obj.name for obj in OBJECTS if obj.kind == "trigger")

CREATE_ALL: list[str] = [obj.create for obj in OBJECTS]


def create(*names: str) -> list[str]:
    """CREATE statements for the named objects, for a migration to apply."""
    return [BY_NAME[name].create for name in names]


def drop(*names: str) -> list[str]:
    """DROP statements for the named objects, in reverse order, for a migration's reverse."""
    return [BY_NAME[name].drop for name in reversed(names)]
