import datetime
import uuid

from django.conf import settings
from django.db import models

from pathway.care import lifecycle
from pathway.care.choices import (
    LONGEST_APPOINTMENT_MINUTES,
    SHORTEST_APPOINTMENT_MINUTES,
    AppointmentKind,
    AppointmentMode,
    AppointmentOutcome,
    CPPPDeclineReason,
    CPPPOutcome,
    DischargeReason,
    EpisodeState,
    OnwardDestination,
    TherapyComponent,
    TriageOutcome,
)
from pathway.care.querysets import AppointmentQuerySet, EpisodeQuerySet
from pathway.core.vocabulary import BodyPart, Priority, ReturnKind


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
    # Keep the record until this day (pathway.clinical.retention): set when care ends, cleared
    # while care is open; `manage.py retention_review` lists episodes past it.
    retain_until = models.DateField(null=True, blank=True, db_index=True, editable=False)
    # The TTP whose caseload this episode is on: set at the first booking.
    lead_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_episodes",
    )
    # When the episode last changed: the FHIR API's lastUpdated, which systems poll. A save
    # with update_fields must name it (tests/unit/test_code_shape checks).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_at"]
        indexes = [
            models.Index(fields=["service", "state", "referred_at"], name="episode_queue"),
            models.Index(fields=["patient", "-referred_at"], name="episode_by_patient"),
            # The waiting list's weekly history: episodes discharged since a date, per service.
            models.Index(fields=["service", "discharged_at"], name="episode_discharged"),
            # The reports: a service's episodes referred within a date range, as ids to join
            # on, from the index alone.
            models.Index(
                fields=["service", "referred_at"], include=["id"], name="episode_service_referred"
            ),
            # Open episodes per service and lead clinician: the caseload and the activity
            # report's caseloads read only these, not a service's ten years of discharges.
            models.Index(
                fields=["service", "lead_clinician", "state"],
                condition=~models.Q(state="discharged"),
                name="episode_open",
            ),
            # The triage queue and waiting list read only the episodes not yet triaged.
            models.Index(
                fields=["service", "priority", "clock_started_on", "referred_at"],
                name="episode_awaiting_triage",
                condition=models.Q(state="awaiting_triage"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="episode_state_is_known", condition=models.Q(state__in=EpisodeState.values)
            ),
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
    # A member of staff; or, for someone who is not (a GP system referring over the API),
    # none, and `by_name` says who, as the audit trail names them.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                name="episode_transition_names_who",
                condition=models.Q(by__isnull=False) | ~models.Q(by_name=""),
            )
        ]

    def __str__(self):
        return f"{self.name}: {self.from_state or 'new'} -> {self.to_state}"

    @property
    def by_label(self):
        """Who moved the episode (select_related "by"): the member of staff, or who else."""
        return self.by.get_full_name() if self.by_id else self.by_name

    @property
    def label(self):
        step = lifecycle.TRANSITIONS_BY_NAME.get(self.name)
        return step.label if step else "Referred by the GP"

    @property
    def from_state_label(self):
        return lifecycle.STATES.get(self.from_state, "New referral")

    @property
    def to_state_label(self):
        return lifecycle.STATES.get(self.to_state, self.to_state)


class Appointment(models.Model):
    # The opaque id the FHIR API names it by.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField()
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    mode = models.CharField(max_length=10, choices=AppointmentMode.choices)
    location = models.CharField(max_length=200, blank=True)
    # How long the clinician is taken up: two appointments of one clinician may not overlap.
    length_minutes = models.PositiveSmallIntegerField(default=30)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=25, choices=AppointmentOutcome.choices, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    # Why a DNA did not lead to the proposed discharge (for example a vulnerable patient).
    dna_exception_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["episode", "starts_at"], name="appointment_by_episode"),
            models.Index(fields=["clinician", "starts_at"], name="appointment_by_clinician"),
            # "Has this episode a booked first assessment / an attended follow-up / when was it
            # first assessed?" and the activity report's counts per kind and outcome: answered
            # from this index alone, once per episode, on the waiting list and reports.
            models.Index(
                fields=["episode", "kind", "outcome", "starts_at"],
                include=["id"],
                name="appointment_episode_kind",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="appointment_length_plausible",
                condition=models.Q(
                    length_minutes__gte=SHORTEST_APPOINTMENT_MINUTES,
                    length_minutes__lte=LONGEST_APPOINTMENT_MINUTES,
                ),
            ),
            models.CheckConstraint(
                name="appointment_in_person_has_location",
                condition=~models.Q(mode=AppointmentMode.IN_PERSON) | ~models.Q(location=""),
            ),
            models.CheckConstraint(
                name="appointment_outcome_recorded_with_who_and_when",
                condition=models.Q(
                    outcome="", outcome_recorded_by__isnull=True, outcome_recorded_at__isnull=True
                )
                | (
                    ~models.Q(outcome="")
                    & models.Q(outcome_recorded_by__isnull=False, outcome_recorded_at__isnull=False)
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.length_minutes)

    @property
    def is_first_assessment(self):
        return self.kind == AppointmentKind.FIRST_ASSESSMENT


class TriageDecision(models.Model):
    """The TTP's decision at the first assessment. One per episode, enforced by the database."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="triage")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="triage_decision"
    )
    outcome = models.CharField(max_length=20, choices=TriageOutcome.choices)
    symptom_duration = models.CharField(max_length=10)
    assessment_notes = models.TextField(blank=True)
    planned_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The activity report counts outcomes per episode from the index alone.
        indexes = [
            models.Index(
                fields=["episode"], include=["outcome", "id"], name="triage_episode_outcome"
            )
        ]
        constraints = [
            models.CheckConstraint(
                name="triage_core_therapy_has_planned_sessions",
                condition=(
                    models.Q(outcome=TriageOutcome.CORE_THERAPY, planned_sessions__gte=1)
                    | (
                        ~models.Q(outcome=TriageOutcome.CORE_THERAPY)
                        & models.Q(planned_sessions__isnull=True)
                    )
                ),
            )
        ]

    def __str__(self):
        return self.get_outcome_display()


class TherapySession(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="sessions")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="therapy_session"
    )
    number = models.PositiveSmallIntegerField()
    components = models.JSONField(default=list)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="therapy_session_number")
        ]

    def __str__(self):
        return f"Session {self.number}"

    @property
    def component_labels(self):
        return [TherapyComponent(code).label for code in self.components]


class CPPPReferral(models.Model):
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="cppp")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=CPPPOutcome.choices, blank=True)
    decline_reason = models.CharField(max_length=25, choices=CPPPDeclineReason.choices, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="cppp_decline_has_reason",
                condition=(models.Q(outcome=CPPPOutcome.DECLINED) & ~models.Q(decline_reason=""))
                | (~models.Q(outcome=CPPPOutcome.DECLINED) & models.Q(decline_reason="")),
            )
        ]

    def __str__(self):
        return f"CPPP: {self.get_outcome_display() or 'invited'}"


class OnwardReferral(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="onward_referrals")
    destination = models.CharField(max_length=30, choices=OnwardDestination.choices)
    reason = models.TextField()
    sent_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.get_destination_display()
