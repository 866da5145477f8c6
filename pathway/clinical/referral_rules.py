"""Referral rules for the GP referral form (clinical reference sections 1-3 and 6).

Red flags live in red_flags.py and service configuration in service_rules.py; both are
re-exported here so callers have one place to import referral rules from.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from pathway.clinical.answers import (
    describe,
    require_date,
    require_real_number,
    require_yes_no_answers,
)
from pathway.clinical.errors import InvalidAnswers
from pathway.clinical.red_flags import (
    RED_FLAGS,
    JudgementRecommendation,
    RedFlag,
    RedFlagRoute,
    RedFlagScreen,
    recommend_judgement,
    route_red_flags,
    screen_red_flags,
)
from pathway.clinical.service_rules import ServiceRules

__all__ = [
    "EXCLUSIONS",
    "RED_FLAGS",
    "SEXES",
    "SYMPTOM_DURATION_GROUPS",
    "URGENCY_CRITERIA",
    "Exclusion",
    "JudgementRecommendation",
    "Recommendation",
    "RedFlag",
    "RedFlagRoute",
    "RedFlagScreen",
    "ReferralFacts",
    "ServiceRules",
    "UrgencyCriterion",
    "age_on",
    "check_exclusions",
    "duration_group",
    "priority",
    "recommend",
    "recommend_judgement",
    "route_red_flags",
    "screen_red_flags",
]

# --- Exclusions (AQP criteria, clinical reference section 2). Suspected serious pathology is
# handled by the red flag screen. Widespread pain and chronic (over a year) pain are separate
# rules: widespread pain is excluded by default (it also fails "primarily back or neck pain"),
# chronic pain only where a service turns the rule on (ServiceRules).

SEXES = ("female", "male", "other", "unknown")


@dataclass(frozen=True)
class Exclusion:
    code: str
    question: str
    reason: str


EXCLUSIONS = (
    Exclusion(
        "under_minimum_age",
        "Is the person younger than the service's minimum age (16 unless configured)?",
        "The service sees adults and young people from the minimum age; refer younger "
        "people to paediatric services.",
    ),
    Exclusion(
        "not_registered_locally",
        "Is the person not registered with a GP practice in the service's area?",
        "Only people registered with a GP practice in the area can be referred.",
    ),
    Exclusion(
        "little_potential_to_improve",
        "Does the person have little or no potential to improve with therapy?",
        "The pathway offers treatment aimed at improvement.",
    ),
    Exclusion(
        "housebound",
        "Is the person housebound?",
        "The service's clinics cannot be reached by people who are housebound; consider "
        "community services.",
    ),
    Exclusion(
        "widespread_pain",
        "Is the pain widespread (musculoskeletal pain in many parts of the body) rather than "
        "mainly in the back or neck?",
        "The pathway is for pain mainly in the back or neck: widespread musculoskeletal pain "
        "is outside its criteria.",
    ),
    Exclusion(
        "chronic_pain",
        "Has the person had this musculoskeletal pain for more than a year?",
        "This service is configured to exclude musculoskeletal pain of more than a year "
        "(the AQP criterion for chronic pain).",
    ),
    Exclusion(
        "primary_limb_problem",
        "Is the main problem in a limb (such as the hip, shoulder or foot), with the back or "
        "neck pain secondary to it?",
        "Primary limb problems should be referred to the relevant musculoskeletal service.",
    ),
    Exclusion(
        "pregnant_over_35_weeks",
        "Is the person more than 35 weeks pregnant?",
        "People more than 35 weeks pregnant should be referred to maternity services.",
    ),
)
# Exclusions no longer asked, kept so that referrals recorded with them can still be shown.
RETIRED_EXCLUSIONS = (
    Exclusion(
        "widespread_or_chronic_pain",
        "Does the person have widespread or chronic (over a year) musculoskeletal pain?",
        "This service was configured to exclude widespread or chronic musculoskeletal pain.",
    ),
)
EXCLUSIONS_BY_CODE = {exclusion.code: exclusion for exclusion in (*EXCLUSIONS, *RETIRED_EXCLUSIONS)}


@dataclass(frozen=True)
class ReferralFacts:
    age_years: int
    sex: str
    pregnant_over_35_weeks: bool
    housebound: bool
    primary_limb_problem: bool
    registered_locally: bool
    little_potential_to_improve: bool
    widespread_pain: bool
    chronic_pain: bool

    def __post_init__(self):
        # Checked on construction so that inconsistent facts cannot reach any rule.
        if isinstance(self.age_years, bool) or not isinstance(self.age_years, int):
            raise InvalidAnswers(f"Age must be a whole number of years, not {self.age_years!r}")
        if not 0 <= self.age_years <= 130:
            raise InvalidAnswers(f"Age {self.age_years} is not possible: please check it")
        if self.sex not in SEXES:
            raise InvalidAnswers(f"Sex must be one of {', '.join(SEXES)}, not {self.sex!r}")
        for name in (
            "pregnant_over_35_weeks",
            "housebound",
            "primary_limb_problem",
            "registered_locally",
            "little_potential_to_improve",
            "widespread_pain",
            "chronic_pain",
        ):
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise InvalidAnswers(
                    f"{name.replace('_', ' ').capitalize()} must be answered yes or no, "
                    f"not {describe(value)}"
                )
        if self.pregnant_over_35_weeks and self.sex == "male":
            raise InvalidAnswers(
                "The person is recorded as male and as more than 35 weeks pregnant: "
                "please check the sex and pregnancy answers"
            )


def check_exclusions(facts: ReferralFacts, rules: ServiceRules) -> tuple[Exclusion, ...]:
    """Return every exclusion that applies, in EXCLUSIONS order (empty when eligible)."""
    if not isinstance(facts, ReferralFacts):
        raise InvalidAnswers(f"Exclusion check needs ReferralFacts, not {describe(facts)}")
    applies = {
        "under_minimum_age": facts.age_years < rules.minimum_age,
        "not_registered_locally": not facts.registered_locally,
        "little_potential_to_improve": facts.little_potential_to_improve,
        "housebound": facts.housebound,
        "widespread_pain": rules.exclude_widespread_pain and facts.widespread_pain,
        "chronic_pain": rules.exclude_chronic_pain and facts.chronic_pain,
        "primary_limb_problem": facts.primary_limb_problem,
        "pregnant_over_35_weeks": facts.pregnant_over_35_weeks,
    }
    return tuple(exclusion for exclusion in EXCLUSIONS if applies[exclusion.code])


def age_on(date_of_birth: date, on_date: date) -> int:
    """Age in whole years on `on_date`. Someone born on 29 February turns a year older on
    1 March in years without one."""
    require_date(date_of_birth, "Date of birth")
    require_date(on_date, "Date")
    if date_of_birth > on_date:
        raise InvalidAnswers(
            f"Date of birth {date_of_birth:%d %B %Y} is in the future: please check it"
        )
    had_birthday = (on_date.month, on_date.day) >= (date_of_birth.month, date_of_birth.day)
    return on_date.year - date_of_birth.year - (0 if had_birthday else 1)


# --- Priority (AQP urgent criteria)


class UrgencyCriterion(NamedTuple):
    code: str
    question: str


URGENCY_CRITERIA = (
    UrgencyCriterion(
        "dependent_on_strong_analgesics",
        "Is the person dependent on strong painkillers (for example tramadol)?",
    ),
    UrgencyCriterion("severe_sleep_disturbance", "Is the person's sleep severely disturbed?"),
    UrgencyCriterion(
        "likely_to_deteriorate_quickly",
        "Is the condition likely to get worse quickly without treatment?",
    ),
    UrgencyCriterion(
        "severe_impairment_of_daily_living",
        "Is the person severely impaired in their daily living?",
    ),
    UrgencyCriterion(
        "deteriorating_neurology",
        "Is there deteriorating neurology (for example increasing weakness or numbness)?",
    ),
)


def priority(criteria: Mapping[str, bool]) -> str:
    """ "urgent" if any urgency criterion is answered yes, otherwise "standard"."""
    checked = require_yes_no_answers(criteria, dict(URGENCY_CRITERIA), "Urgency criteria")
    return "urgent" if any(checked.values()) else "standard"


# --- Recommendation from STarT Back risk (NICE NG59 1.1.2-1.1.3)


@dataclass(frozen=True)
class Recommendation:
    code: str
    text: str


def recommend(risk: str) -> Recommendation:
    """What NICE NG59 suggests for a STarT Back risk level ("low", "medium" or "high")."""
    if risk == "low":
        return Recommendation(
            "advice_and_self_management",
            "Low risk of a poor outcome: give advice and support to self-manage, including "
            "reassurance and advice to keep active (NICE NG59 recommendations 1.1.2 and "
            "1.1.3). Referral to the pathway is not usually needed.",
        )
    if risk in ("medium", "high"):
        return Recommendation(
            "refer_to_ttp",
            f"{risk.capitalize()} risk of a poor outcome: refer to a Triage and Treat "
            "Practitioner for more intensive support, such as exercise, manual therapy and a "
            "psychologically informed approach (NICE NG59 recommendations 1.1.2 and 1.1.3).",
        )
    raise InvalidAnswers(f"STarT Back risk must be low, medium or high, not {describe(risk)}")


# --- Symptom duration groups used in reports (the evaluation's groups)

# (code, label, upper bound in months, exclusive); the last group has no upper bound.
SYMPTOM_DURATION_GROUPS = (
    ("lt_3", "Less than 3 months", 3),
    ("3_to_6", "3 to less than 6 months", 6),
    ("6_to_12", "6 to less than 12 months", 12),
    ("12_plus", "12 months or more", None),
)


def duration_group(months: Any) -> str:
    """Report group code for a symptom duration in months (fractions allowed)."""
    value = require_real_number(months, "Symptom duration (months)")
    if value < 0:
        raise InvalidAnswers(f"Symptom duration cannot be negative ({months!r} months)")
    for code, _label, upper in SYMPTOM_DURATION_GROUPS:
        if upper is None or value < upper:
            return code
    raise AssertionError("unreachable: the last group is open-ended")  # pragma: no cover
