"""Fixtures the staff tests share: a superuser, signed in to the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def superuser(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser(username="beheer", password="x-beheer-wachtwoord")


@pytest.fixture
def admin_client_(superuser: Any) -> Client:
    client = Client()
    client.force_login(superuser)
    return client
