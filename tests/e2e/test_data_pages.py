"""The v1.1 pages in a real browser: the streak after an action, "Voortgang wissen" without a reload, Mijn gegevens.

Same server, browser and CSP check as test_browser.py (see conftest.py).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from coaching import catalog
from coaching.models import ToolCompletion, ToolCompletionEvent
from tests.e2e.test_browser import (
    PASSWORD,
    SCREENSHOTS,
    assert_no_page_load,
    completions,
    expect_overall,
    expect_tool_bar,
    log_in,
    make_user,
    open_tab,
    perform,
    set_marker,
    wait_settled,
)

pytestmark = pytest.mark.e2e

CHAT = catalog.TOOLS_BY_NAME["chat-coach"]


def test_streak_reset_and_my_data(new_context: Any, tmp_path: Path) -> None:
    user = make_user("iris")
    page = new_context().new_page()
    log_in(page, "iris")
    cells = page.locator(".activity-strip li")
    expect(cells).to_have_count(30)
    expect(page.locator("#streak")).to_have_text("Nog geen reeks. Doe vandaag een actie en begin er een!")

    # An action moves the strip and the streak in the same htmx answer.
    set_marker(page)
    open_tab(page, CHAT)
    perform(page, "chat-coach", "first_question", tmp_path)
    expect(page.locator("#streak")).to_have_text("1 dag op rij")
    expect(cells.last).to_have_class(re.compile(r"\blevel-1\b"))
    expect(cells.last).to_have_text(re.compile(r"^vandaag, \d{1,2} [a-z]{3}: 1 actie$"))
    expect(cells.last.locator("[title]")).to_have_attribute("title", re.compile(r"^vandaag, .*: 1 actie$"))
    expect_tool_bar(page, CHAT, 33)

    # Voortgang wissen: the confirmation is required, then the bars go back without a reload.
    page.locator("#panel-chat-coach summary", has_text="Voortgang wissen").click()
    page.get_by_role("button", name="Wissen", exact=True).click()
    expect(page.locator("#id_reset_confirm_error")).to_have_text("Vink aan dat je dit echt wilt wissen.")
    expect(page.locator("#coach [data-focus]")).to_be_focused()
    wait_settled(page)
    assert completions(user) == {("chat-coach", "first_question")}
    expect(page.get_by_label("Alles van Chat Coach")).to_be_checked()
    page.get_by_label("Ja, wis dit. Ik begrijp dat het niet ongedaan kan worden.").check()
    page.get_by_role("button", name="Wissen", exact=True).click()
    expect(page.locator("#reset-status")).to_have_text("1 actie gewist.")
    expect(page.locator("#reset-status")).to_be_focused()
    expect_tool_bar(page, CHAT, 0)
    expect_overall(page, 0)
    expect(page.locator("#status-chat-coach-first_question")).to_have_text("Nog te doen")
    expect(page.locator("#streak")).to_have_text("1 dag op rij")  # a reset is not undone activity
    assert_no_page_load(page)
    assert not ToolCompletion.objects.filter(user=user).exists()

    # Mijn gegevens, from the header.
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Mijn gegevens").click()
    expect(page).to_have_url(re.compile(r"/mijn-gegevens/$"))
    expect(page.get_by_role("heading", level=1, name="Mijn gegevens")).to_be_visible()
    expect(page.get_by_role("combobox", name="Tijdzone")).to_have_value("Europe/Amsterdam")
    page.get_by_role("combobox", name="Tijdzone").select_option("Europe/Brussels")
    page.get_by_role("button", name="Tijdzone opslaan").click()
    expect(page.get_by_role("status")).to_have_text("Opgeslagen: je tijdzone is nu Europe/Brussels.")
    expect(page.get_by_role("combobox", name="Tijdzone")).to_have_value("Europe/Brussels")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download mijn gegevens").click()
    download = download_info.value
    assert re.fullmatch(rf"datespark-export-{user.pk}-\d{{8}}\.json", download.suggested_filename)
    exported = json.loads(Path(download.path()).read_text())
    assert exported["user"]["username"] == "iris"
    assert exported["user"]["settings"] == {"timezone": "Europe/Brussels"}
    assert [e["kind"] for e in exported["events"]] == ["completed", "reset"]

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    page.screenshot(path=str(SCREENSHOTS / "mijn-gegevens.png"), full_page=True)
    assert (SCREENSHOTS / "mijn-gegevens.png").stat().st_size > 10_000

    # A few weeks of use, for a strip worth a picture.
    now = timezone.now()
    for days_ago, times in [(1, 2), (2, 1), (3, 4), (6, 1), (7, 2), (8, 1), (12, 3), (13, 1), (20, 2), (27, 1)]:
        for _ in range(times):
            ToolCompletionEvent.objects.create(
                user=user, tool_name="chat-coach", action_name="first_question", kind="completed",
                at=now - timedelta(days=days_ago),
            )  # fmt: skip
    page.get_by_role("link", name="DateSpark").click()
    expect(page.locator("#streak")).to_have_text("4 dagen op rij")
    expect(page.locator(".activity-strip li.level-3")).to_have_count(1)
    page.mouse.move(0, 0)
    page.screenshot(path=str(SCREENSHOTS / "activity.png"))
    assert (SCREENSHOTS / "activity.png").stat().st_size > 10_000


def test_deleting_the_account_logs_out_in_the_browser(new_context: Any) -> None:
    make_user("joost")
    page = new_context().new_page()
    log_in(page, "joost")
    page.goto("/mijn-gegevens/")

    page.get_by_label("Je wachtwoord").fill("niet-mijn-wachtwoord")
    page.get_by_label("Ik begrijp dat mijn account en al mijn gegevens definitief worden verwijderd.").check()
    page.get_by_role("button", name="Account definitief verwijderen").click()
    expect(page.locator("#id_password_error")).to_have_text("Dit wachtwoord klopt niet. Er is niets verwijderd.")
    assert get_user_model().objects.filter(username="joost").exists()

    page.get_by_label("Je wachtwoord").fill(PASSWORD)
    page.get_by_label("Ik begrijp dat mijn account en al mijn gegevens definitief worden verwijderd.").check()
    page.get_by_role("button", name="Account definitief verwijderen").click()
    expect(page).to_have_url(re.compile(r"/inloggen/$"))
    expect(page.get_by_role("status")).to_have_text("Je account en al je gegevens zijn verwijderd. Tot ziens!")
    assert not get_user_model().objects.filter(username="joost").exists()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/inloggen/\?next=/$"))
