import uuid

from django.conf import settings
from django.db import models

from pathway.accounts.scoping import ScopedQuerySet
from pathway.care import lifecycle


class EpisodeState(models.TextChoices):
    AWAITING_TRIAGE = lifecycle.AWAITING_TRIAGE, lifecycle.STATES[lifecycle.AWAITING_TRIAGE]
    ASSESSMENT_BOOKED = lifecycle.ASSESSMENT_BOOKED, lifecycle.STATES[lifecycle.ASSESSMENT_BOOKED]
    IN_TREATMENT = lifecycle.IN_TREATMENT, lifecycle.STATES[lifecycle.IN_TREATMENT]
    DISCHARGE_PROPOSED = (
        lifecycle.DISCHARGE_PROPOSED,
        lifecycle.STATES[lifecycle.DISCHARGE_PROPOSED],
    )
    DISCHARGED = lifecycle.DISCHARGED, lifecycle.STATES[lifecycle.DISCHARGED]


class DischargeReason(models.TextChoices):
    TREATMENT_COMPLETE = "treatment_complete", "Treatment complete"
    SAME_DAY = "same_day", "Same-day discharge with advice"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    REFERRED_ON = "referred_on", "Referred on"
    PATIENT_CHOICE = "patient_choice", "Patient choice"


class ReturnKind(models.TextChoices):
    NEW_SYMPTOMS = "new_symptoms", "New symptoms (a recurrence)"
    PERSISTING = "persisting", "The same problem, persisting since discharge"


class Priority(models.TextChoices):
    URGENT = "urgent", "Urgent"
    STANDARD = "standard", "Standard"


class BodyPart(models.TextChoices):
    BACK = "back", "Back"
    NECK = "neck", "Neck"


class EpisodeQuerySet(ScopedQuerySet):
    scope_lookups = {
        "service": "service_id",
        "area": "service__area_id",
        "practice": "referral__practice_id",
    }

    def open(self):
        return self.exclude(state=EpisodeState.DISCHARGED)


class Episode(models.Model):
    """One person's care in one provider service, from referral to discharge."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="episodes"
    )
    service = models.ForeignKey(
        "organisations.ProviderService", on_delete=models.PROTECT, related_name="episodes"
    )
    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, related_name="episode"
    )
    body_part = models.CharField(max_length=10, choices=BodyPart.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    state = models.CharField(
        max_length=20, choices=EpisodeState.choices, default=EpisodeState.AWAITING_TRIAGE
    )
    referred_at = models.DateTimeField()
    # The waiting-time clock: the referral date, restarted by a first-appointment DNA.
    clock_started_on = models.DateField()
    previous_episode = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="returns"
    )
    return_kind = models.CharField(max_length=20, choices=ReturnKind.choices, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_at"]
        indexes = [
            models.Index(fields=["service", "state", "referred_at"], name="episode_queue"),
            models.Index(fields=["patient", "-referred_at"], name="episode_by_patient"),
        ]
        constraints = [
            models.CheckConstraint(
                name="episode_discharge_recorded_with_state",
                condition=(
                    models.Q(state=EpisodeState.DISCHARGED, discharged_at__isnull=False)
                    & ~models.Q(discharge_reason="")
                )
                | (
                    ~models.Q(state=EpisodeState.DISCHARGED)
                    & models.Q(discharged_at__isnull=True, discharge_reason="")
                ),
            ),
            models.CheckConstraint(
                name="episode_return_kind_only_for_returners",
                condition=models.Q(previous_episode__isnull=True, return_kind="")
                | models.Q(previous_episode__isnull=False) & ~models.Q(return_kind=""),
            ),
        ]

    def __str__(self):
        return f"Episode {self.public_id}"


class EpisodeTransition(models.Model):
    """The history of an episode's state: who moved it, when and why."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="transitions")
    name = models.CharField(max_length=50)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.name}: {self.from_state or 'new'} -> {self.to_state}"
