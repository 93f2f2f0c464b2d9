"""Remove uploaded files that no photo row names (an hour old at least): left when the store failed at a deletion.

Safe at any time (a file is only removed when no row names it); schedule it
like purge_expired: ``python manage.py photos_sweep``.
"""

from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from coaching.coach.photos import photo_orphans_sweep


class Command(BaseCommand):
    help = "Delete uploaded photo files (local or in the object store) that no photo row names."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = photo_orphans_sweep(storage=default_storage, now=timezone.now())
        self.stdout.write(f"Removed {len(removed)} orphaned photo files.")
