"""A stored response's answers read back question by question (the FHIR API's items) are
exactly the values the form put in: answers_by_item undoes answers_shape."""

import pytest

from pathway.clinical.questionnaires import INSTRUMENTS
from pathway.proms.forms import answers_by_item, answers_shape

VALUES = {
    "pain_nrs": [7],
    "odi": [1, 2, None, 3, 4, 5, 0, 1, 2, 3],
    "eq5d5l": [1, 2, 3, 4, 5, 70],
    "gad7": [0, 1, 2, 3, 0, 1, 2],
    "phq9": [3, 2, 1, 0, 1, 2, 3, 0, 1],
    "gsos": ["a_lot_better"],
    "fft": ["very_good", "Kind staff"],
    "readiness": [9],
}


def test_every_instrument_but_startback_has_an_example():
    # STarT Back is answered in the referral, not as an outcome questionnaire.
    assert set(VALUES) == set(INSTRUMENTS) - {"startback"}


@pytest.mark.parametrize("code", sorted(VALUES))
def test_answers_read_back_item_by_item(code):
    values = VALUES[code]

    assert answers_by_item(code, answers_shape(code, values)) == values
    assert len(values) == len(INSTRUMENTS[code].items)


def test_an_eq5d_state_given_as_digits_reads_back_as_levels():
    assert answers_by_item("eq5d5l", {"state": "21341", "vas": 50}) == [2, 1, 3, 4, 1, 50]


def test_a_blank_comment_is_unanswered():
    assert answers_by_item("fft", answers_shape("fft", ["good", None])) == ["good", None]
