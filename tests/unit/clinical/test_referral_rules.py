"""Eligibility, priority, recommendation and reporting groups (clinical reference 1-3)."""

from dataclasses import replace
from datetime import date, datetime

import pytest

from pathway.clinical import InvalidAnswers
from pathway.clinical.referral_rules import (
    EXCLUSIONS,
    EXCLUSIONS_BY_CODE,
    SYMPTOM_DURATION_GROUPS,
    URGENCY_CRITERIA,
    ReferralFacts,
    ServiceRules,
    age_on,
    check_exclusions,
    duration_group,
    priority,
    recommend,
)

ELIGIBLE = ReferralFacts(
    age_years=45,
    sex="female",
    pregnant_over_35_weeks=False,
    housebound=False,
    primary_limb_problem=False,
    registered_locally=True,
    little_potential_to_improve=False,
    widespread_pain=False,
    chronic_pain=False,
)
DEFAULT_RULES = ServiceRules()


def exclusion_codes(facts, rules=DEFAULT_RULES):
    return [exclusion.code for exclusion in check_exclusions(facts, rules)]


def test_service_rules_defaults_are_the_pathways():
    assert (
        ServiceRules(
            exclude_widespread_pain=True,
            exclude_chronic_pain=False,
            urgent_target_working_days=5,
            standard_target_days=14,
            referral_to_treatment_weeks=18,
            max_therapy_sessions=8,
            returner_window_months=12,
            minimum_age=16,
            dna_discharge_after=2,
        )
        == DEFAULT_RULES
    )


@pytest.mark.parametrize(
    "change",
    [
        {"minimum_age": 0},
        {"standard_target_days": -1},
        {"urgent_target_working_days": "5"},
        {"max_therapy_sessions": True},
        {"exclude_widespread_pain": 1},
        {"exclude_chronic_pain": "no"},
        {"returner_window_months": 0},
    ],
)
def test_service_rules_with_impossible_values_are_refused(change):
    with pytest.raises(InvalidAnswers, match="Service rule"):
        ServiceRules(**change)


def test_exclusions_none_for_an_eligible_adult():
    assert check_exclusions(ELIGIBLE, DEFAULT_RULES) == ()


@pytest.mark.parametrize(("age", "excluded"), [(15, True), (16, False), (90, False)])
def test_exclusions_under_sixteen_is_excluded_by_default(age, excluded):
    codes = exclusion_codes(replace(ELIGIBLE, age_years=age))

    assert ("under_minimum_age" in codes) is excluded


def test_exclusions_minimum_age_follows_the_service_rules():
    codes = exclusion_codes(replace(ELIGIBLE, age_years=17), ServiceRules(minimum_age=18))

    assert codes == ["under_minimum_age"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"registered_locally": False}, "not_registered_locally"),
        ({"little_potential_to_improve": True}, "little_potential_to_improve"),
        ({"housebound": True}, "housebound"),
        ({"primary_limb_problem": True}, "primary_limb_problem"),
        ({"pregnant_over_35_weeks": True}, "pregnant_over_35_weeks"),
        # Widespread pain is its own rule, on by default (clinical reference section 2).
        ({"widespread_pain": True}, "widespread_pain"),
    ],
)
def test_exclusions_each_fact_excludes_on_its_own(change, code):
    assert exclusion_codes(replace(ELIGIBLE, **change)) == [code]


def test_exclusions_widespread_pain_is_excluded_by_default_and_chronic_pain_is_not():
    facts = replace(ELIGIBLE, widespread_pain=True, chronic_pain=True)

    assert exclusion_codes(facts) == ["widespread_pain"]
    assert exclusion_codes(replace(ELIGIBLE, chronic_pain=True)) == []


