"""The published referral Questionnaire is the web template: its linkIds are the question
names the form, `with_answers` and the rules' problems use, and it is valid FHIR R4."""

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire

from pathway.api.referrals.instruments import PUBLISHED, instrument_questionnaire
from pathway.api.referrals.questionnaire import (
    BOOLEAN,
    CANONICAL,
    CHOICE,
    DISPLAY,
    QUESTIONS,
    QUESTIONS_IN_ORDER,
    referral_questionnaire,
)
from pathway.clinical.questionnaires import INSTRUMENTS
from pathway.proms.forms import item_name
from pathway.referrals.answers import (
    EXCLUSION_FIELDS,
    PATIENT_DETAILS,
    RED_FLAG_FIELDS,
    SECTIONS,
    STARTBACK_FIELDS,
    URGENCY_FIELDS,
    ReferralAnswers,
    with_answers,
)
from pathway.referrals.forms import ReferralForm

ANSWERED = [q for q in QUESTIONS_IN_ORDER if q.kind != DISPLAY]


def _round_trip(resource):
    """The resource as JSON, parsed again by the R4B models: what a client would read."""
    return Questionnaire.model_validate_json(resource.model_dump_json())


def test_the_referral_questionnaire_is_valid_fhir_with_its_canonical_url_and_version():
    questionnaire = _round_trip(referral_questionnaire())

    assert f"{questionnaire.url}|{questionnaire.version}" == CANONICAL
    assert questionnaire.status == "active"
    assert [item.linkId for item in questionnaire.item] == list(QUESTIONS)


def test_every_yes_no_and_startback_question_of_the_template_is_an_item_of_its_own_name():
    names = {*RED_FLAG_FIELDS, *EXCLUSION_FIELDS, *URGENCY_FIELDS, *STARTBACK_FIELDS}

    assert names <= set(QUESTIONS)
    assert all(QUESTIONS[name].kind == BOOLEAN for name in RED_FLAG_FIELDS)
    assert all(QUESTIONS[name].kind == CHOICE for name in STARTBACK_FIELDS)


@pytest.mark.parametrize("question", ANSWERED, ids=lambda q: q.link_id)
def test_every_answer_an_item_offers_is_one_with_answers_takes_by_the_same_name(question):
    values = [option.value for option in question.options] or {
        BOOLEAN: [True, False],
        "text": ["Words"],
    }[question.kind]

    for value in values:
        answers = with_answers(ReferralAnswers(), **{question.link_id: value})
        assert _stored(answers, question.link_id) == value


def _stored(answers, name):
    """The answer `answers` holds for the question `name`, read without with_answers."""
    for section, questions in SECTIONS:
        if name in questions:
            return getattr(answers, section)[questions[name].code]
    if name in STARTBACK_FIELDS:
        return answers.startback[list(STARTBACK_FIELDS).index(name)]
    if name in PATIENT_DETAILS:
        return getattr(answers.patient, name)
    return getattr(answers, name)


@pytest.mark.parametrize(
    "name", ["preferred_channel", "symptom_duration", "recurrence", "decision", "return_kind"]
)
def test_a_choice_offers_the_web_forms_choices_in_its_words(name):
    form_choices = [(c, str(label)) for c, label in ReferralForm.base_fields[name].choices if c]

    assert [(o.code, o.display) for o in QUESTIONS[name].options] == form_choices


def test_startback_items_offer_the_answers_the_scorer_takes():
    first, ninth = QUESTIONS["startback_1"], QUESTIONS["startback_9"]

    assert {(o.code, o.value) for o in first.options} == {("agree", True), ("disagree", False)}
    assert [o.value for o in ninth.options] == [
        o.value for o in INSTRUMENTS["startback"].items[8].options
    ]


def test_the_judgement_of_red_flags_is_enabled_by_any_flag_but_cauda_equina():
    enabling = {when.question for when in _item("red_flag_judgement").enableWhen}

    assert enabling == {
        name for name, flag in RED_FLAG_FIELDS.items() if flag.group != "cauda_equina"
    }


def _item(link_id):
    return next(i for i in referral_questionnaire().item if i.linkId == link_id)


@pytest.mark.parametrize("code", sorted(INSTRUMENTS))
def test_each_instrument_is_a_valid_questionnaire_with_its_items(code):
    questionnaire = _round_trip(instrument_questionnaire(code))

    linked = [item.linkId for item in questionnaire.item if item.type != "display"]
    assert linked == [item.code for item in INSTRUMENTS[code].items]


def test_licensed_wording_is_not_published():
    assert not {"odi", "eq5d5l"} & set(PUBLISHED)
    for code in ("odi", "eq5d5l"):
        questionnaire = instrument_questionnaire(code)
        texts = [item.text for item in questionnaire.item]
        # The neutral names the clinician's form uses in its messages, never the owner's words.
        assert texts == [
            item_name(INSTRUMENTS[code], n, i) for n, i in enumerate(INSTRUMENTS[code].items, 1)
        ]
        assert "not published" in questionnaire.copyright
