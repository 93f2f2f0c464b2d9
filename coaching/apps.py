from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from coaching.completions.catalog_sync import catalog_sync
        from datespark.db.release import database_timeouts_set

        def sync_catalog(*, using: str = "default", **kwargs: object) -> None:
            catalog_sync(using=using)

        # After every migrate, and after the flush that transactional tests
        # run (it emits post_migrate too), so the catalog table is never stale.
        post_migrate.connect(sync_catalog, sender=self, dispatch_uid="coaching.sync_catalog", weak=False)

        def set_timeouts(*, using: str = "default", **kwargs: object) -> None:
            database_timeouts_set(using=using)

        # Every migrated database (a test database too) carries the app's timeouts.
        post_migrate.connect(set_timeouts, sender=self, dispatch_uid="coaching.database_timeouts", weak=False)

        from coaching.coach.photos import photo_file_delete_on_commit
        from coaching.models import Photo

        def delete_photo_file(*, instance: Photo, **kwargs: object) -> None:
            # Covers cascades (account deletion) as well as replacing a photo.
            photo_file_delete_on_commit(instance)

        from coaching.completions.signals import completion_changed
        from datespark.metrics import completion_change_counted

        # Completions in the metrics (datespark/metrics.py), once committed.
        completion_changed.connect(completion_change_counted, dispatch_uid="coaching.count_completions")

        post_delete.connect(delete_photo_file, sender=Photo, dispatch_uid="coaching.delete_photo_file", weak=False)
