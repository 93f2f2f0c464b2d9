"""The dashboard in a real browser: sign-up, htmx tabs and actions, progress bars, devices, legacy import, a11y.

The app runs under its server (see conftest.py) against the test database; every
test signs up or logs in through the pages, as a person would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from coaching import catalog
from coaching.completions import services
from coaching.models import Photo, ToolCompletion

pytestmark = pytest.mark.e2e

BASE_DIR = Path(__file__).resolve().parents[2]
SCREENSHOTS = BASE_DIR / "docs" / "screenshots"
PASSWORD = "een-sterk-wachtwoord-42"
TOTAL_ACTIONS = catalog.total_actions()
IMPORT_PATH = "/api/tool-completion/import-legacy"

expect.set_options(timeout=10_000)


# --- helpers ---------------------------------------------------------------------------------


def make_user(username: str) -> Any:
    """A user made in the test process, with a hash the server's (default) hashers accept."""
    hasher = PBKDF2PasswordHasher()
    return get_user_model().objects.create(username=username, password=hasher.encode(PASSWORD, hasher.salt()))


def sign_up(page: Page, username: str) -> None:
    page.goto("/account-maken/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord:", exact=True).fill(PASSWORD)
    page.get_by_label("Wachtwoord (nogmaals)").fill(PASSWORD)
    page.get_by_role("button", name="Account maken").click()
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(page.get_by_text(f"Hoi {username}")).to_be_visible()


def log_in(page: Page, username: str) -> None:
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(page.get_by_text(f"Hoi {username}")).to_be_visible()


def percent(done: int, total: int) -> int:
    return round(done * 100 / total)


def expect_bar(page: Page, label: str, bar_id: str, value: int) -> None:
    """The progressbar named ``label`` says ``value`` to assistive tech and ``value%`` on screen."""
    expect(page.get_by_role("progressbar", name=label, exact=True)).to_have_attribute("aria-valuenow", str(value))
    expect(page.locator(f"#{bar_id} .progress-text")).to_have_text(f"{value}%")


def expect_tool_bar(page: Page, tool: catalog.Tool, value: int) -> None:
    expect_bar(page, tool.label, f"bar-{tool.name}", value)
    expect(page.locator(f"#tabpct-{tool.name}")).to_have_text(f"{value}%")


def expect_overall(page: Page, value: int) -> None:
    expect_bar(page, "Totaal", "bar-overall", value)


def tab(page: Page, tool: catalog.Tool) -> Locator:
    return page.get_by_role("tab", name=re.compile(rf"^{re.escape(tool.label)}\b"))


def set_marker(page: Page) -> None:
    page.evaluate("window.__marker = 1")


