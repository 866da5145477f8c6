"""Demo referrals: built as plain answers and recorded by the same action, with the same
rules, as a GP's submission through the web form."""

import datetime
import uuid

from django.utils import timezone

from pathway.audit.context import DEMO_CONTEXT
from pathway.care.models import Episode
from pathway.organisations.models import ProviderService
from pathway.proms.models import PromTimepoint
from pathway.referrals.actions import ReferralRefused, record_referral
from pathway.referrals.answers import (
    DECISION_REFER,
    EXCLUSION_FIELDS,
    RED_FLAG_FIELDS,
    URGENCY_FIELDS,
    PatientDetails,
    ReferralAnswers,
    with_answers,
)

# The nine STarT Back answers giving each risk, worked by hand from the Keele rules: medium is
# total 5, psychosocial 3 (items 1, 2, 5, 6 agree; item 9 "very much" scores 1); low is
# total 1; high is total 7, psychosocial 5.
RISK_ANSWERS = {
    "low": (True, *[False] * 7, "slightly"),
    "medium": (True, True, False, False, True, True, False, False, "very_much"),
    "high": (True, True, False, False, True, True, True, True, "extremely"),
}


class DemoReferralError(RuntimeError):
    pass


def complete_answers(patient, *, risk="medium", service=None):
    """A complete referral of `patient` (a Patient row): no red flags, eligible, standard
    priority, the STarT Back answers giving `risk`, referred to `service`, agreeing to be
    contacted."""
    return ReferralAnswers(
        patient=PatientDetails(
            nhs_number=patient.nhs_number,
            given_name=patient.given_name,
            family_name=patient.family_name,
            date_of_birth=patient.date_of_birth,
            sex=patient.sex,
            postcode=patient.postcode,
            mobile=patient.mobile,
            email=patient.email,
            preferred_channel=patient.preferred_channel,
            consents_to_contact=True,
            registered_practice=patient.registered_practice,
        ),
        submission_key=uuid.uuid4(),
        body_part="back",
        limb_symptoms=False,
        symptom_duration="3_to_6",
        recurrence=False,
        red_flags={flag.code: False for flag in RED_FLAG_FIELDS.values()},
        exclusions={exclusion.code: False for exclusion in EXCLUSION_FIELDS.values()},
        urgency={criterion.code: False for criterion in URGENCY_FIELDS.values()},
        startback=RISK_ANSWERS[risk],
        decision=DECISION_REFER,
        low_risk_referral_reason="Demo: the person asked for physiotherapy",
        service=service,
    )


def refer(*, gp, patient, risk="medium", answers=None, days_ago=0, service=None):
    """Refer an existing demo patient as `gp` would, `days_ago` days ago. `answers` answer
    questions differently from complete_answers, by name (referrals.answers.with_answers)."""
    services = list(ProviderService.objects.filter(area__practices=gp.practice_id))
    given = with_answers(complete_answers(patient, risk=risk, service=service), **(answers or {}))
    try:
        referral = record_referral(answers=given, services=services, by=gp, context=DEMO_CONTEXT)
    except ReferralRefused as refused:
        raise DemoReferralError(f"demo referral refused: {refused}") from None
    _backdate(referral, days_ago)
    return referral


def _backdate(referral, days_ago):
    """Demo only: spread referrals over past weeks so waits and lists look real."""
    when = timezone.now() - datetime.timedelta(days=days_ago)
    type(referral).objects.filter(pk=referral.pk).update(created_at=when)
    Episode.objects.filter(referral=referral).update(
        referred_at=when, clock_started_on=timezone.localdate(when)
    )
    # The baseline's window opens at the referral (pathway.proms.windows).
    PromTimepoint.objects.filter(episode__referral=referral, timepoint="baseline").update(
        opens_at=when
    )
