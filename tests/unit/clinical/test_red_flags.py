"""Red flag screen, the template's recommendation and the route (clinical reference section 6).

A cauda equina flag stops the referral at once. Any other flag asks the GP whether serious
pathology is suspected, with the template's recommendation; "suspected" stops the referral and
names where to send the person, "not suspected" needs a reason and lets the referral go on.
"""

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway.clinical import InvalidAnswers
from pathway.clinical.red_flags import (
    ASK_GP,
    CONTINUE,
    CONTINUE_WITH_FLAGS,
    EMERGENCY,
    NOT_SUSPECTED,
    SEND_ELSEWHERE,
    SUSPECTED,
    destinations_for,
    recommend_judgement,
)
from pathway.clinical.referral_rules import RED_FLAGS, route_red_flags, screen_red_flags

NO_FLAGS = {flag.code: False for flag in RED_FLAGS}
CAUDA_EQUINA = [flag for flag in RED_FLAGS if flag.group == "cauda_equina"]
OTHER_FLAGS = [flag for flag in RED_FLAGS if flag.group != "cauda_equina"]
JUDGEMENTS = [None, SUSPECTED, NOT_SUSPECTED]

# Where each group sends the person when the referral stops, and the order of urgency.
EXPECTED_DESTINATION = {
    "cauda_equina": "emergency_same_day",
    "infection": "urgent_secondary_care",
    "fracture": "urgent_secondary_care",
    "cancer": "suspected_cancer_pathway",
    "inflammatory": "rheumatology",
}
URGENCY_ORDER = [
    "emergency_same_day",
    "urgent_secondary_care",
    "suspected_cancer_pathway",
    "rheumatology",
]

# The template's recommendation for each flag on its own (the red_flags module docstring).
SINGLE_FLAG_RECOMMENDATION = {
    "history_of_cancer": SUSPECTED,
    "new_onset_over_50_or_under_20": NOT_SUSPECTED,
    "night_pain": NOT_SUSPECTED,
    "unexplained_weight_loss": NOT_SUSPECTED,
    "no_improvement_after_a_month": NOT_SUSPECTED,
    "fever": NOT_SUSPECTED,
    "immunosuppression": NOT_SUSPECTED,
    "intravenous_drug_use": NOT_SUSPECTED,
    "recent_infection": NOT_SUSPECTED,
    "significant_trauma": SUSPECTED,
    "minor_trauma_with_osteoporosis_or_steroids": SUSPECTED,
    "inflammatory_back_pain": NOT_SUSPECTED,
}


def answered(*codes):
    return NO_FLAGS | dict.fromkeys(codes, True)


def group_of(code):
    return next(flag.group for flag in RED_FLAGS if flag.code == code)


def expected_recommendation(codes):
    """The reference's rule, written again independently of the code under test."""
    codes = set(codes)
    groups = [group_of(code) for code in codes]
    suspected = (
        "history_of_cancer" in codes
        or (
            "fever" in codes
            and codes & {"immunosuppression", "intravenous_drug_use", "recent_infection"}
        )
        or codes & {"significant_trauma", "minor_trauma_with_osteoporosis_or_steroids"}
        or any(groups.count(group) >= 2 for group in set(groups))
    )
    return SUSPECTED if suspected else NOT_SUSPECTED


def expected_destinations(codes):
    wanted = {EXPECTED_DESTINATION[group_of(code)] for code in codes}
    return tuple(destination for destination in URGENCY_ORDER if destination in wanted)


# --- The questions


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
        assert flag.question.endswith((".", "?"))


def test_red_flags_significant_trauma_is_asked_as_high_energy_not_routine_whiplash():
    question = next(flag.question for flag in RED_FLAGS if flag.code == "significant_trauma")

    assert "high-energy" in question
    assert "Routine whiplash is not significant trauma" in question


# --- Cauda equina: stops at once, nothing asked


def test_red_flags_none_present_lets_the_referral_continue():
    screen = screen_red_flags(NO_FLAGS)
    route = route_red_flags(screen, None)

    assert screen.flags == ()
    assert screen.needs_judgement is False
    assert (route.route, route.destinations, route.stops_referral) == (CONTINUE, (), False)


@pytest.mark.parametrize("judgement", JUDGEMENTS)
@pytest.mark.parametrize("flag", CAUDA_EQUINA, ids=lambda flag: flag.code)
def test_red_flags_cauda_equina_flag_stops_at_once_whatever_is_judged(flag, judgement):
    screen = screen_red_flags(answered(flag.code))

    route = route_red_flags(screen, judgement)

    assert screen.needs_judgement is False
    assert screen.recommendation is None
    assert route.route == EMERGENCY
    assert route.stops_referral is True
    assert route.action == "emergency_same_day"
    assert route.reason_required is False


