"""The service's own code systems that served resources use, published as CodeSystems at
CodeSystem/<name> (their canonical URL is code_system(name)): the scores without a LOINC code,
the questionnaire time points, and each instrument's answers. They say nothing about anyone.

An instrument's answers are coded as the Questionnaire offers them (pathway.api.referrals.
instruments), with the same neutral "Level n" for licensed wording.
"""

import re

from fhir.resources.R4B.codesystem import CodeSystem

from pathway.api.care_resources import APPOINTMENT_MODES, APPOINTMENT_TYPES
from pathway.api.questionnaire_responses import TIMEPOINT_SYSTEM
from pathway.api.referral_results import RESULT_CODES, RESULT_SYSTEM
from pathway.api.referrals.instruments import (
    CHOICE,
    VERSION,
    instrument_options,
    instrument_system,
    question_type,
    questionnaire_id,
    wording_published,
)
from pathway.api.referrals.questionnaire import QUESTIONS
from pathway.api.referrals.systems import code_system
from pathway.api.scores import SCORE_SYSTEM, SERVICE_SCORES
from pathway.care.choices import AppointmentKind, AppointmentMode
from pathway.clinical.questionnaires import INSTRUMENTS
from pathway.proms.models import Timepoint


def _code_system(url, title, description, concepts, *, copyright_notice=""):
    name = url.rsplit("/", 1)[1]
    assert url == code_system(name)  # served at CodeSystem/<name>, the end of its URL
    data = {
        "resourceType": "CodeSystem",
        "id": name,
        "url": url,
        "version": VERSION,
        "name": "".join(part.title() for part in re.split(r"[-_]", name)),
        "title": title,
        "status": "active",
        "description": description,
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }
    if copyright_notice:
        data["copyright"] = copyright_notice
    return CodeSystem.model_validate(data)


def score_code_system():
    concepts = [
        {"code": score.code, "display": score.display, "definition": score.definition}
        for score in SERVICE_SCORES
    ]
    return _code_system(
        SCORE_SYSTEM,
        "Outcome scores",
        "The outcome questionnaires' scores that LOINC has no code for: each is the code "
        "of an Observation derived from a QuestionnaireResponse.",
        concepts,
    )


def timepoint_code_system():
    concepts = [{"code": code, "display": label} for code, label in Timepoint.choices]
    return _code_system(
        TIMEPOINT_SYSTEM,
        "Outcome questionnaire time points",
        "When in an episode the outcome questionnaires were asked (the prom-timepoint "
        "extension of a QuestionnaireResponse and its Observations).",
        concepts,
    )


def answers_code_system(instrument):
    concepts = {}
    for item in instrument.items:
        if question_type(item) == CHOICE:
            for option in instrument_options(instrument, item):
                concepts.setdefault(option.code, {"code": option.code, "display": option.display})
    notice = instrument.copyright_notice if wording_published(instrument) else ""
    return _code_system(
        instrument_system(instrument),
        f"Answers to Questionnaire/{questionnaire_id(instrument)}",
        "The answer codes of the questionnaire's choice questions: the values its scoring "
        "takes (numbers as digits).",
        list(concepts.values()),
        copyright_notice=notice,
    )


def _choices_code_system(url, title, description, choices):
    concepts = [{"code": str(code), "display": str(label)} for code, label in choices]
    return lambda: _code_system(url, title, description, concepts)


def _referral_code_systems():
    """The referral template's answer systems, and what a referral's answer reports."""
    served = {}
    for question in QUESTIONS.values():
        if question.kind == CHOICE and question.system:
            options = [(option.code, option.display) for option in question.options]
            served[question.system.rsplit("/", 1)[1]] = _choices_code_system(
                question.system,
                f"Answers to {question.link_id} in Questionnaire/back-pain-referral",
                "The answer codes of one choice question of the referral template.",
                options,
            )
    served["referral-result"] = _choices_code_system(
        RESULT_SYSTEM,
        "What a referral's answer reports",
        "The codes of the information issues in a posted referral's transaction-response: "
        "each issue's details.text holds the value.",
        RESULT_CODES,
    )
    return served


def _served():
    served = {"score": score_code_system, "prom-timepoint": timepoint_code_system}
    served |= _referral_code_systems()
    served["appointment-kind"] = _choices_code_system(
        APPOINTMENT_TYPES,
        "Kinds of appointment",
        "An Appointment's appointmentType, beside its HL7 v2 0276 code.",
        AppointmentKind.choices,
    )
    served["appointment-mode"] = _choices_code_system(
        APPOINTMENT_MODES,
        "How an appointment is held",
        "An Appointment's serviceType: in person, by telephone or by video.",
        AppointmentMode.choices,
    )
    for instrument in INSTRUMENTS.values():
        name = instrument_system(instrument).rsplit("/", 1)[1]
        served[name] = lambda instrument=instrument: answers_code_system(instrument)
    return served


# CodeSystem id -> the function that builds it.
CODE_SYSTEMS = _served()
