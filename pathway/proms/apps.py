from django.apps import AppConfig


class PromsConfig(AppConfig):
    name = "pathway.proms"
