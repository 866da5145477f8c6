"""A yes/no checklist asked as one question (issue 18): tick what applies, or "None of these".

The red flags, eligibility and urgency of the GP form are answered this way, and the screen
that reads them is the same one (screen_red_flags): each question is still answered yes or no.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway.clinical import InvalidAnswers
from pathway.clinical.answers import checklist_answers, checklist_contradicts
from pathway.clinical.red_flags import RED_FLAGS, screen_red_flags

CODES = [flag.code for flag in RED_FLAGS]


def test_none_of_these_answers_every_question_no():
    assert checklist_answers(CODES, {}, none_of_these=True) == dict.fromkeys(CODES, False)


def test_one_tick_answers_it_yes_and_every_other_question_no():
    answers = checklist_answers(CODES, {"fever": True}, none_of_these=False)

    assert answers == {code: code == "fever" for code in CODES}


def test_a_checklist_left_alone_stays_unanswered():
    assert checklist_answers(CODES, {}, none_of_these=False) == {}


def test_answers_given_one_by_one_without_a_tick_stay_as_given():
    # Another door may answer "no" question by question: the rest are still unanswered.
    assert checklist_answers(CODES, {"fever": False}, none_of_these=False) == {"fever": False}


def test_a_tick_beside_none_of_these_keeps_the_tick_and_is_a_contradiction():
    answers = checklist_answers(CODES, {"night_pain": True}, none_of_these=True)

    assert answers["night_pain"] is True
    assert checklist_contradicts({"night_pain": True}, none_of_these=True)
    assert not checklist_contradicts({"night_pain": False}, none_of_these=True)
    assert not checklist_contradicts({"night_pain": True}, none_of_these=False)


def test_an_unknown_question_is_refused():
    with pytest.raises(InvalidAnswers, match="no question called feverr"):
        checklist_answers(CODES, {"feverr": True}, none_of_these=False)


@given(st.sets(st.sampled_from(CODES), min_size=1))
def test_the_red_flag_screen_reads_a_ticked_checklist_as_the_flags_ticked(ticked):
    answers = checklist_answers(CODES, dict.fromkeys(ticked, True), none_of_these=False)

    screen = screen_red_flags(answers)

    assert set(screen.codes) == ticked
    assert len(answers) == len(CODES)


def test_the_red_flag_screen_reads_none_of_these_as_no_flag():
    screen = screen_red_flags(checklist_answers(CODES, {}, none_of_these=True))

    assert screen.flags == ()
    assert screen.recommendation is None
