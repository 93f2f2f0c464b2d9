"""Management commands operators run."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from coaching.models import RateLimitCounter, RevokedToken

pytestmark = pytest.mark.django_db


def test_purge_expired_keeps_what_still_matters(settings: Any) -> None:
    now = timezone.now()
    RevokedToken.objects.create(key="old", expires_at=now - timedelta(seconds=1))
    RevokedToken.objects.create(key="live", expires_at=now + timedelta(days=1))
    longest = max(seconds for _, seconds in settings.RATE_LIMITS.values())
    RateLimitCounter.objects.create(key="stale", window_start=now - timedelta(seconds=longest + 1), hits=3)
    RateLimitCounter.objects.create(key="current", window_start=now, hits=3)
    out = StringIO()

    call_command("purge_expired", stdout=out)

    assert set(RevokedToken.objects.values_list("key", flat=True)) == {"live"}
    assert set(RateLimitCounter.objects.values_list("key", flat=True)) == {"current"}
    assert "Deleted 1 expired revocations and 1 stale rate-limit counters." in out.getvalue()


def test_demo_user_is_created_once_and_keeps_its_tokens(django_user_model: Any) -> None:
    from coaching.accounts import tokens
    from coaching.management.commands.demo_user import DEMO_PASSWORD, DEMO_USERNAME

    call_command("demo_user", stdout=StringIO())
    user = django_user_model.objects.get(username=DEMO_USERNAME)
    assert user.check_password(DEMO_PASSWORD)
    claims = tokens.TokenClaims.of(tokens.cookie_token_for(user))
    assert claims is not None

    call_command("demo_user", stdout=StringIO())

    assert tokens.user_for_claims(claims) is not None  # the password hash did not change


def test_demo_user_is_refused_in_a_deployment(settings: Any) -> None:
    from django.core.management.base import CommandError

    settings.HTTPS = True
    with pytest.raises(CommandError):
        call_command("demo_user", stdout=StringIO())
