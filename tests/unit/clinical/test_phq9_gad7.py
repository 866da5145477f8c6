"""PHQ-9 and GAD-7 scoring and bands (clinical reference section 4)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway.clinical import InvalidAnswers, gad7, phq9


def items_totalling(total, count):
    """`count` answers of 0-3 adding up to `total`, filled from the first item."""
    values = []
    for _ in range(count):
        value = min(3, total)
        values.append(value)
        total -= value
    assert total == 0
    return values


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (0, "none_minimal"),
        (4, "none_minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_boundaries(total, severity):
    result = phq9.score(items_totalling(total, 9))

    assert (result.total, result.severity) == (total, severity)


def test_phq9_item_9_above_not_at_all_sets_the_self_harm_flag_with_a_low_total():
    result = phq9.score([0, 0, 0, 0, 0, 0, 0, 0, 1])

    assert (result.total, result.severity, result.self_harm_flag) == (1, "none_minimal", True)


def test_phq9_high_total_without_item_9_does_not_set_the_self_harm_flag():
    result = phq9.score([3, 3, 3, 3, 3, 3, 3, 3, 0])

    assert (result.total, result.severity, result.self_harm_flag) == (24, "severe", False)


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=9, max_size=9))
def test_phq9_self_harm_flag_is_set_exactly_when_item_9_is_above_zero(items):
    result = phq9.score(items)

    assert result.self_harm_flag is (items[8] > 0)
    assert result.total == sum(items)


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_boundaries(total, severity):
    result = gad7.score(items_totalling(total, 7))

    assert (result.total, result.severity) == (total, severity)


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=7, max_size=7))
def test_gad7_total_is_the_sum_and_within_0_to_21(items):
    assert gad7.score(items).total == sum(items)


@pytest.mark.parametrize(
    ("module", "count", "name"), [(phq9, 9, "PHQ-9"), (gad7, 7, "GAD-7")], ids=["phq9", "gad7"]
)
@pytest.mark.parametrize("length_change", [-1, 1])
def test_questionnaire_with_wrong_number_of_answers_is_invalid(module, count, name, length_change):
    with pytest.raises(InvalidAnswers, match=f"{name} needs exactly {count} answers"):
        module.score([0] * (count + length_change))


@pytest.mark.parametrize(
    ("module", "count", "name"), [(phq9, 9, "PHQ-9"), (gad7, 7, "GAD-7")], ids=["phq9", "gad7"]
)
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, "is missing"),
        (4, "must be from 0 to 3; 4 is out of range"),
        (-1, "must be from 0 to 3; -1 is out of range"),
        (True, "must be a whole number from 0 to 3"),
        ("2", "must be a whole number from 0 to 3"),
        (1.5, "must be a whole number from 0 to 3"),
    ],
)
def test_questionnaire_bad_answer_is_invalid_and_names_the_item(
    module, count, name, value, problem
):
    items = [0] * count
    items[1] = value

    with pytest.raises(InvalidAnswers, match=f"{name} item 2 {problem}"):
        module.score(items)


@pytest.mark.parametrize("bad", [None, "000000000", {0: 0}, 0])
def test_phq9_answers_that_are_not_a_list_are_invalid(bad):
    with pytest.raises(InvalidAnswers, match="PHQ-9"):
        phq9.score(bad)
