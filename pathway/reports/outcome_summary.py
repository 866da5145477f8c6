"""Stored outcomes reports: how a computed report is written to and read from OutcomeSummary.

A stored report is only served when it answers exactly the question asked: the same manager
organisation, service and date range, on the EQ-5D value set currently configured. Anything
else is computed live by the page, so a stored figure can be old but never about the wrong
people or on the wrong value set.
"""

import json
from dataclasses import asdict

from django.conf import settings

from pathway.reports.models import OutcomeSummary
from pathway.reports.outcome_change import SUBGROUPS
from pathway.reports.outcome_report import ChartPoint, LineChart, OutcomeReport, Subgroup
from pathway.reports.tables import Table


def scope_key(user, service):
    kind, organisation_id = user.organisation_scope()
    return f"{kind}:{organisation_id}/service:{service.pk if service else 'all'}"


def report_to_json(report):
    """The report as JSON data (lists, not tuples, as it reads back from the database): every
    table's display strings and every chart point."""
    return json.loads(json.dumps(asdict(report)))


def report_from_json(data):
    """The OutcomeReport that report_to_json was given, so the template cannot tell them apart;
    None for a row written by an older shape of the report (the page then computes live)."""
    try:
        return _report(data)
    except (KeyError, TypeError):
        return None


def _report(data):
    if [sub["heading"] for sub in data["subgroups"]] != [sub[1] for sub in SUBGROUPS]:
        raise KeyError("subgroups")  # written before a subgroup was added (referral source)
    return OutcomeReport(
        baseline=Table(**data["baseline"]),
        changes=[Table(**table) for table in data["changes"]],
        subgroups=[
            Subgroup(heading=sub["heading"], tables=[Table(**table) for table in sub["tables"]])
            for sub in data["subgroups"]
        ],
        gsos=Table(**data["gsos"]),
        fft=Table(**data["fft"]),
        triage=Table(**data["triage"]),
        means=Table(**data["means"]),
        charts=[
            LineChart(**{**chart, "points": tuple(ChartPoint(**p) for p in chart["points"])})
            for chart in data["charts"]
        ],
    )


def save_summary(*, viewer, scope, report, value_set, high_water, computed_at):
    """Insert or replace the scope's one row: running the refresh twice leaves one row."""
    kind, organisation_id = viewer.organisation_scope()
    summary, _created = OutcomeSummary.objects.update_or_create(
        scope_key=scope_key(viewer, scope.service),
        defaults={
            "organisation_kind": kind,
            "organisation_id": organisation_id,
            "service": scope.service,
            "date_from": scope.date_from,
            "date_to": scope.date_to,
            "value_set": value_set.code,
            "report": report_to_json(report),
            "computed_at": computed_at,
            "responses_count": high_water["count"],
            "latest_response_id": high_water["latest_id"],
            "latest_response_completed_at": high_water["latest_completed_at"],
        },
    )
    return summary


def stored_summary(user, scope):
    """The stored summary for exactly this scope on the current value set, or None (one query).

    A row on another value set is ignored, not converted: the page then computes live, so it
    never shows index figures on a value set other than the one it names."""
    return OutcomeSummary.objects.filter(
        scope_key=scope_key(user, scope.service),
        date_from=scope.date_from,
        date_to=scope.date_to,
        value_set=settings.EQ5D_VALUE_SET,
    ).first()
