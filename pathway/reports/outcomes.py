"""The outcomes report for a manager's scope: who was seen, how their scores changed, how they
rated the service and how well triage matched care to risk (the evaluation's Tables 1, 3-5,
10 and 11, for a date range and service).

Two queries load everything (outcome_queries); the arithmetic is on plain rows
(outcome_report). At hundreds of thousands of episodes that still takes seconds, so
refresh_outcome_summaries (a Celery beat job and a management command) computes each
manager's default scopes ahead and the page serves the stored summary when it answers exactly
the scope asked (outcome_summary).
"""

import datetime

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from pathway.accounts.models import Role, User
from pathway.clinical import eq5d
from pathway.reports import outcome_summary
from pathway.reports.outcome_queries import episode_facts, responses
from pathway.reports.outcome_report import build_report
from pathway.reports.scope import DEFAULT_DAYS, ReportScope, episodes_in_scope, manager_services


def compute_report(user, scope, value_set):
    """The OutcomeReport of `scope` as `user` sees it, computed now (two queries)."""
    episodes = episodes_in_scope(user, scope)
    return build_report(episode_facts(user, episodes), responses(user, episodes), value_set)


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
