"""The questionnaire windows' rule (pathway.clinical.prom_windows): plain values in and out."""

import datetime

import pytest

from pathway.clinical import prom_windows

DUE = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("before", "after"), [(0, 28), (0, 42), (14, 42), (7, 1)])
def test_window_is_the_days_before_and_after_the_due_date(before, after):
    opens, closes = prom_windows.window_around(DUE, before_days=before, after_days=after)

    assert DUE - opens == datetime.timedelta(days=before)
    assert closes - DUE == datetime.timedelta(days=after)


@pytest.mark.parametrize(
    ("closes_at", "is_first_assessment", "closes"),
    [
        # The evaluation's baseline is taken at the TTP's assessment: it stays open through it.
        ("first_treatment_session", True, False),
        ("first_treatment_session", False, True),
        ("first_assessment", True, True),
        ("first_assessment", False, True),
    ],
)
def test_which_attended_contact_closes_the_baseline(closes_at, is_first_assessment, closes):
    assert (
        prom_windows.contact_closes_baseline(
            is_first_assessment=is_first_assessment, closes_at=closes_at
        )
        is closes
    )


def test_an_unknown_baseline_closing_event_is_refused():
    with pytest.raises(ValueError, match="Unknown baseline closing event"):
        prom_windows.contact_closes_baseline(is_first_assessment=True, closes_at="discharge")


@pytest.mark.parametrize(
    ("days", "problem"),
    [
        ({"discharge": 0, "month_6": 14}, None),
        ([14], "must be a JSON object"),
        ({"month_3": 14}, "unknown time point: month_3"),
        ({"month_6": -1}, "whole number of days, 0 or more"),
        ({"month_6": 1.5}, "whole number of days"),
        ({"month_6": True}, "whole number of days"),
    ],
)
def test_window_day_settings_are_checked(days, problem):
    problems = prom_windows.window_days_problems(
        days, name="PROM_WINDOW_BEFORE_DAYS", timepoints=("discharge", "month_6", "month_12")
    )

    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]


def test_an_after_window_of_zero_days_is_refused_where_a_day_is_the_minimum():
    problems = prom_windows.window_days_problems(
        {"discharge": 0}, name="PROM_WINDOW_AFTER_DAYS", timepoints=("discharge",), minimum=1
    )

    assert problems == [
        "PROM_WINDOW_AFTER_DAYS['discharge'] must be a whole number of days, 1 or more"
    ]
