"""Which outcome a referral's answers lead to, checked stage by stage.

A cauda equina flag stops the referral as soon as the patient, presentation and red-flag
answers are in; so does serious pathology the referrer suspects, once they have said so. Red
flags not suspected need a reason and the referral goes on: an exclusion once eligibility is
answered too; everything else needs the whole template. Each missing or inconsistent answer
becomes a problem named by its question, which the web form shows beside the field and an API
returns in its OperationOutcome.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from pathway.clinical.red_flags import ASK_GP, NOT_SUSPECTED, SUSPECTED
from pathway.clinical.referral_rules import age_on
from pathway.referrals.answers import (
    DECISION_DISCHARGE,
    DECISION_REFER,
    EXCLUSION_FIELDS,
    RED_FLAG_FIELDS,
    STARTBACK_FIELDS,
    URGENCY_FIELDS,
)
from pathway.referrals.models import ReferralOutcome

# What to do about each basic detail when it is missing (the web form shows the same words).
MISSING_DETAILS = {
    "nhs_number": "Enter the NHS number",
    "given_name": "Enter the first name",
    "family_name": "Enter the last name",
    "date_of_birth": "Enter the date of birth",
    "sex": "Select the sex recorded on the GP record",
    "postcode": "Enter the postcode",
    "registered_practice": "Select the registered GP practice",
}
MISSING_PRESENTATION = {
    "body_part": "Select back or neck",
    "limb_symptoms": "Presentation: say whether there are referred symptoms in an arm or leg",
    "symptom_duration": "Select how long the person has had these symptoms",
    "recurrence": "Select first episode or recurrence",
}
SECTIONS = (("Red flags", RED_FLAG_FIELDS), ("Eligibility", EXCLUSION_FIELDS))
SECTIONS += (("Urgency", URGENCY_FIELDS),)

# Said when a known NHS number comes with another date of birth, here and when recording
# (referrals.actions.PatientNotMatched).
DATE_OF_BIRTH_NOT_MATCHED = (
    "This date of birth does not match our record for this NHS number: check both"
)


def missing_answer(name):
    """What to do about the unanswered question `name` (a field name in referrals.answers)."""
    if name in STARTBACK_FIELDS:
        return f"STarT Back: answer question {name.rsplit('_', 1)[1]}"
    for section, questions in SECTIONS:
        if name in questions:
            return f"{section}: select yes or no for \u201c{questions[name].question}\u201d"
    raise KeyError(name)


@dataclass(frozen=True)
class Decision:
    """The outcome, and the service when referred; or, with no outcome, the problems."""

    outcome: str | None = None
    service: object = None
    # ((question name or None for the whole referral, what to do), ...), in page order.
    problems: tuple = field(default_factory=tuple)


class _Problems(dict):
    """{question name: what to do}; the first problem found for a question is the one kept."""

    def add(self, name, message):
        self.setdefault(name, message)

    def refuse(self):
        return Decision(problems=tuple(self.items()))


def decide(answers, assessment, services):
    """The Decision for `answers`, given what `assess` made of them and the services offered."""
    problems = _Problems()
    _check_details(answers, assessment, services, problems)
    route = assessment.red_flag_route
    if problems or route is None:
        # Still name every other missing answer, so they can all be fixed in one go.
        if route is not None:
            _check_red_flag_judgement(answers, route, problems)
        _require(answers, [*RED_FLAG_FIELDS, *EXCLUSION_FIELDS, *URGENCY_FIELDS], problems)
        return problems.refuse()
    if route.stops_referral:
        # Cauda equina at once; suspected pathology once any reason it needs is given.
        if not _check_red_flag_judgement(answers, route, problems):
            return problems.refuse()
        return Decision(ReferralOutcome.REDIRECTED)
    if not _check_red_flag_judgement(answers, route, problems) and route.route == ASK_GP:
        return problems.refuse()
    # Red flags considered and not suspected: the referral goes on (a missing reason is already
    # a problem; the checks below add any others, then nothing is recorded).
    if not _require(answers, EXCLUSION_FIELDS, problems):
        return problems.refuse()
    if assessment.exclusion_problem:
        problems.add("exclusion_pregnant_over_35_weeks", assessment.exclusion_problem)
        return problems.refuse()
    if assessment.exclusions:
        return problems.refuse() if problems else Decision(ReferralOutcome.EXCLUDED)
    answered = _require(answers, [*URGENCY_FIELDS, *STARTBACK_FIELDS], problems)
    if answers.decision not in {DECISION_REFER, DECISION_DISCHARGE}:
        problems.add("decision", "Select whether to refer or to discharge with advice")
        return problems.refuse()
    if not answered:
        return problems.refuse()
    if answers.decision == DECISION_DISCHARGE:
        return problems.refuse() if problems else Decision(ReferralOutcome.GP_DISCHARGED)
    service = _check_referral(answers, assessment, services, problems)
    if problems:
        return problems.refuse()
    return Decision(ReferralOutcome.REFERRED, service)


def _check_details(answers, assessment, services, problems):
    """Who, where and what: everything a referral of any outcome needs."""
    patient = answers.patient
    if assessment.nhs_number_problem:
        problems.add("nhs_number", assessment.nhs_number_problem)
    for name, message in MISSING_DETAILS.items():
        if getattr(patient, name) in (None, ""):
            problems.add(name, message)
    for name, message in MISSING_PRESENTATION.items():
        if getattr(answers, name) is None:
            problems.add(name, message)
    if patient.consents_to_contact and not (patient.mobile or patient.email):
        problems.add(
            "mobile",
            "Enter a mobile number or email address, or untick the agreement to be contacted",
        )
    if answers.priority_override and not answers.priority_override_reason.strip():
        problems.add("priority_override_reason", "Say why you are changing the priority")
    _check_patient_match(answers, assessment, problems)
    _check_age(answers, services, problems)


def _require(answers, names, problems):
    """Name each unanswered question of `names` as a problem; True when all were answered."""
    complete = True
    for name in names:
        if not answers.answered(name):
            problems.add(name, missing_answer(name))
            complete = False
    return complete


def _check_red_flag_judgement(answers, route, problems):
    """The answer to "Is serious pathology suspected?", and its reason, where the route needs
    them. True when nothing is missing."""
    if route.route == ASK_GP:
        problems.add("red_flag_judgement", "Red flags: say whether you suspect serious pathology")
        return False
    if not route.reason_required or answers.red_flag_judgement_reason.strip():
        return True
    judgement = answers.red_flag_judgement
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
    problems.add("red_flag_judgement_reason", message)
    return False


def _check_age(answers, services, problems):
    """Under the service's minimum age is a mistake to correct at the date of birth."""
    date_of_birth = answers.patient.date_of_birth
    minimum_age = services[0].rules.minimum_age
    if date_of_birth and age_on(date_of_birth, timezone.localdate()) < minimum_age:
        problems.add(
            "date_of_birth",
            f"The person must be {minimum_age} or older for this service: refer younger people "
            "to children's services",
        )


