"""Recording a referral: the patient, the referral and, when referred, the episode.

Every door (the GP's web form, the demo, tests, later the FHIR API and self-referral) calls
`record_referral` with the same plain values, so every referral passes the same rules:
`assess` and `decide` run here, on the answers given, and a referral they refuse is not
recorded.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from pathway.accounts.scoping import OrganisationScope, scope_of
from pathway.audit.actions import one_insert, record_events
from pathway.audit.context import staff_user
from pathway.audit.models import AuditAction
from pathway.care.actions import open_episode
from pathway.patients.models import Patient
from pathway.referrals.answers import DECISION_REFER
from pathway.referrals.assessment import assess
from pathway.referrals.decision import DATE_OF_BIRTH_NOT_MATCHED, decide
from pathway.referrals.models import Referral, ReferralOutcome, ReferralSource

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


NO_SERVICE_OFFERED = "No back pain service takes referrals from this practice's area yet."


class ReferralRefused(Exception):
    """The rules' problems with the answers (nothing recorded), and what they made of them."""

    def __init__(self, problems, assessment):
        super().__init__("; ".join(message for _name, message in problems))
        self.problems = problems
        self.assessment = assessment


class PatientNotMatched(ReferralRefused):
    """The NHS number belongs to a record with another date of birth (found only on saving)."""

    def __init__(self, assessment):
        super().__init__((("date_of_birth", DATE_OF_BIRTH_NOT_MATCHED),), assessment)


def record_referral(*, answers, services, by, context, referring_practice=None, referrer=""):
    """Record the referral `answers` describe, made by `by` to one of `services` (those
    offered), through `context`. Returns the Referral; raises ReferralRefused.

    `by` is a GP (the web form, the demo), who refers for their own practice; or an Actor
    (a GP system's API client), which names the `referring_practice` and the `referrer`,
    its practitioner as "system|value"; or an Actor for the person themselves
    (`answers.self_referral`), with their registered practice as the `referring_practice`
    and no referrer. The rules are the same: the practice sees the patients it would see
    through its staff.

    Idempotent by the submission key: the same key again returns the first referral. The
    first attempt trusts what the assessment just found (the person with this NHS number, or
    nobody). The unique keys on the submission key and the NHS number are the guard: when a
    twin submission, or another referral of the same new person, committed in between, the
    insert fails, the attempt is rolled back, and the answers are assessed again, finding
    what the other one wrote.
    """
    if not services:
        # The web form shows its own page for this (referrals/no_service.html) before asking.
        raise ReferralRefused((("service", NO_SERVICE_OFFERED),), None)
    gp = staff_user(by)
    practice_id = referring_practice.pk if referring_practice else gp.practice_id
    if answers.self_referral and (gp is not None or referrer):
        raise ValueError("A self-referral is made by the person: no GP or referrer is named")
    referring = Referring(by=by, gp=gp, practice_id=practice_id, referrer=referrer)
    try:
        return _assess_and_record(answers, services, referring, context)
    except IntegrityError:
        return _assess_and_record(answers, services, referring, context, after_a_race=True)


@dataclass(frozen=True)
class Referring:
    """Who refers (`by`, as the audit trail names them), the staff user if any, for which
    practice, and the practitioner a GP system named."""

    by: object
    gp: object
    practice_id: int
    referrer: str

    def source(self, answers):
        if self.gp is not None:
            return ReferralSource.GP_FORM
        if answers.self_referral:
            return ReferralSource.SELF_REFERRAL
        return ReferralSource.GP_SYSTEM

    @property
    def scope(self):
        # What the patient lookup sees: the GP's, or (for their GP system) their practice's.
        return scope_of(self.gp) if self.gp else OrganisationScope.of_practice(self.practice_id)


def _assess_and_record(answers, services, referring, context, after_a_race=False):
    already = Referral.objects.filter(submission_key=answers.submission_key).first()
    if already is not None:
        return already
    assessment = assess(answers, scope=referring.scope, services=services)
    if after_a_race and assessment.patient is None:
        # Someone with this NHS number was added meanwhile, whom these details do not match
        # (the lookup reveals nobody without the date of birth): never overwrite them.
        raise PatientNotMatched(assessment)
    decision = decide(answers, assessment, services)
    if decision.problems:
        raise ReferralRefused(decision.problems, assessment)
    return _record(answers, assessment, decision, referring, context)


