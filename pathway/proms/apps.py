from django.apps import AppConfig


class PromsConfig(AppConfig):
    name = "pathway.proms"

    def ready(self):
        from pathway.proms import checks  # noqa: F401  (registers the window settings check)
        from pathway.proms.messages import register_renderers

        register_renderers()
