"""The public questionnaires (pathway.clinical.questionnaires) as FHIR R4 Questionnaires.

Only instruments whose wording may be shipped are published: ODI and EQ-5D-5L carry
placeholders until a licensed service loads the real text, and their owners license the
wording, so they are left out (`PUBLISHED`). Every answer is a Coding of the instrument's own
code system, whose codes are the values the scorers take (numbers as digits; STarT Back's
agree and disagree as words).
"""

from dataclasses import dataclass

from fhir.resources.R4B.questionnaire import Questionnaire

from pathway.api.referrals.systems import CANONICAL_BASE, code_system
from pathway.clinical.questionnaires import INSTRUMENTS

VERSION = "1.0.0"
PUBLISHED = {
    code: instrument
    for code, instrument in INSTRUMENTS.items()
    if not instrument.licensed_wording and instrument.wording_installed
}


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


def instrument_options(item):
    return tuple(
        Option(answer_code(option.value, option.label), option.label, option.value)
        for option in item.options
    )


def instrument_system(instrument):
    return code_system(f"{instrument.code}-answers")


def canonical_url(instrument):
    return f"{CANONICAL_BASE}/Questionnaire/{instrument.code.replace('_', '-')}"


def answer_option(system, option):
    return {"valueCoding": {"system": system, "code": option.code, "display": option.display}}


def instrument_questionnaire(code):
    """The published instrument `code` (a key of PUBLISHED) as a Questionnaire."""
    instrument = PUBLISHED[code]
    system = instrument_system(instrument)
    items = []
    if instrument.instructions:
        items.append({"linkId": "instructions", "type": "display", "text": instrument.instructions})
    for item in instrument.items:
        if item.options:
            options = [answer_option(system, o) for o in instrument_options(item)]
            items.append(
                {"linkId": item.code, "type": "choice", "text": item.text, "answerOption": options}
            )
        else:
            items.append({"linkId": item.code, "type": "text", "text": item.text})
    resource = {
        "resourceType": "Questionnaire",
        "id": code.replace("_", "-"),
        "url": canonical_url(instrument),
        "version": VERSION,
        "name": "".join(part.title() for part in code.split("_")),
        "title": instrument.title,
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    }
    if instrument.copyright_notice:
        resource["copyright"] = instrument.copyright_notice
    return Questionnaire.model_validate(resource)
