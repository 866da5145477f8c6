from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "pathway.organisations"
