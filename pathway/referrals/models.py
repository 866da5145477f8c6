import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pathway.accounts.scoping import ScopedQuerySet
from pathway.care.models import EpisodeState
from pathway.clinical.red_flags import (
    DESTINATIONS,
    EMERGENCY_SAME_DAY,
    JUDGEMENTS,
    NOT_SUSPECTED,
    RED_FLAGS_BY_CODE,
    SUSPECTED,
    destinations_for,
)
from pathway.core.vocabulary import SYMPTOM_DURATION_CHOICES, BodyPart, Priority, ReturnKind


class ReferralOutcome(models.TextChoices):
    REFERRED = "referred", "Referred to the back pain service"
    GP_DISCHARGED = "gp_discharged", "Discharged by the GP with advice"
    # Serious pathology suspected by the GP, or a cauda equina flag: not a referral.
    REDIRECTED = "redirected", "Serious pathology suspected: sent elsewhere"
    EXCLUDED = "excluded", "Not eligible for the pathway"


class ReferralSource(models.TextChoices):
    """Which door the referral came through (reports count each separately)."""

    GP_FORM = "gp_form", "GP (web form)"
    GP_SYSTEM = "gp_system", "GP (practice's GP system)"
    SELF_REFERRAL = "self_referral", "Self-referral"


# Consultations that ended at the GP (no episode): the activity report counts them.
GP_ENDED_OUTCOMES = (
    ReferralOutcome.GP_DISCHARGED,
    ReferralOutcome.REDIRECTED,
    ReferralOutcome.EXCLUDED,
)

