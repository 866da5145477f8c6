"""Recording a GP's referral: the patient, the referral and, when referred, the episode."""

from django.db import transaction
from django.utils import timezone

from pathway.audit.actions import record_request_event
from pathway.audit.models import AuditAction
from pathway.care.models import Episode, EpisodeState, EpisodeTransition
from pathway.patients.models import Patient
from pathway.proms.schedule import schedule_baseline
from pathway.referrals.forms import (
    DECISION_REFER,
    EXCLUSION_FIELDS,
    RED_FLAG_FIELDS,
    URGENCY_FIELDS,
)
from pathway.referrals.models import Referral, ReferralOutcome

PATIENT_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "mobile",
    "email",
    "preferred_channel",
    "consents_to_contact",
    "registered_practice",
)


@transaction.atomic
def record_referral(*, request, form, assessment, decision):
    """Create or update the patient, record the referral and open the episode if referred.

    Idempotent by the form's submission key: a resubmitted form returns the first referral.
    """
    gp = request.user
    data = form.cleaned_data
    existing = Referral.objects.filter(submission_key=data["submission_key"]).first()
    if existing is not None:
        return existing

    patient = _save_patient(request=request, data=data)
    outcome = decision.outcome
    referral = Referral(
        submission_key=data["submission_key"],
        patient=patient,
        practice=gp.practice,
        referred_by=gp,
        body_part=data["body_part"],
        limb_symptoms=data["limb_symptoms"] == "yes",
        symptom_duration=data["symptom_duration"],
        recurrence=data["recurrence"] == "recurrence",
        red_flag_answers=form.answers(RED_FLAG_FIELDS),
        red_flags_found=[flag.code for flag in assessment.red_flags.flags],
        red_flag_action=assessment.red_flags.action or "",
        outcome=outcome,
    )
    if outcome != ReferralOutcome.REDIRECTED:
        referral.exclusion_answers = form.answers(EXCLUSION_FIELDS)
        referral.exclusions_found = [exclusion.code for exclusion in assessment.exclusions]
    if outcome in {ReferralOutcome.REFERRED, ReferralOutcome.GP_DISCHARGED}:
        _record_assessment(referral, form, assessment)
    if outcome == ReferralOutcome.REFERRED:
        referral.service = decision.service
        _record_return(referral, data, assessment)
    referral.save()
    record_request_event(request=request, action=AuditAction.CREATE, obj=referral, patient=patient)
    if outcome == ReferralOutcome.REFERRED:
        _open_episode(request=request, referral=referral)
    return referral


def _save_patient(*, request, data):
    values = {name: data[name] for name in PATIENT_FIELDS}
    patient, created = Patient.objects.select_for_update().get_or_create(
        nhs_number=data["nhs_number"], defaults=values
    )
    if not created:
        for name, value in values.items():
            setattr(patient, name, value)
        patient.save()
    record_request_event(
        request=request,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=patient,
        patient=patient,
    )
    return patient


def _record_assessment(referral, form, assessment):
    data = form.cleaned_data
    referral.urgency_answers = form.answers(URGENCY_FIELDS)
    referral.computed_priority = assessment.computed_priority
    referral.priority = data.get("priority_override") or assessment.computed_priority
    if referral.priority != referral.computed_priority:
        referral.priority_override_reason = data["priority_override_reason"]
    referral.startback_answers = form.startback_answers()
    referral.startback_total = assessment.startback.total
    referral.startback_psychosocial = assessment.startback.psychosocial
    referral.startback_risk = assessment.startback.risk
    referral.recommendation = assessment.recommendation.code
    if data.get("decision") == DECISION_REFER and assessment.startback.risk == "low":
        referral.low_risk_referral_reason = data["low_risk_referral_reason"]


def _record_return(referral, data, assessment):
    returner = assessment.returner
    if not (returner and returner.is_returner):
        return
    discharged = [e for e in assessment.previous_episodes if e.discharged_at is not None]
    previous = max(discharged, key=lambda episode: episode.discharged_at)
    referral.previous_episode = previous
    referral.days_since_previous_discharge = returner.days_since_discharge
    referral.return_kind = data["return_kind"]
    if returner.needs_justification:
        referral.return_justification = data["return_justification"]


def _open_episode(*, request, referral):
    now = timezone.now()
    episode = Episode.objects.create(
        patient=referral.patient,
        service=referral.service,
        referral=referral,
        body_part=referral.body_part,
        priority=referral.priority,
        state=EpisodeState.AWAITING_TRIAGE,
        referred_at=now,
        clock_started_on=timezone.localdate(now),
        previous_episode=referral.previous_episode,
        return_kind=referral.return_kind,
    )
    EpisodeTransition.objects.create(
        episode=episode,
        name="refer",
        from_state="",
        to_state=EpisodeState.AWAITING_TRIAGE,
        by=request.user,
    )
    record_request_event(
        request=request, action=AuditAction.CREATE, obj=episode, patient=referral.patient
    )
    schedule_baseline(episode=episode)
    return episode
