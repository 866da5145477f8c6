"""Recording a GP's referral: the patient, the referral and, when referred, the episode."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from pathway.audit.actions import record_request_actions
from pathway.audit.models import AuditAction
from pathway.care.models import Episode, EpisodeState, EpisodeTransition
from pathway.patients.models import Patient
from pathway.proms.schedule import schedule_baseline
from pathway.referrals.decision import DATE_OF_BIRTH_NOT_MATCHED
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


def record_referral(*, request, form, assessment, decision):
    """Create or update the patient, record the referral and open the episode if referred.

    Idempotent by the form's submission key: a resubmitted form returns the first referral.

    The first attempt trusts what was just looked up outside the transaction (no referral with
    this key: the view checked; the patient the assessment found, or none), so it writes
    without looking again. The unique keys on the submission key and the NHS number are the
    guard: when a twin submission, or another referral of the same new person, committed in
    between, the insert fails, the whole attempt is rolled back, and the second attempt looks
    both up inside its transaction and finds what the other one wrote.
    """
    arguments = {"request": request, "form": form, "assessment": assessment, "decision": decision}
    try:
        return _record_referral(**arguments, look_up=False)
    except IntegrityError:
        return _record_referral(**arguments, look_up=True)


@transaction.atomic
def _record_referral(*, request, form, assessment, decision, look_up):
    gp = request.user
    data = form.cleaned_data
    if look_up:
        existing = Referral.objects.filter(submission_key=data["submission_key"]).first()
        if existing is not None:
            return existing

    patient, patient_created = _save_patient(
        data=data,
        may_exist=look_up or assessment.patient is not None,
        matched=assessment.patient,
    )
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
        red_flags_found=list(assessment.red_flags.codes),
        red_flag_action=assessment.red_flag_route.action or "",
        outcome=outcome,
        # Whatever else was answered is kept, whichever way the red flags went.
        exclusion_answers=form.answers(EXCLUSION_FIELDS),
        urgency_answers=form.answers(URGENCY_FIELDS),
    )
    _record_red_flag_judgement(referral, form, assessment, gp)
    if outcome != ReferralOutcome.REDIRECTED:
        referral.exclusions_found = [exclusion.code for exclusion in assessment.exclusions]
    if outcome in {ReferralOutcome.REFERRED, ReferralOutcome.GP_DISCHARGED}:
        _record_assessment(referral, form, assessment)
    elif any(answer is not None for answer in form.startback_answers()):
        referral.startback_answers = form.startback_answers()
    if outcome == ReferralOutcome.REFERRED:
        referral.service = decision.service
        _record_return(referral, data, assessment)
    referral.save()
    audited = [
        (AuditAction.CREATE if patient_created else AuditAction.UPDATE, patient, patient),
        (AuditAction.CREATE, referral, patient),
    ]
    if outcome == ReferralOutcome.REFERRED:
        episode = _open_episode(request=request, referral=referral)
        audited.append((AuditAction.CREATE, episode, patient))
    # One event per record, in one insert, in this same transaction.
    record_request_actions(request=request, actions=audited)
    return referral


class PatientNotMatched(Exception):
    """The NHS number belongs to a record with another date of birth (found only on saving)."""

    message = DATE_OF_BIRTH_NOT_MATCHED


def _save_patient(*, data, may_exist, matched):
    """(patient, created): the person with this NHS number, with the submitted details.

    Raises PatientNotMatched rather than overwrite a record the assessment did not match (a
    person registered elsewhere, whom the lookup does not reveal without the date of birth,
    or one added since) when its date of birth differs from the one typed: probably a
    mistyped NHS number that is still valid, and that person's details must not be replaced.
    """
    values = {name: data[name] for name in PATIENT_FIELDS}
    if not may_exist:
        # Nobody had this NHS number a moment ago: insert without a savepoint. If someone
        # was added meanwhile, the unique NHS number aborts this attempt and the next one
        # looks them up (record_referral).
        return Patient.objects.create(nhs_number=data["nhs_number"], **values), True
    # Locked and read afresh, so what is not on the form (an opt-out, a death) is current.
    patient, created = Patient.objects.select_for_update().get_or_create(
        nhs_number=data["nhs_number"], defaults=values
    )
    if not created and matched is None and patient.date_of_birth != data["date_of_birth"]:
        raise PatientNotMatched(PatientNotMatched.message)
    if not created:
        for name, value in values.items():
            setattr(patient, name, value)
        patient.save()
    return patient, created


def _record_red_flag_judgement(referral, form, assessment, gp):
    """The GP's answer to "Is serious pathology suspected?", where flags other than cauda
    equina asked it: with the recommendation it answered, the reason, who and when."""
    screen = assessment.red_flags
    if not screen.needs_judgement:
        return
    data = form.cleaned_data
    referral.red_flag_recommendation = screen.recommendation.judgement
    referral.red_flag_judgement = data["red_flag_judgement"]
    referral.red_flag_judgement_reason = data["red_flag_judgement_reason"]
    referral.red_flags_judged_by = gp
    referral.red_flags_judged_at = timezone.now()


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
    if returner and returner.open_other_body_part_episodes:
        # Shown to the TTP: the most recently referred open episode for the other body part.
        referral.other_open_episode = next(
            e
            for e in assessment.previous_episodes
            if e.discharged_at is None and e.body_part != referral.body_part
        )
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
    schedule_baseline(episode=episode, episode_is_new=True)
    return episode
