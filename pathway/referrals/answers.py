"""What was answered in a referral, as plain values: the one input of the referral rules
(`assess`, `decide`) and of the action that records it (`record_referral`).

Every door builds one: the GP's web form (`ReferralForm.answers()`), the demo loader, tests,
the FHIR API and self-referral (pathway.selfreferral). Unanswered questions are None (or left
out of the yes/no sections), so the same value describes a template half-filled, for the live
panels, and a complete one, for recording.
"""

import dataclasses
import datetime
import uuid
from dataclasses import dataclass, field
from types import MappingProxyType

from pathway.clinical.questionnaires import get as get_instrument
from pathway.clinical.red_flags import RED_FLAGS
from pathway.clinical.referral_rules import EXCLUSIONS, URGENCY_CRITERIA

DECISION_REFER = "refer"
DECISION_DISCHARGE = "discharge_with_advice"

# Exclusions the referrer is asked; the others are worked out (age from the date of birth,
# local registration from the practice and the service's area).
ASKED_EXCLUSIONS = tuple(
    e for e in EXCLUSIONS if e.code not in {"under_minimum_age", "not_registered_locally"}
)
STARTBACK = get_instrument("startback")

# Each question's name: the form's field, and where a problem with its answer is reported.
RED_FLAG_FIELDS = {f"red_flag_{flag.code}": flag for flag in RED_FLAGS}
EXCLUSION_FIELDS = {f"exclusion_{e.code}": e for e in ASKED_EXCLUSIONS}
URGENCY_FIELDS = {f"urgency_{c.code}": c for c in URGENCY_CRITERIA}
STARTBACK_FIELDS = {f"startback_{number}": item for number, item in enumerate(STARTBACK.items, 1)}
# The yes/no sections asked as one checklist each: tick each that applies, or "None of these"
# (pathway.clinical.answers.checklist_answers); each question is still answered yes or no.
CHECKLISTS = {
    "red_flags": RED_FLAG_FIELDS,
    "exclusions": EXCLUSION_FIELDS,
    "urgency": URGENCY_FIELDS,
}
NONE_OF_THESE = {section: f"{section}_none" for section in CHECKLISTS}


@dataclass(frozen=True)
class PatientDetails:
    """Who is referred, as the referrer gave it. `nhs_number` is as typed until it is known to
    be valid (the rules normalise it and say what is wrong with it)."""

    nhs_number: str = ""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: datetime.date | None = None
    sex: str = ""
    postcode: str = ""
    mobile: str = ""
    email: str = ""
    preferred_channel: str = "email"
    consents_to_contact: bool = False
    # A GPPractice row, or None while none is chosen.
    registered_practice: object = None


@dataclass(frozen=True)
class ReferralAnswers:
    patient: PatientDetails = field(default_factory=PatientDetails)
    # One per form shown (or message sent): recording the same key twice returns the first.
    submission_key: uuid.UUID | None = None
    body_part: str | None = None
    limb_symptoms: bool | None = None
    symptom_duration: str | None = None
    recurrence: bool | None = None
    # {question code: yes (True) or no (False)}; unanswered questions are left out.
    red_flags: MappingProxyType = field(default_factory=dict)
    red_flag_judgement: str | None = None
    red_flag_judgement_reason: str = ""
    exclusions: MappingProxyType = field(default_factory=dict)
    urgency: MappingProxyType = field(default_factory=dict)
    # The nine STarT Back answers as the clinical core takes them, None where unanswered.
    startback: tuple = (None,) * len(STARTBACK_FIELDS)
    decision: str | None = None
    priority_override: str | None = None
    priority_override_reason: str = ""
    low_risk_referral_reason: str = ""
    # A ProviderService row of those offered, or None while none is chosen.
    service: object = None
    return_kind: str | None = None
    return_justification: str = ""
    # The person refers themselves: nobody judges red flags (any flag stops the referral:
    # clinical.self_referral.route_self_referral), and a low STarT Back risk needs no
    # referrer's reason.
    self_referral: bool = False

    def __post_init__(self):
        # Frozen all the way down: a rule cannot change what was answered.
        for name in ("red_flags", "exclusions", "urgency"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "startback", tuple(self.startback))

    def answered(self, name):
        """Whether the question named `name` (a field name above) has an answer."""
        for section, questions in (
            (self.red_flags, RED_FLAG_FIELDS),
            (self.exclusions, EXCLUSION_FIELDS),
            (self.urgency, URGENCY_FIELDS),
        ):
            if name in questions:
                return questions[name].code in section
        if name in STARTBACK_FIELDS:
            return self.startback[int(name.removeprefix("startback_")) - 1] is not None
        raise KeyError(name)


PATIENT_DETAILS = frozenset(PatientDetails.__dataclass_fields__)
SECTIONS = (
    ("red_flags", RED_FLAG_FIELDS),
    ("exclusions", EXCLUSION_FIELDS),
    ("urgency", URGENCY_FIELDS),
)


def with_answers(answers, **given):
    """`answers` with the questions named in `given` answered. A yes/no question (named as in
    RED_FLAG_FIELDS, EXCLUSION_FIELDS, URGENCY_FIELDS) takes True or False; a STarT Back item
    (`startback_N`) its answer; anything else is a field of ReferralAnswers or PatientDetails.
    Names are the questions' names everywhere: the form's fields, the rules' problems."""
    changes, patient = {}, {}
    sections = {section: dict(getattr(answers, section)) for section, _ in SECTIONS}
    startback = list(answers.startback)
    for name, value in given.items():
        section = next((s for s, questions in SECTIONS if name in questions), None)
        if section is not None:
            if not isinstance(value, bool):
                raise ValueError(f"{name} is a yes/no question: answer True or False")
            questions = dict(SECTIONS)[section]
            sections[section][questions[name].code] = value
        elif name in STARTBACK_FIELDS:
            startback[int(name.removeprefix("startback_")) - 1] = value
        elif name in PATIENT_DETAILS:
            patient[name] = value
        elif name in ReferralAnswers.__dataclass_fields__:
            changes[name] = value
        else:
            raise ValueError(f"{name} is not a question of the referral")
    return dataclasses.replace(
        answers,
        patient=dataclasses.replace(answers.patient, **patient),
        startback=tuple(startback),
        **sections,
        **changes,
    )
