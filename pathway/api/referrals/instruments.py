"""The questionnaires (pathway.clinical.questionnaires) as FHIR R4 Questionnaires, one for each
instrument, so that every QuestionnaireResponse the API serves names one that is published.

The owners of ODI and EQ-5D-5L license their wording (Mapi Research Trust, EuroQol): the code
does not ship it, and a service that loads it may use it, not publish it. Their Questionnaires
are published as structure only (`PUBLISHED` leaves them out): the linkIds, answer codes and
neutral labels a response follows ("ODI section 1", "Level 3"), with the owner's notice and a
copyright statement saying the wording is not published. STarT Back is published verbatim with
Keele's notice, as Keele allows; PHQ-9 and GAD-7 are free to reproduce.

Every answer is a Coding of the instrument's own code system (served as a CodeSystem), whose
codes are the values the scorers take (numbers as digits; STarT Back's agree and disagree as
words). EQ VAS is a number, not a choice.
"""

from dataclasses import dataclass

from fhir.resources.R4B.questionnaire import Questionnaire

from pathway.api.referrals.systems import CANONICAL_BASE, code_system
from pathway.clinical.questionnaires import INSTRUMENTS
from pathway.proms.forms import NUMBER_ITEMS, SHORT_NAMES, item_name

VERSION = "1.0.0"
# Instruments whose wording is published (the others as structure only).
PUBLISHED = {
    code: instrument
    for code, instrument in INSTRUMENTS.items()
    if not instrument.licensed_wording and instrument.wording_installed
}
STRUCTURE_ONLY = (
    "This Questionnaire publishes only the structure the service's responses follow: the "
    "linkIds, the answer codes and neutral labels. The licensed wording is not published."
)
CHOICE, INTEGER, TEXT = "choice", "integer", "text"


@dataclass(frozen=True)
class Option:
    """One answer to a choice question: its code, its words, and the plain value it means
    (what the scorer or `with_answers` takes)."""

    code: str
    display: str
    value: object


def answer_code(value, label):
    """The code of an answer whose plain value is `value`: yes/no answers by their words
    ("agree", "disagree"), numbers as digits, codes as they are."""
    if isinstance(value, bool):
        return label.lower()
    return str(value)


def wording_published(instrument):
    return instrument.code in PUBLISHED


def instrument_options(instrument, item):
    """The answers to `item` as published: with their words, or for licensed wording a
    neutral "Level n" (a level's number is the scorer's value, never the owner's words)."""
    return tuple(
        Option(
            answer_code(option.value, option.label),
            option.label if wording_published(instrument) else f"Level {option.value}",
            option.value,
        )
        for option in item.options
    )


def question_type(item):
    if item.code in NUMBER_ITEMS:
        return INTEGER
    return CHOICE if item.options else TEXT


def question_text(instrument, number, item):
    """The question as published: its words, or for licensed wording its neutral name."""
    if wording_published(instrument):
        return item.text
    return item_name(instrument, number, item)


def questionnaire_id(instrument):
    # A FHIR id has no underscore: pain_nrs is Questionnaire/pain-nrs.
    return instrument.code.replace("_", "-")


def instrument_system(instrument):
    return code_system(f"{questionnaire_id(instrument)}-answers")


def canonical_url(instrument):
    return f"{CANONICAL_BASE}/Questionnaire/{questionnaire_id(instrument)}"


def canonical(instrument):
    """What a QuestionnaireResponse names as its `questionnaire`: the URL and version."""
    return f"{canonical_url(instrument)}|{VERSION}"


def answer_option(system, option):
    return {"valueCoding": {"system": system, "code": option.code, "display": option.display}}


# Questionnaire id -> instrument code, for every instrument.
BY_QUESTIONNAIRE_ID = {questionnaire_id(i): code for code, i in INSTRUMENTS.items()}


def instrument_questionnaire(code):
    """The instrument `code` (a key of INSTRUMENTS) as a Questionnaire: all of it if its
    wording is published, else its structure only."""
    instrument = INSTRUMENTS[code]
    system = instrument_system(instrument)
    published = wording_published(instrument)
    items = []
    if instrument.instructions and published:
        items.append({"linkId": "instructions", "type": "display", "text": instrument.instructions})
    for number, item in enumerate(instrument.items, 1):
        question = {
            "linkId": item.code,
            "type": question_type(item),
            "text": question_text(instrument, number, item),
        }
        if question["type"] == CHOICE:
            options = instrument_options(instrument, item)
            question["answerOption"] = [answer_option(system, o) for o in options]
        items.append(question)
    resource = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(instrument),
        "url": canonical_url(instrument),
        "version": VERSION,
        "name": "".join(part.title() for part in code.split("_")),
        "title": (
            instrument.title
            if published
            else f"{SHORT_NAMES[code]} (structure only: the licensed wording is not published)"
        ),
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    }
    notices = [instrument.copyright_notice] if instrument.copyright_notice else []
    if not published:
        notices.append(STRUCTURE_ONLY)
        resource["description"] = STRUCTURE_ONLY
    if notices:
        resource["copyright"] = " ".join(notices)
    return Questionnaire.model_validate(resource)
