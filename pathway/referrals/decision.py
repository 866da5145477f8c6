"""Which outcome the GP's submitted answers lead to, checked stage by stage.

A cauda equina flag stops the referral as soon as the patient, presentation and red-flag
answers are in; so does serious pathology the GP suspects, once they have said so. Red flags
the GP does not suspect need a reason and the referral goes on: an exclusion once eligibility
is answered too; everything else needs the whole template. Each missing or inconsistent
answer becomes an error next to its field.
"""

from dataclasses import dataclass

from django.utils import timezone

from pathway.clinical.red_flags import ASK_GP, NOT_SUSPECTED, SUSPECTED
from pathway.clinical.referral_rules import age_on
from pathway.organisations.models import ProviderService
from pathway.referrals.forms import (
    DECISION_DISCHARGE,
    DECISION_REFER,
    EXCLUSION_FIELDS,
    STARTBACK_FIELDS,
    URGENCY_FIELDS,
)
from pathway.referrals.models import ReferralOutcome


@dataclass(frozen=True)
class Decision:
    outcome: str
    service: ProviderService | None = None


def decide(form, assessment, services):
    """The Decision for a complete, consistent submission; None after adding form errors."""
    basics_valid = form.is_valid()
    _check_patient_match(form, assessment)
    _check_age(form, services)
    route = assessment.red_flag_route
    if not basics_valid or form.errors:
        # Still show every other missing answer, so the GP can fix them all in one go.
        if route is not None:
            _check_red_flag_judgement(form, route)
        form.require([*EXCLUSION_FIELDS, *URGENCY_FIELDS])
        return None
    # Every red flag is answered now (the form requires them), so the route is known.
    if route.stops_referral:
        # Cauda equina at once; suspected pathology once any reason it needs is given.
        if not _check_red_flag_judgement(form, route):
            return None
        return Decision(ReferralOutcome.REDIRECTED)
    if not _check_red_flag_judgement(form, route) and route.route == ASK_GP:
        return None
    # Red flags considered and not suspected: the referral goes on (a missing reason is already
    # an error beside its field; the checks below add any others, then nothing is recorded).
    if not form.require(EXCLUSION_FIELDS):
        return None
    if assessment.exclusion_problem:
        form.add_error("exclusion_pregnant_over_35_weeks", assessment.exclusion_problem)
        return None
    if assessment.exclusions:
        return None if form.errors else Decision(ReferralOutcome.EXCLUDED)
    answered = form.require([*URGENCY_FIELDS, *STARTBACK_FIELDS])
    decision = form.cleaned_data.get("decision")
    if not decision:
        form.add_error("decision", "Select whether to refer or to discharge with advice")
        return None
    if not answered:
        return None
    if decision == DECISION_DISCHARGE:
        return None if form.errors else Decision(ReferralOutcome.GP_DISCHARGED)
    assert decision == DECISION_REFER
    service = _check_referral(form, assessment, services)
    if form.errors:
        return None
    return Decision(ReferralOutcome.REFERRED, service)


def _check_red_flag_judgement(form, route):
    """The GP's answer to "Is serious pathology suspected?", and its reason, where the route
    needs them. True when nothing is missing."""
    if route.route == ASK_GP:
        form.add_error("red_flag_judgement", "Red flags: say whether you suspect serious pathology")
        return False
    if not route.reason_required or form.cleaned_data.get("red_flag_judgement_reason", "").strip():
        return True
    judgement = form.cleaned_data.get("red_flag_judgement")
    if judgement == NOT_SUSPECTED and not route.against_recommendation:
        message = "Say why you do not suspect serious pathology despite the red flags"
    elif judgement == NOT_SUSPECTED:
        message = (
            "The template recommends that serious pathology is suspected: say why you do not "
            "suspect it"
        )
    else:
        assert judgement == SUSPECTED
        message = (
            "The template does not recommend that serious pathology is suspected: say why you "
            "suspect it"
        )
    form.add_error("red_flag_judgement_reason", message)
    return False


def _check_age(form, services):
    """Under the service's minimum age is a mistake to correct at the date of birth."""
    date_of_birth = form.cleaned_data.get("date_of_birth")
    minimum_age = services[0].rules.minimum_age
    if date_of_birth and age_on(date_of_birth, timezone.localdate()) < minimum_age:
        form.add_error(
            "date_of_birth",
            f"The person must be {minimum_age} or older for this service: refer younger people "
            "to children's services",
        )


# Said when a known NHS number comes with another date of birth, here and when recording
# (referrals.actions.PatientNotMatched).
DATE_OF_BIRTH_NOT_MATCHED = (
    "This date of birth does not match our record for this NHS number: check both"
)


def _check_patient_match(form, assessment):
    """The NHS number of a known patient must come with that patient's date of birth."""
    patient = assessment.patient
    date_of_birth = form.cleaned_data.get("date_of_birth")
    if patient and date_of_birth and patient.date_of_birth != date_of_birth:
        form.add_error("date_of_birth", DATE_OF_BIRTH_NOT_MATCHED)


def _check_referral(form, assessment, services):
    data = form.cleaned_data
    if assessment.startback.risk == "low" and not data.get("low_risk_referral_reason"):
        form.add_error(
            "low_risk_referral_reason",
            "The STarT Back risk is low: say why you are referring rather than giving advice",
        )
    service = services[0] if len(services) == 1 else data.get("service")
    if service is None:
        form.add_error("service", "Select the service the person chooses")
    returner = assessment.returner
    if returner and returner.open_same_body_part_episode:
        # Only the same body part: an open episode for the other one is shown, not a bar.
        form.add_error(
            None,
            "This person already has an open episode of care for this body part: contact the "
            "service instead of referring again",
        )
    elif returner and returner.is_returner:
        if not data.get("return_kind"):
            form.add_error(
                "return_kind", "Select whether these are new symptoms or the same problem"
            )
        if returner.needs_justification and not data.get("return_justification"):
            form.add_error(
                "return_justification",
                "The person was discharged less than 12 months ago for the same problem area: "
                "say why care needs to re-open",
            )
    return service