# The GP's answer to "Is serious pathology suspected?" (and the template's recommendation).
RED_FLAG_JUDGEMENT_CHOICES = list(JUDGEMENTS.items())


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
    # The member of staff who referred through the web form; none for a GP system's referral
    # over the API, which names its practitioner in `referrer` instead.
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    # The requester practitioner a GP system named, as "system|value" (an SDS user id, a GMC
    # number); blank for the web form's referrals, whose `referred_by` says who.
    referrer = models.CharField(max_length=200, blank=True, default="", db_default="")
    # Which door: the GP's web form (`referred_by`), a GP system (`referrer`) or the person
    # themselves (neither: the practice is their registered practice, from the lookup).
    source = models.CharField(max_length=20, choices=ReferralSource.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    body_part = models.CharField(max_length=10, choices=BodyPart.choices)
    limb_symptoms = models.BooleanField()
    symptom_duration = models.CharField(max_length=10, choices=SYMPTOM_DURATION_CHOICES)
    recurrence = models.BooleanField(help_text="False for a first episode.")

    red_flag_answers = models.JSONField()
    red_flags_found = models.JSONField(default=list)
    # Where the person was sent when the red flags stopped the referral (a destination code of
    # pathway.clinical.red_flags.DESTINATIONS); blank when the referral went on.
    red_flag_action = models.CharField(max_length=30, blank=True)
    # Flags other than cauda equina: the template's recommendation and the GP's judgement,
    # with the reason, who and when. Blank when no such flag was found.
    red_flag_recommendation = models.CharField(
        max_length=20, choices=RED_FLAG_JUDGEMENT_CHOICES, blank=True
    )
    red_flag_judgement = models.CharField(
        "Is serious pathology suspected?",
        max_length=20,
        choices=RED_FLAG_JUDGEMENT_CHOICES,
        blank=True,
    )
    red_flag_judgement_reason = models.TextField(blank=True)
    red_flags_judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    red_flags_judged_at = models.DateTimeField(null=True, blank=True)

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
    # An episode for the other body part that was still open when the GP referred: no bar to
    # this referral, but the TTP is shown it.
    other_open_episode = models.ForeignKey(
        "care.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

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
                    "source",
                ],
                name="referral_service_activity",
            ),
            # The activity report's consultations that ended at the GP, per date range.
            models.Index(
                fields=["created_at"],
                include=["id", "practice", "outcome", "source"],
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
            # Sent elsewhere exactly when a destination is recorded.
            models.CheckConstraint(
                name="referral_redirected_has_red_flags",
                condition=Q(outcome=ReferralOutcome.REDIRECTED) & ~Q(red_flag_action="")
                | ~Q(outcome=ReferralOutcome.REDIRECTED) & Q(red_flag_action=""),
            ),
            models.CheckConstraint(
                name="referral_red_flag_judgement_is_known",
                condition=Q(red_flag_judgement__in=["", *JUDGEMENTS])
                & Q(red_flag_recommendation__in=["", *JUDGEMENTS]),
            ),
            # Who referred, by door: a member of staff through the web form, a GP system's
            # practitioner, or the person themselves (nobody else named).
            models.CheckConstraint(
                name="referral_source_names_its_referrer",
                condition=Q(source=ReferralSource.GP_FORM, referred_by__isnull=False)
                | Q(source=ReferralSource.GP_SYSTEM, referred_by__isnull=True) & ~Q(referrer="")
                | Q(source=ReferralSource.SELF_REFERRAL, referred_by__isnull=True, referrer=""),
            ),
            # A judgement is recorded with the recommendation it answered, who and when (who:
            # the member of staff, or else the referrer a GP system named).
            models.CheckConstraint(
                name="referral_red_flag_judgement_has_who_and_when",
                condition=Q(
                    red_flag_judgement="",
                    red_flags_judged_by__isnull=True,
                    red_flags_judged_at__isnull=True,
                )
                | ~Q(red_flag_judgement="")
                & ~Q(red_flag_recommendation="")
                & Q(red_flags_judged_at__isnull=False)
                & (Q(red_flags_judged_by__isnull=False) | ~Q(referrer="")),
            ),
            models.CheckConstraint(
                name="referral_suspected_pathology_is_sent_elsewhere",
                condition=~Q(red_flag_judgement=SUSPECTED) | Q(outcome=ReferralOutcome.REDIRECTED),
            ),
            models.CheckConstraint(
                name="referral_not_suspected_has_a_reason_and_goes_on",
                condition=~Q(red_flag_judgement=NOT_SUSPECTED)
                | ~Q(outcome=ReferralOutcome.REDIRECTED) & ~Q(red_flag_judgement_reason=""),
            ),
            models.CheckConstraint(
                name="referral_judgement_against_recommendation_has_a_reason",
                condition=Q(red_flag_judgement="")
                | Q(red_flag_judgement=models.F("red_flag_recommendation"))
                | ~Q(red_flag_judgement_reason=""),
            ),
            # Cauda equina stops the referral at once: nothing is asked.
            models.CheckConstraint(
                name="referral_cauda_equina_is_not_judged",
                condition=~Q(red_flag_action=EMERGENCY_SAME_DAY) | Q(red_flag_judgement=""),
            ),
        ]

    def __str__(self):
        return f"Referral {self.public_id}"

    @property
    def is_self_referral(self):
        return self.source == ReferralSource.SELF_REFERRAL

    @property
    def referrer_name(self):
        """Who referred, as the pages say it: the member of staff, the practitioner a GP
        system named (select_related "referred_by"), or the person themselves."""
        if self.referred_by_id:
            return self.referred_by.get_full_name()
        if self.is_self_referral:
            return "The person themselves (self-referral)"
        return f"{self.referrer} (by the practice's GP system)"

    @property
    def red_flags_judge_name(self):
        """Who judged the red flags (select_related "red_flags_judged_by"): as referrer_name."""
        if self.red_flags_judged_by_id:
            return self.red_flags_judged_by.get_full_name()
        return self.referrer_name

    @property
    def red_flags(self):
        """The red flags found, as the clinical core defines them (no query)."""
        return [RED_FLAGS_BY_CODE[code] for code in self.red_flags_found]

    @property
    def red_flag_destinations(self):
        """Where the person was sent, most urgent first (codes of red_flags.DESTINATIONS):
        every destination for the flags of suspected pathology; the recorded action for cauda
        equina (and for referrals made when every flag stopped one). The referral summary and
        the API say the same."""
        if self.red_flag_judgement == SUSPECTED:
            return list(destinations_for(self.red_flags_found))
        return [self.red_flag_action] if self.red_flag_action in DESTINATIONS else []

    @property
    def went_on_with_red_flags(self):
        """Red flags the GP considered without suspecting serious pathology: the referral went
        on, and the TTP must see them."""
        return self.red_flag_judgement == NOT_SUSPECTED

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
