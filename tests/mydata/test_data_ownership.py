"""Export and account deletion through the API (GDPR articles 15, 17 and 20)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from coaching.accounts import tokens
from coaching.models import Photo, RateLimitCounter, ToolCompletion, ToolCompletionEvent, UserSettings
from tests.user_data import counts, fill

pytestmark = [pytest.mark.pooled, pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

EXPORT = "/api/me/export"
DELETE = "/api/me/delete"
PASSWORD = "geheim-wachtwoord-1"  # the `user` fixture's


# --- export -------------------------------------------------------------------------------------


def test_export_is_a_download_of_everything_held_about_the_caller(api: Any, user: Any, other_user: Any) -> None:
    photo = fill(user)
    fill(other_user, tz="America/New_York")
    user.email = "anna@example.nl"
    user.save(update_fields=["email"])

    response = api.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert set(data) == {"user", "completions", "events", "uploads", "saved"}
    assert data["user"] == {
        "username": "anna",
        "email": "anna@example.nl",
        "dateJoined": user.date_joined.isoformat().replace("+00:00", "Z"),
        "settings": {"timezone": "Asia/Tokyo"},
    }
    assert [(c["toolName"], c["actionName"], c["metadata"]) for c in data["completions"]] == [
        ("chat-coach", "first_question", {"q": 4})
    ]
    assert [(e["toolName"], e["kind"]) for e in data["events"]] == [
        ("chat-coach", "completed"),
        ("chat-coach", "repeated"),
        ("date-planner", "completed"),
        ("date-planner", "reset"),
    ]
    (upload,) = data["uploads"]
    assert upload["id"] == str(photo.id)
    with photo.image.open("rb") as handle:
        assert base64.b64decode(upload["dataBase64"]) == handle.read()
    assert data["saved"] == []


def test_export_holds_every_column_of_every_user_table(api: Any, user: Any) -> None:
    # A new column on a table keyed by the user must show up in the export (or this test is updated on purpose).
    fill(user)
    data = api.get(EXPORT).json()
    assert set(data["completions"][0]) == {"toolName", "actionName", "metadata", "completedAt"}
    assert {f.name for f in ToolCompletion._meta.concrete_fields} == {
        "id", "user", "tool_name", "action_name", "metadata", "completed_at"
    }  # fmt: skip
    assert {f.name for f in ToolCompletionEvent._meta.concrete_fields} == {
        "id", "user", "tool_name", "action_name", "kind", "at"
    }  # fmt: skip
    assert {f.name for f in UserSettings._meta.concrete_fields} == {"user", "timezone"}
    assert set(data["user"]["settings"]) == {"timezone"}
    assert {f.name for f in Photo._meta.concrete_fields} == {"id", "user", "image", "width", "height", "uploaded_at"}
    assert {"id", "width", "height", "uploadedAt", "dataBase64"} <= set(data["uploads"][0])


def test_export_of_a_new_user_is_empty_with_default_settings(api: Any) -> None:
    data = api.get(EXPORT).json()
    assert data["user"]["settings"] == {"timezone": "Europe/Amsterdam"}
    assert data["completions"] == data["events"] == data["uploads"] == data["saved"] == []


def test_export_needs_authentication() -> None:
    assert Client().get(EXPORT).status_code == 401


# --- deletion -----------------------------------------------------------------------------------


def test_delete_removes_every_row_and_file_of_the_user_and_only_theirs(
    api: Any, user: Any, other_user: Any, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        photo = fill(user)
        other_photo = fill(other_user)
    other_before = counts(other_user.pk)
    user_id = user.pk
    assert (media_root / photo.image.name).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 204
    assert counts(user_id) == dict.fromkeys(other_before, 0)
    assert not (media_root / photo.image.name).exists()
    assert not (media_root / "photos" / str(user_id)).exists()
    assert counts(other_user.pk) == other_before
    assert (media_root / other_photo.image.name).exists()
    # No row anywhere still names the user.
    with connection.cursor() as cursor:
        for table in ("tool_completions", "tool_completion_events", "coaching_photo", "coaching_user_settings"):
            cursor.execute(f"SELECT count(*) FROM {table} WHERE user_id = %s", [user_id])  # noqa: S608 - fixed names
            assert cursor.fetchone()[0] == 0, table


def test_after_deletion_every_token_of_the_user_is_dead(user: Any) -> None:
    refresh, access = tokens.token_pair_for(user)
    cookie_client = Client()
    cookie_client.cookies[settings.AUTH_COOKIE_NAME] = str(tokens.cookie_token_for(user))
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {access}"}
    client = Client()

    response = client.post(DELETE, {"password": PASSWORD}, content_type="application/json", **bearer)

    assert response.status_code == 204
    assert response.cookies[settings.AUTH_COOKIE_NAME].value == ""  # the cookie is cleared
    assert client.get("/api/tool-completion/progress", **bearer).status_code == 401
    assert cookie_client.get("/api/tool-completion/progress").status_code == 401
    refreshed = client.post("/api/auth/token/refresh/", {"refresh": str(refresh)}, content_type="application/json")
    assert refreshed.status_code == 401
    login = client.post("/api/auth/login", {"username": "anna", "password": PASSWORD}, content_type="application/json")
    assert login.status_code == 401


@pytest.mark.parametrize("body", [{"password": "fout"}, {}, {"password": ""}, {"password": 12345}])
def test_delete_with_a_wrong_or_missing_password_is_400_and_deletes_nothing(
    api: Any, user: Any, body: dict[str, Any]
) -> None:
    fill(user)
    before = counts(user.pk)
    response = api.post(DELETE, body)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "password"
    assert counts(user.pk) == before
    assert api.get("/api/tool-completion/progress").status_code == 200  # the token still works


def test_delete_is_rate_limited_like_a_login(api: Any, user: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "failed_login_per_username": (2, 900)}
    assert api.post(DELETE, {"password": "fout-1"}).status_code == 400
    assert api.post(DELETE, {"password": "fout-2"}).status_code == 400
    limited = api.post(DELETE, {"password": PASSWORD})
    assert limited.status_code == 429
    assert "Retry-After" in limited
    assert counts(user.pk)["users"] == 1


def test_delete_forgets_the_users_rate_limit_counter(api: Any, user: Any) -> None:
    api.post(DELETE, {"password": "fout"})
    assert RateLimitCounter.objects.filter(key__endswith=":anna").exists()
    api.post(DELETE, {"password": PASSWORD})
    assert not RateLimitCounter.objects.filter(key__endswith=":anna").exists()


def test_delete_with_the_cookie_needs_csrf(user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.AUTH_COOKIE_NAME] = str(tokens.cookie_token_for(user))
    response = client.post(DELETE, {"password": PASSWORD}, content_type="application/json")
    assert response.status_code == 403
    assert counts(user.pk)["users"] == 1


def test_delete_needs_post_and_authentication(api: Any, user: Any) -> None:
    assert api.get(DELETE).status_code == 405
    assert Client().delete(DELETE).status_code in (401, 405)
    assert Client().post(DELETE, {"password": PASSWORD}, content_type="application/json").status_code == 401
    assert counts(user.pk)["users"] == 1


def test_deleting_a_user_in_the_admin_also_erases_their_history(user: Any) -> None:
    # The ORM cascade deletes completions (the trigger logs resets) before the user: those are erased too.
    fill(user)
    user_id = user.pk
    user.delete()
    assert counts(user_id) == dict.fromkeys(counts(user_id), 0)


def test_export_still_answers_when_an_uploads_file_is_gone(api: Any, user: Any, media_root: Path) -> None:
    photo = fill(user)
    (media_root / photo.image.name).unlink()
    response = api.get(EXPORT)
    assert response.status_code == 200
    (upload,) = response.json()["uploads"]
    assert upload["id"] == str(photo.id) and upload["dataBase64"] is None and upload["sizeBytes"] is None


def test_delete_succeeds_when_an_uploads_file_is_already_gone(
    api: Any, user: Any, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    photo = fill(user)
    (media_root / photo.image.name).unlink()
    user_id = user.pk
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(DELETE, {"password": PASSWORD}).status_code == 204
    assert counts(user_id) == dict.fromkeys(counts(user_id), 0)
