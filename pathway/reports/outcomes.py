"""The outcomes report for service managers: who was seen, how their scores changed, how they
rated the service and how well triage matched care to risk (the evaluation's Tables 1, 3-5,
10 and 11, for a date range and service).

Two queries load everything, whatever the number of episodes: the episodes' facts and their
questionnaire responses. The arithmetic is in outcome_tables, on plain rows.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.utils import timezone

from pathway.accounts.models import Role
from pathway.care.models import Episode, EpisodeState
from pathway.clinical import eq5d
from pathway.clinical.referral_rules import SYMPTOM_DURATION_GROUPS, age_on
from pathway.core.permissions import role_required
from pathway.proms.models import QuestionnaireResponse
from pathway.reports import outcome_tables
from pathway.reports.outcome_tables import EpisodeFacts
from pathway.reports.scope import episodes_in_scope, report_scope
from pathway.reports.tables import export_if_asked

DURATION_CODES = {code for code, _label, _upper in SYMPTOM_DURATION_GROUPS}


@role_required(Role.MANAGER)
def page(request):
    scope = report_scope(request)
    episodes = episodes_in_scope(request.user, scope)
    value_set = eq5d.VALUE_SETS[settings.EQ5D_VALUE_SET]
    report = outcome_tables.build_report(
        episode_facts(request.user, episodes),
        responses(request.user, episodes),
        value_set,
    )
    export = export_if_asked(request, report.tables, filename_prefix="outcomes")
    if export:
        return export
    context = {
        "scope": scope,
        "export_query": scope.querystring(),
        "report": report,
        "value_set": value_set,
    }
    return render(request, "reports/outcomes.html", context)


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
        age=age_on(born, timezone.localdate(row["referred_at"])) if born else None,
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
