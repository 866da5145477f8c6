"""Returner rules (clinical reference sections 1.6 and 2)."""

from datetime import date, timedelta

import pytest

from pathway.clinical import InvalidAnswers
from pathway.clinical.referral_rules import ServiceRules
from pathway.clinical.returners import PreviousEpisode, assess_return

RULES = ServiceRules()
REFERRAL = date(2026, 3, 1)


def episode(discharged_on, body_part="back", referred_on=None):
    referred_on = referred_on or (discharged_on or REFERRAL) - timedelta(days=60)
    return PreviousEpisode(
        referred_on=referred_on,
        discharged_on=discharged_on,
        body_part=body_part,
        outcome="discharged",
    )


def test_returner_no_previous_episodes_is_a_new_patient():
    result = assess_return([], REFERRAL, "back", RULES)

    assert result.is_returner is False
    assert result.last_episode is None
    assert result.days_since_discharge is None
    assert result.needs_justification is False
    assert result.has_open_episode is False


def test_returner_same_body_part_within_365_days_needs_justification():
    previous = episode(date(2025, 6, 1))

    result = assess_return([previous], REFERRAL, "back", RULES)

    assert result.is_returner is True
    assert result.last_episode == previous
    assert result.days_since_discharge == 273  # 1 June 2025 to 1 March 2026
    assert result.needs_justification is True


def test_returner_discharged_exactly_365_days_before_still_needs_justification():
    result = assess_return([episode(REFERRAL - timedelta(days=365))], REFERRAL, "back", RULES)

    assert result.needs_justification is True


def test_returner_discharged_366_days_before_needs_no_justification():
    result = assess_return([episode(REFERRAL - timedelta(days=366))], REFERRAL, "back", RULES)

    assert result.is_returner is True
    assert result.needs_justification is False


def test_returner_window_follows_the_service_rules():
    rules = ServiceRules(returner_window_days=90)

    result = assess_return([episode(REFERRAL - timedelta(days=91))], REFERRAL, "back", rules)

    assert result.needs_justification is False


def test_returner_recent_episode_for_the_other_body_part_needs_no_justification():
    result = assess_return([episode(date(2026, 2, 1), body_part="neck")], REFERRAL, "back", RULES)

    assert result.is_returner is True
    assert result.needs_justification is False
    assert result.last_same_body_part_episode is None


def test_returner_last_episode_is_the_most_recent_discharge_of_any_body_part():
    old_back = episode(date(2024, 12, 1), body_part="back")
    recent_neck = episode(date(2026, 1, 1), body_part="neck")

    result = assess_return([recent_neck, old_back], REFERRAL, "back", RULES)

    assert result.last_episode == recent_neck
    assert result.days_since_discharge == 59
    assert result.last_same_body_part_episode == old_back
    assert result.needs_justification is False  # the back episode ended 455 days before


def test_returner_open_episode_is_reported_and_is_not_a_return_on_its_own():
    result = assess_return([episode(None, referred_on=date(2026, 2, 1))], REFERRAL, "back", RULES)

    assert result.has_open_episode is True
    assert result.is_returner is False
    assert result.needs_justification is False


def test_returner_discharged_on_the_referral_day_counts_as_zero_days():
    result = assess_return([episode(REFERRAL)], REFERRAL, "back", RULES)

    assert result.days_since_discharge == 0
    assert result.needs_justification is True


def test_returner_referral_before_a_previous_discharge_is_invalid():
    with pytest.raises(InvalidAnswers, match="before an earlier episode's discharge"):
        assess_return([episode(date(2026, 3, 2))], REFERRAL, "back", RULES)


def test_returner_referral_before_a_previous_referral_is_invalid():
    with pytest.raises(InvalidAnswers, match="before an earlier episode's referral"):
        assess_return([episode(None, referred_on=date(2026, 4, 1))], REFERRAL, "back", RULES)


def test_previous_episode_discharged_before_it_was_referred_is_invalid():
    with pytest.raises(InvalidAnswers, match=r"discharged .* before it was referred"):
        episode(date(2025, 1, 1), referred_on=date(2025, 2, 1))


@pytest.mark.parametrize("body_part", ["knee", "Back", None])
def test_returner_unknown_body_part_is_invalid(body_part):
    with pytest.raises(InvalidAnswers, match="Body part must be one of back, neck"):
        assess_return([], REFERRAL, body_part, RULES)


def test_returner_referral_date_must_be_a_date():
    with pytest.raises(InvalidAnswers, match="Referral date must be a date"):
        assess_return([], "2026-03-01", "back", RULES)
