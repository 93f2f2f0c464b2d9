"""The staff analytics page in a real browser: a staff member sees the funnel and the chart (and the CSP holds).

Writes docs/screenshots/admin-funnel.png and admin-chart.png, which the README shows.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coaching import catalog
from coaching.models import ToolCompletion, ToolCompletionEvent
from tests.e2e.test_browser import SCREENSHOTS, log_in, make_user

pytestmark = pytest.mark.e2e

ANALYTICS = "/admin/coaching/toolcompletion/analytics/"


def seed_activity(users: int = 24) -> None:
    """A month of made-up use: fewer users at each later step of a tool, events spread over 30 days."""
    rng = random.Random(7)
    now = timezone.now()
    completions: list[ToolCompletion] = []
    for number in range(users):
        person = make_user(f"gebruiker{number:02d}")
        for position, tool in enumerate(catalog.TOOLS):
            for step, action in enumerate(tool.action_names):
                if rng.random() > 0.85 - 0.2 * step - 0.08 * position:
                    break
                completions.append(
                    ToolCompletion(
                        user=person,
                        tool_name=tool.name,
                        action_name=action,
                        completed_at=now - timedelta(days=rng.randrange(30), hours=rng.randrange(24)),
                    )
                )
    ToolCompletion.objects.bulk_create(completions)  # the trigger logs each as 'completed' at its time
    ToolCompletionEvent.objects.bulk_create(
        ToolCompletionEvent(
            user_id=c.user_id,
            tool_name=c.tool_name,
            action_name=c.action_name,
            kind="repeated",
            at=now - timedelta(days=rng.randrange(30)),
        )
        for c in completions[::3]
    )


def test_staff_see_the_funnel_and_the_chart(new_context: Any) -> None:
    seed_activity()
    staff = make_user("staf")
    staff.is_staff = staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, "staf")

    page.goto("/admin/coaching/")
    page.get_by_role("link", name="Statistieken").first.click()

    expect(page.get_by_role("heading", name="Trechter per tool")).to_be_visible()
    expect(page.locator("table.analytics-funnel")).to_have_count(len(catalog.TOOLS))
    expect(page.get_by_role("img", name="Voltooiingen per dag")).to_be_visible()
    assert int(page.locator("#active-30").inner_text()) > 0
    page.locator("section[aria-labelledby='funnel-heading']").screenshot(path=str(SCREENSHOTS / "admin-funnel.png"))
    page.locator("section[aria-labelledby='per-day-heading']").screenshot(path=str(SCREENSHOTS / "admin-chart.png"))

    page.get_by_role("link", name="90 dagen").click()
    expect(page.locator("#per-day-table tbody tr")).to_have_count(90)


def test_the_analytics_page_is_for_staff_only(new_context: Any) -> None:
    make_user("gewoon")
    page = new_context().new_page()
    log_in(page, "gewoon")
    page.goto(ANALYTICS)
    expect(page.get_by_role("heading", name="Trechter per tool")).to_have_count(0)