@transaction.atomic
def _record(answers, assessment, decision, referring, context):
    by = referring.by
    # One event per record, the episode's too, in one insert, in this same transaction.
    with one_insert():
        patient, patient_created = _save_patient(answers.patient, assessment)
        referral = _referral(answers, assessment, decision, patient, referring)
        referral.save()
        audited = [
            (AuditAction.CREATE if patient_created else AuditAction.UPDATE, patient, patient),
            (AuditAction.CREATE, referral, patient),
        ]
        record_events(by=by, context=context, actions=audited)
        if decision.outcome == ReferralOutcome.REFERRED:
            open_episode(referral=referral, by=by, context=context)
    return referral


def _save_patient(details, assessment):
    """(patient, created): the person the assessment found, with the details given, or a new
    record when it found nobody."""
    values = {name: getattr(details, name) for name in PATIENT_FIELDS}
    if assessment.patient is None:
        # Nobody had this NHS number a moment ago: insert without a savepoint. If someone
        # was added meanwhile, the unique NHS number aborts this attempt (record_referral).
        return Patient.objects.create(nhs_number=assessment.nhs_number, **values), True
    # Locked and read afresh, so what is not in the answers (an opt-out, a death) is current.
    patient = Patient.objects.select_for_update().get(pk=assessment.patient.pk)
    for name, value in values.items():
        setattr(patient, name, value)
    patient.save()
    return patient, False


def _referral(answers, assessment, decision, patient, referring):
    # Made for a practice: by its GP, its GP system, or one of its patients themselves.
    outcome = decision.outcome
    referral = Referral(
        submission_key=answers.submission_key,
        patient=patient,
        practice_id=referring.practice_id,
        referred_by=referring.gp,
        referrer=referring.referrer,
        source=referring.source(answers),
        body_part=answers.body_part,
        limb_symptoms=answers.limb_symptoms,
        symptom_duration=answers.symptom_duration,
        recurrence=answers.recurrence,
        red_flag_answers=dict(answers.red_flags),
        red_flags_found=list(assessment.red_flags.codes),
        red_flag_action=assessment.red_flag_route.action or "",
        outcome=outcome,
        # Whatever else was answered is kept, whichever way the red flags went.
        exclusion_answers=dict(answers.exclusions),
        urgency_answers=dict(answers.urgency),
    )
    _record_red_flag_judgement(referral, answers, assessment, referring.gp)
    if outcome != ReferralOutcome.REDIRECTED:
        referral.exclusions_found = [exclusion.code for exclusion in assessment.exclusions]
    if outcome in {ReferralOutcome.REFERRED, ReferralOutcome.GP_DISCHARGED}:
        _record_assessment(referral, answers, assessment)
    elif any(answer is not None for answer in answers.startback):
        referral.startback_answers = list(answers.startback)
    if outcome == ReferralOutcome.REFERRED:
        referral.service = decision.service
        _record_return(referral, answers, assessment)
    return referral


def _record_red_flag_judgement(referral, answers, assessment, gp):
    """The answer to "Is serious pathology suspected?", where flags other than cauda equina
    asked it: with the recommendation it answered, the reason, who and when."""
    screen = assessment.red_flags
    if not screen.needs_judgement or answers.self_referral:
        # A self-referral's flags are never judged: any flag stopped it (route_self_referral).
        return
    referral.red_flag_recommendation = screen.recommendation.judgement
    referral.red_flag_judgement = answers.red_flag_judgement
    referral.red_flag_judgement_reason = answers.red_flag_judgement_reason
    referral.red_flags_judged_by = gp
    referral.red_flags_judged_at = timezone.now()


def _record_assessment(referral, answers, assessment):
    referral.computed_priority = assessment.computed_priority
    referral.priority = answers.priority_override or assessment.computed_priority
    if referral.priority != referral.computed_priority:
        referral.priority_override_reason = answers.priority_override_reason
    referral.startback_answers = list(answers.startback)
    referral.startback_total = assessment.startback.total
    referral.startback_psychosocial = assessment.startback.psychosocial
    referral.startback_risk = assessment.startback.risk
    referral.recommendation = assessment.recommendation.code
    if answers.decision == DECISION_REFER and assessment.startback.risk == "low":
        referral.low_risk_referral_reason = answers.low_risk_referral_reason


def _record_return(referral, answers, assessment):
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
    referral.return_kind = answers.return_kind
    if returner.needs_justification:
        referral.return_justification = answers.return_justification
