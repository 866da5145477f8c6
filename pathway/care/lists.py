"""The TTP's lists: caseload and triage queue.

Both lists are built in a fixed number of queries whatever their length: everything a row
shows comes from select_related or an annotation, never from a query per row.
"""

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from pathway.accounts.models import Role
from pathway.care.models import (
    Appointment,
    Episode,
    EpisodeState,
    Priority,
    TherapySession,
    TriageOutcome,
)
from pathway.clinical.referral_rules import age_on
from pathway.core.permissions import role_required
from pathway.proms.models import QuestionnaireResponse, SafetyAlert, Timepoint
from pathway.proms.timepoints import instruments_for

QUEUE_LIMIT = 200


def urgent_first():
    return Case(
        When(priority=Priority.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()
    )


def _count_per_episode(rows):
    """How many of `rows` belong to the outer episode, as a correlated subquery.

    A subquery per count, rather than joins, so counts of different relations do not
    multiply each other's rows.
    """
    counted = rows.filter(episode=OuterRef("pk")).order_by().values("episode")
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        Value(0),
    )


# --- Caseload ------------------------------------------------------------------------------


@role_required(Role.TTP)
def caseload(request):
    """The TTP's own open episodes: what needs doing first, then the next appointment."""
    user = request.user
    baseline = instruments_for(Timepoint.BASELINE)
    next_appointment = (
        Appointment.objects.visible_to(user)
        .filter(episode=OuterRef("pk"), outcome="", starts_at__gte=timezone.now())
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    baseline_responses = QuestionnaireResponse.objects.visible_to(user).filter(
        timepoint=Timepoint.BASELINE, instrument__in=baseline
    )
    open_alerts = SafetyAlert.objects.visible_to(user).open()
    episodes = (
        Episode.objects.visible_to(user)
        .open()
        .filter(lead_clinician=user)
        .select_related("patient", "triage")
        .annotate(
            next_appointment_at=Subquery(next_appointment),
            sessions_used=_count_per_episode(TherapySession.objects.all()),
            baseline_completed=_count_per_episode(baseline_responses),
            open_alerts=_count_per_episode(open_alerts),
        )
        .annotate(
            needs_action=Case(
                When(
                    Q(state=EpisodeState.DISCHARGE_PROPOSED) | Q(open_alerts__gt=0), then=Value(0)
                ),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by(
            "needs_action", F("next_appointment_at").asc(nulls_last=True), "referred_at", "pk"
        )
    )
    rows = []
    for episode in episodes:
        triage = getattr(episode, "triage", None)
        core_therapy = triage is not None and triage.outcome == TriageOutcome.CORE_THERAPY
        rows.append(
            {
                "episode": episode,
                "planned_sessions": triage.planned_sessions if core_therapy else None,
                "questionnaires_outstanding": len(baseline) - episode.baseline_completed,
            }
        )
    states = [row["episode"].state for row in rows]
    counts = {
        "open": len(rows),
        "assessment_booked": states.count(EpisodeState.ASSESSMENT_BOOKED),
        "in_treatment": states.count(EpisodeState.IN_TREATMENT),
        "discharge_proposed": states.count(EpisodeState.DISCHARGE_PROPOSED),
        "open_alerts": sum(row["episode"].open_alerts for row in rows),
    }
    return render(request, "care/caseload.html", {"rows": rows, "counts": counts})


# --- Triage queue --------------------------------------------------------------------------


# The triage queue's filters, read from the query string: name -> {value: label}.
QUEUE_FILTERS = {
    "priority": dict(Priority.choices),
    "risk": {"low": "Low", "medium": "Medium", "high": "High"},
    "returner": {"yes": "Returners"},
    "alert": {"yes": "With an open safety alert"},
    "sort": {"waiting": "Urgent, then longest waiting", "newest": "Newest referral first"},
}


def _queue_filters(query):
    """The valid filters in `query`. A value that does not fit is dropped on its own, so a
    mangled link still shows the list, filtered by whatever else it asks for."""
    filters = {
        name: query[name] for name, choices in QUEUE_FILTERS.items() if query.get(name) in choices
    }
    filters.setdefault("sort", "waiting")
    return filters


@role_required(Role.TTP)
@vary_on_headers("HX-Request")
def triage_queue(request):
    """New referrals for the TTP's service: urgent first, then the longest waiting."""
    user = request.user
    filters = _queue_filters(request.GET)
    episodes = (
        Episode.objects.visible_to(user)
        .filter(state=EpisodeState.AWAITING_TRIAGE)
        .select_related("patient", "referral")
        .annotate(
            has_open_alert=Exists(
                SafetyAlert.objects.visible_to(user).open().filter(episode=OuterRef("pk"))
            )
        )
    )
    if "priority" in filters:
        episodes = episodes.filter(priority=filters["priority"])
    if "risk" in filters:
        episodes = episodes.filter(referral__startback_risk=filters["risk"])
    if "returner" in filters:
        episodes = episodes.filter(previous_episode__isnull=False)
    if "alert" in filters:
        episodes = episodes.filter(has_open_alert=True)
    if filters["sort"] == "newest":
        episodes = episodes.order_by("-referred_at", "-pk")
    else:
        episodes = episodes.order_by(urgent_first(), "clock_started_on", "referred_at", "pk")

    total = episodes.count()
    today = timezone.localdate()
    rows = [
        {
            "episode": episode,
            "age": age_on(episode.patient.date_of_birth, today),
            "days_waiting": (today - episode.clock_started_on).days,
        }
        for episode in episodes[:QUEUE_LIMIT]
    ]
    # A history restore (back button with htmx's cache off) needs the whole page.
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    context = {
        "oob": partial,
        "rows": rows,
        "total": total,
        "limit": QUEUE_LIMIT,
        "filtered": set(filters) != {"sort"},
        "filters": filters,
        "choices": QUEUE_FILTERS,
    }
    template = "care/triage_queue.html#results" if partial else "care/triage_queue.html"
    return render(request, template, context)