def test_red_flags_cauda_equina_advice_says_emergency_department_or_spinal_team_today():
    route = route_red_flags(screen_red_flags(answered("saddle_anaesthesia")), None)

    (advice,) = route.advice
    assert "emergency department" in advice
    assert "on-call spinal team" in advice
    assert "today" in advice


def test_red_flags_cauda_equina_outranks_every_other_group():
    screen = screen_red_flags(answered("history_of_cancer", "fever", "bilateral_sciatica"))

    route = route_red_flags(screen, NOT_SUSPECTED)

    assert route.route == EMERGENCY
    assert route.destinations == ("emergency_same_day",)
    assert [flag.code for flag in screen.flags] == [
        "bilateral_sciatica",
        "history_of_cancer",
        "fever",
    ]


@given(
    st.fixed_dictionaries({flag.code: st.booleans() for flag in RED_FLAGS}),
    st.sampled_from(JUDGEMENTS),
)
def test_red_flags_any_cauda_equina_flag_stops_and_nothing_else_stops_without_a_judgement(
    answers, judgement
):
    route = route_red_flags(screen_red_flags(answers), judgement)

    cauda_equina = any(answers[flag.code] for flag in CAUDA_EQUINA)
    others = any(answers[flag.code] for flag in OTHER_FLAGS)
    assert (route.route == EMERGENCY) is cauda_equina
    assert route.stops_referral is (cauda_equina or (others and judgement == SUSPECTED))
    assert (route.route == ASK_GP) is (not cauda_equina and others and judgement is None)
    assert route.may_continue is (not cauda_equina and (not others or judgement == NOT_SUSPECTED))


# --- Any other flag: the GP is asked, with the template's recommendation


@pytest.mark.parametrize("flag", OTHER_FLAGS, ids=lambda flag: flag.code)
def test_red_flags_any_other_flag_alone_asks_the_gp_and_does_not_stop(flag):
    screen = screen_red_flags(answered(flag.code))

    route = route_red_flags(screen, None)

    assert screen.needs_judgement is True
    assert route.route == ASK_GP
    assert route.stops_referral is False
    assert route.may_continue is False


@pytest.mark.parametrize("code", SINGLE_FLAG_RECOMMENDATION)
def test_red_flags_recommendation_for_each_flag_alone(code):
    assert recommend_judgement({code}).judgement == SINGLE_FLAG_RECOMMENDATION[code]


@pytest.mark.parametrize(
    ("codes", "judgement", "reason"),
    [
        ({"history_of_cancer"}, SUSPECTED, "a past history of cancer"),
        ({"fever", "immunosuppression"}, SUSPECTED, "fever with a risk factor for infection"),
        ({"fever", "intravenous_drug_use"}, SUSPECTED, "fever with a risk factor for infection"),
        ({"fever", "recent_infection"}, SUSPECTED, "fever with a risk factor for infection"),
        ({"immunosuppression", "recent_infection"}, SUSPECTED, "2 flags of possible infection"),
        ({"significant_trauma"}, SUSPECTED, "significant (high-energy) trauma"),
        (
            {"minor_trauma_with_osteoporosis_or_steroids"},
            SUSPECTED,
            "minor trauma with osteoporosis or steroid use",
        ),
        ({"new_onset_over_50_or_under_20", "night_pain"}, SUSPECTED, "2 flags of possible cancer"),
        (
            {"night_pain", "unexplained_weight_loss", "no_improvement_after_a_month"},
            SUSPECTED,
            "3 flags of possible cancer",
        ),
        # Flags of different groups do not combine.
        ({"night_pain", "fever"}, NOT_SUSPECTED, None),
        ({"new_onset_over_50_or_under_20", "inflammatory_back_pain"}, NOT_SUSPECTED, None),
        ({"no_improvement_after_a_month", "immunosuppression"}, NOT_SUSPECTED, None),
        ({"night_pain"}, NOT_SUSPECTED, None),
    ],
)
def test_red_flags_recommendation_golden(codes, judgement, reason):
    recommendation = recommend_judgement(codes)

    assert recommendation.judgement == judgement
    if reason:
        assert reason in recommendation.text
        assert any(reason in given for given in recommendation.reasons)
    else:
        assert recommendation.reasons == ()


