"""The outcomes report for service managers: who was seen, how their scores changed, how they
rated the service and how well triage matched care to risk (the evaluation's Tables 1, 3-5,
10 and 11, for a date range and service).

Two queries load everything, whatever the number of episodes: the episodes' facts and their
questionnaire responses. The arithmetic is in outcome_tables, on plain rows.

At hundreds of thousands of episodes that still takes seconds, so refresh_outcome_summaries
(a Celery beat job and a management command) computes each manager's default scopes ahead and
the page serves the stored summary when it answers exactly the scope asked (outcome_summary).
"""

import datetime

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef
from django.shortcuts import render
from django.utils import timezone

from pathway.accounts.models import Role, User
from pathway.care.models import Episode, EpisodeState
from pathway.clinical import eq5d
from pathway.clinical.dates import age_shown
from pathway.clinical.referral_rules import SYMPTOM_DURATION_GROUPS
from pathway.core.permissions import role_required
from pathway.proms.models import QuestionnaireResponse
from pathway.reports import outcome_summary, outcome_tables
from pathway.reports.outcome_tables import EpisodeFacts
from pathway.reports.scope import (
    DEFAULT_DAYS,
    ReportScope,
    episodes_in_scope,
    manager_services,
    report_scope,
)
from pathway.reports.tables import export_if_asked

DURATION_CODES = {code for code, _label, _upper in SYMPTOM_DURATION_GROUPS}


@role_required(Role.MANAGER)
def page(request):
    scope = report_scope(request)
    value_set = eq5d.VALUE_SETS[settings.EQ5D_VALUE_SET]
    # The CSV links carry the page's dates, so an export of a stored page is stored too.
    summary = outcome_summary.stored_summary(request.user, scope)
    report = outcome_summary.report_from_json(summary.report) if summary else None
    if report is None:
        summary = None  # none stored, or stored by code whose tables no longer read back
        report = compute_report(request.user, scope, value_set)
    export = export_if_asked(request, report.tables, filename_prefix="outcomes")
    if export:
        return export
    context = {
        "scope": scope,
        "export_query": scope.querystring(),
        "report": report,
        "value_set": value_set,
        "summary": summary,
        "calculated_at": summary.computed_at if summary else timezone.now(),
    }
    return render(request, "reports/outcomes.html", context)


def compute_report(user, scope, value_set):
    episodes = episodes_in_scope(user, scope)
    return outcome_tables.build_report(
        episode_facts(user, episodes), responses(user, episodes), value_set
    )


def episode_facts(user, episodes):
    # A return counts if the later episode is one this manager may see.
    returned = Exists(Episode.objects.visible_to(user).filter(previous_episode=OuterRef("pk")))
    rows = episodes.annotate(returned=returned).values(
        "pk",
        "referred_at",
        "state",
        "discharge_reason",
        "returned",
        "patient__date_of_birth",
        "patient__sex",
        "referral__startback_total",
        "referral__startback_risk",
        "referral__symptom_duration",
        "triage__outcome",
        "triage__symptom_duration",
    )
    return [_facts(row) for row in rows]


def _facts(row):
    duration = row["triage__symptom_duration"] or row["referral__symptom_duration"]
    born = row["patient__date_of_birth"]
    return EpisodeFacts(
        id=row["pk"],
        age=age_shown(born, timezone.localdate(row["referred_at"])) if born else None,
        sex=row["patient__sex"] or "",
        startback_total=row["referral__startback_total"],
        startback_risk=row["referral__startback_risk"] or "",
        symptom_duration=duration if duration in DURATION_CODES else "",
        triage=row["triage__outcome"] or "",
        discharged=row["state"] == EpisodeState.DISCHARGED,
        discharge_reason=row["discharge_reason"],
        returned=row["returned"],
    )


def responses(user, episodes):
    return (
        QuestionnaireResponse.objects.visible_to(user)
        .filter(episode__in=episodes.values("pk"))
        .order_by()
        .values("episode_id", "timepoint", "instrument", "score", "scores")
    )


# --- Summaries computed ahead -----------------------------------------------------------------


def default_scopes(user):
    """The scopes a manager reaches without choosing dates: their service, or for an area the
    whole area (the default) and each of its services (one choice in the service menu)."""
    services = tuple(manager_services(user))
    date_to = timezone.localdate()
    date_from = date_to - datetime.timedelta(days=DEFAULT_DAYS)  # as report_scope defaults
    choices = services if len(services) == 1 else (None, *services)
    return [ReportScope(date_from, date_to, service, services) for service in choices]


def summary_viewers():
    """One active manager per organisation: what a manager sees depends only on their
    organisation, so one of them computes it for all."""
    viewers = {}
    managers = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk")
    for manager in managers:
        kind, _organisation_id = manager.organisation_scope()
        if kind in ("service", "area"):
            viewers.setdefault(manager.organisation_scope(), manager)
    return list(viewers.values())


def refresh_outcome_summaries():
    """Compute and store every manager's default scopes; returns how many were stored.
    Safe to run twice or at once: each scope has one row, replaced in place."""
    value_set = eq5d.VALUE_SETS[settings.EQ5D_VALUE_SET]
    stored = 0
    for viewer in summary_viewers():
        for scope in default_scopes(viewer):
            computed_at = timezone.now()
            episodes = episodes_in_scope(viewer, scope)
            # Read before the rows: a response arriving meanwhile makes the mark look older
            # than the figures, never newer.
            high_water = responses(viewer, episodes).aggregate(
                count=Count("pk"), latest_id=Max("pk"), latest_completed_at=Max("completed_at")
            )
            report = compute_report(viewer, scope, value_set)
            outcome_summary.save_summary(
                viewer=viewer,
                scope=scope,
                report=report,
                value_set=value_set,
                high_water=high_water,
                computed_at=computed_at,
            )
            stored += 1
    return stored
