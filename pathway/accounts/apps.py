from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pathway.accounts"
