from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pathway.core"

    def ready(self):
        # Load the Celery app whenever Django starts, so @shared_task binds to it and
        # tasks sent from web requests use the configured broker.
        import pathway.celery  # noqa: F401
