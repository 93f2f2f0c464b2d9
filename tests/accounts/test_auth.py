"""Authentication as the contract states it: cookie + CSRF, Bearer, revocation, rate limits, staff-only init."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import jwt
import pytest
from django.conf import settings
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken

from coaching.accounts import tokens
from coaching.models import ToolCompletion

pytestmark = [pytest.mark.pooled, pytest.mark.django_db]

MARK = "/api/tool-completion/mark-completed"
PROGRESS = "/api/tool-completion/progress"
BODY = {"toolName": "profiel-coach", "actionName": "bio_generated"}
PASSWORD = "geheim-wachtwoord-1"


def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def login(client: Client, username: str = "anna", password: str = PASSWORD) -> Any:
    return client.post("/api/auth/login", {"username": username, "password": password}, content_type="application/json")


def bearer_headers(access: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {access}"}


def assert_401(response: Any) -> None:
    assert response.status_code == 401, response.content
    assert response.json()["success"] is False
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- register and login ---------------------------------------------------------


def test_register_creates_user_and_logs_in(db: Any) -> None:
    client = csrf_client()
    response = client.post(
        "/api/auth/register",
        {"username": "nieuw", "password": "een-sterk-wachtwoord", "email": "n@example.nl"},
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["user"]["username"] == "nieuw"
    assert isinstance(body["user"]["id"], int)
    cookie = response.cookies[settings.AUTH_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert int(cookie["max-age"]) == 30 * 24 * 3600
    assert not cookie["secure"]  # plain HTTP, as `make run` serves
    assert "csrftoken" in response.cookies
    assert client.get(PROGRESS).status_code == 200


def test_register_taken_username_is_400(user: Any) -> None:
    response = Client().post(
        "/api/auth/register", {"username": "Anna", "password": "een-sterk-wachtwoord"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "username_taken",
        "message": response.json()["error"]["message"],
        "field": "username",
    }


@pytest.mark.parametrize("password", ["kort", "12345678901", "password"])
def test_register_weak_password_is_400(db: Any, password: str, django_user_model: Any) -> None:
    response = Client().post(
        "/api/auth/register", {"username": "nieuw", "password": password}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_password"
    assert not django_user_model.objects.filter(username="nieuw").exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "x"},
        {"username": 5, "password": "een-sterk-wachtwoord"},
        {"username": "a b/c", "password": "een-sterk-wachtwoord"},
    ],
)
def test_register_bad_body_is_400(db: Any, body: dict[str, Any]) -> None:
    response = Client().post("/api/auth/register", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"


def test_login_sets_cookie_and_returns_user(user: Any) -> None:
    response = login(csrf_client())
    assert response.status_code == 200
    assert response.json() == {"user": {"id": user.pk, "username": "anna"}}
    assert response.cookies[settings.AUTH_COOKIE_NAME].value
    assert response.cookies["csrftoken"].value


def test_login_wrong_password_is_401(user: Any) -> None:
    response = login(Client(), password="fout")
    assert_401(response)
    assert response.json()["error"]["code"] == "authentication_failed"
    assert settings.AUTH_COOKIE_NAME not in response.cookies


def test_cookie_is_secure_over_https(user: Any) -> None:
    response = Client().post(
        "/api/auth/login", {"username": "anna", "password": PASSWORD}, content_type="application/json", secure=True
    )
    assert response.cookies[settings.AUTH_COOKIE_NAME]["secure"]


# --- cookie + CSRF ------------------------------------------------------------------


def test_cookie_request_without_csrf_token_is_403_and_writes_nothing(user: Any) -> None:
    client = csrf_client()
    login(client)
    response = client.post(MARK, BODY, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert ToolCompletion.objects.count() == 0


def test_cookie_request_with_wrong_csrf_token_is_403(user: Any) -> None:
    client = csrf_client()
    login(client)
    response = client.post(MARK, BODY, content_type="application/json", HTTP_X_CSRFTOKEN="x" * 32)
    assert response.status_code == 403


def test_cookie_request_with_csrf_token_works(user: Any) -> None:
    client = csrf_client()
    login(client)
    csrf = client.cookies["csrftoken"].value
    response = client.post(MARK, BODY, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200
    assert ToolCompletion.objects.filter(user=user).count() == 1


def test_cookie_get_needs_no_csrf(user: Any) -> None:
    client = csrf_client()
    login(client)
    assert client.get(PROGRESS).status_code == 200


def test_bearer_needs_no_csrf(user: Any) -> None:
    _, access = tokens.token_pair_for(user)
    response = csrf_client().post(MARK, BODY, content_type="application/json", **bearer_headers(access))
    assert response.status_code == 200


def test_header_wins_over_cookie(user: Any, other_user: Any) -> None:
    client = csrf_client()
    login(client)
    _, access = tokens.token_pair_for(other_user)
    client.post(MARK, BODY, content_type="application/json", **bearer_headers(access))
    assert ToolCompletion.objects.get().user == other_user


# --- bad tokens ----------------------------------------------------------------------


def _forge(payload: dict[str, Any], key: str = settings.SECRET_KEY, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def _valid_payload(user: Any) -> dict[str, Any]:
    return dict(tokens.cookie_token_for(user).payload)


def test_tampered_signature_is_401(user: Any) -> None:
    raw = str(tokens.cookie_token_for(user))
    head, body, sig = raw.split(".")
    tampered = f"{head}.{body}.{sig[:-4]}AAAA"
    assert_401(Client().get(PROGRESS, **bearer_headers(tampered)))


def test_tampered_payload_is_401(user: Any, other_user: Any) -> None:
    raw = str(tokens.cookie_token_for(user))
    head, body, sig = raw.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["user_id"] = str(other_user.pk)
    forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    assert_401(Client().get(PROGRESS, **bearer_headers(f"{head}.{forged_body}.{sig}")))


def test_alg_none_is_401(user: Any) -> None:
    token = jwt.encode(_valid_payload(user), key=None, algorithm="none")
    assert_401(Client().get(PROGRESS, **bearer_headers(token)))


def test_wrong_algorithm_is_401(user: Any) -> None:
    token = _forge(_valid_payload(user), algorithm="HS512")
    assert_401(Client().get(PROGRESS, **bearer_headers(token)))


def test_wrong_key_is_401(user: Any) -> None:
    token = _forge(_valid_payload(user), key="not-the-secret-key-but-long-enough-for-hs256")
    assert_401(Client().get(PROGRESS, **bearer_headers(token)))


def test_expired_token_is_401(user: Any) -> None:
    token = tokens.cookie_token_for(user)
    token.set_exp(lifetime=timedelta(seconds=-1))
    assert_401(Client().get(PROGRESS, **bearer_headers(token)))


def test_refresh_token_as_access_token_is_401(user: Any) -> None:
    refresh, _ = tokens.token_pair_for(user)
    assert_401(Client().get(PROGRESS, **bearer_headers(refresh)))


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Token abc", "Basic YW5uYTp4", "Bearer not.a.jwt"])
def test_malformed_authorization_header_is_401(user: Any, header: str) -> None:
    assert_401(Client().get(PROGRESS, HTTP_AUTHORIZATION=header))


def test_garbage_cookie_is_401(user: Any) -> None:
    client = Client()
    client.cookies[settings.AUTH_COOKIE_NAME] = "garbage"
    assert_401(client.get(PROGRESS))


def test_token_of_a_deleted_user_is_401(user: Any) -> None:
    _, access = tokens.token_pair_for(user)
    user.delete()
    assert_401(Client().get(PROGRESS, **bearer_headers(access)))


def test_token_of_a_deactivated_user_is_401(user: Any) -> None:
    _, access = tokens.token_pair_for(user)
    user.is_active = False
    user.save()
    assert_401(Client().get(PROGRESS, **bearer_headers(access)))


def test_token_user_id_claim_is_a_string(user: Any) -> None:
    # simplejwt writes user_id as a string; authentication must read it as such.
    assert AccessToken(str(tokens.cookie_token_for(user)))["user_id"] == str(user.pk)


# --- logout and password change revoke ---------------------------------------------


def test_logout_clears_cookie_and_revokes_the_token(user: Any) -> None:
    client = csrf_client()
    login(client)
    raw = client.cookies[settings.AUTH_COOKIE_NAME].value
    csrf = client.cookies["csrftoken"].value

    response = client.post("/api/auth/logout", HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 204
    assert response.cookies[settings.AUTH_COOKIE_NAME].value == ""
    assert_401(Client().get(PROGRESS, **bearer_headers(raw)))
    replay = Client()
    replay.cookies[settings.AUTH_COOKIE_NAME] = raw
    assert_401(replay.get(PROGRESS))


def test_logout_with_cookie_needs_csrf(user: Any) -> None:
    client = csrf_client()
    login(client)
    assert client.post("/api/auth/logout").status_code == 403
    assert client.get(PROGRESS).status_code == 200


def test_logout_without_credentials_is_401(db: Any) -> None:
    assert_401(Client().post("/api/auth/logout"))


def test_bearer_logout_revokes_its_refresh_token_too(user: Any) -> None:
    refresh, access = tokens.token_pair_for(user)
    assert Client().post("/api/auth/logout", **bearer_headers(access)).status_code == 204
    assert_401(Client().get(PROGRESS, **bearer_headers(access)))
    response = Client().post("/api/auth/token/refresh/", {"refresh": str(refresh)}, content_type="application/json")
    assert_401(response)


def test_logout_leaves_other_sessions_alone(user: Any) -> None:
    _, other_access = tokens.token_pair_for(user)
    _, access = tokens.token_pair_for(user)
    Client().post("/api/auth/logout", **bearer_headers(access))
    assert Client().get(PROGRESS, **bearer_headers(other_access)).status_code == 200


def test_password_change_revokes_other_tokens_and_issues_a_fresh_cookie(user: Any) -> None:
    refresh, other_access = tokens.token_pair_for(user)
    client = csrf_client()
    login(client)
    old_cookie = client.cookies[settings.AUTH_COOKIE_NAME].value

    response = client.post(
        "/api/auth/password",
        {"oldPassword": PASSWORD, "newPassword": "een-nieuw-wachtwoord"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 204
    new_cookie = response.cookies[settings.AUTH_COOKIE_NAME].value
    assert new_cookie and new_cookie != old_cookie
    assert client.get(PROGRESS).status_code == 200
    assert_401(Client().get(PROGRESS, **bearer_headers(other_access)))
    assert_401(Client().get(PROGRESS, **bearer_headers(old_cookie)))
    response = Client().post("/api/auth/token/refresh/", {"refresh": str(refresh)}, content_type="application/json")
    assert_401(response)
    assert login(Client(), password="een-nieuw-wachtwoord").status_code == 200


def test_password_change_with_wrong_old_password_is_400_and_changes_nothing(user: Any) -> None:
    _, access = tokens.token_pair_for(user)
    response = Client().post(
        "/api/auth/password",
        {"oldPassword": "fout", "newPassword": "een-nieuw-wachtwoord"},
        content_type="application/json",
        **bearer_headers(access),
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "oldPassword"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert Client().get(PROGRESS, **bearer_headers(access)).status_code == 200


def test_password_change_to_a_weak_password_is_400(user: Any) -> None:
    _, access = tokens.token_pair_for(user)
    response = Client().post(
        "/api/auth/password",
        {"oldPassword": PASSWORD, "newPassword": "123"},
        content_type="application/json",
        **bearer_headers(access),
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_password",
        "message": response.json()["error"]["message"],
        "field": "newPassword",
    }


# --- token pair for API clients -----------------------------------------------------


def test_token_obtain_and_refresh_rotates(user: Any) -> None:
    response = Client().post(
        "/api/auth/token/", {"username": "anna", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    pair = response.json()
    assert Client().get(PROGRESS, **bearer_headers(pair["access"])).status_code == 200
    assert AccessToken(pair["access"]).lifetime <= timedelta(minutes=15)

    rotated = Client().post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, content_type="application/json")

    assert rotated.status_code == 200
    new_pair = rotated.json()
    assert new_pair["refresh"] != pair["refresh"]
    assert Client().get(PROGRESS, **bearer_headers(new_pair["access"])).status_code == 200
    # The old refresh token is spent.
    reuse = Client().post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, content_type="application/json")
    assert_401(reuse)


def test_token_obtain_wrong_password_is_401(user: Any) -> None:
    response = Client().post("/api/auth/token/", {"username": "anna", "password": "x"}, content_type="application/json")
    assert_401(response)


def test_token_refresh_with_an_access_token_is_401(user: Any) -> None:
    _, access = tokens.token_pair_for(user)
    assert_401(Client().post("/api/auth/token/refresh/", {"refresh": str(access)}, content_type="application/json"))


# --- rate limits -------------------------------------------------------------------


def test_failed_logins_per_username_are_rate_limited(user: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "failed_login_per_username": (3, 900)}
    for _ in range(3):
        assert login(Client(), password="fout").status_code == 401
    response = login(Client())  # even the right password waits now
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 900


def test_failed_logins_per_ip_are_rate_limited(user: Any, other_user: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "failed_login_per_ip": (2, 900)}
    login(Client(), password="fout")
    login(Client(), username="bram", password="fout")
    response = login(Client(), username="bram", password="geheim-wachtwoord-2")
    assert response.status_code == 429


def test_successful_logins_are_not_counted(user: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "failed_login_per_username": (2, 900)}
    for _ in range(5):
        assert login(Client()).status_code == 200


def test_registrations_per_ip_are_rate_limited(db: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register_per_ip": (2, 60)}
    for index in range(2):
        response = Client().post(
            "/api/auth/register",
            {"username": f"u{index}", "password": "een-sterk-wachtwoord"},
            content_type="application/json",
        )
        assert response.status_code == 201
    response = Client().post(
        "/api/auth/register", {"username": "u9", "password": "een-sterk-wachtwoord"}, content_type="application/json"
    )
    assert response.status_code == 429
    assert response["Retry-After"]


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(user: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "failed_login_per_ip": (1, 900)}
    login(Client(HTTP_X_FORWARDED_FOR="10.0.0.1"), password="fout")
    # A spoofed header from an untrusted peer does not buy a fresh IP budget.
    response = login(Client(HTTP_X_FORWARDED_FOR="10.0.0.2"), username="anna")
    assert response.status_code == 429


def test_trusted_proxy_forwarded_ip_is_used(user: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "failed_login_per_ip": (1, 900)}
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    login(Client(HTTP_X_FORWARDED_FOR="10.0.0.1"), username="x", password="fout")
    response = login(Client(HTTP_X_FORWARDED_FOR="10.0.0.2"))
    assert response.status_code == 200


def test_tool_completion_endpoints_are_not_rate_limited(api: Any, settings: Any) -> None:
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, (1, 900))
    for _ in range(10):
        assert api.post(MARK, BODY).status_code == 200


# --- staff-only init ------------------------------------------------------------------


def test_init_anonymous_is_401(db: Any) -> None:
    assert_401(Client().post("/api/admin/init-tool-tracking"))


def test_init_non_staff_is_403(api: Any) -> None:
    response = api.post("/api/admin/init-tool-tracking")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_init_staff_reports_nothing_created_when_all_is_there(staff_user: Any) -> None:
    _, access = tokens.token_pair_for(staff_user)
    response = Client().post("/api/admin/init-tool-tracking", **bearer_headers(access))
    assert response.status_code == 200
    body = response.json()
    assert body["tablesCreated"] == body["viewsCreated"] == body["functionsCreated"] == []
    assert set(body["present"]) == {
        "tool_completions",
        "tool_catalog",
        "tool_progress",
        "user_coaching_progress",
        "mark_action_completed",
        "is_action_completed",
        "get_tool_completions",
        "mark_completed_progress",
        "user_progress_rows",
        "completion_state",
        "tool_completion_events",
        "tool_completion_event_log",
        "tool_completions_event_log",
        "tool_completion_events_erase",
        "auth_user_erase_events",
        "reset_completions",
    }
