"""Self-referral reuses the referral rules: the same flags, exclusions and urgency criteria,
each defined once, with the person's own wording beside them and one rule for the red flags
when nobody is there to judge them (route_self_referral)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway.clinical import InvalidAnswers
from pathway.clinical.red_flags import (
    CONTINUE,
    EMERGENCY,
    EMERGENCY_SAME_DAY,
    GP_SAME_DAY,
    RED_FLAGS,
    SEE_GP_TODAY,
    screen_red_flags,
)
from pathway.clinical.referral_rules import EXCLUSIONS, URGENCY_CRITERIA
from pathway.clinical.self_referral import (
    PATIENT_ADVICE,
    PATIENT_EXCLUSION_ADVICE,
    PATIENT_EXCLUSION_QUESTIONS,
    PATIENT_QUESTIONS,
    PATIENT_URGENCY_QUESTIONS,
    route_self_referral,
)

NO_FLAGS = {flag.code: False for flag in RED_FLAGS}
CAUDA_EQUINA = [flag.code for flag in RED_FLAGS if flag.group == "cauda_equina"]
OTHER_FLAGS = [flag.code for flag in RED_FLAGS if flag.group != "cauda_equina"]
# Worked out from the person's answers, never asked of them.
WORKED_OUT = {"under_minimum_age", "not_registered_locally"}


def route(*codes):
    return route_self_referral(screen_red_flags({**NO_FLAGS, **dict.fromkeys(codes, True)}))


def test_every_red_flag_has_the_persons_wording_and_no_other():
    assert set(PATIENT_QUESTIONS) == {flag.code for flag in RED_FLAGS}


def test_every_asked_exclusion_has_the_persons_wording():
    assert set(PATIENT_EXCLUSION_QUESTIONS) == {e.code for e in EXCLUSIONS} - WORKED_OUT


def test_every_exclusion_says_where_to_go_instead():
    assert set(PATIENT_EXCLUSION_ADVICE) == {e.code for e in EXCLUSIONS}


def test_every_urgency_criterion_has_the_persons_wording():
    assert set(PATIENT_URGENCY_QUESTIONS) == {c.code for c in URGENCY_CRITERIA}


def test_no_flag_lets_the_self_referral_go_on():
    result = route()

    assert result.route == CONTINUE
    assert not result.stops_referral


@pytest.mark.parametrize("code", CAUDA_EQUINA)
def test_each_cauda_equina_flag_is_an_emergency(code):
    result = route(code)

    assert (result.route, result.action) == (EMERGENCY, EMERGENCY_SAME_DAY)
    assert result.stops_referral


@pytest.mark.parametrize("code", OTHER_FLAGS)
def test_each_other_flag_stops_the_self_referral_with_same_day_advice(code):
    result = route(code)

    assert (result.route, result.action) == (SEE_GP_TODAY, GP_SAME_DAY)
    assert result.stops_referral
    assert not result.reason_required


@given(st.sets(st.sampled_from(OTHER_FLAGS)), st.sets(st.sampled_from(CAUDA_EQUINA), min_size=1))
def test_any_cauda_equina_flag_wins_over_the_others(others, cauda_equina):
    assert route(*others, *cauda_equina).route == EMERGENCY


def test_the_persons_advice_names_999_for_an_emergency_and_111_otherwise():
    assert "999" in PATIENT_ADVICE[EMERGENCY][0]
    assert "111" in PATIENT_ADVICE[SEE_GP_TODAY][0]


def test_routing_refuses_anything_but_a_screen():
    with pytest.raises(InvalidAnswers):
        route_self_referral({"fever": True})
