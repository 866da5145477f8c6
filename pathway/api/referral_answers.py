"""The referral's own answers as a QuestionnaireResponse of the published referral
Questionnaire (pathway.api.referrals.questionnaire): what the GP answered, from the web form
or from a GP system, read back in the shape a GP system posts it.

- Its id is the referral's (the ServiceRequest's) id, and it is `basedOn` that ServiceRequest;
  `authored` is when the referral was made, `author` who referred (by name, or the
  practitioner a GP system named), else the practice.
- Each answer is as recorded: every yes/no question answered, each choice as the Coding the
  Questionnaire offers. The GP's decision is what the consultation came to (refer, or
  discharge with advice); a consultation stopped by red flags or an exclusion has none.
- Contact consent and channel are not in it: they are the Patient's, kept up to date on the
  Patient's record, not as they were answered at the referral.
"""

from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse as FhirQuestionnaireResponse,
)

from pathway.api.care_resources import patient_reference, practice_reference, referrer_reference
from pathway.api.referrals.questionnaire import (
    BOOLEAN,
    CANONICAL,
    CHOICE,
    DISPLAY,
    QUESTIONS_IN_ORDER,
)
from pathway.api.referrals.systems import uk_core_meta
from pathway.referrals.answers import (
    DECISION_DISCHARGE,
    DECISION_REFER,
    EXCLUSION_FIELDS,
    RED_FLAG_FIELDS,
    STARTBACK_FIELDS,
    URGENCY_FIELDS,
)
from pathway.referrals.models import ReferralOutcome

DECISION_OF_OUTCOME = {
    ReferralOutcome.REFERRED: DECISION_REFER,
    ReferralOutcome.GP_DISCHARGED: DECISION_DISCHARGE,
}


def recorded_answers(referral):
    """{question name: plain value} of what `referral` recorded, None where unanswered: the
    values the referral Questionnaire's answers are read into (pathway.api.referrals.response)."""
    answers = {
        "limb_symptoms": referral.limb_symptoms,
        "symptom_duration": referral.symptom_duration,
        "recurrence": referral.recurrence,
        "red_flag_judgement": referral.red_flag_judgement or None,
        "red_flag_judgement_reason": referral.red_flag_judgement_reason,
        "decision": DECISION_OF_OUTCOME.get(referral.outcome),
        "low_risk_referral_reason": referral.low_risk_referral_reason,
        "priority_override_reason": referral.priority_override_reason,
        "return_kind": referral.return_kind or None,
        "return_justification": referral.return_justification,
    }
    for recorded, questions in (
        (referral.red_flag_answers, RED_FLAG_FIELDS),
        (referral.exclusion_answers, EXCLUSION_FIELDS),
        (referral.urgency_answers, URGENCY_FIELDS),
    ):
        for name, question in questions.items():
            answers[name] = recorded.get(question.code)
    for name, value in zip(STARTBACK_FIELDS, referral.startback_answers or (), strict=False):
        answers[name] = value
    return answers


def referral_response_resource(referral):
    """QuestionnaireResponse of a Referral's answers (patient, practice and GP selected)."""
    answers = recorded_answers(referral)
    items = [
        _item(question, answers.get(question.link_id))
        for question in QUESTIONS_IN_ORDER
        if question.kind != DISPLAY and answers.get(question.link_id) not in (None, "")
    ]
    data = {
        "resourceType": "QuestionnaireResponse",
        "id": str(referral.public_id),
        "meta": uk_core_meta("QuestionnaireResponse", referral.created_at),
        "questionnaire": CANONICAL,
        "status": "completed",
        "subject": patient_reference(referral.patient),
        "basedOn": [{"reference": f"ServiceRequest/{referral.public_id}"}],
        "authored": referral.created_at.isoformat(),
        "author": referrer_reference(referral) or practice_reference(referral.practice),
        "item": items or None,
    }
    return FhirQuestionnaireResponse.model_validate(data)


def _item(question, value):
    return {"linkId": question.link_id, "text": question.text, "answer": [_answer(question, value)]}


def _answer(question, value):
    if question.kind == BOOLEAN:
        return {"valueBoolean": value}
    if question.kind != CHOICE:
        return {"valueString": value}
    option = next(option for option in question.options if option.value == value)
    coding = {"system": question.system, "code": option.code, "display": option.display}
    return {"valueCoding": coding}
