import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pathway.accounts.scoping import ScopedQuerySet
from pathway.care.models import BodyPart, EpisodeState, Priority, ReturnKind
from pathway.clinical.referral_rules import SYMPTOM_DURATION_GROUPS


class ReferralOutcome(models.TextChoices):
    REFERRED = "referred", "Referred to the back pain service"
    GP_DISCHARGED = "gp_discharged", "Discharged by the GP with advice"
    REDIRECTED = "redirected", "Red flags: sent elsewhere"
    EXCLUDED = "excluded", "Not eligible for the pathway"


# Consultations that ended at the GP (no episode): the activity report counts them.
GP_ENDED_OUTCOMES = (
    ReferralOutcome.GP_DISCHARGED,
    ReferralOutcome.REDIRECTED,
    ReferralOutcome.EXCLUDED,
)

# The reports' groups, defined once in the clinical core.
SYMPTOM_DURATION_CHOICES = [(code, label) for code, label, _ in SYMPTOM_DURATION_GROUPS]


class ReferralQuerySet(ScopedQuerySet):
    scope_lookups = {
        "practice": "practice_id",
        "service": "service_id",
        "area": "practice__area_id",
    }


class Referral(models.Model):
    """Everything the GP recorded at the consultation, whether or not care was referred on.

    Kept for every outcome, because the evaluation had no data on the people GPs discharged
    with advice or sent elsewhere.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One per form shown to the GP: a double click or a resubmitted form finds this row.
    submission_key = models.UUIDField(unique=True)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="referrals"
    )
    practice = models.ForeignKey(
        "organisations.GPPractice", on_delete=models.PROTECT, related_name="referrals"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    body_part = models.CharField(max_length=10, choices=BodyPart.choices)
    limb_symptoms = models.BooleanField()
    symptom_duration = models.CharField(max_length=10, choices=SYMPTOM_DURATION_CHOICES)
    recurrence = models.BooleanField(help_text="False for a first episode.")

    red_flag_answers = models.JSONField()
    red_flags_found = models.JSONField(default=list)
    red_flag_action = models.CharField(max_length=30, blank=True)

    exclusion_answers = models.JSONField(default=dict)
    exclusions_found = models.JSONField(default=list)

    urgency_answers = models.JSONField(default=dict)
    computed_priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    priority_override_reason = models.TextField(blank=True)

    startback_answers = models.JSONField(default=list)
    startback_total = models.PositiveSmallIntegerField(null=True)
    startback_psychosocial = models.PositiveSmallIntegerField(null=True)
    startback_risk = models.CharField(max_length=10, blank=True)
    recommendation = models.CharField(max_length=40, blank=True)
    low_risk_referral_reason = models.TextField(blank=True)

    outcome = models.CharField(max_length=20, choices=ReferralOutcome.choices)
    service = models.ForeignKey(
        "organisations.ProviderService",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )

    previous_episode = models.ForeignKey(
        "care.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    days_since_previous_discharge = models.PositiveIntegerField(null=True, blank=True)
    return_kind = models.CharField(max_length=20, choices=ReturnKind.choices, blank=True)
    return_justification = models.TextField(blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["practice", "-created_at"], name="referral_by_practice"),
            # The activity report: a service's referrals over a date range, counted from the
            # index alone (a covering index; SQLite ignores `include`).
            models.Index(
                fields=["service", "created_at"],
                include=[
                    "id",
                    "outcome",
                    "startback_risk",
                    "practice",
                    "previous_episode",
                    "days_since_previous_discharge",
                    "return_kind",
                ],
                name="referral_service_activity",
            ),
            # The activity report's consultations that ended at the GP, per date range.
            models.Index(
                fields=["created_at"],
                include=["id", "practice", "outcome"],
                condition=Q(outcome__in=GP_ENDED_OUTCOMES),
                name="referral_ended_at_gp",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="referral_to_service_has_service_and_scores",
                condition=~Q(outcome=ReferralOutcome.REFERRED)
                | Q(service__isnull=False, startback_risk__in=["low", "medium", "high"])
                & ~Q(priority=""),
            ),
            models.CheckConstraint(
                name="referral_priority_override_has_reason",
                condition=Q(priority=models.F("computed_priority"))
                | ~Q(priority_override_reason=""),
            ),
            models.CheckConstraint(
                name="referral_redirected_has_red_flags",
                condition=~Q(outcome=ReferralOutcome.REDIRECTED) | ~Q(red_flag_action=""),
            ),
        ]

    def __str__(self):
        return f"Referral {self.public_id}"

    @property
    def status(self):
        """What the GP's list says about this referral now (select_related "episode")."""
        if self.outcome != ReferralOutcome.REFERRED:
            return self.get_outcome_display()
        episode = self.episode
        if episode.state == EpisodeState.DISCHARGED:
            return f"Discharged: {episode.get_discharge_reason_display().lower()}"
        if episode.state == EpisodeState.ASSESSMENT_BOOKED:
            # Prefetched by the list: the booked appointments without an outcome.
            booked = sorted(a.starts_at for a in episode.appointments.all() if not a.outcome)
            if booked:
                return f"Appointment booked for {timezone.localtime(booked[0]):%-d %b %Y}"
        return episode.get_state_display()