def assert_no_page_load(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "a full page load happened (window.__marker is gone)"


def wait_settled(page: Page) -> None:
    """htmx wires up swapped-in content only after its settle delay (20 ms); until then a click is a plain one."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")).to_have_count(0)


def open_tab(page: Page, tool: catalog.Tool) -> None:
    """Click the tab: htmx swaps the panel in and pushes /tools/<tool>/, without a page load."""
    set_marker(page)
    tab(page, tool).click()
    expect(page).to_have_url(re.compile(rf"/tools/{tool.name}/$"))
    expect(tab(page, tool)).to_have_attribute("aria-selected", "true")
    expect(page.locator(f"#panel-{tool.name}")).to_be_visible()
    wait_settled(page)
    assert_no_page_load(page)


def card(page: Page, tool: str, action: str) -> Locator:
    return page.locator(f"#card-{tool}-{action}")


def tick_all(box: Locator) -> None:
    checkboxes = box.get_by_role("checkbox")
    count = checkboxes.count()
    assert count >= 3, f"expected a checklist, found {count} checkboxes"
    for index in range(count):
        checkboxes.nth(index).check()


def png_file(tmp_path: Path) -> Path:
    path = tmp_path / "profielfoto.png"
    Image.new("RGB", (800, 1000), (180, 150, 120)).save(path, format="PNG")
    return path


def date_plan_value() -> str:
    when = timezone.localtime() + timedelta(days=3)
    return when.replace(hour=19, minute=30).strftime("%Y-%m-%dT%H:%M")


Perform = Callable[[Locator, Path], None]


def bio_generated(c: Locator, tmp_path: Path) -> None:
    c.get_by_label("Voornaam").fill("Anna")
    c.get_by_label("Leeftijd").fill("31")
    c.get_by_label("Interesses", exact=True).fill("koken, fotografie")
    c.get_by_label("Toon").select_option("speels")
    c.get_by_role("button", name="Schrijf mijn bio").click()
    expect(c.locator("blockquote.generated")).to_contain_text("Anna")


def bio_analyzed(c: Locator, tmp_path: Path) -> None:
    c.get_by_label("Plak je bio").fill("Ik hou van lachen en reizen. Wie gaat er mee naar Lissabon?")
    c.get_by_role("button", name="Analyseer mijn bio").click()
    expect(c.locator(".score")).to_contain_text("/100")


def checklist(button: str) -> Perform:
    def perform(c: Locator, tmp_path: Path) -> None:
        tick_all(c)
        c.get_by_role("button", name=button).click()

    return perform


def photo_uploaded(c: Locator, tmp_path: Path) -> None:
    c.locator("input[type=file]").set_input_files(png_file(tmp_path))
    c.get_by_role("button", name="Foto uploaden").click()
    expect(c).to_contain_text("Foto opgeslagen (800 × 1000 pixels).")
    expect(c.get_by_role("img", name="Jouw huidige profielfoto")).to_be_visible()


def analysis_viewed(c: Locator, tmp_path: Path) -> None:
    c.get_by_role("button", name="Bekijk de analyse").click()
    expect(c.locator(".facts")).to_contain_text("Resolutie: 800 × 1000")
    expect(c.locator(".facts")).to_contain_text("4:5")


def first_question(c: Locator, tmp_path: Path) -> None:
    c.get_by_label("Interesses van je match").fill("koken, honden")
    c.get_by_role("button", name="Geef me vragen").click()
    expect(c.locator("ol.suggestions li")).to_have_count(3)


def conversation_continued(c: Locator, tmp_path: Path) -> None:
    c.get_by_label("Plak het bericht van je match").fill("Haha ja, ik ben net terug van een weekend Texel!")
    c.get_by_role("button", name="Help me reageren").click()
    expect(c.locator("ol.suggestions li")).to_have_count(3)


def practice_completed(c: Locator, tmp_path: Path) -> None:
    replies = c.locator("textarea")
    expect(replies).to_have_count(3)
    replies.nth(0).fill("Goed! Ik heb vandaag lekker gefietst door de duinen. Hoe was jouw dag?")
    replies.nth(1).fill("Ik kook graag Italiaans, vooral verse pasta. Wat is jouw favoriete gerecht?")
    replies.nth(2).fill("Zeker, een koffie in het park lijkt me leuk. Past zaterdag jou?")
    c.get_by_role("button", name="Bekijk mijn feedback").click()
    expect(c.locator(".outcome-message")).to_have_text("Goed gedaan!")


def opener_generated(c: Locator, tmp_path: Path) -> None:
    c.get_by_label("Iets uit het profiel van je match").fill("bergwandelen")
    c.get_by_label("Stijl").select_option("nieuwsgierig")
    c.get_by_role("button", name="Bedenk een opener").click()
    expect(c.locator("blockquote.generated")).not_to_be_empty()


def platform_selected(c: Locator, tmp_path: Path) -> None:
    c.locator("input[type=radio][value=hinge]").check()
    c.get_by_role("button", name="Geef advies").click()
    expect(c.get_by_role("heading", name="Advies voor Hinge")).to_be_visible()


def idea_generated(c: Locator, tmp_path: Path) -> None:
    c.get_by_label("Budget").select_option("laag")
    c.get_by_label("Binnen of buiten").select_option("buiten")
    c.get_by_label("Gedeelde interesse (optioneel)").fill("fietsen")
    c.get_by_role("button", name="Geef me een idee").click()
    expect(c.locator(".result h4")).not_to_be_empty()


def date_planned(c: Locator, tmp_path: Path) -> None:
    c.get_by_label("Wanneer").fill(date_plan_value())
    c.get_by_label("Waar").fill("Café de Zwaan, Utrecht")
    c.get_by_role("button", name="Plan de date").click()
    expect(c.locator(".plan-summary")).to_contain_text("om 19:30 bij Café de Zwaan, Utrecht")


ACTIONS: dict[tuple[str, str], Perform] = {
    ("profiel-coach", "bio_generated"): bio_generated,
    ("profiel-coach", "bio_analyzed"): bio_analyzed,
    ("profiel-coach", "profile_completed"): checklist("Profiel controleren"),
    ("foto-advies", "photo_uploaded"): photo_uploaded,
    ("foto-advies", "analysis_viewed"): analysis_viewed,
    ("foto-advies", "photo_improved"): checklist("Klaar met verbeteren"),
    ("chat-coach", "first_question"): first_question,
    ("chat-coach", "conversation_continued"): conversation_continued,
    ("chat-coach", "practice_completed"): practice_completed,
    ("gesprek-starter", "opener_generated"): opener_generated,
    ("gesprek-starter", "platform_selected"): platform_selected,
    ("gesprek-starter", "safety_reviewed"): checklist("Veiligheid controleren"),
    ("date-planner", "idea_generated"): idea_generated,
    ("date-planner", "date_planned"): date_planned,
    ("date-planner", "checklist_completed"): checklist("Ik ben er klaar voor"),
}


def perform(page: Page, tool: str, action: str, tmp_path: Path) -> None:
    """Fill and submit one action's form; its card comes back marked done."""
    box = card(page, tool, action)
    expect(page.locator(f"#status-{tool}-{action}")).to_have_text("Nog te doen")
    ACTIONS[(tool, action)](box, tmp_path)
    expect(page.locator(f"#status-{tool}-{action}")).to_have_text(re.compile(r"Gedaan$"))
    expect(box).to_have_class(re.compile(r"\bis-done\b"))
    wait_settled(page)


def completions(user: Any) -> set[tuple[str, str]]:
    return set(ToolCompletion.objects.filter(user=user).values_list("tool_name", "action_name"))


def tab_percents(page: Page) -> list[str]:
    return [page.locator(f"#tabpct-{tool.name}").inner_text() for tool in catalog.TOOLS]


# --- tests -------------------------------------------------------------------------------------


def test_catalog_covers_every_action() -> None:
    assert set(ACTIONS) == {(tool.name, action.name) for tool in catalog.TOOLS for action in tool.actions}


def test_sign_up_lands_on_the_dashboard_with_five_tabs_and_empty_bars(new_context: Any) -> None:
    page = new_context().new_page()
    sign_up(page, "nieuwe_gebruiker")

    assert get_user_model().objects.filter(username="nieuwe_gebruiker").exists()
    tabs = page.get_by_role("tab")
    expect(tabs).to_have_count(5)
    expect(tabs).to_have_text([re.compile(rf"^\s*{re.escape(tool.label)}\s+0%\s*$") for tool in catalog.TOOLS])
    expect(tab(page, catalog.TOOLS[0])).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tablist", name="Coach tools")).to_be_visible()
    expect_overall(page, 0)
    expect_tool_bar(page, catalog.TOOLS[0], 0)
    expect(page.locator("#overall-summary")).to_have_text(f"0 van {TOTAL_ACTIONS} stappen gedaan")


def test_tabs_swap_in_place_and_each_action_moves_the_bars(new_context: Any, tmp_path: Path) -> None:
    page = new_context().new_page()
    sign_up(page, "bea")
    user = get_user_model().objects.get(username="bea")
    set_marker(page)

    for index, tool in enumerate(catalog.TOOLS, start=1):
        open_tab(page, tool)
        expect_tool_bar(page, tool, 0)
        action = tool.actions[0].name
        perform(page, tool.name, action, tmp_path)
        expect_tool_bar(page, tool, 33)
        expect_overall(page, percent(index, TOTAL_ACTIONS))
        expect(page.locator("#overall-summary")).to_have_text(f"{index} van {TOTAL_ACTIONS} stappen gedaan")
        assert_no_page_load(page)
        assert (tool.name, action) in completions(user)

    expect_overall(page, 33)
    assert completions(user) == {(tool.name, tool.actions[0].name) for tool in catalog.TOOLS}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/tools/chat-coach/")
    perform(page, "chat-coach", "conversation_continued", tmp_path)
    page.mouse.move(0, 0)
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    assert (SCREENSHOTS / "dashboard.png").stat().st_size > 10_000

    # A reload shows what the server kept.
    set_marker(page)
    page.reload()
    assert page.evaluate("window.__marker") is None
    expect(page).to_have_url(re.compile(r"/tools/chat-coach/$"))
    expect_overall(page, percent(6, TOTAL_ACTIONS))
    expect_tool_bar(page, catalog.TOOLS_BY_NAME["chat-coach"], 67)
    assert tab_percents(page) == ["33%", "33%", "67%", "33%", "33%"]

    # Back through the browser history: htmx restores the earlier tab with fresh progress.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/tools/date-planner/$"))
    expect(tab(page, catalog.TOOLS_BY_NAME["date-planner"])).to_have_attribute("aria-selected", "true")
    expect_tool_bar(page, catalog.TOOLS_BY_NAME["date-planner"], 33)
    expect_overall(page, percent(6, TOTAL_ACTIONS))


def test_all_fifteen_actions_reach_one_hundred_percent(new_context: Any, tmp_path: Path) -> None:
    page = new_context().new_page()
    sign_up(page, "cas")
    user = get_user_model().objects.get(username="cas")
    set_marker(page)

    done = 0
    for tool in catalog.TOOLS:
        open_tab(page, tool)
        for step, action in enumerate(tool.actions, start=1):
            perform(page, tool.name, action.name, tmp_path)
            done += 1
            expect_tool_bar(page, tool, percent(step, len(tool.actions)))
            expect_overall(page, percent(done, TOTAL_ACTIONS))
        assert_no_page_load(page)

    expect_overall(page, 100)
    expect(page.locator("#overall-summary")).to_have_text(f"{TOTAL_ACTIONS} van {TOTAL_ACTIONS} stappen gedaan")
    assert tab_percents(page) == ["100%"] * 5
    assert completions(user) == set(ACTIONS)
    assert Photo.objects.filter(user=user).count() == 1
    plan = ToolCompletion.objects.get(user=user, action_name="date_planned")
    assert plan.metadata == {"daysAhead": 3}

    page.reload()
    expect_overall(page, 100)
    expect_tool_bar(page, catalog.TOOLS_BY_NAME["date-planner"], 100)


def test_a_second_device_sees_the_same_progress(new_context: Any, tmp_path: Path) -> None:
    make_user("dewi")
    laptop = new_context().new_page()
    log_in(laptop, "dewi")
    perform(laptop, "profiel-coach", "bio_generated", tmp_path)
    open_tab(laptop, catalog.TOOLS_BY_NAME["chat-coach"])
    perform(laptop, "chat-coach", "first_question", tmp_path)
    perform(laptop, "chat-coach", "conversation_continued", tmp_path)

    phone = new_context(viewport={"width": 375, "height": 812}).new_page()
    log_in(phone, "dewi")
    phone.goto("/tools/chat-coach/")

    for page in (laptop, phone):
        expect_overall(page, percent(3, TOTAL_ACTIONS))
        expect_tool_bar(page, catalog.TOOLS_BY_NAME["chat-coach"], 67)
    assert tab_percents(phone) == tab_percents(laptop) == ["33%", "0%", "67%", "0%", "0%"]
    assert phone.locator("#overall-summary").inner_text() == laptop.locator("#overall-summary").inner_text()

    # And back: what the phone does shows up on the laptop after a reload.
    perform(phone, "chat-coach", "practice_completed", tmp_path)
    expect_tool_bar(phone, catalog.TOOLS_BY_NAME["chat-coach"], 100)
    laptop.reload()
    expect_tool_bar(laptop, catalog.TOOLS_BY_NAME["chat-coach"], 100)
    expect_overall(laptop, percent(4, TOTAL_ACTIONS))


def test_old_localstorage_progress_is_imported_once(new_context: Any) -> None:
    user = make_user("eva")
    page = new_context().new_page()
    imports: list[str] = []
    documents: list[str] = []
    page.on("request", lambda r: imports.append(r.method) if r.url.endswith(IMPORT_PATH) else None)
    page.on("request", lambda r: documents.append(r.url) if r.resource_type == "document" else None)

    # An old browser: the flags are there before the dashboard ever loads.
    page.goto("/inloggen/")
    page.evaluate(
        "localStorage.setItem('profiel-coach-bio','true');"
        "localStorage.setItem('chat-coach-practice','true');"
        "localStorage.setItem('unknown-key','true')"
    )
    log_in(page, "eva")

    # The script posts the flags, then reloads the page because something was new.
    expect_tool_bar(page, catalog.TOOLS_BY_NAME["profiel-coach"], 33)
    expect(page.locator("#tabpct-chat-coach")).to_have_text("33%")
    expect_overall(page, percent(2, TOTAL_ACTIONS))
    assert imports == ["POST"]
    root = re.compile(r"^http://127\.0\.0\.1:\d+/$")
    assert len([url for url in documents if root.match(url)]) == 2, documents  # after login, and the reload

    rows = ToolCompletion.objects.filter(user=user)
    assert {(row.tool_name, row.action_name) for row in rows} == {
        ("profiel-coach", "bio_generated"),
        ("chat-coach", "practice_completed"),
    }
    assert all(row.metadata == {"source": "localStorage"} for row in rows)
    storage = page.evaluate("Object.assign({}, localStorage)")
    assert "profiel-coach-bio" not in storage and "chat-coach-practice" not in storage
    assert storage.get("unknown-key") == "true"  # not ours: left alone
    assert re.match(r"^\d{4}-\d\d-\d\dT", storage.get("datespark-legacy-imported", ""))

    open_tab(page, catalog.TOOLS_BY_NAME["chat-coach"])
    expect_tool_bar(page, catalog.TOOLS_BY_NAME["chat-coach"], 33)

    # Loading the page again does not import again, even with a flag back in place.
    page.evaluate("localStorage.setItem('foto-advies-upload','true')")
    page.goto("/")
    expect_overall(page, percent(2, TOTAL_ACTIONS))
    page.reload(wait_until="load")
    expect_overall(page, percent(2, TOTAL_ACTIONS))
    assert imports == ["POST"]
    assert rows.count() == 2


def test_arrow_keys_move_between_tabs(new_context: Any) -> None:
    make_user("fenna")
    page = new_context().new_page()
    log_in(page, "fenna")
    profiel, foto, date_planner = (catalog.TOOLS_BY_NAME[n] for n in ("profiel-coach", "foto-advies", "date-planner"))
    set_marker(page)

    tab(page, profiel).focus()
    expect(tab(page, profiel)).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(tab(page, foto)).to_have_attribute("aria-selected", "true")
    expect(tab(page, foto)).to_be_focused()
    expect(tab(page, foto)).to_have_attribute("tabindex", "0")
    expect(tab(page, profiel)).to_have_attribute("aria-selected", "false")
    expect(tab(page, profiel)).to_have_attribute("tabindex", "-1")
    expect(page).to_have_url(re.compile(r"/tools/foto-advies/$"))
    expect(page.locator("#panel-foto-advies")).to_be_visible()
    wait_settled(page)

    # Back, then wrapping around: from the first tab, ArrowLeft goes to the last.
    page.keyboard.press("ArrowLeft")
    expect(tab(page, profiel)).to_have_attribute("aria-selected", "true")
    expect(tab(page, profiel)).to_be_focused()
    expect(page).to_have_url(re.compile(r"/tools/profiel-coach/$"))
    wait_settled(page)
    page.keyboard.press("ArrowLeft")
    expect(tab(page, date_planner)).to_have_attribute("aria-selected", "true")
    expect(tab(page, date_planner)).to_be_focused()
    expect(page).to_have_url(re.compile(r"/tools/date-planner/$"))
    assert_no_page_load(page)


def test_phone_width_has_no_horizontal_overflow(new_context: Any) -> None:
    user = make_user("gijs")
    # Progress from elsewhere (written by this process, read by the server).
    services.completion_mark(user_id=user.pk, tool_name="profiel-coach", action_name="bio_generated")
    services.completion_mark(user_id=user.pk, tool_name="foto-advies", action_name="photo_improved")
    page = new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True).new_page()
    log_in(page, "gijs")

    for tool in catalog.TOOLS:
        page.goto(f"/tools/{tool.name}/")
        expect(page.locator(f"#panel-{tool.name}")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375 + 1, f"/tools/{tool.name}/ is {width}px wide on a 375px phone"
        expect(tab(page, tool)).to_be_visible()

    page.goto("/")
    expect_overall(page, percent(2, TOTAL_ACTIONS))
    expect_tool_bar(page, catalog.TOOLS_BY_NAME["profiel-coach"], 33)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-mobile.png"), full_page=True)
    assert (SCREENSHOTS / "dashboard-mobile.png").stat().st_size > 10_000


def test_document_title_follows_the_selected_tab(new_context: Any) -> None:
    make_user("hanna")
    page = new_context().new_page()
    log_in(page, "hanna")
    expect(page).to_have_title("Profiel Coach · DateSpark")
    tab(page, catalog.TOOLS_BY_NAME["chat-coach"]).click()
    expect(page).to_have_url(re.compile(r"/tools/chat-coach/$"))
    expect(page).to_have_title("Chat Coach · DateSpark", timeout=2_000)
