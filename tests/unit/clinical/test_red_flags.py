"""Red flag screen (clinical reference section 6)."""

import re

import pytest

from pathway.clinical import InvalidAnswers
from pathway.clinical.referral_rules import RED_FLAGS, screen_red_flags

NO_FLAGS = {flag.code: False for flag in RED_FLAGS}
EXPECTED_ACTION = {
    "cauda_equina": "emergency_same_day",
    "cancer": "urgent_secondary_care",
    "infection": "urgent_secondary_care",
    "fracture": "urgent_secondary_care",
    "inflammatory": "rheumatology",
}


def answered(*codes):
    return NO_FLAGS | dict.fromkeys(codes, True)


def test_red_flags_cover_every_flag_in_the_reference_by_group():
    codes_by_group = {}
    for flag in RED_FLAGS:
        codes_by_group.setdefault(flag.group, set()).add(flag.code)

    assert codes_by_group == {
        "cauda_equina": {
            "urinary_retention_or_incontinence",
            "faecal_incontinence",
            "saddle_anaesthesia",
            "bilateral_neurology_or_gait_disturbance",
            "bilateral_sciatica",
        },
        "cancer": {
            "history_of_cancer",
            "new_onset_over_50_or_under_20",
            "night_pain",
            "unexplained_weight_loss",
            "no_improvement_after_a_month",
        },
        "infection": {
            "fever",
            "immunosuppression",
            "intravenous_drug_use",
            "recent_infection",
        },
        "fracture": {"significant_trauma", "minor_trauma_with_osteoporosis_or_steroids"},
        "inflammatory": {"inflammatory_back_pain"},
    }


def test_red_flag_codes_are_unique_snake_case_and_each_has_a_question():
    codes = [flag.code for flag in RED_FLAGS]

    assert len(codes) == len(set(codes))
    for flag in RED_FLAGS:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", flag.code)
        assert flag.question.endswith("?")


def test_red_flags_none_present_lets_the_referral_continue():
    screen = screen_red_flags(NO_FLAGS)

    assert screen.flags == ()
    assert screen.action is None
    assert screen.stops_referral is False


@pytest.mark.parametrize("flag", RED_FLAGS, ids=lambda flag: flag.code)
def test_red_flags_each_flag_alone_stops_the_referral_with_its_groups_action(flag):
    screen = screen_red_flags(answered(flag.code))

    assert screen.flags == (flag,)
    assert screen.action == EXPECTED_ACTION[flag.group]
    assert screen.stops_referral is True


def test_red_flags_cauda_equina_advice_says_emergency_department_or_spinal_team_today():
    screen = screen_red_flags(answered("saddle_anaesthesia"))

    assert "emergency department" in screen.advice
    assert "on-call spinal team" in screen.advice
    assert "today" in screen.advice


def test_red_flags_cauda_equina_outranks_every_other_group():
    screen = screen_red_flags(answered("history_of_cancer", "fever", "bilateral_sciatica"))

    assert screen.action == "emergency_same_day"
    assert [flag.code for flag in screen.flags] == [
        "bilateral_sciatica",
        "history_of_cancer",
        "fever",
    ]


def test_red_flags_inflammatory_with_a_fracture_flag_goes_to_secondary_care():
    screen = screen_red_flags(answered("inflammatory_back_pain", "significant_trauma"))

    assert screen.action == "urgent_secondary_care"


def test_red_flags_inflammatory_only_goes_to_rheumatology():
    screen = screen_red_flags(answered("inflammatory_back_pain"))

    assert screen.action == "rheumatology"
    assert "rheumatology" in screen.advice


def test_red_flags_unanswered_question_is_invalid_and_quotes_the_question():
    answers = dict(NO_FLAGS)
    del answers["fever"]

    with pytest.raises(
        InvalidAnswers, match="question not answered: 'Does the person have a fever"
    ):
        screen_red_flags(answers)


@pytest.mark.parametrize("value", [None, 1, "no", "False"])
def test_red_flags_answer_that_is_not_yes_or_no_is_invalid(value):
    with pytest.raises(InvalidAnswers, match="Red flag screen"):
        screen_red_flags(NO_FLAGS | {"night_pain": value})


def test_red_flags_unknown_question_code_is_invalid():
    with pytest.raises(InvalidAnswers, match="no question called nite_pain"):
        screen_red_flags(NO_FLAGS | {"nite_pain": True})


@pytest.mark.parametrize("bad", [None, [], list(NO_FLAGS), "fever"])
def test_red_flags_answers_that_are_not_a_mapping_are_invalid(bad):
    with pytest.raises(InvalidAnswers, match="Red flag screen answers must be given"):
        screen_red_flags(bad)
