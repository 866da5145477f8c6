"""The TTP's lists: caseload and triage queue.

Both lists are built in a fixed number of queries whatever their length: everything a row
shows comes from select_related or an annotation, never from a query per row.
"""

import datetime
from urllib.parse import urlencode

from django.db.models import (
    Case,
    Count,
    DateTimeField,
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
from pathway.audit.reads import record_views
from pathway.care.models import (
    Appointment,
    Episode,
    EpisodeState,
    Priority,
    TherapySession,
    TriageOutcome,
)
from pathway.clinical.dates import age_shown
from pathway.core.keyset import Key, paginate
from pathway.core.permissions import role_required
from pathway.proms.models import QuestionnaireResponse, SafetyAlert, Timepoint
from pathway.proms.timepoints import instruments_for

QUEUE_PAGE_SIZE = 50
# The queue's orders, each ending in the primary key so every row has one place (keyset).
QUEUE_KEYS = {
    "waiting": (Key("urgent_rank"), Key("clock_started_on"), Key("referred_at"), Key("pk")),
    "newest": (Key("referred_at", descending=True), Key("pk", descending=True)),
}


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


CASELOAD_PAGE_SIZE = 50
# What needs doing first, then the next appointment (none booked last), then the longest known.
CASELOAD_KEYS = (
    Key("needs_action"),
    Key("next_appointment_sort"),
    Key("referred_at"),
    Key("pk"),
)
# Sorts "no appointment booked" after every real appointment.
NO_APPOINTMENT = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)


def _caseload_episodes(user):
    baseline = instruments_for(Timepoint.BASELINE)
    next_appointment = (
        Appointment.objects.visible_to(user)
        .upcoming()
        .filter(episode=OuterRef("pk"))
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    baseline_responses = QuestionnaireResponse.objects.visible_to(user).filter(
        timepoint=Timepoint.BASELINE, instrument__in=baseline
    )
    open_alerts = SafetyAlert.objects.visible_to(user).open()
    return (
        Episode.objects.visible_to(user)
        .on_caseload_of(user)
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
            ),
            next_appointment_sort=Coalesce(
                "next_appointment_at", Value(NO_APPOINTMENT, output_field=DateTimeField())
            ),
        )
    )


def _caseload_counts(user):
    """The counts above the list, for the whole caseload (not just this page)."""
    episodes = Episode.objects.visible_to(user).on_caseload_of(user)
    counts = episodes.aggregate(
        open=Count("pk"),
        assessment_booked=Count("pk", filter=Q(state=EpisodeState.ASSESSMENT_BOOKED)),
        in_treatment=Count("pk", filter=Q(state=EpisodeState.IN_TREATMENT)),
        discharge_proposed=Count("pk", filter=Q(state=EpisodeState.DISCHARGE_PROPOSED)),
    )
    counts["open_alerts"] = (
        SafetyAlert.objects.visible_to(user).open().filter(episode__in=episodes).count()
    )
    return counts


@role_required(Role.TTP)
def caseload(request):
    """The TTP's own open episodes: what needs doing first, then the next appointment."""
    user = request.user
    baseline = instruments_for(Timepoint.BASELINE)
    page = paginate(
        _caseload_episodes(user), CASELOAD_KEYS, request.GET.get("cursor"), CASELOAD_PAGE_SIZE
    )
    rows = []
    for episode in page.rows:
        triage = getattr(episode, "triage", None)
        core_therapy = triage is not None and triage.outcome == TriageOutcome.CORE_THERAPY
        rows.append(
            {
                "episode": episode,
                "planned_sessions": triage.planned_sessions if core_therapy else None,
                "questionnaires_outstanding": len(baseline) - episode.baseline_completed,
            }
        )
    record_views(
        request=request,
        objects_and_patient_ids=[(row["episode"], row["episode"].patient_id) for row in rows],
    )
    context = {"rows": rows, "counts": _caseload_counts(user), "page": page}
    return render(request, "care/caseload.html", context)


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


def _queue_episodes(user, filters):
    """The episodes awaiting triage that `user` may see, narrowed by the queue's filters."""
    episodes = (
        Episode.objects.visible_to(user)
        .awaiting_triage()
        .select_related("patient", "referral")
        .annotate_open_alert(user)
    )
    if "priority" in filters:
        episodes = episodes.of_priority(filters["priority"])
    if "risk" in filters:
        episodes = episodes.at_startback_risk(filters["risk"])
    if "returner" in filters:
        episodes = episodes.returners()
    if "alert" in filters:
        episodes = episodes.with_open_alert(user)
    return episodes


@role_required(Role.TTP)
@vary_on_headers("HX-Request")
def triage_queue(request):
    """New referrals for the TTP's service: urgent first, then the longest waiting."""
    user = request.user
    filters = _queue_filters(request.GET)
    episodes = _queue_episodes(user, filters)
    total = episodes.count()
    page = paginate(
        episodes.annotate_urgent_rank(),
        QUEUE_KEYS[filters["sort"]],
        request.GET.get("cursor"),
        QUEUE_PAGE_SIZE,
    )
    today = timezone.localdate()
    rows = [
        {
            "episode": episode,
            "age": age_shown(episode.patient.date_of_birth, today),
            "days_waiting": (today - episode.clock_started_on).days,
        }
        for episode in page.rows
    ]
    record_views(
        request=request,
        objects_and_patient_ids=[(row["episode"], row["episode"].patient_id) for row in rows],
    )
    # A history restore (back button with htmx's cache off) needs the whole page.
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    context = {
        "oob": partial,
        "rows": rows,
        "total": total,
        "page": page,
        "query": urlencode(filters),
        "filtered": set(filters) != {"sort"},
        "filters": filters,
        "choices": QUEUE_FILTERS,
    }
    template = "care/triage_queue.html#results" if partial else "care/triage_queue.html"
    return render(request, template, context)
