"""Outcome statistics: hand-worked examples and agreement with SciPy on random data."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from pathway.clinical import InvalidAnswers, stats

# t(0.975) with 2 degrees of freedom has the closed form 0.95 / sqrt(2 x 0.975 x 0.025).
T_975_DF2 = 0.95 / math.sqrt(0.04875)  # 4.30265272974946...


def test_paired_change_tiny_hand_worked_example():
    # changes -3, -2, -4: mean -3, SD 1; CI -3 +/- t(0.975, 2) x 1 / sqrt(3)
    result = stats.paired_change([6, 7, 8], [3, 5, 4])

    assert result.n == 3
    assert (result.baseline_mean, result.baseline_sd) == (7.0, 1.0)
    assert (result.follow_up_mean, result.follow_up_sd) == (4.0, 1.0)
    assert result.mean_change == -3.0
    assert result.ci_low == pytest.approx(-3 - T_975_DF2 / math.sqrt(3), abs=1e-12)
    assert result.ci_high == pytest.approx(-3 + T_975_DF2 / math.sqrt(3), abs=1e-12)
    assert (round(result.ci_low, 3), round(result.ci_high, 3)) == (-5.484, -0.516)
    # t = -3 / (1 / sqrt 3) = -sqrt(27); with 2 df, two-sided p = 1 - |t| / sqrt(2 + t^2)
    assert result.p_value == pytest.approx(1 - math.sqrt(27) / math.sqrt(29), abs=1e-12)


def test_paired_change_drops_pairs_with_a_missing_value():
    result = stats.paired_change([6, None, 7, 8, 5], [3, 4, 5, None, 4])

    assert result.n == 3  # (6, 3), (7, 5), (5, 4)
    assert result.mean_change == pytest.approx(-2.0)


def test_paired_change_with_one_pair_gives_means_but_no_spread():
    result = stats.paired_change([6, None], [3, 2])

    assert (result.n, result.baseline_mean, result.follow_up_mean, result.mean_change) == (
        1,
        6.0,
        3.0,
        -3.0,
    )
    assert result.baseline_sd is None
    assert result.follow_up_sd is None
    assert (result.ci_low, result.ci_high, result.p_value) == (None, None, None)


def test_paired_change_with_no_complete_pairs_is_all_none():
    result = stats.paired_change([None, 4], [3, None])

    assert result.n == 0
    assert result.mean_change is None
    assert result.baseline_mean is None
    assert result.p_value is None


def test_paired_change_with_identical_changes_has_no_p_value_rather_than_nan():
    result = stats.paired_change([5, 6, 7], [3, 4, 5])

    assert result.mean_change == -2.0
    assert (result.ci_low, result.ci_high) == (-2.0, -2.0)
    assert result.p_value is None


def test_paired_change_with_unpaired_lengths_is_invalid():
    with pytest.raises(InvalidAnswers, match="3 baseline values but 2 follow-up values"):
        stats.paired_change([1, 2, 3], [1, 2])


@pytest.mark.parametrize("bad", ["7", True, math.nan, math.inf])
def test_paired_change_with_a_value_that_is_not_a_number_is_invalid(bad):
    with pytest.raises(InvalidAnswers, match="Baseline value 2"):
        stats.paired_change([6, bad, 8], [3, 5, 4])


@pytest.mark.parametrize("seed", range(5))
def test_paired_change_matches_scipy_ttest_rel_and_a_hand_ci_on_random_data(seed):
    rng = np.random.default_rng(seed)
    baseline = rng.normal(6, 2, size=40)
    follow_up = baseline + rng.normal(-1.5, 2, size=40)
    changes = follow_up - baseline
    half_width = (
        scipy_stats.t.ppf(0.975, len(changes) - 1) * changes.std(ddof=1) / math.sqrt(len(changes))
    )

    result = stats.paired_change(list(baseline), list(follow_up))

    assert result.p_value == pytest.approx(scipy_stats.ttest_rel(follow_up, baseline).pvalue)
    assert result.mean_change == pytest.approx(changes.mean())
    assert result.ci_low == pytest.approx(changes.mean() - half_width)
    assert result.ci_high == pytest.approx(changes.mean() + half_width)
    assert result.baseline_sd == pytest.approx(baseline.std(ddof=1))


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=10)),
        min_size=2,
        max_size=60,
    )
)
def test_paired_change_agrees_with_scipy_for_any_nrs_scores(pairs):
    baseline = [b for b, _ in pairs]
    follow_up = [f for _, f in pairs]
    changes = np.array(follow_up, dtype=float) - np.array(baseline, dtype=float)

    result = stats.paired_change(baseline, follow_up)

    assert result.n == len(pairs)
    if changes.std(ddof=1) == 0:
        assert result.p_value is None
    else:
        expected = scipy_stats.ttest_rel(follow_up, baseline).pvalue
        assert result.p_value == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert result.ci_low <= result.mean_change <= result.ci_high


def test_mean_ci_hand_worked():
    result = stats.mean_ci([1, 2, 3, None])

    assert (result.n, result.mean, result.sd) == (3, 2.0, 1.0)
    assert result.ci_low == pytest.approx(2 - T_975_DF2 / math.sqrt(3), abs=1e-12)


def test_mean_ci_with_one_value_has_no_interval():
    assert stats.mean_ci([4]) == stats.MeanCI(n=1, mean=4.0, sd=None, ci_low=None, ci_high=None)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 3, 4, 5], (3.0, 2.0, 4.0)),
        ([1, 2, 3, 4], (2.5, 1.75, 3.25)),  # linear interpolation (type 7)
        ([7], (7.0, 7.0, 7.0)),
        ([4, None, 1, 3, 2, 5], (3.0, 2.0, 4.0)),
    ],
)
def test_median_iqr_hand_worked(values, expected):
    result = stats.median_iqr(values)

    assert (result.median, result.q1, result.q3) == expected


def test_median_iqr_of_nothing_is_none():
    assert stats.median_iqr([None]) == stats.MedianIQR(n=0, median=None, q1=None, q3=None)


def test_proportion_wilson_interval_matches_the_formula():
    k, n = 53, 100
    z = scipy_stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)

    result = stats.proportion(k, n)

    assert result.proportion == 0.53
    assert result.ci_low == pytest.approx(centre - half)
    assert result.ci_high == pytest.approx(centre + half)


def test_proportion_of_none_out_of_ten_has_a_lower_limit_of_zero():
    result = stats.proportion(0, 10)

    assert result.ci_low == pytest.approx(0, abs=1e-12)
    assert 0 < result.ci_high < 0.35


def test_proportion_out_of_zero_is_none():
    assert stats.proportion(0, 0).proportion is None


@pytest.mark.parametrize(("k", "n"), [(11, 10), (-1, 10), (1, -1), (True, 10), (1.0, 10)])
def test_proportion_with_impossible_counts_is_invalid(k, n):
    with pytest.raises(InvalidAnswers):
        stats.proportion(k, n)


def test_compare_means_two_groups_is_welchs_t_test():
    a, b = [5.1, 6.2, 7.3, 5.5, 6.0], [4.0, 4.4, 3.9, 5.2, 4.8, 4.1]

    result = stats.compare_means([a, b])

    assert result.test == "welch_t_test"
    assert result.p_value == pytest.approx(scipy_stats.ttest_ind(a, b, equal_var=False).pvalue)


def test_compare_means_three_groups_is_one_way_anova():
    groups = [[1, 2, 3, 4], [2, 3, 4, 5, None], [5, 6, 7, 8]]

    result = stats.compare_means(groups)

    assert result.test == "one_way_anova"
    expected = scipy_stats.f_oneway([1, 2, 3, 4], [2, 3, 4, 5], [5, 6, 7, 8])
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.statistic == pytest.approx(expected.statistic)


def test_compare_means_with_a_group_of_one_has_no_p_value():
    assert stats.compare_means([[1, 2, 3], [4]]).p_value is None


def test_compare_means_needs_two_groups():
    with pytest.raises(InvalidAnswers, match="at least two groups"):
        stats.compare_means([[1, 2, 3]])


def test_compare_proportions_hand_worked_2_by_2_with_yates_correction():
    # expected 15 in every cell; (|10 - 15| - 0.5)^2 / 15 x 4 cells = 5.4
    result = stats.compare_proportions([[10, 20], [20, 10]])

    assert result.test == "chi_square"
    assert result.statistic == pytest.approx(5.4)
    assert result.p_value == pytest.approx(scipy_stats.chi2.sf(5.4, 1))


def test_compare_proportions_matches_scipy_for_a_larger_table():
    table = [[12, 30, 8], [20, 25, 15], [5, 9, 11]]

    result = stats.compare_proportions(table)

    assert result.p_value == pytest.approx(scipy_stats.chi2_contingency(table).pvalue)


def test_compare_proportions_ignores_an_empty_category():
    assert stats.compare_proportions([[10, 20, 0], [20, 10, 0]]) == stats.compare_proportions(
        [[10, 20], [20, 10]]
    )


def test_compare_proportions_with_only_one_non_empty_row_has_no_p_value():
    assert stats.compare_proportions([[10, 20], [0, 0]]).p_value is None


@pytest.mark.parametrize("table", [[[1, 2]], [[1], [2]], [[1, 2], [3]], [[1, -2], [3, 4]]])
def test_compare_proportions_with_a_malformed_table_is_invalid(table):
    with pytest.raises(InvalidAnswers):
        stats.compare_proportions(table)
