from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "datespark-demo"


class Command(BaseCommand):
    help = "Create (or reset) the local demo user and print its credentials. Refused in an HTTPS deployment."

    def handle(self, *args: object, **options: object) -> None:
        if settings.HTTPS:
            raise CommandError("The demo user is for local use only (DJANGO_HTTPS is set).")
        user, created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        # Only (re)set when needed: a new hash would log the demo user out everywhere.
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save()
        self.stdout.write(
            self.style.SUCCESS(f"Demo user (local use only): username {DEMO_USERNAME!r}, password {DEMO_PASSWORD!r}")
        )
