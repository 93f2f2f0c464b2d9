"""Delete revocation records of tokens that have expired anyway, and stale rate-limit counters.

Safe to run at any time; schedule it (e.g. hourly from cron or a platform
scheduler): ``python manage.py purge_expired``.
"""

from typing import Any

from django.core.management.base import BaseCommand

from coaching.accounts import ratelimit, tokens


class Command(BaseCommand):
    help = "Delete expired token revocations and rate-limit counters whose window has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        revoked = tokens.purge_expired()
        counters = ratelimit.purge_expired()
        self.stdout.write(f"Deleted {revoked} expired revocations and {counters} stale rate-limit counters.")
