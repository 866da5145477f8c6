from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pathway.accounts"

    def ready(self):
        from pathway.accounts import signals  # noqa: F401  (connects the receivers)
