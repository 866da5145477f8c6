from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "pathway.patients"
