from django.apps import AppConfig


class SelfReferralConfig(AppConfig):
    name = "pathway.selfreferral"
    verbose_name = "Self-referral"