# Every combination of the two facts and the two service rules: each rule excludes on its own
# fact only, and only when the service applies it.
WIDESPREAD_AND_CHRONIC = [
    # widespread, chronic, exclude widespread, exclude chronic -> exclusions
    (
        widespread,
        chronic,
        rule_w,
        rule_c,
        [
            code
            for code, applies in (
                ("widespread_pain", widespread and rule_w),
                ("chronic_pain", chronic and rule_c),
            )
            if applies
        ],
    )
    for widespread in (False, True)
    for chronic in (False, True)
    for rule_w in (False, True)
    for rule_c in (False, True)
]


@pytest.mark.parametrize(
    ("widespread", "chronic", "exclude_widespread", "exclude_chronic", "expected"),
    WIDESPREAD_AND_CHRONIC,
)
def test_exclusions_widespread_and_chronic_pain_are_separate_rules(
    widespread, chronic, exclude_widespread, exclude_chronic, expected
):
    facts = replace(ELIGIBLE, widespread_pain=widespread, chronic_pain=chronic)
    rules = ServiceRules(
        exclude_widespread_pain=exclude_widespread, exclude_chronic_pain=exclude_chronic
    )

    assert exclusion_codes(facts, rules) == expected


def test_exclusions_widespread_and_chronic_golden_rows():
    # Written out by hand, so the table above is not only checked against itself.
    chronic_only = ServiceRules(exclude_widespread_pain=False, exclude_chronic_pain=True)
    both = ServiceRules(exclude_chronic_pain=True)

    assert exclusion_codes(replace(ELIGIBLE, widespread_pain=True)) == ["widespread_pain"]
    assert exclusion_codes(replace(ELIGIBLE, widespread_pain=True), chronic_only) == []
    assert exclusion_codes(replace(ELIGIBLE, chronic_pain=True), chronic_only) == ["chronic_pain"]
    assert exclusion_codes(replace(ELIGIBLE, widespread_pain=True, chronic_pain=True), both) == [
        "widespread_pain",
        "chronic_pain",
    ]


def test_exclusions_retired_combined_rule_can_still_be_shown():
    assert "widespread or chronic" in EXCLUSIONS_BY_CODE["widespread_or_chronic_pain"].reason
    assert "widespread_or_chronic_pain" not in {exclusion.code for exclusion in EXCLUSIONS}


def test_exclusions_several_are_all_reported_in_a_fixed_order():
    facts = replace(ELIGIBLE, age_years=15, housebound=True, registered_locally=False)

    assert exclusion_codes(facts) == ["under_minimum_age", "not_registered_locally", "housebound"]


def test_exclusions_each_has_a_question_and_a_reason():
    for exclusion in EXCLUSIONS:
        assert exclusion.question.endswith("?")
        assert exclusion.reason


@pytest.mark.parametrize("sex", ["female", "other", "unknown"])
def test_referral_facts_pregnancy_is_accepted_unless_sex_is_male(sex):
    facts = replace(ELIGIBLE, sex=sex, pregnant_over_35_weeks=True)

    assert exclusion_codes(facts) == ["pregnant_over_35_weeks"]


def test_referral_facts_pregnant_and_male_is_inconsistent():
    with pytest.raises(InvalidAnswers, match="recorded as male and as more than 35 weeks pregnant"):
        replace(ELIGIBLE, sex="male", pregnant_over_35_weeks=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sex": "F"}, "Sex must be one of"),
        ({"sex": None}, "Sex must be one of"),
        ({"age_years": -1}, "Age -1 is not possible"),
        ({"age_years": 131}, "Age 131 is not possible"),
        ({"age_years": 45.5}, "Age must be a whole number"),
        ({"age_years": True}, "Age must be a whole number"),
        ({"housebound": None}, "Housebound must be answered yes or no"),
        ({"registered_locally": "yes"}, "Registered locally must be answered yes or no"),
    ],
)
def test_referral_facts_with_bad_values_are_invalid(change, message):
    with pytest.raises(InvalidAnswers, match=message):
        replace(ELIGIBLE, **change)


