"""The v1.1 pages: the activity strip and streak, "Voortgang wissen", and Mijn gegevens (timezone, export, delete)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coaching.accounts import tokens
from coaching.completions import services
from coaching.models import ToolCompletion, ToolCompletionEvent
from coaching.mydata import preferences
from coaching.timezones import timezone_names
from tests.pages.test_views import HTMX, VALID, bars, post
from tests.user_data import counts, fill

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

PASSWORD = "geheim-wachtwoord-1"  # the `user` fixture's
# 23:30 on Wednesday 25 November 2026 in Amsterdam; 07:30 on the 26th in Tokyo.
NOW = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)
STRIP_CELL = re.compile(
    r'<li class="activity-cell level-(\d)( is-today)?"><span class="visually-hidden">([^<]+)</span>'
    r'<span class="activity-tip" title="\3" aria-hidden="true"></span></li>'
)


def event(user: Any, at: datetime, kind: str = "completed", action: str = "first_question") -> None:
    ToolCompletionEvent.objects.create(user=user, tool_name="chat-coach", action_name=action, kind=kind, at=at)


def strip(html: str) -> list[tuple[int, bool, str]]:
    """(intensity level, is today, label) of every day cell in the page."""
    return [(int(level), bool(today), label) for level, today, label in STRIP_CELL.findall(html)]


def section(html: str, element_id: str) -> str:
    match = re.search(rf'<section id="{element_id}"[^>]*>.*?</section>', html, re.S)
    assert match, f"no <section id={element_id!r}>"
    return match.group(0)


def frozen_get(client: Client, path: str, now: datetime = NOW, **extra: Any) -> Any:
    with mock.patch("django.utils.timezone.now", return_value=now):
        return client.get(path, **extra)


def completed(user: Any) -> set[tuple[str, str]]:
    return set(ToolCompletion.objects.filter(user=user).values_list("tool_name", "action_name"))


# --- activity strip and streak ------------------------------------------------------------------


def test_dashboard_shows_thirty_days_and_the_streak(browser: Client, user: Any) -> None:
    event(user, NOW - timedelta(minutes=5))  # today, 25 nov
    event(user, NOW - timedelta(days=1))  # 24 nov, twice
    event(user, NOW - timedelta(days=1, hours=2), kind="repeated")
    event(user, NOW - timedelta(days=2))  # 23 nov
    event(user, NOW - timedelta(days=2), kind="reset")  # not activity
    event(user, NOW - timedelta(days=40))  # before the 30 days: not in the strip

    html = frozen_get(browser, "/").content.decode()

    cells = strip(html)
    assert len(cells) == 30
    assert cells[0] == (0, False, "27 okt: geen acties")
    assert cells[-3:] == [
        (1, False, "23 nov: 1 actie"),
        (2, False, "24 nov: 2 acties"),
        (1, True, "vandaag, 25 nov: 1 actie"),
    ]
    assert sum(level for level, _, _ in cells) == 4
    activity = section(html, "activity")
    assert '<p class="streak is-on" id="streak">3 dagen op rij</p>' in activity
    assert "In de afgelopen 30 dagen 4 acties gedaan, op 3 dagen. Langste reeks: 3 dagen." in activity
    assert 'class="visually-hidden" id="activity-summary"' in activity
    assert "style=" not in activity  # CSP: intensity is a class, never an inline style
    # Every label is text for screen readers (once) and a tooltip for the mouse.
    assert activity.count('<span class="visually-hidden">') == 30
    assert activity.count('aria-hidden="true"></span></li>') == 30


def test_busy_days_get_the_darkest_cell(browser: Client, user: Any) -> None:
    for minutes in range(1, 6):
        event(user, NOW - timedelta(minutes=minutes))
    cells = strip(frozen_get(browser, "/").content.decode())
    assert cells[-1] == (3, True, "vandaag, 25 nov: 5 acties")


def test_the_strip_follows_the_users_timezone(browser: Client, user: Any) -> None:
    event(user, NOW - timedelta(minutes=5))  # 23:25 on the 25th in Amsterdam, 07:25 on the 26th in Tokyo
    preferences.settings_update(user_id=user.pk, timezone_name="Asia/Tokyo")
    cells = strip(frozen_get(browser, "/").content.decode())
    assert cells[-2:] == [(0, False, "25 nov: geen acties"), (1, True, "vandaag, 26 nov: 1 actie")]
    assert cells[0][2] == "28 okt: geen acties"


@pytest.mark.parametrize(
    ("ago", "streak", "hint"),
    [
        ([], "Nog geen reeks. Doe vandaag een actie en begin er een!", False),
        ([timedelta(minutes=1)], "1 dag op rij", False),
        ([timedelta(days=1)], "1 dag op rij", True),  # yesterday still counts until today is over
        ([timedelta(days=1), timedelta(days=2)], "2 dagen op rij", True),
        ([timedelta(days=2)], "Nog geen reeks. Doe vandaag een actie en begin er een!", False),
    ],
)
def test_streak_text(browser: Client, user: Any, ago: list[timedelta], streak: str, hint: bool) -> None:
    for delta in ago:
        event(user, NOW - delta)
    activity = section(frozen_get(browser, "/").content.decode(), "activity")
    assert re.search(rf'id="streak">{re.escape(streak)}</p>', activity)
    assert ("Doe vandaag nog een actie om je reeks vast te houden." in activity) is hint


def test_a_tab_switch_leaves_the_strip_alone(browser: Client, user: Any) -> None:
    html = browser.get("/tools/chat-coach/", **HTMX).content.decode()
    assert 'id="activity"' not in html


def test_history_restore_gets_the_strip(browser: Client) -> None:
    response = browser.get("/tools/chat-coach/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert len(strip(response.content.decode())) == 30
    assert "HX-History-Restore-Request" in response["Vary"]


def test_a_completed_action_moves_the_strip_out_of_band(browser: Client, user: Any) -> None:
    before = section(browser.get("/").content.decode(), "activity")
    assert "Nog geen reeks" in before

    with CaptureQueriesContext(connection) as queries:
        response = post(browser, "/tools/chat-coach/first_question/", VALID[("chat-coach", "first_question")], **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    activity = section(html, "activity")
    assert 'hx-swap-oob="true"' in activity.split(">", 1)[0]
    assert 'id="streak">1 dag op rij</p>' in activity
    cells = strip(activity)
    assert len(cells) == 30
    assert cells[-1][:2] == (1, True) and cells[-1][2].endswith(": 1 actie")
    # The reset choices follow too (no query: the progress is already read).
    reset = section(html, "reset-chat-coach")
    assert 'hx-swap-oob="true"' in reset.split(">", 1)[0]
    assert reset_choices(reset) == ["alles", "first_question"]
    # Cheap: one query reads the timezone setting and the event log, nothing else on top of the action.
    sql = [query["sql"] for query in queries.captured_queries]
    assert sum("tool_completion_events" in q for q in sql) == 1
    assert sum("coaching_user_settings" in q for q in sql) == 1


def test_the_action_response_query_count_is_pinned(browser: Client, user: Any, django_assert_num_queries: Any) -> None:
    # The token check, the mark, the progress; then the strip: one query (timezone setting and event log).
    with django_assert_num_queries(4):
        post(browser, "/tools/chat-coach/first_question/", VALID[("chat-coach", "first_question")], **HTMX)


def test_an_action_that_does_not_complete_sends_no_strip(browser: Client, user: Any) -> None:
    response = post(browser, "/tools/chat-coach/first_question/", {"interests": ""}, **HTMX)
    assert response.status_code == 400
    assert 'id="activity"' not in response.content.decode()


def test_an_action_without_htmx_renders_the_page_with_the_strip(browser: Client, user: Any) -> None:
    response = post(browser, "/tools/chat-coach/first_question/", VALID[("chat-coach", "first_question")])
    activity = section(response.content.decode(), "activity")
    assert "hx-swap-oob" not in activity
    assert 'id="streak">1 dag op rij</p>' in activity


# --- Voortgang wissen ----------------------------------------------------------------------------


def reset_choices(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="scope" value="([a-z_]+)"', html)


def test_reset_offers_the_whole_tool_and_only_completed_actions(browser: Client, user: Any) -> None:
    assert "Voortgang wissen</summary>" not in browser.get("/tools/chat-coach/").content.decode()

    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="practice_completed")
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    html = browser.get("/tools/chat-coach/").content.decode()

    assert "Voortgang wissen</summary>" in html
    assert '<form method="post" action="/tools/chat-coach/wissen/"' in html
    assert 'hx-post="/tools/chat-coach/wissen/" hx-target="#coach"' in html
    assert reset_choices(html) == ["alles", "first_question", "practice_completed"]  # catalog order
    assert re.search(
        r'<input type="checkbox" name="confirm" required id="id_reset_confirm">\s*<label for="id_reset_confirm">', html
    )
    # The same form comes with the htmx tab switch.
    assert reset_choices(browser.get("/tools/chat-coach/", **HTMX).content.decode()) == reset_choices(html)


@pytest.mark.parametrize("extra", [HTMX, {}])
def test_reset_needs_the_confirmation(browser: Client, user: Any, extra: dict[str, str]) -> None:
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    response = post(browser, "/tools/chat-coach/wissen/", {"scope": "alles"}, **extra)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Vink aan dat je dit echt wilt wissen." in html
    assert '<details class="reset-details" open>' in html
    assert 'aria-invalid="true"' in html and 'id="id_reset_confirm_error" role="alert"' in html
    assert completed(user) == {("chat-coach", "first_question")}
    assert ("<html" in html) is (not extra)
    assert "HX-Request" in response["Vary"]


def test_reset_whole_tool_by_htmx_moves_the_bars_back(browser: Client, user: Any, other_user: Any) -> None:
    for action in ("first_question", "conversation_continued"):
        services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name=action)
        services.completion_mark(user_id=other_user.pk, tool_name="chat-coach", action_name=action)
    services.completion_mark(user_id=user.pk, tool_name="profiel-coach", action_name="bio_generated")

    response = post(browser, "/tools/chat-coach/wissen/", {"scope": "alles", "confirm": "on"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        r'<p class="outcome-message ok reset-status" id="reset-status" role="status"[^>]*>2 acties gewist\.</p>', html
    )
    assert bars(html) == {"Chat Coach": 0, "Totaal": 7}
    assert '<div id="bar-overall" class="progress" hx-swap-oob="true">' in html
    assert '<p class="overall-summary" id="overall-summary" hx-swap-oob="true">1 van 15 stappen gedaan</p>' in html
    assert '<span class="tab-percent" id="tabpct-chat-coach">0%</span>' in html
    assert html.count("Nog te doen") == 3 and "Gedaan" not in html
    assert "<html" not in html and html.lstrip().startswith('<div id="coach"')
    assert "Voortgang wissen</summary>" not in html  # nothing left to wipe
    assert completed(user) == {("profiel-coach", "bio_generated")}
    assert completed(other_user) == {("chat-coach", "first_question"), ("chat-coach", "conversation_continued")}
    resets = ToolCompletionEvent.objects.filter(user=user, kind="reset")
    assert sorted(resets.values_list("action_name", flat=True)) == ["conversation_continued", "first_question"]


def test_reset_one_action(browser: Client, user: Any) -> None:
    for action in ("first_question", "conversation_continued"):
        services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name=action)

    response = post(browser, "/tools/chat-coach/wissen/", {"scope": "first_question", "confirm": "on"}, **HTMX)

    html = response.content.decode()
    assert "1 actie gewist." in html
    assert bars(html) == {"Chat Coach": 33, "Totaal": 7}
    assert completed(user) == {("chat-coach", "conversation_continued")}
    assert reset_choices(html) == ["alles", "conversation_continued"]


def test_reset_without_htmx_redirects_and_says_what_it_did(browser: Client, user: Any) -> None:
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="practice_completed")

    response = post(browser, "/tools/chat-coach/wissen/", {"scope": "alles", "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/tools/chat-coach/"
    page = browser.get(response["Location"]).content.decode()
    assert re.search(r'<div class="messages" role="status">\s*<p class="message success">2 acties gewist\.</p>', page)
    assert bars(page) == {"Chat Coach": 0, "Totaal": 0}
    assert "2 acties gewist." not in browser.get("/tools/chat-coach/").content.decode()  # shown once
    assert completed(user) == set()


def test_reset_of_what_another_device_already_wiped_removes_nothing(browser: Client, user: Any) -> None:
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="practice_completed")
    response = post(browser, "/tools/chat-coach/wissen/", {"scope": "first_question", "confirm": "on"}, **HTMX)
    assert response.status_code == 200
    assert "Er was niets meer om te wissen." in response.content.decode()
    assert completed(user) == {("chat-coach", "practice_completed")}


def test_reset_keeps_the_streak(browser: Client, user: Any) -> None:
    post(browser, "/tools/chat-coach/first_question/", VALID[("chat-coach", "first_question")], **HTMX)
    post(browser, "/tools/chat-coach/wissen/", {"scope": "alles", "confirm": "on"}, **HTMX)
    activity = section(browser.get("/").content.decode(), "activity")
    assert 'id="streak">1 dag op rij</p>' in activity


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/tools/chat-coach/wissen/", {"scope": "bio_generated", "confirm": "on"}, "Kies een van de opties."),
        ("/tools/chat-coach/wissen/", {"scope": "ALLES", "confirm": "on"}, "Kies een van de opties."),
        ("/tools/chat-coach/wissen/", {"scope": "", "confirm": "on"}, "Kies wat je wilt wissen."),
        ("/tools/chat-coach/wissen/", {"confirm": "on"}, "Kies wat je wilt wissen."),
        ("/tools/nope/wissen/", {"scope": "alles", "confirm": "on"}, None),
    ],
)
def test_reset_refuses_bad_input_and_wipes_nothing(
    browser: Client, user: Any, path: str, data: dict[str, str], message: str | None
) -> None:
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    response = post(browser, path, data, **HTMX)
    if message is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 400
        assert f'<div class="field-errors" id="id_reset_scope_error" role="alert"><p>{message}</p></div>' in (
            response.content.decode()
        )
    assert completed(user) == {("chat-coach", "first_question")}
    assert not ToolCompletionEvent.objects.filter(kind="reset").exists()


def test_reset_needs_post_csrf_and_login(browser: Client, user: Any) -> None:
    services.completion_mark(user_id=user.pk, tool_name="chat-coach", action_name="first_question")
    data = {"scope": "alles", "confirm": "on"}
    assert browser.get("/tools/chat-coach/wissen/").status_code == 405
    assert browser.post("/tools/chat-coach/wissen/", data, **HTMX).status_code == 403
    anonymous = Client()
    assert anonymous.post("/tools/chat-coach/wissen/", data)["Location"].startswith("/inloggen/")
    assert anonymous.post("/tools/chat-coach/wissen/", data, **HTMX)["HX-Redirect"].startswith("/inloggen/")
    assert completed(user) == {("chat-coach", "first_question")}


# --- Mijn gegevens: the page and the timezone -----------------------------------------------------


def test_my_data_is_in_the_header_and_shows_the_default_timezone(browser: Client) -> None:
    assert '<a href="/mijn-gegevens/">Mijn gegevens</a>' in browser.get("/").content.decode()

    response = browser.get("/mijn-gegevens/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="/mijn-gegevens/" aria-current="page">Mijn gegevens</a>' in html
    assert "<h1>Mijn gegevens</h1>" in html
    values = re.findall(r'<option value="([^"]+)"', html)
    assert values == sorted(timezone_names())
    assert re.findall(r'<option value="([^"]+)" selected>', html) == ["Europe/Amsterdam"]
    assert '<label for="id_timezone">Tijdzone</label>' in html
    assert 'href="/mijn-gegevens/export/"' in html
    assert '<label for="id_password">Je wachtwoord</label>' in html
    assert "no-store" in response["Cache-Control"]


def test_timezone_form_saves_a_valid_zone(browser: Client, user: Any) -> None:
    response = post(browser, "/mijn-gegevens/tijdzone/", {"timezone": "America/Argentina/Buenos_Aires"})

    assert response.status_code == 302 and response["Location"] == "/mijn-gegevens/"
    assert preferences.user_timezone(user_id=user.pk) == "America/Argentina/Buenos_Aires"
    html = browser.get("/mijn-gegevens/").content.decode()
    assert "Opgeslagen: je tijdzone is nu America/Argentina/Buenos Aires." in html
    assert re.findall(r'<option value="([^"]+)" selected>', html) == ["America/Argentina/Buenos_Aires"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Mars/Olympus_Mons", "Kies een tijdzone uit de lijst."),
        ("europe/amsterdam", "Kies een tijdzone uit de lijst."),
        ("../../etc/passwd", "Kies een tijdzone uit de lijst."),
        ("", "Kies een tijdzone."),
    ],
)
def test_timezone_form_refuses_anything_but_an_iana_zone(browser: Client, user: Any, value: str, message: str) -> None:
    preferences.settings_update(user_id=user.pk, timezone_name="Asia/Tokyo")
    response = post(browser, "/mijn-gegevens/tijdzone/", {"timezone": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<div class="field-errors" id="id_timezone_error" role="alert"><p>{message}</p></div>' in html
    assert preferences.user_timezone(user_id=user.pk) == "Asia/Tokyo"


def test_my_data_needs_login(db: Any) -> None:
    client = Client()
    for path in ("/mijn-gegevens/", "/mijn-gegevens/export/"):
        assert client.get(path)["Location"] == f"/inloggen/?next={path}"
    assert client.post("/mijn-gegevens/tijdzone/", {"timezone": "Asia/Tokyo"})["Location"].startswith("/inloggen/")


def test_my_data_forms_need_post_and_csrf(browser: Client, user: Any) -> None:
    assert browser.get("/mijn-gegevens/tijdzone/").status_code == 405
    assert browser.get("/mijn-gegevens/verwijderen/").status_code == 405
    assert browser.post("/mijn-gegevens/tijdzone/", {"timezone": "Asia/Tokyo"}).status_code == 403
    assert browser.post("/mijn-gegevens/verwijderen/", {"password": PASSWORD, "confirm": "on"}).status_code == 403
    assert counts(user.pk)["users"] == 1 and counts(user.pk)["settings"] == 0


# --- Mijn gegevens: export ---------------------------------------------------------------------------


def test_export_download_is_the_apis_export_of_the_user_only(
    browser: Client, user: Any, other_user: Any, bearer: dict[str, str]
) -> None:
    photo = fill(user)
    other_photo = fill(other_user, tz="America/New_York")

    response = browser.get("/mijn-gegevens/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert re.fullmatch(
        rf'attachment; filename="datespark-export-{user.pk}-\d{{8}}\.json"', response["Content-Disposition"]
    )
    assert response["Cache-Control"] == "no-store"
    assert response.content == Client().get("/api/me/export", **bearer).content  # the API's bytes
    data = json.loads(response.content)
    assert data["user"]["username"] == "anna" and data["user"]["settings"] == {"timezone": "Asia/Tokyo"}
    assert [(c["toolName"], c["actionName"], c["metadata"]) for c in data["completions"]] == [
        ("chat-coach", "first_question", {"q": 4})
    ]
    assert [e["kind"] for e in data["events"]] == ["completed", "repeated", "completed", "reset"]
    assert [u["id"] for u in data["uploads"]] == [str(photo.id)]
    text = response.content.decode()
    assert "bram" not in text and str(other_photo.id) not in text and "New_York" not in text


# --- Mijn gegevens: deleting the account ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "fout", "confirm": "on"}, "Dit wachtwoord klopt niet. Er is niets verwijderd."),
        ({"password": "", "confirm": "on"}, "Vul je wachtwoord in."),
        ({"password": PASSWORD}, "Vink aan dat je je account echt wilt verwijderen."),
    ],
)
def test_delete_without_the_right_password_and_confirmation_keeps_everything(
    browser: Client, user: Any, media_root: Path, data: dict[str, str], message: str
) -> None:
    photo = fill(user)
    before = counts(user.pk)

    response = post(browser, "/mijn-gegevens/verwijderen/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert counts(user.pk) == before
    assert (media_root / photo.image.name).exists()
    assert settings.AUTH_COOKIE_NAME not in response.cookies or response.cookies[settings.AUTH_COOKIE_NAME].value
    assert browser.get("/").status_code == 200  # still logged in


def test_delete_with_the_password_removes_everything_and_logs_out(
    browser: Client,
    user: Any,
    other_user: Any,
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        photo = fill(user)
        other_photo = fill(other_user)
    other_before = counts(other_user.pk)
    user_id = user.pk
    old_cookie = browser.cookies[settings.AUTH_COOKIE_NAME].value
    assert (media_root / photo.image.name).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = post(browser, "/mijn-gegevens/verwijderen/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302 and response["Location"] == "/inloggen/"
    assert response.cookies[settings.AUTH_COOKIE_NAME].value == ""
    assert counts(user_id) == dict.fromkeys(other_before, 0)
    assert not (media_root / photo.image.name).exists()
    assert not (media_root / "photos" / str(user_id)).exists()
    assert counts(other_user.pk) == other_before
    assert (media_root / other_photo.image.name).exists()
    login_page = browser.get("/inloggen/").content.decode()
    assert "Je account en al je gegevens zijn verwijderd. Tot ziens!" in login_page
    # The old cookie, replayed, is worth nothing.
    replay = Client()
    replay.cookies[settings.AUTH_COOKIE_NAME] = old_cookie
    assert replay.get("/")["Location"] == "/inloggen/?next=/"
    assert replay.get("/mijn-gegevens/export/").status_code == 302
    assert replay.get("/api/tool-completion/progress").status_code == 401


def test_delete_is_rate_limited_like_a_login(browser: Client, user: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "failed_login_per_username": (2, 900)}
    for wrong in ("fout-1", "fout-2"):
        assert post(browser, "/mijn-gegevens/verwijderen/", {"password": wrong, "confirm": "on"}).status_code == 400

    response = post(browser, "/mijn-gegevens/verwijderen/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert re.search(r"Te veel pogingen\. Probeer het over \d+ minuten? opnieuw\.", response.content.decode())
    assert counts(user.pk)["users"] == 1


def test_another_users_cookie_deletes_only_that_user(user: Any, other_user: Any) -> None:
    client = Client()
    client.cookies[settings.AUTH_COOKIE_NAME] = str(tokens.cookie_token_for(other_user))
    client.get("/mijn-gegevens/")
    client.post("/mijn-gegevens/verwijderen/", {"password": PASSWORD, "confirm": "on"})  # anna's password
    assert counts(user.pk)["users"] == counts(other_user.pk)["users"] == 1
