from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pathway.api"
    verbose_name = "FHIR API"