def _check_patient_match(answers, assessment, problems):
    """The NHS number of a known patient must come with that patient's date of birth."""
    patient = assessment.patient
    date_of_birth = answers.patient.date_of_birth
    if patient and date_of_birth and patient.date_of_birth != date_of_birth:
        problems.add("date_of_birth", DATE_OF_BIRTH_NOT_MATCHED)


def _check_referral(answers, assessment, services, problems):
    # A GP refers a low risk instead of giving advice only with a reason; a person referring
    # themselves is triaged by the TTP, who gives that advice.
    low_risk = assessment.startback.risk == "low" and not answers.self_referral
    if low_risk and not answers.low_risk_referral_reason.strip():
        problems.add(
            "low_risk_referral_reason",
            "The STarT Back risk is low: say why you are referring rather than giving advice",
        )
    service = services[0] if len(services) == 1 else answers.service
    if service is None or service not in services:
        problems.add("service", "Select the service the person chooses")
    returner = assessment.returner
    if returner and returner.open_same_body_part_episode:
        # Only the same body part: an open episode for the other one is shown, not a bar.
        problems.add(
            None,
            "This person already has an open episode of care for this body part: contact the "
            "service instead of referring again",
        )
    elif returner and returner.is_returner:
        if not answers.return_kind:
            problems.add("return_kind", "Select whether these are new symptoms or the same problem")
        if returner.needs_justification and not answers.return_justification.strip():
            problems.add(
                "return_justification",
                "The person was discharged less than 12 months ago for the same problem area: "
                "say why care needs to re-open",
            )
    return service
