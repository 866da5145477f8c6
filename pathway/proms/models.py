import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from pathway.accounts.scoping import ScopedQuerySet


class Timepoint(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    DISCHARGE = "discharge", "Discharge"
    MONTH_6 = "month_6", "6 months after discharge"
    MONTH_12 = "month_12", "12 months after discharge"


class TimepointState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "Waiting for the person"
    COMPLETED = "completed", "Completed"
    # Its window closed before every questionnaire was answered (pathway.proms.windows).
    NOT_RESPONDED = "not_responded", "Not answered in time"
    CANCELLED = "cancelled", "Cancelled"


class PromTimepointQuerySet(ScopedQuerySet):
    scope_through = "episode"


class PromTimepoint(models.Model):
    """One time point of an episode's questionnaire schedule: when it is due, and the window in
    which answers belong to it (pathway.proms.windows). Answers are taken only inside it."""

    episode = models.ForeignKey(
        "care.Episode", on_delete=models.PROTECT, related_name="prom_timepoints"
    )
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    due_at = models.DateTimeField()
    # The window: the invitation goes when it opens; answers from closes_at on are not taken.
    # A baseline's closes_at is empty until the event that closes it (treatment, discharge).
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        max_length=15, choices=TimepointState.choices, default=TimepointState.SCHEDULED
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # Wrong dates of birth typed at any of this time point's links; the links lock at the limit.
    date_of_birth_failures = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PromTimepointQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "timepoint"], name="one_schedule_entry_per_timepoint"
            )
        ]
        indexes = [
            models.Index(fields=["state", "closes_at"], name="timepoint_closing"),
            # The activity report counts each episode's time points by state, from the index.
            models.Index(
                fields=["episode"],
                include=["timepoint", "state", "id"],
                name="timepoint_episode_state",
            ),
        ]

    def __str__(self):
        return f"{self.get_timepoint_display()} ({self.state})"


class PatientLink(models.Model):
    """A link sent to a patient. Only the SHA-256 of its token is stored.

    In the audit trail an event on a questionnaire link with no staff user is the person
    themselves, acting from this link (pathway.proms.patient_audit).
    """

    timepoint = models.ForeignKey(PromTimepoint, on_delete=models.PROTECT, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "questionnaire link"

    def __str__(self):
        return f"Link {self.pk}"


class QuestionnaireStop(PatientLink):
    """The person stopping their questionnaire messages from this link. No table of its own:
    it gives the act its own name in the audit trail ("Questionnaire messages stopped from the
    person's link"), which has no column for a non-staff actor or the channel used."""

    class Meta:
        proxy = True
        verbose_name = "questionnaire messages stopped from the person's link"


class ResponseSource(models.TextChoices):
    PATIENT = "patient", "The patient, from their link"
    CLINICIAN = "clinician", "A clinician, with the patient"


class ResponseQuerySet(ScopedQuerySet):
    scope_through = "episode"

    def in_window(self):
        """Only answers given inside their time point's window: what every report counts.

        The window is the time point's own (opens_at, closes_at), which the proms actions set
        and close (pathway.proms.windows), so no report does date arithmetic of its own. The
        actions take no answer outside a window; this also leaves out answers stored before
        windows existed that the migration found outside theirs.
        """
        entries = PromTimepoint.objects.filter(
            episode_id=OuterRef("episode_id"),
            timepoint=OuterRef("timepoint"),
            opens_at__lte=OuterRef("completed_at"),
        ).filter(Q(closes_at__isnull=True) | Q(closes_at__gt=OuterRef("completed_at")))
        return self.filter(Exists(entries))


class QuestionnaireResponse(models.Model):
    """One completed questionnaire: the raw answers and the clinical core's scores. Never
    changed once made, so completed_at is also when it last changed."""

    # The opaque id the FHIR API names it (and its scores' Observations) by.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(
        "care.Episode", on_delete=models.PROTECT, related_name="questionnaire_responses"
    )
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    # A code of pathway.clinical.questionnaires.INSTRUMENTS.
    instrument = models.CharField(max_length=20)
    answers = models.JSONField()
    scores = models.JSONField()
    # The instrument's headline number (pain 0-10, ODI %, GAD-7 / PHQ-9 total, EQ VAS),
    # kept as a column so reports aggregate it in SQL. EQ-5D indexes are in `scores`, by
    # value set, because a report names the value set it uses.
    score = models.FloatField(null=True, blank=True)
    completed_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=ResponseSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["completed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "timepoint", "instrument"],
                name="one_response_per_instrument_and_timepoint",
            ),
            models.CheckConstraint(
                name="response_timepoint_is_known",
                condition=models.Q(timepoint__in=Timepoint.values),
            ),
        ]
        indexes = [models.Index(fields=["instrument", "timepoint"], name="response_by_measure")]

    def __str__(self):
        return f"{self.instrument} at {self.timepoint}"


class SafetyAlertQuerySet(ScopedQuerySet):
    scope_through = "episode"

    def scope_lookups_by_kind(self):
        # Alerts are for the service's clinicians and managers only, not the referring practice.
        lookups = super().scope_lookups_by_kind()
        return {kind: lookup for kind, lookup in lookups.items() if kind != "practice"}

    def open(self):
        return self.filter(acknowledged_at__isnull=True)


class SafetyAlert(models.Model):
    """A worrying answer (PHQ-9 item 9) that a clinician must see and acknowledge today."""

    episode = models.ForeignKey(
        "care.Episode", on_delete=models.PROTECT, related_name="safety_alerts"
    )
    response = models.OneToOneField(
        QuestionnaireResponse, on_delete=models.PROTECT, related_name="safety_alert"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    # When the service's duty clinician was emailed (claimed before sending, like messages).
    duty_emailed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True)

    objects = SafetyAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.CheckConstraint(
                name="alert_acknowledged_with_who_when_and_note",
                condition=models.Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | (
                    models.Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False)
                    & ~models.Q(acknowledgement_note="")
                ),
            )
        ]

    def __str__(self):
        return f"Safety alert {self.pk}"


class GuessKind(models.TextChoices):
    TOKEN = "token", "Link token that did not open a questionnaire"
    DATE_OF_BIRTH = "date_of_birth", "Wrong date of birth"


class GuessCounter(models.Model):
    """Failed guesses at patient links from one client in one minute (pathway.proms.throttle).

    In the database, not the cache, so the limit holds and the pages keep working when Redis
    is down. The client is an HMAC of its IP address, never the address itself.
    """

    kind = models.CharField(max_length=15, choices=GuessKind.choices)
    client = models.CharField(max_length=64)
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "client", "minute"], name="one_guess_counter_per_minute"
            )
        ]
        indexes = [models.Index(fields=["minute"], name="guess_counter_age")]

    def __str__(self):
        return f"{self.kind} guesses at {self.minute:%H:%M}"
