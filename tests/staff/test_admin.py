"""Staff browse completions in the Django admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from coaching.completions import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def completions(user: Any, other_user: Any) -> None:
    services.completion_mark(
        user_id=user.pk, tool_name="profiel-coach", action_name="bio_generated", metadata={"bioLength": 250}
    )
    services.completion_mark(user_id=other_user.pk, tool_name="chat-coach", action_name="first_question")


def test_changelist_lists_user_tool_action_and_time(admin_client_: Client, completions: None) -> None:
    response = admin_client_.get("/admin/coaching/toolcompletion/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "anna" in content and "bio_generated" in content
    assert "bram" in content and "first_question" in content


def listed(response: Any) -> list[tuple[str, str]]:
    return [(row.user.username, row.action_name) for row in response.context["cl"].result_list]


def test_changelist_filters_by_tool(admin_client_: Client, completions: None) -> None:
    response = admin_client_.get("/admin/coaching/toolcompletion/", {"tool_name": "chat-coach"})
    assert listed(response) == [("bram", "first_question")]


def test_changelist_searches_by_username(admin_client_: Client, completions: None) -> None:
    response = admin_client_.get("/admin/coaching/toolcompletion/", {"q": "anna"})
    assert listed(response) == [("anna", "bio_generated")]


def test_changelist_searches_by_action(admin_client_: Client, completions: None) -> None:
    response = admin_client_.get("/admin/coaching/toolcompletion/", {"q": "first_q"})
    assert listed(response) == [("bram", "first_question")]


def test_change_page_shows_metadata_readably(admin_client_: Client, completions: None, user: Any) -> None:
    completion = user.tool_completions.get()
    content = admin_client_.get(f"/admin/coaching/toolcompletion/{completion.pk}/change/").content.decode()
    assert "&quot;bioLength&quot;: 250" in content


def test_user_page_shows_completions_inline(admin_client_: Client, completions: None, user: Any) -> None:
    content = admin_client_.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    assert "bio_generated" in content


def test_non_staff_cannot_open_the_admin(user: Any) -> None:
    client = Client()
    client.force_login(user)
    response = client.get("/admin/coaching/toolcompletion/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
