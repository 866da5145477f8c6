"""The organisations that own patient data: who may see what is decided by these."""

from dataclasses import fields

from django.db import models

from pathway.clinical.service_rules import ServiceRules

_DEFAULT_RULES = ServiceRules()


class CommissioningArea(models.Model):
    """An Integrated Care Board area that commissions one or more provider services."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class GPPractice(models.Model):
    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    area = models.ForeignKey(CommissioningArea, on_delete=models.PROTECT, related_name="practices")

    class Meta:
        ordering = ["name"]
        verbose_name = "GP practice"

    def __str__(self):
        return f"{self.name} ({self.ods_code})"


class ProviderService(models.Model):
    """An MSK / Triage and Treat service that receives referrals."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    area = models.ForeignKey(CommissioningArea, on_delete=models.PROTECT, related_name="services")
    phone = models.CharField(max_length=30, blank=True)
    duty_clinician_email = models.EmailField(
        blank=True, help_text="Safety alerts (for example PHQ-9 item 9) are sent here the same day."
    )

    # Whether people registered in the area may refer themselves (a public start page).
    accepts_self_referral = models.BooleanField(
        default=False,
        help_text="People may refer themselves to this service online, without seeing their GP.",
    )

    # Local policy, with the pathway's defaults (clinical reference sections 2 and 7).
    exclude_widespread_pain = models.BooleanField(
        default=_DEFAULT_RULES.exclude_widespread_pain,
        help_text="The AQP exclusion of widespread musculoskeletal pain (on by default).",
    )
    exclude_chronic_pain = models.BooleanField(
        default=_DEFAULT_RULES.exclude_chronic_pain,
        help_text="The AQP exclusion of chronic (over a year) musculoskeletal pain (off by "
        "default: the later pathway accepted every duration).",
    )
    urgent_target_working_days = models.PositiveSmallIntegerField(
        default=_DEFAULT_RULES.urgent_target_working_days
    )
    standard_target_days = models.PositiveSmallIntegerField(
        default=_DEFAULT_RULES.standard_target_days
    )
    referral_to_treatment_weeks = models.PositiveSmallIntegerField(
        default=_DEFAULT_RULES.referral_to_treatment_weeks
    )
    max_therapy_sessions = models.PositiveSmallIntegerField(
        default=_DEFAULT_RULES.max_therapy_sessions
    )
    returner_window_months = models.PositiveSmallIntegerField(
        default=_DEFAULT_RULES.returner_window_months,
        help_text="A second referral for the same body part within this many calendar months "
        "of the last discharge needs a recorded justification.",
    )
    minimum_age = models.PositiveSmallIntegerField(default=_DEFAULT_RULES.minimum_age)
    dna_discharge_after = models.PositiveSmallIntegerField(
        default=_DEFAULT_RULES.dna_discharge_after,
        help_text="First-appointment DNAs before discharge to the GP is proposed.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def rules(self):
        """This service's policy, in the form the pure clinical rules take it."""
        return ServiceRules(
            **{field.name: getattr(self, field.name) for field in fields(ServiceRules)}
        )
