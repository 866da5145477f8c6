"""Recording completed questionnaires, and raising safety alerts from them."""

from django.db import transaction
from django.utils import timezone

from pathway.audit.actions import record_audit_event
from pathway.audit.models import AuditAction
from pathway.proms.models import QuestionnaireResponse, SafetyAlert
from pathway.proms.scoring import score_answers


@transaction.atomic
def record_questionnaire(
    *, episode, timepoint, instrument, answers, source, by=None, ip_address=None
):
    """Score with the clinical core and store answers and scores together.

    Raises InvalidAnswers (nothing saved) for incomplete or impossible answers. A PHQ-9 item 9
    answer above "not at all" raises a safety alert in the same transaction.
    """
    scores, headline = score_answers(instrument, answers)
    response = QuestionnaireResponse.objects.create(
        episode=episode,
        timepoint=timepoint,
        instrument=instrument,
        answers=answers,
        scores=scores,
        score=headline,
        completed_at=timezone.now(),
        source=source,
        recorded_by=by,
    )
    record_audit_event(
        user=by,
        action=AuditAction.CREATE,
        obj=response,
        patient=episode.patient,
        ip_address=ip_address,
    )
    if scores.get("self_harm_flag"):
        SafetyAlert.objects.create(episode=episode, response=response)
    return response
