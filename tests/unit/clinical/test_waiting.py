"""Waiting-time clock and DNA policy (clinical reference section 7)."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway.clinical import InvalidAnswers
from pathway.clinical.did_not_attend import propose_discharge
from pathway.clinical.referral_rules import ServiceRules
from pathway.clinical.waiting import (
    add_working_days,
    breach,
    clock_start,
    referral_to_treatment_deadline,
    target_date,
    working_days_between,
)

RULES = ServiceRules()
# England and Wales, Easter 2026: Good Friday 3 April and Easter Monday 6 April.
EASTER_2026 = {date(2026, 4, 3), date(2026, 4, 6)}
MAUNDY_THURSDAY = date(2026, 4, 2)


def test_working_days_across_the_easter_2026_bank_holiday_weekend():
    # Fri 3 (holiday), Sat, Sun, Mon 6 (holiday), then Tue 7, Wed 8, Thu 9: three working days
    assert working_days_between(MAUNDY_THURSDAY, date(2026, 4, 9), EASTER_2026) == 3


def test_working_days_without_the_holidays_counts_every_weekday():
    assert working_days_between(MAUNDY_THURSDAY, date(2026, 4, 9), set()) == 5


def test_working_days_the_start_day_is_not_counted_and_the_end_day_is():
    friday, monday = date(2026, 4, 10), date(2026, 4, 13)

    assert working_days_between(friday, monday, set()) == 1


@pytest.mark.parametrize("end", [date(2026, 4, 2), date(2026, 3, 1)])
def test_working_days_is_zero_when_the_end_is_not_after_the_start(end):
    assert working_days_between(MAUNDY_THURSDAY, end, EASTER_2026) == 0


def test_easter_2026_holidays_agree_with_the_holidays_package():
    holidays = pytest.importorskip("holidays")
    england = holidays.country_holidays("GB", subdiv="ENG", years=2026)

    assert set(england) >= EASTER_2026


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
    st.integers(min_value=-10, max_value=400),
    st.sets(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 1, 1)), max_size=20),
)
def test_working_days_matches_a_day_by_day_count(start, span, holidays):
    end = start + timedelta(days=span)
    expected = sum(
        1
        for offset in range(1, span + 1)
        if (start + timedelta(days=offset)).weekday() < 5
        and start + timedelta(days=offset) not in holidays
    )

    assert working_days_between(start, end, holidays) == expected


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
    st.integers(min_value=0, max_value=30),
    st.sets(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 1, 1)), max_size=20),
)
def test_add_working_days_lands_on_a_working_day_that_many_working_days_later(
    start, days, holidays
):
    end = add_working_days(start, days, holidays)

    assert working_days_between(start, end, holidays) == days
    if days:
        assert end.weekday() < 5
        assert end not in holidays


def test_urgent_target_is_five_working_days_after_the_clock_starts_skipping_easter():
    # Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 April
    target = target_date(MAUNDY_THURSDAY, "urgent", rules=RULES, bank_holidays=EASTER_2026)

    assert target == date(2026, 4, 13)


def test_standard_target_is_fourteen_calendar_days_whatever_the_holidays():
    target = target_date(MAUNDY_THURSDAY, "standard", rules=RULES, bank_holidays=EASTER_2026)

    assert target == date(2026, 4, 16)


@pytest.mark.parametrize(
    ("priority", "seen_on", "breached"),
    [
        ("urgent", date(2026, 4, 13), False),
        ("urgent", date(2026, 4, 14), True),
        ("standard", date(2026, 4, 16), False),
        ("standard", date(2026, 4, 17), True),
    ],
)
def test_breach_is_being_seen_after_the_target_date(priority, seen_on, breached):
    result = breach(MAUNDY_THURSDAY, priority, seen_on, rules=RULES, bank_holidays=EASTER_2026)

    assert result is breached


def test_targets_follow_the_service_rules():
    rules = ServiceRules(urgent_target_working_days=2, standard_target_days=7)

    assert target_date(MAUNDY_THURSDAY, "urgent", rules=rules, bank_holidays=EASTER_2026) == date(
        2026, 4, 8
    )
    assert target_date(MAUNDY_THURSDAY, "standard", rules=rules, bank_holidays=set()) == date(
        2026, 4, 9
    )


@pytest.mark.parametrize("priority", ["routine", "", None, "URGENT"])
def test_target_with_unknown_priority_is_invalid(priority):
    with pytest.raises(InvalidAnswers, match="Priority must be urgent or standard"):
        target_date(MAUNDY_THURSDAY, priority, rules=RULES, bank_holidays=set())


def test_referral_to_treatment_deadline_is_eighteen_weeks():
    assert referral_to_treatment_deadline(MAUNDY_THURSDAY, RULES) == date(2026, 8, 6)


def test_clock_starts_at_referral_when_there_is_no_dna():
    assert clock_start(date(2026, 3, 1), []) == date(2026, 3, 1)


def test_clock_restarts_at_the_latest_first_appointment_dna():
    dnas = (day for day in [date(2026, 3, 20), date(2026, 3, 10)])

    assert clock_start(date(2026, 3, 1), dnas) == date(2026, 3, 20)


def test_clock_with_a_dna_before_the_referral_is_invalid():
    with pytest.raises(InvalidAnswers, match=r"did-not-attend date .* is before the referral"):
        clock_start(date(2026, 3, 1), [date(2026, 2, 28)])


@pytest.mark.parametrize(
    "call",
    [
        lambda: working_days_between("2026-04-02", date(2026, 4, 9), set()),
        lambda: working_days_between(datetime(2026, 4, 2, 9), date(2026, 4, 9), set()),
        lambda: working_days_between(MAUNDY_THURSDAY, date(2026, 4, 9), {"2026-04-03"}),
        lambda: working_days_between(MAUNDY_THURSDAY, date(2026, 4, 9), "2026-04-03"),
        lambda: clock_start(None, []),
        lambda: clock_start(date(2026, 3, 1), [None]),
    ],
)
def test_waiting_clock_refuses_things_that_are_not_dates(call):
    with pytest.raises(InvalidAnswers):
        call()


@pytest.mark.parametrize(
    ("first", "after_treatment", "rules", "proposed"),
    [
        (1, 0, RULES, False),
        (2, 0, RULES, True),
        (0, 1, RULES, True),
        (2, 0, ServiceRules(dna_discharge_after=3), False),
    ],
)
def test_dna_discharge_is_proposed_on_the_second_first_appointment_dna_or_after_treatment(
    first, after_treatment, rules, proposed
):
    result = propose_discharge(
        first_appointment_dnas=first, dnas_after_treatment_started=after_treatment, rules=rules
    )

    assert result is proposed


def test_dna_count_must_be_a_whole_number():
    with pytest.raises(InvalidAnswers, match="First-appointment DNAs"):
        propose_discharge(first_appointment_dnas=-1, dnas_after_treatment_started=0, rules=RULES)