NON_CAUDA_EQUINA_SUBSETS = [
    frozenset(codes)
    for size in range(1, len(OTHER_FLAGS) + 1)
    for codes in itertools.combinations([flag.code for flag in OTHER_FLAGS], size)
]


def test_red_flags_recommendation_and_route_for_every_combination_of_other_flags():
    # All 4,095 non-empty combinations of the 12 flags other than cauda equina, each with every
    # judgement, against the reference's rule written out again above.
    assert len(NON_CAUDA_EQUINA_SUBSETS) == 2 ** len(OTHER_FLAGS) - 1
    for codes in NON_CAUDA_EQUINA_SUBSETS:
        expected = expected_recommendation(codes)
        screen = screen_red_flags(answered(*codes))
        assert screen.recommendation == recommend_judgement(codes), codes
        assert screen.recommendation.judgement == expected, codes
        assert bool(screen.recommendation.reasons) is (expected == SUSPECTED), codes
        assert screen.destinations == expected_destinations(codes), codes

        ask = route_red_flags(screen, None)
        suspected = route_red_flags(screen, SUSPECTED)
        not_suspected = route_red_flags(screen, NOT_SUSPECTED)

        assert (ask.route, ask.destinations, ask.reason_required) == (ASK_GP, (), False)
        assert suspected.route == SEND_ELSEWHERE
        assert suspected.destinations == expected_destinations(codes), codes
        assert suspected.action == expected_destinations(codes)[0]
        assert suspected.against_recommendation is (expected == NOT_SUSPECTED)
        assert suspected.reason_required is (expected == NOT_SUSPECTED)
        assert not_suspected.route == CONTINUE_WITH_FLAGS
        assert not_suspected.destinations == ()
        assert not_suspected.action is None
        assert not_suspected.reason_required is True
        assert not_suspected.against_recommendation is (expected == SUSPECTED)


# --- Where to send the person


@pytest.mark.parametrize(
    ("codes", "destinations"),
    [
        ({"history_of_cancer"}, ("suspected_cancer_pathway",)),
        ({"fever"}, ("urgent_secondary_care",)),
        ({"significant_trauma"}, ("urgent_secondary_care",)),
        ({"inflammatory_back_pain"}, ("rheumatology",)),
        (
            {"inflammatory_back_pain", "significant_trauma"},
            ("urgent_secondary_care", "rheumatology"),
        ),
        (
            {"night_pain", "fever", "inflammatory_back_pain"},
            ("urgent_secondary_care", "suspected_cancer_pathway", "rheumatology"),
        ),
        (
            {"saddle_anaesthesia", "history_of_cancer"},
            ("emergency_same_day", "suspected_cancer_pathway"),
        ),
    ],
)
def test_red_flags_destinations_most_urgent_first(codes, destinations):
    assert destinations_for(codes) == destinations


def test_red_flags_suspected_inflammatory_goes_to_rheumatology_and_says_so():
    route = route_red_flags(screen_red_flags(answered("inflammatory_back_pain")), SUSPECTED)

    assert route.action == "rheumatology"
    assert "rheumatology" in route.advice[0]
    assert route.reason_required is True  # against the recommendation


def test_red_flags_suspected_cancer_names_the_suspected_cancer_pathway():
    route = route_red_flags(screen_red_flags(answered("history_of_cancer")), SUSPECTED)

    assert route.action == "suspected_cancer_pathway"
    assert "suspected-cancer pathway" in route.advice[0]
    assert route.reason_required is False  # as recommended


# --- Bad input


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


@pytest.mark.parametrize("judgement", ["maybe", "", True, "SUSPECTED"])
def test_red_flags_judgement_that_is_not_an_option_is_invalid(judgement):
    screen = screen_red_flags(answered("night_pain"))

    with pytest.raises(InvalidAnswers, match="Whether serious pathology is suspected"):
        route_red_flags(screen, judgement)


def test_red_flags_route_needs_a_screen():
    with pytest.raises(InvalidAnswers, match="needs a RedFlagScreen"):
        route_red_flags(answered("night_pain"), SUSPECTED)


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (set(), "no red flag to judge"),
        ({"saddle_anaesthesia"}, "cauda equina flag is not judged"),
        ({"nite_pain"}, "no red flag called nite_pain"),
        ("night_pain", "collection of codes"),
    ],
)
def test_red_flags_recommendation_refuses_what_cannot_be_judged(codes, message):
    with pytest.raises(InvalidAnswers, match=message):
        recommend_judgement(codes)
