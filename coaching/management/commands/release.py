"""The release step: ``manage.py release`` migrates once however many instances start together.

See datespark/db/release.py. Run it on every start (the server's main process does)
or once per deploy before the new instances take traffic; plain
``manage.py migrate`` still works for a single machine.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from datespark.db.release import release_transaction


class Command(BaseCommand):
    help = "Apply the migrations under the release lock (one instance at a time), timeouts lifted for it."

    def handle(self, *args: Any, **options: Any) -> None:
        with release_transaction():
            call_command("migrate", interactive=False, verbosity=options["verbosity"], stdout=self.stdout)
