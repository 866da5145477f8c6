"""The activity report's queries: SQL aggregates (values / annotate / Count), so the page runs
the same number of queries for ten episodes as for ten thousand. Each function runs one query
and returns plain rows (dicts, lists of numbers) for pathway.reports.activity_tables.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, DateField, Max, Min, Q
from django.db.models.functions import TruncMonth

from pathway.care.models import (
    Appointment,
    AppointmentOutcome,
    CPPPReferral,
    Episode,
    OnwardReferral,
    ReturnKind,
)
from pathway.proms.models import PromTimepoint
from pathway.referrals.models import (
    GP_ENDED_OUTCOMES,
    Referral,
    ReferralOutcome,
    ReferralSource,
)
from pathway.reports.activity_care_tables import OPEN_STATES, TIMEPOINT_STATES
from pathway.reports.scope import episodes_in_scope

CANCELLED = (AppointmentOutcome.CANCELLED_BY_PATIENT, AppointmentOutcome.CANCELLED_BY_SERVICE)


def referrals_to_service(user, scope):
    """Referrals the GP sent to the manager's service (or the chosen one) within the range."""
    return Referral.objects.visible_to(user).filter(
        outcome=ReferralOutcome.REFERRED,
        service__in=scope.chosen_services,
        created_at__range=scope.referred_between(),
    )


def gp_ended_referrals(user, scope):
    """Consultations that ended at the GP. They name no service, so they are counted for the
    practices in the manager's commissioning area (whichever service is chosen): these are
    counts only, never a person's record. The area is that of the manager's services (a
    service manager's service, or every service of an area manager's area)."""
    return Referral.objects.filter(
        practice__area_id__in={service.area_id for service in scope.services},
        outcome__in=GP_ENDED_OUTCOMES,
        created_at__range=scope.referred_between(),
    )


def referrals_per_month(referrals):
    """[{month, startback_risk, practice__ods_code, practice__name, n}]: the three referral
    tables from one query (at most months x practices x 4 rows, however many referrals)."""
    # The month's first day (local time) as a date: the database casts it, where an aware
    # datetime would be converted in Python, once per row of thousands.
    return list(
        referrals.annotate(month=TruncMonth("created_at", output_field=DateField()))
        .order_by()
        .values("month", "startback_risk", "practice__ods_code", "practice__name")
        .annotate(n=Count("id"))
    )


def referral_counts(referrals):
    """{referred, returners, with_days, first_day, last_day, <return kind>: n}: how many
    referrals, and of them returners, for the GP outcomes and returners tables."""
    is_returner = Q(previous_episode__isnull=False)
    return referrals.aggregate(
        referred=Count("id"),
        returners=Count("id", filter=is_returner),
        with_days=Count("id", filter=is_returner & Q(days_since_previous_discharge__isnull=False)),
        first_day=Min("days_since_previous_discharge", filter=is_returner),
        last_day=Max("days_since_previous_discharge", filter=is_returner),
        **{
            kind: Count("id", filter=is_returner & Q(return_kind=kind))
            for kind in ReturnKind.values
        },
        # Which door each referral came through (reports count them separately).
        **{f"source_{source}": Count("id", filter=Q(source=source)) for source in ReferralSource},
    )


def days_to_return(referrals):
    """Each returner's days from their earlier discharge to the new referral, where known."""
    return list(
        referrals.filter(previous_episode__isnull=False)
        .exclude(days_since_previous_discharge=None)
        .values_list("days_since_previous_discharge", flat=True)
        .order_by()
    )


def gp_outcome_counts(gp_ended):
    """({outcome: consultations}, {source: consultations}) for the consultations that did not
    enter the pathway (at the GP, or a self-referral stopped), from one query."""
    rows = gp_ended.values_list("outcome", "source").annotate(n=Count("id")).order_by()
    by_outcome, by_source = Counter(), Counter()
    for outcome, source, n in rows:
        by_outcome[outcome] += n
        by_source[source] += n
    return dict(by_outcome), dict(by_source)


def triage_counts(episodes):
    """{triage outcome (None: not yet triaged): episodes}."""
    return dict(episodes.values_list("triage__outcome").annotate(n=Count("id")).order_by())


def appointment_counts(episodes):
    """{appointment kind: {recorded, attended, dna, cancelled, pending}}."""
    return {
        row["kind"]: row
        for row in Appointment.objects.filter(episode__in=episodes)
        .values("kind")
        .annotate(
            recorded=Count("id", filter=~Q(outcome="")),
            attended=Count("id", filter=Q(outcome=AppointmentOutcome.ATTENDED)),
            dna=Count("id", filter=Q(outcome=AppointmentOutcome.DID_NOT_ATTEND)),
            cancelled=Count("id", filter=Q(outcome__in=CANCELLED)),
            pending=Count("id", filter=Q(outcome="")),
        )
        .order_by()
    }


def cppp_rows(episodes):
    """[{outcome, decline_reason, n}]: both CPPP tables from one query."""
    return list(
        CPPPReferral.objects.filter(episode__in=episodes)
        .values("outcome", "decline_reason")
        .annotate(n=Count("id"))
        .order_by()
    )


def onward_counts(episodes):
    """{destination: onward referrals}."""
    rows = (
        OnwardReferral.objects.filter(episode__in=episodes)
        .values("destination")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["destination"]: row["n"] for row in rows}


def caseload_rows(user, scope):
    """[{lead clinician's id and names, open, <open state>: n}]: open episodes today in the
    chosen services, whatever their referral date."""
    return list(
        Episode.objects.visible_to(user)
        .open()
        .filter(service__in=scope.chosen_services)
        .values("lead_clinician_id", "lead_clinician__first_name", "lead_clinician__last_name")
        .annotate(
            open=Count("id"), **{state: Count("id", filter=Q(state=state)) for state in OPEN_STATES}
        )
        .order_by()
    )


def timepoint_counts(episodes):
    """{time point: {completed, not_responded, still_open, not_yet_due, cancelled}}."""
    return {
        row["timepoint"]: row
        for row in PromTimepoint.objects.filter(episode__in=episodes)
        .values("timepoint")
        .annotate(
            **{name: Count("id", filter=Q(state=state)) for name, state in TIMEPOINT_STATES.items()}
        )
        .order_by()
    }


@dataclass(frozen=True)
class ActivityRows:
    """Everything the activity page counts, one query each."""

    per_month: list
    referrals: dict
    return_days: list
    gp_ended: dict
    triage: dict
    appointments: dict
    cppp: list
    onward: dict
    caseload: list
    timepoints: dict
    # {referral source: consultations that did not enter the pathway}.
    ended_by_source: dict = field(default_factory=dict)


def activity_rows(user, scope):
    episodes = episodes_in_scope(user, scope)
    referrals = referrals_to_service(user, scope)
    gp_ended, ended_by_source = gp_outcome_counts(gp_ended_referrals(user, scope))
    return ActivityRows(
        per_month=referrals_per_month(referrals),
        referrals=referral_counts(referrals),
        return_days=days_to_return(referrals),
        gp_ended=gp_ended,
        ended_by_source=ended_by_source,
        triage=triage_counts(episodes),
        appointments=appointment_counts(episodes),
        cppp=cppp_rows(episodes),
        onward=onward_counts(episodes),
        caseload=caseload_rows(user, scope),
        timepoints=timepoint_counts(episodes),
    )
