from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from coaching.services import catalog_sync

        def sync_catalog(*, using: str = "default", **kwargs: object) -> None:
            catalog_sync(using=using)

        # After every migrate, and after the flush that transactional tests
        # run (it emits post_migrate too), so the catalog table is never stale.
        post_migrate.connect(sync_catalog, sender=self, dispatch_uid="coaching.sync_catalog", weak=False)
