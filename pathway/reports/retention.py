"""Retention of records of care, the review of what has passed its keep-until date.

The rule itself (years after the end of care, 29 February) is pure and lives in
pathway.clinical.retention; care.retention sets each episode's date at discharge. This module
finds the records whose date has passed, across every app that holds a part of an episode
(which is why it sits in reports, above them all). Nothing here deletes anything: destruction
is a manual, approved step (docs/operations.md), and the review only says what it would remove.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from pathway.audit.models import AuditEvent
from pathway.care.models import (
    Appointment,
    CPPPReferral,
    Episode,
    EpisodeTransition,
    OnwardReferral,
    TherapySession,
    TriageDecision,
)
from pathway.clinical.retention import retain_until, retention_has_passed
from pathway.messaging.models import OutboundMessage
from pathway.proms.models import PatientLink, PromTimepoint, QuestionnaireResponse, SafetyAlert
from pathway.referrals.models import Referral


@dataclass(frozen=True)
class DueEpisode:
    episode_id: int
    retain_until: datetime.date
    # Table label -> rows destroying this episode would remove, the episode itself included.
    rows: dict[str, int]
    # Later episodes, still kept, that name this one as the episode they return after: their
    # link (and their referral's) must be cleared first, or the database refuses the delete.
    kept_returns: int


@dataclass(frozen=True)
class DueReferral:
    """A referral that never opened an episode (discharged by the GP, red flags, excluded)."""

    referral_id: int
    outcome: str
    retain_until: datetime.date


@dataclass
class PatientReview:
    patient_id: int
    episodes: list[DueEpisode] = field(default_factory=list)
    referrals: list[DueReferral] = field(default_factory=list)
    kept_episodes: int = 0
    kept_referrals: int = 0
    # Rows of the person themselves, removed only when nothing of theirs is left.
    patient_rows: dict[str, int] = field(default_factory=dict)

    @property
    def nothing_left(self):
        return not (self.kept_episodes or self.kept_referrals)


@dataclass
class RetentionReview:
    today: datetime.date
    years: int
    patients: list[PatientReview]
    # Audit events naming these people: kept after destruction (no database constraint).
    audit_events_kept: int

    def totals(self):
        totals = {}
        for patient in self.patients:
            for episode in patient.episodes:
                for label, count in episode.rows.items():
                    totals[label] = totals.get(label, 0) + count
            if patient.referrals:
                label = "referrals that did not open an episode"
                totals[label] = totals.get(label, 0) + len(patient.referrals)
            for label, count in patient.patient_rows.items():
                totals[label] = totals.get(label, 0) + count
        return totals


def _episode_tables():
    """(label, model, lookup from the row to its episode): everything an episode owns.

    tests/integration/test_retention.py checks that every table with a foreign key to an
    episode is listed here, so a new table cannot be forgotten by the review.
    """
    return (
        ("state changes", EpisodeTransition, "episode"),
        ("appointments", Appointment, "episode"),
        ("triage decisions", TriageDecision, "episode"),
        ("therapy sessions", TherapySession, "episode"),
        ("CPPP referrals", CPPPReferral, "episode"),
        ("onward referrals", OnwardReferral, "episode"),
        ("questionnaire time points", PromTimepoint, "episode"),
        ("patient links", PatientLink, "timepoint__episode"),
        ("questionnaire responses", QuestionnaireResponse, "episode"),
        ("safety alerts", SafetyAlert, "episode"),
        ("messages", OutboundMessage, "episode"),
    )


def retention_review(*, today, years=None):
    """What destroying every record past its keep-until date on `today` would remove.

    A fixed number of queries, however many records are due.
    """
    years = settings.RETENTION_YEARS if years is None else years
    due = Q(retain_until__lt=today)
    episodes = list(
        Episode.objects.filter(due)
        .order_by("patient_id", "retain_until", "id")
        .values_list("id", "patient_id", "retain_until")
    )
    counts = {
        label: dict(
            model.objects.filter(**{f"{lookup}__retain_until__lt": today})
            .order_by()
            .values_list(lookup)
            .annotate(n=Count("pk"))
        )
        for label, model, lookup in _episode_tables()
    }
    kept_returns = dict(
        Episode.objects.filter(previous_episode__retain_until__lt=today)
        .exclude(due)
        .order_by()
        .values_list("previous_episode")
        .annotate(n=Count("pk"))
    )

    patients = {}
    for episode_id, patient_id, kept_until in episodes:
        rows = {"episodes": 1, "referrals": 1}
        rows.update({label: counts[label].get(episode_id, 0) for label in counts})
        patients.setdefault(patient_id, PatientReview(patient_id)).episodes.append(
            DueEpisode(episode_id, kept_until, rows, kept_returns.get(episode_id, 0))
        )

    # Referrals that never opened an episode have no keep-until column: care ended at the GP's
    # consultation, so the rule is applied to its date. The SQL bound is loose on purpose: the
    # pure function decides, so the rule keeps one definition.
    bound = today.replace(year=today.year - years, day=1) + datetime.timedelta(days=32)
    standalone = Referral.objects.filter(episode__isnull=True).order_by()
    due_referrals = []
    for referral_id, patient_id, outcome, created_at in (
        standalone.filter(created_at__date__lt=bound)
        .order_by("created_at", "id")
        .values_list("id", "patient_id", "outcome", "created_at")
    ):
        kept_until = retain_until(timezone.localdate(created_at), years=years)
        if retention_has_passed(kept_until, today=today):
            due_referrals.append(referral_id)
            patients.setdefault(patient_id, PatientReview(patient_id)).referrals.append(
                DueReferral(referral_id, outcome, kept_until)
            )

    ids = list(patients)
    kept = Episode.objects.filter(patient_id__in=ids).exclude(due).order_by()
    for patient_id, n in kept.values_list("patient_id").annotate(n=Count("pk")):
        patients[patient_id].kept_episodes = n
    kept = standalone.filter(patient_id__in=ids).exclude(id__in=due_referrals)
    for patient_id, n in kept.values_list("patient_id").annotate(n=Count("pk")):
        patients[patient_id].kept_referrals = n
    loose_messages = dict(
        OutboundMessage.objects.filter(patient_id__in=ids, episode__isnull=True)
        .order_by()
        .values_list("patient_id")
        .annotate(n=Count("pk"))
    )
    for patient in patients.values():
        if patient.nothing_left:
            patient.patient_rows = {
                "patients": 1,
                "messages not tied to an episode": loose_messages.get(patient.patient_id, 0),
            }
    return RetentionReview(
        today=today,
        years=years,
        patients=[patients[patient_id] for patient_id in sorted(patients)],
        audit_events_kept=AuditEvent.objects.filter(patient_id__in=ids).count(),
    )
