"""Oswestry Disability Index scoring and bands (clinical reference section 4)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway.clinical import InvalidAnswers, odi


def test_odi_all_ten_sections_answered_is_sum_over_fifty():
    # 1+2+3+4+5+0+1+2+3+4 = 25; 25 / 50 x 100 = 50
    assert odi.score([1, 2, 3, 4, 5, 0, 1, 2, 3, 4]) == 50.0


def test_odi_one_missing_section_divides_by_forty_five():
    # nine sections of 2 = 18; 18 / 45 x 100 = 40
    assert odi.score([2, 2, 2, 2, 2, 2, 2, 2, 2, None]) == 40.0


def test_odi_one_missing_section_gives_the_exact_unrounded_percentage():
    # 20 / 45 x 100 = 44.444...: not rounded to 44.4
    result = odi.score([5, 5, 5, 5, 0, 0, None, 0, 0, 0])

    assert result == pytest.approx(400 / 9, rel=1e-12)
    assert result != 44.4


def test_odi_all_zero_is_zero_and_all_five_is_one_hundred():
    assert odi.score([0] * 10) == 0.0
    assert odi.score([5] * 10) == 100.0


def test_odi_two_missing_sections_is_invalid_and_names_them():
    with pytest.raises(InvalidAnswers, match="ODI sections 2, 7 are missing"):
        odi.score([1, None, 1, 1, 1, 1, None, 1, 1, 1])


@given(st.lists(st.integers(min_value=0, max_value=5), min_size=10, max_size=10))
def test_odi_all_answered_equals_raw_sum_times_two(sections):
    assert odi.score(sections) == pytest.approx(sum(sections) * 2, abs=1e-9)


@given(
    st.lists(st.integers(min_value=0, max_value=5), min_size=10, max_size=10),
    st.none() | st.integers(min_value=0, max_value=9),
)
def test_odi_is_always_between_0_and_100(sections, missing):
    if missing is not None:
        sections[missing] = None

    assert 0 <= odi.score(sections) <= 100


@pytest.mark.parametrize(
    "bad",
    [[], [1] * 9, [1] * 11, None, "1111111111", {1: 1}, 5],
    ids=["empty", "nine", "eleven", "none", "text", "mapping", "number"],
)
def test_odi_wrong_shape_is_invalid(bad):
    with pytest.raises(InvalidAnswers, match="ODI"):
        odi.score(bad)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (6, "ODI section 4 must be from 0 to 5; 6 is out of range"),
        (-1, "ODI section 4 must be from 0 to 5; -1 is out of range"),
        (True, "ODI section 4 must be a whole number from 0 to 5, not the yes/no value True"),
        ("3", "ODI section 4 must be a whole number from 0 to 5, not the text '3'"),
        (2.5, "ODI section 4 must be a whole number from 0 to 5, not 2.5"),
    ],
)
def test_odi_section_out_of_range_or_wrong_type_is_invalid(value, message):
    sections = [1] * 10
    sections[3] = value

    with pytest.raises(InvalidAnswers) as error:
        odi.score(sections)

    assert str(error.value) == message


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        (0, "minimal"),
        (20, "minimal"),
        (20.5, "moderate"),
        (21, "moderate"),
        (40, "moderate"),
        (40.1, "severe"),
        (60, "severe"),
        (61, "crippled"),
        (80, "crippled"),
        (80.5, "bed_bound"),
        (100, "bed_bound"),
    ],
)
def test_odi_band_boundaries(percent, expected):
    assert odi.band(percent) == expected


def test_odi_band_of_a_score_with_one_missing_section_uses_the_unrounded_value():
    # 9/45 x 100 = 20.0 exactly; 10/45 x 100 = 22.2...
    assert odi.band(odi.score([1] * 9 + [None])) == "minimal"
    assert odi.band(odi.score([2, 1, 1, 1, 1, 1, 1, 1, 1, None])) == "moderate"


@pytest.mark.parametrize("percent", [-0.1, 100.1, None, "20", True, math.nan, math.inf])
def test_odi_band_outside_0_to_100_or_not_a_number_is_invalid(percent):
    with pytest.raises(InvalidAnswers, match="ODI score"):
        odi.band(percent)
