"""Clinical importance of change (clinical reference sections 1 and 4)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway.clinical import InvalidAnswers
from pathway.clinical.stats import MINIMAL_IMPORTANT_CHANGE, improved, passes_clinical_threshold


def test_thresholds_exist_for_every_reported_measure():
    assert set(MINIMAL_IMPORTANT_CHANGE) == {
        "pain_nrs",
        "odi",
        "eq5d_index",
        "eq_vas",
        "gad7",
        "phq9",
    }


def test_thresholds_nrs_exposes_both_the_group_and_the_individual_figures():
    nrs = MINIMAL_IMPORTANT_CHANGE["pain_nrs"]

    assert nrs.group_points == 1
    assert (nrs.individual_points, nrs.individual_percent_of_baseline) == (2, 30)


def test_thresholds_eq_vas_is_labelled_a_service_choice():
    assert "service choice" in MINIMAL_IMPORTANT_CHANGE["eq_vas"].source


@pytest.mark.parametrize(
    ("measure", "mean_change", "baseline_mean", "passes"),
    [
        # The evaluation's headline changes all pass
        ("pain_nrs", -2.6, 6.5, True),
        ("odi", -16, 38, True),
        ("eq5d_index", 0.22, 0.45, True),
        ("eq_vas", 14, 55, True),
        ("gad7", -2.8, 8.0, True),  # threshold 0.8
        ("phq9", -3.5, 10.0, True),  # threshold 1.0
        # Exactly at the threshold passes
        ("pain_nrs", -1.0, None, True),
        ("odi", -10, None, True),
        ("eq_vas", 7, None, True),
        ("eq5d_index", 0.73 - 0.70, None, True),  # 0.0299999... in binary
        ("phq9", -1.0, 10.0, True),
        # Smaller than the threshold fails
        ("pain_nrs", -0.9, None, False),
        ("odi", -9.9, None, False),
        ("eq5d_index", 0.029, None, False),
        ("eq_vas", 6.9, None, False),
        ("gad7", -0.7, 8.0, False),
        # The wrong direction fails however large
        ("pain_nrs", 3.0, None, False),
        ("odi", 20, None, False),
        ("eq5d_index", -0.2, None, False),
        ("gad7", 5.0, 8.0, False),
        # No change is never an improvement, even with a threshold of zero
        ("gad7", 0.0, 0.0, False),
    ],
)
def test_passes_clinical_threshold_respects_size_and_direction(
    measure, mean_change, baseline_mean, passes
):
    assert passes_clinical_threshold(measure, mean_change, baseline_mean) is passes


def test_passes_clinical_threshold_needs_a_baseline_for_percentage_thresholds():
    with pytest.raises(InvalidAnswers, match="GAD-7 baseline mean is missing"):
        passes_clinical_threshold("gad7", -2.0, None)


@pytest.mark.parametrize(
    ("measure", "baseline", "follow_up", "result"),
    [
        ("pain_nrs", 7, 5, True),  # 2 points
        ("pain_nrs", 7, 6, False),  # 1 point, 14%
        ("pain_nrs", 3, 2, True),  # 1 point but 33%
        ("pain_nrs", 10, 8, True),
        ("pain_nrs", 5, 5, False),
        ("pain_nrs", 4, 6, False),
        ("odi", 40, 30, True),
        ("odi", 40, 31, False),
        ("eq5d_index", 0.5, 0.53, True),
        ("eq5d_index", 0.5, 0.52, False),
        ("eq_vas", 50, 57, True),
        ("eq_vas", 50, 56, False),
        ("gad7", 10, 9, True),  # 10% of 10
        ("gad7", 0, 0, False),
        ("phq9", 20, 19, False),  # 5%
        ("phq9", 20, 18, True),
    ],
)
def test_improved_for_one_person(measure, baseline, follow_up, result):
    assert improved(measure, baseline, follow_up) is result


@given(
    st.sampled_from(sorted(MINIMAL_IMPORTANT_CHANGE)),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
)
def test_improved_is_never_true_when_the_score_got_worse_or_stayed_the_same(measure, a, b):
    mic = MINIMAL_IMPORTANT_CHANGE[measure]
    low, high = sorted((a, b))
    span = mic.highest - mic.lowest
    better, worse = (low, high) if mic.lower_is_better else (high, low)
    baseline = mic.lowest + better * span
    follow_up = mic.lowest + worse * span

    assert improved(measure, baseline, follow_up) is False


@pytest.mark.parametrize(
    ("measure", "baseline", "follow_up", "message"),
    [
        ("pain_nrs", 11, 5, "Pain \\(NRS 0-10\\) baseline must be from 0 to 10"),
        ("phq9", 10, 28, "PHQ-9 follow-up must be from 0 to 27"),
        ("eq5d_index", -0.7, 0.5, "EQ-5D-5L index baseline must be from -0.594 to 1"),
        ("odi", None, 30, "Oswestry Disability Index baseline is missing"),
        ("eq_vas", "50", 60, "EQ VAS baseline must be a number"),
        ("nrs", 5, 3, "Unknown outcome measure"),
    ],
)
def test_improved_with_impossible_scores_is_invalid(measure, baseline, follow_up, message):
    with pytest.raises(InvalidAnswers, match=message):
        improved(measure, baseline, follow_up)


def test_passes_clinical_threshold_unknown_measure_is_invalid():
    with pytest.raises(InvalidAnswers, match="Unknown outcome measure"):
        passes_clinical_threshold("eq5d", 0.1, 0.5)
