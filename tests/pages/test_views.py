"""The pages: auth, the tabbed dashboard, and every coach action (full page and htmx), bad input included."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import Image

from coaching import catalog
from coaching.accounts import tokens
from coaching.coach import chat, date, foto, gesprek, profiel
from coaching.completions import services
from coaching.models import Photo, ToolCompletion

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def post(client: Client, path: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
    data = {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    return client.post(path, data, **extra)


def bars(html: str) -> dict[str, int]:
    """aria-label -> aria-valuenow of every progressbar in the page."""
    found = {}
    for tag in re.findall(r"<[^>]*role=\"progressbar\"[^>]*>", html):
        label = re.search(r'aria-label="([^"]+)"', tag)
        now = re.search(r'aria-valuenow="(\d+)"', tag)
        assert 'aria-valuemin="0"' in tag and 'aria-valuemax="100"' in tag
        assert label and now
        found[label.group(1)] = int(now.group(1))
    return found


def completed(user: Any) -> set[tuple[str, str]]:
    return set(ToolCompletion.objects.filter(user=user).values_list("tool_name", "action_name"))


# --- accounts ---------------------------------------------------------------------------


def test_dashboard_requires_login(db: Any) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/?next=/")


def test_htmx_request_without_login_gets_a_client_redirect(db: Any) -> None:
    response = Client().get("/tools/chat-coach/", **HTMX)
    assert response["HX-Redirect"].startswith("/inloggen/")


def test_login_page_is_dutch(db: Any) -> None:
    response = Client().get("/inloggen/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "Gebruikersnaam" in html and "Wachtwoord" in html


def test_login_sets_the_api_cookie_and_redirects_to_next(user: Any) -> None:
    client = Client()
    response = client.post(
        "/inloggen/", {"username": "anna", "password": "geheim-wachtwoord-1", "next": "/tools/chat-coach/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/tools/chat-coach/"
    cookie = response.cookies[settings.AUTH_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    # The page cookie is the API's cookie.
    assert client.get("/api/tool-completion/progress").status_code == 200


def test_login_refuses_an_offsite_next(user: Any) -> None:
    response = Client().post(
        "/inloggen/", {"username": "anna", "password": "geheim-wachtwoord-1", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_login_with_wrong_password_shows_an_error(user: Any) -> None:
    response = Client().post("/inloggen/", {"username": "anna", "password": "fout"})
    assert response.status_code == 400
    assert "Gebruikersnaam of wachtwoord klopt niet." in response.content.decode()
    assert settings.AUTH_COOKIE_NAME not in response.cookies


def test_login_is_rate_limited(user: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "failed_login_per_username": (2, 900)}
    for _ in range(2):
        Client().post("/inloggen/", {"username": "anna", "password": "fout"})
    response = Client().post("/inloggen/", {"username": "anna", "password": "geheim-wachtwoord-1"})
    assert response.status_code == 429
    assert "Te veel pogingen" in response.content.decode()


def test_login_form_needs_csrf(user: Any) -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/inloggen/", {"username": "anna", "password": "geheim-wachtwoord-1"}
    )
    assert response.status_code == 403


def test_signup_creates_account_and_logs_in(db: Any, django_user_model: Any) -> None:
    client = Client()
    response = client.post(
        "/account-maken/",
        {"username": "nieuw", "email": "", "password1": "een-sterk-wachtwoord", "password2": "een-sterk-wachtwoord"},
    )
    assert response.status_code == 302
    assert django_user_model.objects.filter(username="nieuw").exists()
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "nieuw", "password1": "een-sterk-wachtwoord", "password2": "anders-wachtwoord"}, "niet gelijk"),
        ({"username": "nieuw", "password1": "12345678", "password2": "12345678"}, "wachtwoord"),
        (
            {"username": "anna", "password1": "een-sterk-wachtwoord", "password2": "een-sterk-wachtwoord"},
            "al in gebruik",
        ),
        ({"username": "", "password1": "een-sterk-wachtwoord", "password2": "een-sterk-wachtwoord"}, "vereist"),
    ],
)
def test_signup_bad_input_shows_errors_and_creates_nothing(
    user: Any, django_user_model: Any, data: dict[str, str], message: str
) -> None:
    response = Client().post("/account-maken/", data)
    assert response.status_code == 400
    assert message in response.content.decode().lower() or message in response.content.decode()
    assert django_user_model.objects.count() == 1


def test_logout_revokes_the_cookie_token(browser: Client) -> None:
    raw = browser.cookies[settings.AUTH_COOKIE_NAME].value
    response = post(browser, "/uitloggen/")
    assert response.status_code == 302
    replay = Client()
    replay.cookies[settings.AUTH_COOKIE_NAME] = raw
    assert replay.get("/").status_code == 302
    assert replay.get("/api/tool-completion/progress").status_code == 401


def test_logout_needs_post(browser: Client) -> None:
    assert browser.get("/uitloggen/").status_code == 405


def test_password_change_page_keeps_this_browser_logged_in(browser: Client, user: Any) -> None:
    old = browser.cookies[settings.AUTH_COOKIE_NAME].value
    response = post(
        browser,
        "/wachtwoord/",
        {
            "old_password": "geheim-wachtwoord-1",
            "new_password1": "nieuw-geheim-123",
            "new_password2": "nieuw-geheim-123",
        },
    )
    assert response.status_code == 200
    assert "gewijzigd" in response.content.decode()
    assert browser.get("/").status_code == 200
    stale = Client()
    stale.cookies[settings.AUTH_COOKIE_NAME] = old
    assert stale.get("/").status_code == 302


def test_password_change_with_wrong_old_password_is_refused(browser: Client, user: Any) -> None:
    response = post(
        browser,
        "/wachtwoord/",
        {"old_password": "fout", "new_password1": "nieuw-geheim-123", "new_password2": "nieuw-geheim-123"},
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password("geheim-wachtwoord-1")


def test_password_reset_by_email(user: Any, mailoutbox: list[Any]) -> None:
    user.email = "anna@example.nl"
    user.save()
    client = Client()
    response = client.post("/wachtwoord-vergeten/", {"email": "anna@example.nl"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"http://testserver(/wachtwoord-herstellen/\S+/)", mailoutbox[0].body)
    assert link
    confirm = client.get(link.group(1), follow=True)
    assert confirm.status_code == 200
    response = client.post(
        confirm.redirect_chain[-1][0], {"new_password1": "hersteld-geheim-9", "new_password2": "hersteld-geheim-9"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("hersteld-geheim-9")


def test_password_reset_page_is_translated(db: Any) -> None:
    html = Client().get("/wachtwoord-vergeten/").content.decode()
    assert "E-mailadres" in html


# --- the dashboard -----------------------------------------------------------------------


def test_dashboard_has_one_tab_per_tool_in_catalog_order(browser: Client) -> None:
    html = browser.get("/").content.decode()
    assert 'role="tablist"' in html
    tabs = re.findall(r'role="tab" id="tab-([a-z-]+)"', html)
    assert tabs == list(catalog.TOOL_NAMES)
    assert 'role="tabpanel" id="panel-profiel-coach"' in html
    for tool in catalog.TOOLS:
        assert f'href="/tools/{tool.name}/"' in html
        assert f'hx-get="/tools/{tool.name}/"' in html
    assert 'hx-push-url="true"' in html


def test_dashboard_has_an_overall_and_a_tool_bar(browser: Client) -> None:
    html = browser.get("/").content.decode()
    assert bars(html) == {"Totaal": 0, "Profiel Coach": 0}
    assert "0%" in html


def test_each_tab_has_its_own_url(browser: Client) -> None:
    for tool in catalog.TOOLS:
        response = browser.get(f"/tools/{tool.name}/")
        html = response.content.decode()
        assert response.status_code == 200
        assert f'id="tab-{tool.name}" href="/tools/{tool.name}/"' in html
        assert re.search(rf'id="tab-{tool.name}"[^>]*aria-selected="true"', html, re.S)
        for action in tool.actions:
            assert f'id="card-{tool.name}-{action.name}"' in html


def test_htmx_tab_switch_returns_only_the_coach_partial(browser: Client) -> None:
    response = browser.get("/tools/chat-coach/", **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith("<title>Chat Coach · DateSpark</title>")
    assert '<div id="coach"' in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_full_page(browser: Client) -> None:
    response = browser.get("/tools/chat-coach/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


def test_unknown_tool_page_is_404(browser: Client) -> None:
    response = browser.get("/tools/nope/")
    assert response.status_code == 404
    assert "niet gevonden" in response.content.decode()


def test_dashboard_shows_progress_from_another_device(browser: Client, user: Any) -> None:
    # Marked through the API (another device); the page shows it.
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    html = browser.get("/tools/chat-coach/").content.decode()
    assert bars(html) == {"Totaal": 7, "Chat Coach": 33}
    assert re.search(r'id="card-chat-coach-first_question"[^>]*>.*?Gedaan', html, re.S)


def test_dashboard_shows_only_own_progress(browser: Client, other_user: Any) -> None:
    services.completion_mark(user_id=other_user.pk, tool_name="chat-coach", action_name="first_question")
    assert bars(browser.get("/tools/chat-coach/").content.decode()) == {"Totaal": 0, "Chat Coach": 0}


def test_body_carries_the_csrf_header_for_htmx(browser: Client) -> None:
    html = browser.get("/").content.decode()
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]+\"\}'>", html)


def test_htmx_comes_from_our_static_files(browser: Client) -> None:
    html = browser.get("/").content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2[^"]*\.js"', html)
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_static_files_are_served(browser: Client) -> None:
    assert browser.get("/static/css/app.css").status_code == 200


def test_legacy_keys_are_on_the_page_for_the_import_script(browser: Client) -> None:
    html = browser.get("/").content.decode()
    assert '<script id="legacy-keys" type="application/json">' in html
    assert '"profiel-coach-bio"' in html


# --- the actions ---------------------------------------------------------------------------


def png_bytes(size: tuple[int, int] = (800, 1000), color: tuple[int, int, int] = (180, 150, 120)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(data: bytes, name: str = "foto.png") -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


VALID: dict[tuple[str, str], Any] = {
    ("profiel-coach", "bio_generated"): {
        "name": "Anna",
        "age": "31",
        "interests": "koken, fotografie",
        "tone": "speels",
    },
    ("profiel-coach", "bio_analyzed"): {"text": "Ik hou van lachen en reizen. Wie gaat er mee naar Lissabon?"},
    ("profiel-coach", "profile_completed"): {"ticked": [item.key for item in profiel.PROFILE_CHECKLIST]},
    ("foto-advies", "photo_improved"): {"ticked": [item.key for item in foto.PHOTO_IMPROVEMENT_TIPS]},
    ("chat-coach", "first_question"): {"interests": "koken, honden"},
    ("chat-coach", "conversation_continued"): {"message": "Haha ja, ik ben net terug van een weekend Texel!"},
    ("chat-coach", "practice_completed"): {
        "reply_1": "Goed! Ik heb vandaag lekker gefietst door de duinen. Hoe was jouw dag?",
        "reply_2": "Ik kook graag Italiaans, vooral verse pasta. Wat is jouw favoriete gerecht?",
        "reply_3": "Zeker, een koffie in het park lijkt me leuk. Past zaterdag jou?",
    },
    ("gesprek-starter", "opener_generated"): {"interest": "bergwandelen", "style": "nieuwsgierig"},
    ("gesprek-starter", "platform_selected"): {"platform": "hinge"},
    ("gesprek-starter", "safety_reviewed"): {"ticked": [item.key for item in gesprek.SAFETY_CHECKLIST]},
    ("date-planner", "idea_generated"): {"budget": "laag", "setting": "buiten", "interest": "fietsen"},
    ("date-planner", "checklist_completed"): {"ticked": [item.key for item in date.PRE_DATE_CHECKLIST]},
}


def date_plan_data() -> dict[str, str]:
    when = timezone.localtime() + timedelta(days=3)
    return {"when": when.replace(hour=19, minute=30).strftime("%Y-%m-%dT%H:%M"), "place": "Café de Zwaan, Utrecht"}


@pytest.mark.parametrize(("tool", "action"), list(VALID))
def test_action_by_htmx_records_completion_and_moves_the_bars(
    browser: Client, user: Any, tool: str, action: str
) -> None:
    response = post(browser, f"/tools/{tool}/{action}/", VALID[(tool, action)], **HTMX)

    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    assert completed(user) == {(tool, action)}
    label = catalog.TOOLS_BY_NAME[tool].label
    assert bars(html) == {label: 33, "Totaal": 7}
    assert html.count('hx-swap-oob="true"') >= 3
    assert f'id="card-{tool}-{action}"' in html
    assert "Gedaan" in html
    assert "HX-Request" in response["Vary"]


def test_action_without_htmx_renders_the_full_page(browser: Client, user: Any) -> None:
    response = post(browser, "/tools/chat-coach/first_question/", VALID[("chat-coach", "first_question")])
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert bars(html) == {"Totaal": 7, "Chat Coach": 33}


def test_action_metadata_is_useful_and_holds_no_pasted_text(browser: Client, user: Any) -> None:
    post(browser, "/tools/profiel-coach/bio_generated/", VALID[("profiel-coach", "bio_generated")], **HTMX)
    post(browser, "/tools/chat-coach/conversation_continued/", VALID[("chat-coach", "conversation_continued")], **HTMX)
    rows = {row.action_name: row.metadata for row in ToolCompletion.objects.filter(user=user)}
    assert rows["bio_generated"]["tone"] == "speels" and rows["bio_generated"]["bioLength"] > 50
    assert set(rows["conversation_continued"]) == {"wordCount", "hasQuestion"}
    assert "Texel" not in str(rows)


def test_date_plan_action(browser: Client, user: Any) -> None:
    response = post(browser, "/tools/date-planner/date_planned/", date_plan_data(), **HTMX)
    assert response.status_code == 200
    assert ("date-planner", "date_planned") in completed(user)
    assert "Café de Zwaan" in response.content.decode()


def test_all_fifteen_actions_reach_100_percent(browser: Client, user: Any) -> None:
    post(browser, "/tools/foto-advies/photo_uploaded/", {"photo": upload(png_bytes())}, **HTMX)
    post(browser, "/tools/foto-advies/analysis_viewed/", {}, **HTMX)
    post(browser, "/tools/date-planner/date_planned/", date_plan_data(), **HTMX)
    for (tool, action), data in VALID.items():
        response = post(browser, f"/tools/{tool}/{action}/", data, **HTMX)
    assert len(completed(user)) == 15
    assert bars(response.content.decode()) == {"Date Planner": 100, "Totaal": 100}


@pytest.mark.parametrize(
    ("tool", "action", "data", "message"),
    [
        ("profiel-coach", "bio_generated", {"name": "Anna", "age": "12", "interests": "koken", "tone": "speels"}, "18"),
        (
            "profiel-coach",
            "bio_generated",
            {"name": "Anna", "age": "30", "interests": "koken", "tone": "boos"},
            "keuze",
        ),
        ("profiel-coach", "bio_generated", {"name": "Anna", "age": "30", "interests": " , ", "tone": "speels"}, ""),
        ("profiel-coach", "bio_analyzed", {"text": ""}, "vereist"),
        ("profiel-coach", "bio_analyzed", {"text": "x" * 2001}, "2000"),
        ("chat-coach", "first_question", {"interests": ""}, "vereist"),
        ("chat-coach", "conversation_continued", {"message": "x" * 1001}, "1000"),
        ("chat-coach", "practice_completed", {"reply_1": "x" * 501}, "500"),
        ("gesprek-starter", "opener_generated", {"interest": "", "style": "grappig"}, "vereist"),
        ("gesprek-starter", "platform_selected", {"platform": "myspace"}, "keuze"),
        ("date-planner", "idea_generated", {"budget": "miljoen", "setting": "buiten"}, "keuze"),
        ("date-planner", "date_planned", {"when": "gisteren", "place": "Café"}, ""),
        ("date-planner", "date_planned", {"when": "2001-01-01T19:00", "place": "Café"}, ""),
        ("profiel-coach", "bio_analyzed", {"text": "a\x00b"}, ""),
    ],
)
def test_bad_action_input_shows_an_error_and_records_nothing(
    browser: Client, user: Any, tool: str, action: str, data: dict[str, str], message: str
) -> None:
    response = post(browser, f"/tools/{tool}/{action}/", data, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert message in html
    assert completed(user) == set()


def test_incomplete_checklist_records_nothing_and_says_what_is_left(browser: Client, user: Any) -> None:
    first = profiel.PROFILE_CHECKLIST[0]
    response = post(browser, "/tools/profiel-coach/profile_completed/", {"ticked": [first.key]}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nog niet alles afgevinkt" in html
    assert profiel.PROFILE_CHECKLIST[1].label in html
    assert completed(user) == set()


def test_failed_practice_is_not_completed(browser: Client, user: Any) -> None:
    response = post(
        browser, "/tools/chat-coach/practice_completed/", {"reply_1": "ok", "reply_2": "", "reply_3": ""}, **HTMX
    )
    assert response.status_code == 200
    assert "Nog niet helemaal" in response.content.decode()
    assert completed(user) == set()


def test_unknown_action_is_404(browser: Client) -> None:
    assert post(browser, "/tools/chat-coach/bio_generated/", {}).status_code == 404
    assert post(browser, "/tools/nope/bio_generated/", {}).status_code == 404


def test_actions_need_post(browser: Client) -> None:
    assert browser.get("/tools/chat-coach/first_question/").status_code == 405


def test_actions_need_csrf(browser: Client, user: Any) -> None:
    response = browser.post("/tools/chat-coach/first_question/", VALID[("chat-coach", "first_question")], **HTMX)
    assert response.status_code == 403
    assert completed(user) == set()


def test_htmx_actions_accept_the_csrf_header(browser: Client, user: Any) -> None:
    response = browser.post(
        "/tools/chat-coach/first_question/",
        VALID[("chat-coach", "first_question")],
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
        **HTMX,
    )
    assert response.status_code == 200


# --- photos -----------------------------------------------------------------------------------


def test_photo_upload_stores_a_clean_jpeg_for_the_owner_only(browser: Client, user: Any, other_user: Any) -> None:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    buffer = io.BytesIO()
    Image.new("RGB", (900, 1200), (120, 130, 140)).save(buffer, format="JPEG", exif=exif)

    response = post(
        browser, "/tools/foto-advies/photo_uploaded/", {"photo": upload(buffer.getvalue(), "ik.jpg")}, **HTMX
    )

    assert response.status_code == 200
    photo = Photo.objects.get(user=user)
    assert photo.image.name.startswith(f"photos/{user.pk}/") and "ik.jpg" not in photo.image.name
    served = browser.get(f"/foto/{photo.id}.jpg")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    content = b"".join(served.streaming_content)
    assert b"SpyCam" not in content
    assert not Image.open(io.BytesIO(content)).getexif()
    other = Client()
    other.cookies[settings.AUTH_COOKIE_NAME] = str(tokens.cookie_token_for(other_user))
    assert other.get(f"/foto/{photo.id}.jpg").status_code == 404
    assert Client().get(f"/foto/{photo.id}.jpg").status_code == 302


def test_a_new_photo_replaces_the_old_one_and_its_file(
    browser: Client, user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post(browser, "/tools/foto-advies/photo_uploaded/", {"photo": upload(png_bytes())}, **HTMX)
    first = Photo.objects.get(user=user)
    storage, name = first.image.storage, first.image.name
    with django_capture_on_commit_callbacks(execute=True):
        post(browser, "/tools/foto-advies/photo_uploaded/", {"photo": upload(png_bytes(color=(10, 200, 10)))}, **HTMX)
    assert Photo.objects.filter(user=user).count() == 1
    assert not storage.exists(name)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"dit is geen foto", "foto.jpg", "foto"),
        (b"%PDF-1.4 nope", "foto.pdf", "foto"),
        (png_bytes((50, 50)), "klein.png", "klein"),
    ],
)
def test_photo_upload_rejects_non_images_with_a_clear_message(
    browser: Client, user: Any, data: bytes, name: str, message: str
) -> None:
    response = post(browser, "/tools/foto-advies/photo_uploaded/", {"photo": upload(data, name)}, **HTMX)
    assert response.status_code == 400
    assert message in response.content.decode().lower()
    assert not Photo.objects.exists()
    assert completed(user) == set()


def test_photo_upload_over_the_page_bound_is_413(browser: Client, user: Any) -> None:
    big = upload(b"\xff" * (settings.PAGE_MAX_BODY_BYTES + 1024), "groot.jpg")
    response = post(browser, "/tools/foto-advies/photo_uploaded/", {"photo": big}, **HTMX)
    assert response.status_code == 413
    assert "te groot" in response.content.decode()
    assert not Photo.objects.exists()


def test_photo_over_5_mb_is_refused(browser: Client, user: Any) -> None:
    data = b"\xff\xd8" + b"\x00" * (foto.MAX_UPLOAD_BYTES + 10)
    response = post(browser, "/tools/foto-advies/photo_uploaded/", {"photo": upload(data, "groot.jpg")}, **HTMX)
    assert response.status_code == 400
    assert "5 MB" in response.content.decode()


def test_analysis_without_a_photo_asks_for_one(browser: Client, user: Any) -> None:
    response = post(browser, "/tools/foto-advies/analysis_viewed/", {}, **HTMX)
    assert response.status_code == 400
    assert "Upload eerst een foto" in response.content.decode()
    assert completed(user) == set()


def test_analysis_reports_the_photo(browser: Client, user: Any) -> None:
    post(browser, "/tools/foto-advies/photo_uploaded/", {"photo": upload(png_bytes((800, 1000)))}, **HTMX)
    html = post(browser, "/tools/foto-advies/analysis_viewed/", {}, **HTMX).content.decode()
    assert "800 × 1000" in html
    assert "4:5" in html
    assert completed(user) == {("foto-advies", "photo_uploaded"), ("foto-advies", "analysis_viewed")}


def test_practice_prompts_are_shown(browser: Client) -> None:
    html = browser.get("/tools/chat-coach/").content.decode()
    for prompt in chat.PRACTICE_PROMPTS:
        assert prompt.replace("'", "&#x27;") in html


@pytest.fixture
def full_media_root(settings: Any, tmp_path: Any) -> Any:
    """MEDIA_ROOT on a 1 MiB tmpfs that is already full."""
    import os
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "media"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=False).returncode:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        with (mount / "filler").open("wb") as filler, contextlib.suppress(OSError):
            filler.write(b"\0" * (2 * 1024 * 1024))
        settings.MEDIA_ROOT = str(mount)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_fails_the_upload_cleanly(browser: Client, user: Any, full_media_root: Any) -> None:
    from tests.security_facts import record

    record("faults_disk_full")
    response = post(browser, "/tools/foto-advies/photo_uploaded/", {"photo": upload(png_bytes())}, **HTMX)
    assert response.status_code == 503
    assert "kon nu niet worden opgeslagen" in response.content.decode()
    assert not Photo.objects.exists()
    assert completed(user) == set()
    assert not list((full_media_root / "photos").rglob("*.jpg"))  # no half-written file left


def test_the_favicon_is_served_with_the_static_files(client: Client) -> None:
    # Browsers ask for /favicon.ico on every page that names none (the admin's, error pages).
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] in {"image/vnd.microsoft.icon", "image/x-icon"}
    # The pages name their SVG icon, which is a static file.
    page = client.get("/inloggen/").content.decode()
    href = page.split('<link rel="icon" href="', 1)[1].split('"', 1)[0]
    svg = client.get(href)
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
