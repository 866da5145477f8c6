"""Returner rules (clinical reference sections 1.6 and 2)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway.clinical import InvalidAnswers
from pathway.clinical.referral_rules import ServiceRules, age_on
from pathway.clinical.returners import PreviousEpisode, assess_return, returner_window_ends

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


def test_returner_same_body_part_within_12_months_needs_justification():
    previous = episode(date(2025, 6, 1))

    result = assess_return([previous], REFERRAL, "back", RULES)

    assert result.is_returner is True
    assert result.last_episode == previous
    assert result.days_since_discharge == 273  # 1 June 2025 to 1 March 2026
    assert result.needs_justification is True


def test_returner_discharged_on_the_anniversary_still_needs_justification():
    # 1 March 2025 to 1 March 2026: the anniversary itself is within 12 months.
    result = assess_return([episode(date(2025, 3, 1))], REFERRAL, "back", RULES)

    assert result.needs_justification is True


def test_returner_referred_the_day_after_the_anniversary_needs_no_justification():
    # 28 February 2025 to 1 March 2026: the anniversary was the day before.
    result = assess_return([episode(date(2025, 2, 28))], REFERRAL, "back", RULES)

    assert result.is_returner is True
    assert result.needs_justification is False


# (discharged, referred, needs a justification): 12 calendar months, the anniversary within, a
# leap year never shortening the window; 29 February's anniversary is 1 March, as a birthday's.
CALENDAR_WINDOW = [
    (date(2024, 2, 29), date(2025, 2, 28), True),
    (date(2024, 2, 29), date(2025, 3, 1), True),  # the anniversary of 29 February 2024
    (date(2024, 2, 29), date(2025, 3, 2), False),
    (date(2023, 3, 1), date(2024, 2, 29), True),
    (date(2023, 3, 1), date(2024, 3, 1), True),  # 366 days: the leap day does not shorten it
    (date(2023, 3, 1), date(2024, 3, 2), False),
    (date(2024, 1, 10), date(2025, 1, 10), True),  # 366 days, across 29 February 2024
    (date(2024, 1, 10), date(2025, 1, 11), False),
    (date(2025, 1, 10), date(2026, 1, 10), True),  # 365 days
    (date(2025, 1, 10), date(2026, 1, 11), False),
    (date(2023, 2, 28), date(2024, 2, 28), True),
    (date(2023, 2, 28), date(2024, 2, 29), False),
    (date(2024, 2, 28), date(2025, 2, 28), True),
    (date(2024, 2, 28), date(2025, 3, 1), False),
    (date(2025, 12, 31), date(2026, 12, 31), True),
    (date(2025, 12, 31), date(2027, 1, 1), False),
    (date(2026, 3, 1), date(2026, 3, 1), True),  # discharged the same day
]


@pytest.mark.parametrize(("discharged", "referred", "needs"), CALENDAR_WINDOW)
def test_returner_window_counts_calendar_months_with_the_anniversary_inside(
    discharged, referred, needs
):
    result = assess_return([episode(discharged, referred_on=discharged)], referred, "back", RULES)

    assert result.needs_justification is needs


@pytest.mark.parametrize(
    ("discharged", "months", "ends"),
    [
        (date(2024, 2, 29), 12, date(2025, 3, 1)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2023, 3, 1), 12, date(2024, 3, 1)),
        (date(2025, 8, 31), 6, date(2026, 3, 1)),  # no 31 February: the day after the 28th
        (date(2025, 1, 31), 1, date(2025, 3, 1)),
        (date(2025, 3, 31), 1, date(2025, 5, 1)),  # no 31 April
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2025, 12, 31), 12, date(2026, 12, 31)),
    ],
)
def test_returner_window_ends_golden(discharged, months, ends):
    assert returner_window_ends(discharged, months) == ends


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_returner_twelve_month_window_ends_when_a_birthday_would_fall(discharged):
    # The window ends on the first day a person born on the discharge date is a year older
    # (age_on), so it is 365 or 366 days: never shortened by a leap year.
    ends = returner_window_ends(discharged, 12)

    assert age_on(discharged, ends) == 1
    assert age_on(discharged, ends - timedelta(days=1)) == 0
    assert 365 <= (ends - discharged).days <= 366


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.integers(min_value=1, max_value=120),
    st.integers(min_value=0, max_value=4000),
)
def test_returner_window_is_inclusive_and_follows_the_rule_for_any_window(discharged, months, gap):
    referred = discharged + timedelta(days=gap)
    rules = ServiceRules(returner_window_months=months)

    result = assess_return([episode(discharged, referred_on=discharged)], referred, "back", rules)

    ends = returner_window_ends(discharged, months)
    assert result.needs_justification is (referred <= ends)
    # The same day of the month, or the 1st after a month too short to have it; and a longer
    # window never ends sooner.
    assert ends.day == discharged.day or (ends.day == 1 and discharged.day > 28)
    assert discharged < ends < returner_window_ends(discharged, months + 1)


def test_returner_window_follows_the_service_rules():
    rules = ServiceRules(returner_window_months=3)

    # 28 November 2025 + 3 months is 28 February 2026; 29 November has no 29 February 2026,
    # so its window runs to 1 March.
    outside = assess_return([episode(date(2025, 11, 28))], REFERRAL, "back", rules)
    inside = assess_return([episode(date(2025, 11, 29))], REFERRAL, "back", rules)

    assert outside.needs_justification is False
    assert inside.needs_justification is True


@pytest.mark.parametrize("months", [0, -1, True, 1.5, "12"])
def test_returner_window_of_no_whole_months_is_invalid(months):
    with pytest.raises(InvalidAnswers, match="at least one month"):
        returner_window_ends(date(2026, 1, 1), months)


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


def test_returner_open_episode_for_the_same_body_part_is_reported_and_is_not_a_return():
    still_open = episode(None, referred_on=date(2026, 2, 1))

    result = assess_return([still_open], REFERRAL, "back", RULES)

    assert result.open_same_body_part_episode == still_open
    assert result.open_other_body_part_episodes == ()
    assert result.has_open_episode is True
    assert result.is_returner is False
    assert result.needs_justification is False


def test_returner_open_episode_for_the_other_body_part_does_not_bar_the_referral():
    neck = episode(None, body_part="neck", referred_on=date(2026, 2, 1))

    result = assess_return([neck], REFERRAL, "back", RULES)

    assert result.open_same_body_part_episode is None
    assert result.open_other_body_part_episodes == (neck,)
    assert result.is_returner is False


def test_returner_open_episodes_are_told_apart_by_body_part():
    open_back = episode(None, body_part="back", referred_on=date(2026, 1, 5))
    older_neck = episode(None, body_part="neck", referred_on=date(2025, 6, 1))
    newer_neck = episode(None, body_part="neck", referred_on=date(2026, 2, 1))

    for_neck = assess_return([older_neck, open_back, newer_neck], REFERRAL, "neck", RULES)
    for_back = assess_return([older_neck, open_back, newer_neck], REFERRAL, "back", RULES)

    assert for_neck.open_same_body_part_episode == newer_neck
    assert for_neck.open_other_body_part_episodes == (open_back,)
    assert for_back.open_same_body_part_episode == open_back
    assert for_back.open_other_body_part_episodes == (newer_neck, older_neck)


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
