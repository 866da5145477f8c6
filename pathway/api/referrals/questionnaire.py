"""The service's published referral Questionnaire: the GP's web template as FHIR R4.

Each question's linkId IS its name in pathway.referrals.answers (RED_FLAG_FIELDS and the rest,
and the fields of ReferralAnswers and PatientDetails), so one name runs from the published
Questionnaire through `with_answers` to the rules' problems and back to an OperationOutcome's
expression. The wording is the web form's: the clinical core's questions, the form's labels
and choices.

The Questionnaire is flat: questions in page order, with display items as section headings,
so every answer is at `QuestionnaireResponse.item.where(linkId='...')`. Who is referred (the
Patient), for what (ServiceRequest.code: back or neck) and to which service
(ServiceRequest.performer) are not asked here: they are the Bundle's other resources.
"""

from dataclasses import dataclass

from fhir.resources.R4B.questionnaire import Questionnaire

from pathway.api.referrals.instruments import (
    Option,
    answer_option,
    instrument_options,
    instrument_system,
)
from pathway.api.referrals.systems import CANONICAL_BASE, code_system
from pathway.clinical.red_flags import CAUDA_EQUINA
from pathway.referrals.answers import (
    EXCLUSION_FIELDS,
    RED_FLAG_FIELDS,
    STARTBACK,
    STARTBACK_FIELDS,
    URGENCY_FIELDS,
)
from pathway.referrals.forms import ReferralForm

URL = f"{CANONICAL_BASE}/Questionnaire/back-pain-referral"
VERSION = "1.0.0"
# What a QuestionnaireResponse names as its `questionnaire`.
CANONICAL = f"{URL}|{VERSION}"

BOOLEAN, CHOICE, TEXT, DISPLAY = "boolean", "choice", "text", "display"


@dataclass(frozen=True)
class Question:
    link_id: str
    text: str
    kind: str
    options: tuple = ()
    system: str = ""
    required: bool = False
    # Shown only when one of these yes/no questions is answered yes.
    enabled_by: tuple = ()
    prefix: str = ""

    def option(self, code):
        return next((option for option in self.options if option.code == code), None)


def _label(name):
    return str(ReferralForm.base_fields[name].label)


def _form_choice(name, system_name, values=None, **kwargs):
    """The form's question `name` with the form's choices (`values` maps a code to the plain
    value ReferralAnswers holds, when that is not the code itself)."""
    values = values or {}
    options = tuple(
        Option(code, str(label), values.get(code, code))
        for code, label in ReferralForm.base_fields[name].choices
        if code
    )
    return Question(name, _label(name), CHOICE, options, code_system(system_name), **kwargs)


def _yes_no(name, text, **kwargs):
    return Question(name, text, BOOLEAN, **kwargs)


def _text(name, text=None):
    return Question(name, text or _label(name), TEXT)


def _heading(name, text):
    return Question(f"section_{name}", text, DISPLAY)


def _startback_question(number, name, item):
    return Question(
        name,
        item.text,
        CHOICE,
        instrument_options(STARTBACK, item),
        instrument_system(STARTBACK),
        prefix=f"{number}.",
    )


# Non-cauda equina flags ask "Is serious pathology suspected?" (cauda equina stops at once).
_JUDGED = tuple(name for name, flag in RED_FLAG_FIELDS.items() if flag.group != CAUDA_EQUINA)

QUESTIONS_IN_ORDER = (
    _heading("contact", "Contact"),
    _yes_no("consents_to_contact", _label("consents_to_contact")),
    _form_choice("preferred_channel", "contact-channel"),
    _heading("presentation", "Presentation"),
    _yes_no("limb_symptoms", _label("limb_symptoms"), required=True),
    _form_choice("symptom_duration", "symptom-duration", required=True),
    _form_choice("recurrence", "episode", {"first": False, "recurrence": True}, required=True),
    _heading("red_flags", "Red flags"),
    *(_yes_no(name, flag.question, required=True) for name, flag in RED_FLAG_FIELDS.items()),
    _form_choice("red_flag_judgement", "red-flag-judgement", enabled_by=_JUDGED),
    Question(
        "red_flag_judgement_reason",
        "Your reason about serious pathology: needed when you do not suspect it despite the "
        "red flags, and when your answer differs from the template's recommendation",
        TEXT,
        enabled_by=_JUDGED,
    ),
    _heading("eligibility", "Eligibility"),
    *(_yes_no(name, exclusion.question) for name, exclusion in EXCLUSION_FIELDS.items()),
    _heading("urgency", "Urgency"),
    *(_yes_no(name, criterion.question) for name, criterion in URGENCY_FIELDS.items()),
    _heading("startback", f"{STARTBACK.title}. {STARTBACK.instructions}"),
    *(
        _startback_question(number, name, item)
        for number, (name, item) in enumerate(STARTBACK_FIELDS.items(), 1)
    ),
    _heading("decision", "Decision"),
    _form_choice("decision", "referral-decision"),
    _text("low_risk_referral_reason"),
    _text("priority_override_reason"),
    _form_choice("return_kind", "return-kind"),
    _text("return_justification"),
)
QUESTIONS = {question.link_id: question for question in QUESTIONS_IN_ORDER}


def referral_questionnaire():
    """The published referral Questionnaire, validated as FHIR R4 (R4B models)."""
    return Questionnaire.model_validate(
        {
            "resourceType": "Questionnaire",
            "id": "back-pain-referral",
            "url": URL,
            "version": VERSION,
            "name": "BackPainReferral",
            "title": "Back and neck pain referral",
            "status": "active",
            "subjectType": ["Patient"],
            "description": (
                "The GP's referral template for the back and neck pain pathway: presentation, "
                "red flags, eligibility, urgency, the STarT Back screening tool and the GP's "
                "decision. Answer it in a QuestionnaireResponse posted in a Bundle with the "
                "Patient and the ServiceRequest."
            ),
            "copyright": f"The STarT Back questions: {STARTBACK.copyright_notice}",
            "item": [_item(question) for question in QUESTIONS_IN_ORDER],
        }
    )


def _item(question):
    item = {"linkId": question.link_id, "type": question.kind, "text": question.text}
    if question.prefix:
        item["prefix"] = question.prefix
    if question.kind == DISPLAY:
        return item
    item["required"] = question.required
    item["repeats"] = False
    if question.options:
        item["answerOption"] = [answer_option(question.system, o) for o in question.options]
    if question.enabled_by:
        item["enableWhen"] = [
            {"question": name, "operator": "=", "answerBoolean": True}
            for name in question.enabled_by
        ]
        item["enableBehavior"] = "any"
    return item
