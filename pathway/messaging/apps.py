from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "pathway.messaging"

    def ready(self):
        from pathway.messaging import checks  # noqa: F401  (registers the deploy check)
