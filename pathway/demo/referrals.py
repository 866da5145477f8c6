"""Demo referrals made through the same form, rules and actions as a GP's submission."""

import datetime
import uuid

from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone

from pathway.care.models import Episode
from pathway.organisations.models import GPPractice, ProviderService
from pathway.proms.models import PromTimepoint
from pathway.referrals.actions import record_referral
from pathway.referrals.assessment import assess
from pathway.referrals.decision import decide
from pathway.referrals.forms import (
    EXCLUSION_FIELDS,
    RED_FLAG_FIELDS,
    STARTBACK_FIELDS,
    URGENCY_FIELDS,
    ReferralForm,
)

RISK_ANSWERS = {
    "low": ["agree", *["disagree"] * 7, "slightly"],
    "medium": [
        "agree",
        "agree",
        "disagree",
        "disagree",
        "agree",
        "agree",
        "disagree",
        "disagree",
        "very_much",
    ],
    "high": [
        "agree",
        "agree",
        "disagree",
        "disagree",
        "agree",
        "agree",
        "agree",
        "agree",
        "extremely",
    ],
}


class DemoReferralError(RuntimeError):
    pass


def referral_answers(*, risk="medium", **fields):
    """A complete referral as the form posts it: no red flags, eligible, standard priority,
    the STarT Back answers giving `risk`, referred. `fields` add or override answers; a field
    given as None is left out, as an unanswered question is."""
    data = {
        "submission_key": str(uuid.uuid4()),
        "consents_to_contact": "on",
        "body_part": "back",
        "limb_symptoms": "no",
        "symptom_duration": "3_to_6",
        "recurrence": "first",
        "decision": "refer",
    }
    data.update(dict.fromkeys([*RED_FLAG_FIELDS, *EXCLUSION_FIELDS, *URGENCY_FIELDS], "no"))
    data.update(dict(zip(STARTBACK_FIELDS, RISK_ANSWERS[risk], strict=True)))
    data.update(fields)
    return {key: str(value) for key, value in data.items() if value is not None}


def patient_answers(patient):
    dob = patient.date_of_birth
    return {
        "nhs_number": patient.nhs_number,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth_day": dob.day,
        "date_of_birth_month": dob.month,
        "date_of_birth_year": dob.year,
        "sex": patient.sex,
        "postcode": patient.postcode,
        "email": patient.email,
        "mobile": patient.mobile,
        "preferred_channel": patient.preferred_channel,
        "registered_practice": patient.registered_practice_id,
    }


def refer(*, gp, patient, risk="medium", answers=None, days_ago=0, service=None):
    """Submit a referral for an existing demo patient as `gp` would, `days_ago` days ago."""
    data = referral_answers(
        risk=risk,
        **patient_answers(patient),
        service=service.pk if service else None,
        low_risk_referral_reason="Demo: the person asked for physiotherapy",
        **(answers or {}),
    )
    query = QueryDict(mutable=True)
    query.update(data)

    request = RequestFactory().post("/gp/refer/")
    request.user = gp
    practice = gp.practice
    services = list(ProviderService.objects.filter(area_id=practice.area_id))
    form = ReferralForm(
        query,
        practices=GPPractice.objects.filter(area_id=practice.area_id),
        services=ProviderService.objects.filter(area_id=practice.area_id),
    )
    assessment = assess(form, user=gp, services=services)
    decision = decide(form, assessment, services)
    if decision is None:
        raise DemoReferralError(f"demo referral refused: {form.errors.as_text()}")
    referral = record_referral(request=request, form=form, assessment=assessment, decision=decision)
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
