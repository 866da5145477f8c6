"""Which episodes and appointments a query means, as chainable queryset methods.

Lists and reports say what they want in the domain's words, for example
`Episode.objects.visible_to(user).on_caseload_of(user)` or
`Episode.objects.visible_to(user).awaiting_triage().of_priority("urgent")`, and the lookups
behind each word are written once, here. `visible_to` (accounts.scoping) comes first: it is the
one rule of who may see what.
"""

import datetime

from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils import timezone

from pathway.accounts.scoping import ScopedQuerySet
from pathway.care.choices import CANCELLED_OUTCOMES, LONGEST_APPOINTMENT_MINUTES, EpisodeState
from pathway.core.vocabulary import Priority


def urgent_first():
    """0 for an urgent episode and 1 for the others: sorts urgent referrals first."""
    return Case(
        When(priority=Priority.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()
    )


class EpisodeQuerySet(ScopedQuerySet):
    scope_lookups = {
        "service": "service_id",
        "area": "service__area_id",
        "practice": "referral__practice_id",
    }

    def open(self):
        return self.exclude(state=EpisodeState.DISCHARGED)

    def in_state(self, state):
        return self.filter(state=state)

    def awaiting_triage(self):
        return self.in_state(EpisodeState.AWAITING_TRIAGE)

    def on_caseload_of(self, clinician):
        """The open episodes `clinician` leads (set at the first booking)."""
        return self.open().filter(lead_clinician=clinician)

    def of_priority(self, priority):
        return self.filter(priority=priority)

    def at_startback_risk(self, risk):
        """Referred with this STarT Back risk ("low", "medium" or "high")."""
        return self.filter(referral__startback_risk=risk)

    def returners(self):
        """Episodes of people discharged before (clinical.returners)."""
        return self.filter(previous_episode__isnull=False)

    def with_open_alert(self, user):
        """Only episodes with a safety alert, visible to `user`, that nobody has acknowledged."""
        return self.filter(self._open_alert_exists(user))

    def annotate_open_alert(self, user):
        """Each episode's `has_open_alert`: whether it has such an alert."""
        return self.annotate(has_open_alert=self._open_alert_exists(user))

    def annotate_urgent_rank(self):
        """Each episode's `urgent_rank` (urgent_first), for lists that page on it."""
        return self.annotate(urgent_rank=urgent_first())

    def _open_alert_exists(self, user):
        # Imported here: proms.models builds its querysets on this module's EpisodeQuerySet.
        from pathway.proms.models import SafetyAlert

        return Exists(SafetyAlert.objects.visible_to(user).open().filter(episode=OuterRef("pk")))


class AppointmentQuerySet(ScopedQuerySet):
    scope_through = "episode"

    def booked(self):
        """Appointments whose outcome is not yet recorded."""
        return self.filter(outcome="")

    def upcoming(self):
        """Booked appointments that have not started yet."""
        return self.booked().filter(starts_at__gte=timezone.now())

    def overlapping(self, clinician, starts_at, length_minutes):
        """The clinician's appointments (not cancelled) that overlap the given time.

        Appointments last at most 8 hours, so only those starting in the 8 hours before can
        still be running: the index on (clinician, starts_at) answers this."""
        ends_at = starts_at + datetime.timedelta(minutes=length_minutes)
        candidates = (
            self.filter(
                clinician=clinician,
                starts_at__lt=ends_at,
                starts_at__gt=starts_at - datetime.timedelta(minutes=LONGEST_APPOINTMENT_MINUTES),
            )
            .exclude(outcome__in=CANCELLED_OUTCOMES)
            .order_by("starts_at")
        )
        return [appointment for appointment in candidates if appointment.ends_at > starts_at]

    def first_free_start(self, clinician, not_before, length_minutes=30):
        """The clinician's first start from `not_before`, in steps of the appointment's
        length, at which nothing overlaps: what a TTP looks for in the diary."""
        starts_at = not_before
        while self.overlapping(clinician, starts_at, length_minutes):
            starts_at += datetime.timedelta(minutes=length_minutes)
        return starts_at