def test_check_exclusions_needs_referral_facts():
    with pytest.raises(InvalidAnswers, match="needs ReferralFacts"):
        check_exclusions({"age_years": 45}, DEFAULT_RULES)


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2000, 5, 10), date(2026, 5, 9), 25),
        (date(2000, 5, 10), date(2026, 5, 10), 26),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(2026, 1, 1), date(2026, 1, 1), 0),
    ],
)
def test_age_on_counts_whole_years(born, on, age):
    assert age_on(born, on) == age


def test_age_on_with_a_future_date_of_birth_is_invalid():
    with pytest.raises(InvalidAnswers, match="Date of birth 02 January 2026 is in the future"):
        age_on(date(2026, 1, 2), date(2026, 1, 1))


@pytest.mark.parametrize("bad", [None, "2000-01-01", datetime(2000, 1, 1)])
def test_age_on_with_something_other_than_a_date_is_invalid(bad):
    with pytest.raises(InvalidAnswers, match="Date of birth must be a date"):
        age_on(bad, date(2026, 1, 1))


NO_URGENCY = {criterion.code: False for criterion in URGENCY_CRITERIA}


def test_priority_urgency_criteria_are_the_five_in_the_reference():
    assert [criterion.code for criterion in URGENCY_CRITERIA] == [
        "dependent_on_strong_analgesics",
        "severe_sleep_disturbance",
        "likely_to_deteriorate_quickly",
        "severe_impairment_of_daily_living",
        "deteriorating_neurology",
    ]


def test_priority_is_standard_when_no_criterion_applies():
    assert priority(NO_URGENCY) == "standard"


@pytest.mark.parametrize("code", [criterion.code for criterion in URGENCY_CRITERIA])
def test_priority_is_urgent_when_any_one_criterion_applies(code):
    assert priority(NO_URGENCY | {code: True}) == "urgent"


def test_priority_with_an_unanswered_criterion_is_invalid_and_quotes_it():
    answers = dict(NO_URGENCY)
    del answers["severe_sleep_disturbance"]

    with pytest.raises(InvalidAnswers, match="sleep severely disturbed"):
        priority(answers)


def test_recommend_low_risk_is_advice_and_self_management_citing_nice():
    recommendation = recommend("low")

    assert recommendation.code == "advice_and_self_management"
    assert "NICE NG59" in recommendation.text


@pytest.mark.parametrize("risk", ["medium", "high"])
def test_recommend_medium_or_high_risk_is_referral_to_a_ttp(risk):
    recommendation = recommend(risk)

    assert recommendation.code == "refer_to_ttp"
    assert "Triage and Treat Practitioner" in recommendation.text
    assert "NICE NG59" in recommendation.text


@pytest.mark.parametrize("risk", ["Low", "", None, 2])
def test_recommend_unknown_risk_is_invalid(risk):
    with pytest.raises(InvalidAnswers, match="STarT Back risk must be low, medium or high"):
        recommend(risk)


@pytest.mark.parametrize(
    ("months", "group"),
    [
        (0, "lt_3"),
        (2.9, "lt_3"),
        (3, "3_to_6"),
        (5.99, "3_to_6"),
        (6, "6_to_12"),
        (11.9, "6_to_12"),
        (12, "12_plus"),
        (240, "12_plus"),
    ],
)
def test_duration_group_boundaries(months, group):
    assert duration_group(months) == group


def test_duration_groups_have_labels_in_report_order():
    assert [(code, label) for code, label, _upper in SYMPTOM_DURATION_GROUPS] == [
        ("lt_3", "Less than 3 months"),
        ("3_to_6", "3 to less than 6 months"),
        ("6_to_12", "6 to less than 12 months"),
        ("12_plus", "12 months or more"),
    ]


@pytest.mark.parametrize("months", [-1, None, True, "3", float("nan")])
def test_duration_group_negative_or_not_a_number_is_invalid(months):
    with pytest.raises(InvalidAnswers, match="Symptom duration"):
        duration_group(months)
