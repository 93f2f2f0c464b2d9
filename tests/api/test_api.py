"""The tool-completion endpoints, as ../shared/contract/API.md states them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from coaching import catalog
from coaching.formats import timestamp_text
from coaching.models import ToolCompletion

pytestmark = [pytest.mark.pooled, pytest.mark.django_db]

MARK = "/api/tool-completion/mark-completed"
PROGRESS = "/api/tool-completion/progress"
IS_COMPLETED = "/api/tool-completion/is-completed"
IMPORT = "/api/tool-completion/import-legacy"


def mark(api: Any, tool: str = "profiel-coach", action: str = "bio_generated", **body: Any) -> Any:
    return api.post(MARK, {"toolName": tool, "actionName": action, **body})


def assert_error(response: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if field is not None:
        assert body["error"].get("field") == field
    return body


# --- mark-completed ---------------------------------------------------------


def test_first_mark_is_new_and_returns_tool_progress(api: Any, user: Any) -> None:
    response = mark(api, metadata={"bioLength": 250})

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["wasNew"] is True
    progress = body["progress"]
    assert progress["toolName"] == "profiel-coach"
    assert progress["completedActions"] == 1
    assert progress["totalActions"] == 3
    assert progress["actionsCompleted"] == ["bio_generated"]
    assert progress["progressPercentage"] == 33.3
    assert progress["firstCompletion"] == progress["lastCompletion"]
    assert progress["firstCompletion"].endswith(("Z", "+00:00"))
    row = ToolCompletion.objects.get(user=user)
    assert row.metadata == {"bioLength": 250}


def test_repeat_mark_reports_not_new_and_replaces_metadata(api: Any, user: Any) -> None:
    mark(api, metadata={"bioLength": 250})
    first_at = ToolCompletion.objects.get(user=user).completed_at

    response = mark(api, metadata={"bioLength": 300})

    assert response.status_code == 200
    assert response.json()["wasNew"] is False
    row = ToolCompletion.objects.get(user=user)
    assert row.metadata == {"bioLength": 300}
    assert row.completed_at > first_at
    assert ToolCompletion.objects.count() == 1


def test_repeat_mark_without_metadata_resets_it_to_empty(api: Any, user: Any) -> None:
    mark(api, metadata={"bioLength": 250})
    mark(api)
    assert ToolCompletion.objects.get(user=user).metadata == {}


def test_null_metadata_means_none_as_the_schema_says(api: Any, user: Any) -> None:
    mark(api, metadata={"bioLength": 250})
    assert mark(api, metadata=None).status_code == 200
    assert ToolCompletion.objects.get(user=user).metadata == {}
    schema = json.loads(api.get("/api/schema/", {"format": "json"}).content)
    body = schema["paths"]["/api/tool-completion/mark-completed"]["post"]["requestBody"]["content"]["application/json"]
    component = body["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][component]["properties"]["metadata"]["nullable"] is True


def test_actions_completed_follow_catalog_order(api: Any) -> None:
    mark(api, action="profile_completed")
    response = mark(api, action="bio_generated")
    progress = response.json()["progress"]
    assert progress["actionsCompleted"] == ["bio_generated", "profile_completed"]
    assert progress["progressPercentage"] == 66.7


def test_all_actions_of_a_tool_is_100_percent(api: Any) -> None:
    for action in catalog.TOOLS_BY_NAME["date-planner"].action_names:
        response = mark(api, tool="date-planner", action=action)
    assert response.json()["progress"]["progressPercentage"] == 100.0
    assert isinstance(response.json()["progress"]["progressPercentage"], float)


def test_user_id_in_body_is_ignored(api: Any, user: Any, other_user: Any) -> None:
    response = mark(api, userId=other_user.pk, user_id=other_user.pk)
    assert response.status_code == 200
    assert ToolCompletion.objects.filter(user=other_user).count() == 0
    assert ToolCompletion.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"toolName": "tinder-coach", "actionName": "bio_generated"}, "unknown_tool", "toolName"),
        ({"toolName": "profiel-coach", "actionName": "photo_uploaded"}, "unknown_action", "actionName"),
        ({"toolName": "Profiel-Coach", "actionName": "bio_generated"}, "unknown_tool", "toolName"),
        ({"toolName": "profiel-coach; DROP TABLE", "actionName": "x"}, "unknown_tool", "toolName"),
        ({"toolName": "x" * 51, "actionName": "bio_generated"}, "invalid_input", "toolName"),
        ({"actionName": "bio_generated"}, "invalid_input", "toolName"),
        ({"toolName": "profiel-coach"}, "invalid_input", "actionName"),
        ({"toolName": 7, "actionName": "bio_generated"}, "invalid_input", "toolName"),
        ({"toolName": "profiel-coach", "actionName": ["bio_generated"]}, "invalid_input", "actionName"),
        ({"toolName": None, "actionName": "bio_generated"}, "invalid_input", "toolName"),
        ({"toolName": "profiel-coach", "actionName": "bio_generated", "metadata": []}, "invalid_metadata", "metadata"),
        ({"toolName": "profiel-coach", "actionName": "bio_generated", "metadata": "x"}, "invalid_metadata", "metadata"),
        ({"toolName": "profiel-coach", "actionName": "bio_generated", "metadata": 5}, "invalid_metadata", "metadata"),
        (
            {"toolName": "profiel-coach", "actionName": "bio_generated", "metadata": {"a": "x" * 4100}},
            "invalid_metadata",
            "metadata",
        ),
    ],
)
def test_bad_mark_is_400_and_writes_nothing(api: Any, body: dict[str, Any], code: str, field: str) -> None:
    assert_error(api.post(MARK, body), 400, code, field)
    assert ToolCompletion.objects.count() == 0


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def test_metadata_nested_8_deep_is_accepted(api: Any) -> None:
    assert mark(api, metadata=nested(8)).status_code == 200


def test_metadata_nested_9_deep_is_refused(api: Any) -> None:
    assert_error(mark(api, metadata=nested(9)), 400, "invalid_metadata", "metadata")
    assert ToolCompletion.objects.count() == 0


def test_metadata_limit_counts_compact_utf8_bytes(api: Any) -> None:
    # {"a":"<v>"} is 8 bytes of framing; "é" is 2 bytes in UTF-8.
    exactly = {"a": "é" * ((4096 - 8) // 2)}
    assert mark(api, metadata=exactly).status_code == 200
    over = {"a": "é" * ((4096 - 8) // 2) + "x"}
    assert_error(mark(api, metadata=over), 400, "invalid_metadata")


def test_mark_with_wrong_method_is_405(api: Any) -> None:
    assert_error(api.get(MARK), 405, "method_not_allowed")


def test_mark_with_text_plain_is_415(client: Any, bearer: dict[str, str]) -> None:
    response = client.post(
        MARK, '{"toolName":"profiel-coach","actionName":"bio_generated"}', content_type="text/plain", **bearer
    )
    assert_error(response, 415, "unsupported_media_type")
    assert ToolCompletion.objects.count() == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"toolName": "profiel-coach", "actionName": "bio_generated", "metadata": {"n": 1e400}}',
        b'{"toolName": "profiel-coach", "actionName": "bio_generated", "metadata": {"n": NaN}}',
        b'{"toolName": "profiel-coach", "actionName": "bio_generated", "metadata": {"s": "\\ud800"}}',
        b'{"toolName": "profiel-coach", "actionName": "bio_generated", "metadata": {"s": "a\\u0000b"}}',
        b'{"toolName": "profiel-coach\\u0000", "actionName": "bio_generated"}',
        b'{"toolName": "profiel-coach", "actionName": "bio_generated", "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b"\xff\xfe{}",
        b'{"toolName": "profiel-coach", "actionName": "bio_generated", "metadata": {"n": ' + b"9" * 5000 + b"}}",
    ],
    ids=["syntax", "1e400", "nan", "lone-surrogate", "nul-in-metadata", "nul-in-name", "deep", "not-utf8", "huge-int"],
)
def test_hostile_json_is_400_and_writes_nothing(client: Any, bearer: dict[str, str], raw: bytes) -> None:
    response = client.post(MARK, raw, content_type="application/json", **bearer)
    assert_error(response, 400, "invalid_json")
    assert ToolCompletion.objects.count() == 0


def test_empty_body_is_400_missing_field(client: Any, bearer: dict[str, str]) -> None:
    response = client.post(MARK, b"", content_type="application/json", **bearer)
    assert_error(response, 400, "invalid_input", "toolName")


def test_body_over_the_bound_is_413(client: Any, bearer: dict[str, str]) -> None:
    raw = b'{"toolName": "profiel-coach", "actionName": "bio_generated", "metadata": {"a": "' + b"x" * 70_000 + b'"}}'
    response = client.post(MARK, raw, content_type="application/json", **bearer)
    assert_error(response, 413, "payload_too_large")
    assert ToolCompletion.objects.count() == 0


def test_body_that_is_a_list_is_400(api: Any) -> None:
    assert_error(api.post(MARK, [1, 2]), 400, "invalid_input")


# --- progress ---------------------------------------------------------------


def test_progress_lists_every_catalog_tool_in_order_with_zeros(api: Any) -> None:
    response = api.get(PROGRESS)

    assert response.status_code == 200
    body = response.json()
    assert [tool["toolName"] for tool in body["tools"]] == list(catalog.TOOL_NAMES)
    for tool in body["tools"]:
        assert tool == {
            "toolName": tool["toolName"],
            "completedActions": 0,
            "totalActions": len(catalog.TOOLS_BY_NAME[tool["toolName"]].actions),
            "actionsCompleted": [],
            "progressPercentage": 0.0,
            "firstCompletion": None,
            "lastCompletion": None,
        }
    assert body["overall"] == {
        "toolsUsed": 0,
        "totalCompletions": 0,
        "totalActions": catalog.total_actions(),
        "overallProgress": 0.0,
        "startedAt": None,
        "lastActivity": None,
    }


def test_progress_reads_own_writes_at_once(api: Any) -> None:
    mark(api)
    mark(api, tool="chat-coach", action="first_question")
    mark(api, tool="chat-coach", action="practice_completed")

    body = api.get(PROGRESS).json()

    by_tool = {tool["toolName"]: tool for tool in body["tools"]}
    assert by_tool["profiel-coach"]["progressPercentage"] == 33.3
    assert by_tool["chat-coach"]["actionsCompleted"] == ["first_question", "practice_completed"]
    assert by_tool["chat-coach"]["progressPercentage"] == 66.7
    overall = body["overall"]
    assert overall["toolsUsed"] == 2
    assert overall["totalCompletions"] == 3
    assert overall["overallProgress"] == 20.0
    assert overall["startedAt"] <= overall["lastActivity"]


def test_progress_for_one_tool_keeps_overall_across_all_tools(api: Any) -> None:
    mark(api)
    mark(api, tool="chat-coach", action="first_question")

    body = api.get(PROGRESS, {"toolName": "chat-coach"}).json()

    assert [tool["toolName"] for tool in body["tools"]] == ["chat-coach"]
    assert body["overall"]["totalCompletions"] == 2
    assert body["overall"]["overallProgress"] == 13.3


def test_progress_for_unknown_tool_is_400(api: Any) -> None:
    assert_error(api.get(PROGRESS, {"toolName": "nope"}), 400, "unknown_tool", "toolName")


def test_progress_shows_only_own_data(api: Any, other_user: Any) -> None:
    ToolCompletion.objects.create(user=other_user, tool_name="chat-coach", action_name="first_question")
    body = api.get(PROGRESS).json()
    assert body["overall"]["totalCompletions"] == 0


def test_progress_ignores_rows_for_actions_no_longer_in_the_catalog(api: Any, user: Any) -> None:
    mark(api)
    ToolCompletion.objects.create(user=user, tool_name="profiel-coach", action_name="retired_action")
    ToolCompletion.objects.create(user=user, tool_name="retired-tool", action_name="x")

    body = api.get(PROGRESS).json()

    assert body["tools"][0]["completedActions"] == 1
    assert body["overall"]["totalCompletions"] == 1
    assert body["overall"]["toolsUsed"] == 1


# --- is-completed -------------------------------------------------------------


def test_is_completed_false_before_marking(api: Any) -> None:
    response = api.get(IS_COMPLETED, {"toolName": "foto-advies", "actionName": "photo_uploaded"})
    assert response.status_code == 200
    assert response.json() == {"isCompleted": False, "completedAt": None, "metadata": {}}


def test_is_completed_true_with_time_and_metadata(api: Any) -> None:
    marked = mark(api, tool="foto-advies", action="photo_uploaded", metadata={"width": 800}).json()

    body = api.get(IS_COMPLETED, {"toolName": "foto-advies", "actionName": "photo_uploaded"}).json()

    assert body == {
        "isCompleted": True,
        "completedAt": marked["progress"]["lastCompletion"],
        "metadata": {"width": 800},
    }


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({"toolName": "foto-advies"}, "invalid_input", "actionName"),
        ({"actionName": "photo_uploaded"}, "invalid_input", "toolName"),
        ({"toolName": "nope", "actionName": "photo_uploaded"}, "unknown_tool", "toolName"),
        ({"toolName": "foto-advies", "actionName": "bio_generated"}, "unknown_action", "actionName"),
    ],
)
def test_is_completed_bad_query_is_400(api: Any, query: dict[str, str], code: str, field: str) -> None:
    assert_error(api.get(IS_COMPLETED, query), 400, code, field)


def test_is_completed_does_not_see_other_users(api: Any, other_user: Any) -> None:
    ToolCompletion.objects.create(user=other_user, tool_name="foto-advies", action_name="photo_uploaded")
    body = api.get(IS_COMPLETED, {"toolName": "foto-advies", "actionName": "photo_uploaded"}).json()
    assert body["isCompleted"] is False


# --- import-legacy -------------------------------------------------------------


def test_import_legacy_marks_known_true_flags_and_ignores_the_rest(api: Any, user: Any) -> None:
    flags = {
        "profiel-coach-bio": "true",
        "chat-coach-first-question": "true",
        "date-planner-checklist": "false",
        "foto-advies-upload": True,
        "something-else": "true",
    }

    response = api.post(IMPORT, {"flags": flags})

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["imported"] == [
        {"toolName": "profiel-coach", "actionName": "bio_generated", "wasNew": True},
        {"toolName": "chat-coach", "actionName": "first_question", "wasNew": True},
    ]
    assert body["ignored"] == ["date-planner-checklist", "foto-advies-upload", "something-else"]
    rows = ToolCompletion.objects.filter(user=user)
    assert {(r.tool_name, r.action_name) for r in rows} == {
        ("profiel-coach", "bio_generated"),
        ("chat-coach", "first_question"),
    }
    assert all(row.metadata == {"source": "localStorage"} for row in rows)


def test_import_legacy_leaves_existing_completions_as_they_are(api: Any, user: Any) -> None:
    mark(api, metadata={"bioLength": 120})
    before = ToolCompletion.objects.get(user=user)

    body = api.post(IMPORT, {"flags": {"profiel-coach-bio": "true"}}).json()

    assert body["imported"] == [{"toolName": "profiel-coach", "actionName": "bio_generated", "wasNew": False}]
    after = ToolCompletion.objects.get(user=user)
    assert (after.metadata, after.completed_at) == (before.metadata, before.completed_at)


def test_import_legacy_twice_duplicates_nothing(api: Any, user: Any) -> None:
    flags = dict.fromkeys(catalog.LEGACY_KEYS, "true")
    first = api.post(IMPORT, {"flags": flags}).json()
    second = api.post(IMPORT, {"flags": flags}).json()
    assert all(item["wasNew"] for item in first["imported"])
    assert not any(item["wasNew"] for item in second["imported"])
    assert ToolCompletion.objects.filter(user=user).count() == catalog.total_actions() == 15


def test_every_legacy_key_maps_to_its_catalog_action() -> None:
    assert catalog.LEGACY_KEYS["profiel-coach-bio"] == ("profiel-coach", "bio_generated")
    assert catalog.LEGACY_KEYS["chat-coach-first-question"] == ("chat-coach", "first_question")
    assert catalog.LEGACY_KEYS["date-planner-plan"] == ("date-planner", "date_planned")
    assert len(catalog.LEGACY_KEYS) == 15


@pytest.mark.parametrize(
    "body",
    [{}, {"flags": []}, {"flags": "profiel-coach-bio"}, {"flags": {f"k{i}": "true" for i in range(101)}}],
    ids=["missing", "list", "string", "over-100-keys"],
)
def test_import_legacy_bad_body_is_400_and_writes_nothing(api: Any, body: dict[str, Any]) -> None:
    assert_error(api.post(IMPORT, body), 400, "invalid_input", "flags")
    assert ToolCompletion.objects.count() == 0


# --- every endpoint -------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", MARK), ("get", PROGRESS), ("get", IS_COMPLETED + "?toolName=x&actionName=y"), ("post", IMPORT)],
)
def test_endpoints_without_credentials_are_401(client: Any, method: str, path: str) -> None:
    response = getattr(client, method)(path, content_type="application/json")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_api_path_is_json_404(api: Any) -> None:
    assert_error(api.get("/api/tool-completion/nope"), 404, "not_found")
    assert_error(api.post("/api/nothing/here", {}), 404, "not_found")


def test_health_and_readiness(client: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}


# --- query counts on the hot paths (auth included) -------------------------------


def test_mark_costs_two_queries(api: Any, django_assert_num_queries: Any) -> None:
    # The authenticator's one query, then the upsert through mark_action_completed and the tool's progress.
    with django_assert_num_queries(2):
        assert mark(api).status_code == 200


def test_progress_costs_two_queries(api: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(2):
        assert api.get(PROGRESS).status_code == 200


def test_is_completed_costs_two_queries(api: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(2):
        assert api.get(IS_COMPLETED, {"toolName": "chat-coach", "actionName": "first_question"}).status_code == 200


def test_bad_input_costs_only_the_authentication_query(api: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        assert mark(api, tool="nope").status_code == 400


# --- the hot endpoints refuse spoiled tokens ------------------------------------------

HOT = [
    ("post", MARK, {"toolName": "profiel-coach", "actionName": "bio_generated"}),
    ("get", PROGRESS, None),
    ("get", IS_COMPLETED, {"toolName": "profiel-coach", "actionName": "bio_generated"}),
]


def _spoil(how: str, user: Any, headers: dict[str, str]) -> None:
    from rest_framework_simplejwt.tokens import AccessToken

    from coaching.accounts import tokens

    if how == "logout":
        tokens.revoke_session(dict(AccessToken(headers["HTTP_AUTHORIZATION"].split()[1]).payload))
    elif how == "password":
        user.set_password("een-ander-wachtwoord")
        user.save()
    elif how == "inactive":
        user.is_active = False
        user.save()
    elif how == "deleted":
        user.delete()


@pytest.mark.parametrize("how", ["logout", "password", "inactive", "deleted"])
@pytest.mark.parametrize(("method", "path", "body"), HOT, ids=["mark", "progress", "is-completed"])
def test_hot_endpoints_refuse_spoiled_tokens_and_write_nothing(
    client: Any, user: Any, bearer: dict[str, str], how: str, method: str, path: str, body: Any
) -> None:
    _spoil(how, user, bearer)
    if method == "post":
        response = client.post(path, body, content_type="application/json", **bearer)
    else:
        response = client.get(path, body, **bearer)
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert ToolCompletion.objects.count() == 0


@pytest.mark.parametrize("accept", ["", "*/*", "application/json", "application/json, text/plain;q=0.5"])
def test_json_accept_headers_are_served(api: Any, accept: str) -> None:
    assert api.get(PROGRESS, HTTP_ACCEPT=accept).status_code == 200


def test_accept_ruling_out_json_is_406_in_the_error_shape(api: Any) -> None:
    assert_error(api.get(PROGRESS, HTTP_ACCEPT="text/html"), 406, "not_acceptable")


def test_legacy_import_ignores_null_and_other_values(api: Any) -> None:
    body = api.post(IMPORT, {"flags": {"profiel-coach-bio": None, "chat-coach-practice": 1, "x": {"a": 1}}}).json()
    assert body == {"success": True, "imported": [], "ignored": ["profiel-coach-bio", "chat-coach-practice", "x"]}


def test_api_messages_are_in_english(client: Any) -> None:
    response = client.post("/api/auth/register", {}, content_type="application/json")
    assert response.json()["error"]["message"] == "This field is required."


# --- timestamps -------------------------------------------------------------------


@pytest.mark.django_db(False)
@given(
    moment=st.datetimes(timezones=st.sampled_from([UTC, ZoneInfo("Europe/Amsterdam"), ZoneInfo("America/St_Johns")]))
    | st.datetimes()
)
def test_timestamps_are_spelled_the_way_drf_spells_them(moment: datetime) -> None:
    assert timestamp_text(moment) == json.loads(JSONRenderer().render({"t": moment}))["t"]
    assert timestamp_text(None) is None
