"""The outcomes report's two queries, whatever the number of episodes: each episode's facts
and their questionnaire responses, as plain values for pathway.reports.outcome_report."""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from pathway.care.models import Episode, EpisodeState
from pathway.clinical.dates import age_shown
from pathway.clinical.referral_rules import SYMPTOM_DURATION_GROUPS
from pathway.proms.models import QuestionnaireResponse
from pathway.reports.outcome_facts import EpisodeFacts

DURATION_CODES = {code for code, _label, _upper in SYMPTOM_DURATION_GROUPS}


def episode_facts(user, episodes):
    """[EpisodeFacts] for `episodes`, as `user` may see them."""
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
        "referral__source",
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
        source=row["referral__source"],
    )


def responses(user, episodes):
    """The responses' rows: {episode_id, timepoint, instrument, score, scores}."""
    # Only answers given inside their time point's window: an answer after discharge is not a
    # baseline (pathway.proms.windows; the same definition as the response rates' states).
    return (
        QuestionnaireResponse.objects.visible_to(user)
        .in_window()
        .filter(episode__in=episodes.values("pk"))
        .order_by()
        .values("episode_id", "timepoint", "instrument", "score", "scores")
    )
