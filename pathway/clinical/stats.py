"""Outcome statistics for service reports (clinical reference sections 1 and 4).

Distributions and tests come from SciPy; nothing is approximated by hand. Missing values
(None) are left out. Wherever a figure is undefined (too few people, no spread), the result
holds None rather than NaN or an exception, so a report can print "not enough data".
Thresholds for clinical importance live in clinical_thresholds.py.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
from scipy import stats as scipy_stats

from pathway.clinical.answers import describe, require_real_number
from pathway.clinical.clinical_thresholds import (
    MINIMAL_IMPORTANT_CHANGE,
    MinimalImportantChange,
    improved,
    passes_clinical_threshold,
)
from pathway.clinical.errors import InvalidAnswers

__all__ = [
    "MINIMAL_IMPORTANT_CHANGE",
    "GroupComparison",
    "MeanCI",
    "MedianIQR",
    "MinimalImportantChange",
    "PairedChange",
    "Proportion",
    "compare_means",
    "compare_proportions",
    "improved",
    "mean_ci",
    "median_iqr",
    "paired_change",
    "passes_clinical_threshold",
    "proportion",
]

CONFIDENCE = 0.95


@dataclass(frozen=True)
class PairedChange:
    n: int
    baseline_mean: float | None
    baseline_sd: float | None
    follow_up_mean: float | None
    follow_up_sd: float | None
    mean_change: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None


@dataclass(frozen=True)
class MeanCI:
    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class MedianIQR:
    n: int
    median: float | None
    q1: float | None
    q3: float | None


@dataclass(frozen=True)
class Proportion:
    k: int
    n: int
    proportion: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class GroupComparison:
    test: str
    statistic: float | None
    p_value: float | None


def paired_change(baseline: Sequence[Any], follow_up: Sequence[Any]) -> PairedChange:
    """Mean change from baseline to follow-up with a 95% t-based CI and paired t-test p value.

    Pairs where either value is None are dropped (the reports' complete-case analysis).
    """
    before = _values(baseline, "Baseline", keep_none=True)
    after = _values(follow_up, "Follow-up", keep_none=True)
    if len(before) != len(after):
        raise InvalidAnswers(
            f"Baseline and follow-up must be paired: {len(before)} baseline values but "
            f"{len(after)} follow-up values"
        )
    pairs = [(b, a) for b, a in zip(before, after, strict=True) if b is not None and a is not None]
    base = np.array([b for b, _ in pairs], dtype=float)
    follow = np.array([a for _, a in pairs], dtype=float)
    change = mean_ci(list(follow - base))
    return PairedChange(
        n=len(pairs),
        baseline_mean=_mean(base),
        baseline_sd=_sd(base),
        follow_up_mean=_mean(follow),
        follow_up_sd=_sd(follow),
        mean_change=change.mean,
        ci_low=change.ci_low,
        ci_high=change.ci_high,
        p_value=_paired_p_value(base, follow, change.sd),
    )


def mean_ci(values: Iterable[Any]) -> MeanCI:
    """Mean, SD (n-1) and 95% CI from the t distribution with n-1 degrees of freedom."""
    data = np.array(_values(values, "Values"), dtype=float)
    n = len(data)
    mean, sd = _mean(data), _sd(data)
    if sd is None:
        return MeanCI(n=n, mean=mean, sd=None, ci_low=None, ci_high=None)
    half_width = float(scipy_stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * sd / math.sqrt(n)
    return MeanCI(n=n, mean=mean, sd=sd, ci_low=mean - half_width, ci_high=mean + half_width)


def median_iqr(values: Iterable[Any]) -> MedianIQR:
    """Median and quartiles by linear interpolation (numpy's default, R's type 7)."""
    data = np.array(_values(values, "Values"), dtype=float)
    if len(data) == 0:
        return MedianIQR(n=0, median=None, q1=None, q3=None)
    q1, median, q3 = (float(q) for q in np.percentile(data, [25, 50, 75]))
    return MedianIQR(n=len(data), median=median, q1=q1, q3=q3)


def proportion(k: Any, n: Any) -> Proportion:
    """k out of n with a 95% Wilson score interval (good for small n and extreme proportions)."""
    for name, value in (("Count", k), ("Total", n)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
            raise InvalidAnswers(f"{name} must be a whole number of people, not {describe(value)}")
    if k > n:
        raise InvalidAnswers(f"Count ({k}) cannot be more than the total ({n})")
    if n == 0:
        return Proportion(k=0, n=0, proportion=None, ci_low=None, ci_high=None)
    k, n = int(k), int(n)
    low, high = _wilson_interval(k, n)
    return Proportion(k=k, n=n, proportion=k / n, ci_low=low, ci_high=high)


# The normal quantile of the two-sided interval, worked out once.
_WILSON_Z = float(scipy_stats.norm.ppf(0.5 + 0.5 * CONFIDENCE))


def _wilson_interval(k, n):
    """The Wilson score interval without continuity correction, in closed form: the formula
    SciPy's binomtest(k, n).proportion_ci(method="wilson") applies (tests compare the two).
    binomtest itself first works out an exact p-value that the interval does not use, which
    cost a report with dozens of proportions tens of milliseconds."""
    z = _WILSON_Z
    p = k / n
    denominator = 2 * (n + z * z)
    centre = (2 * n * p + z * z) / denominator
    half_width = z * math.sqrt(z * z + 4 * n * p * (1 - p)) / denominator
    return centre - half_width, centre + half_width


def compare_means(groups: Sequence[Iterable[Any]]) -> GroupComparison:
    """Welch's t-test for two groups (no equal-variance assumption), one-way ANOVA for more.

    p_value is None when any group has fewer than two values or the test is undefined.
    """
    samples = [
        np.array(_values(group, f"Group {number}"), dtype=float)
        for number, group in enumerate(_group_list(groups), 1)
    ]
    if len(samples) < 2:
        raise InvalidAnswers("Comparing means needs at least two groups")
    test = "welch_t_test" if len(samples) == 2 else "one_way_anova"
    if any(len(sample) < 2 for sample in samples):
        return GroupComparison(test=test, statistic=None, p_value=None)
    if test == "welch_t_test":
        result = scipy_stats.ttest_ind(samples[0], samples[1], equal_var=False)
    else:
        result = scipy_stats.f_oneway(*samples)
    return GroupComparison(
        test=test, statistic=_finite(result.statistic), p_value=_finite(result.pvalue)
    )


def compare_proportions(table: Sequence[Sequence[Any]]) -> GroupComparison:
    """Chi-square test of independence on a table of counts (rows = groups, columns =
    categories), via scipy.stats.chi2_contingency with its defaults, which apply Yates'
    continuity correction to 2 x 2 tables (as R's chisq.test does).

    Rows or columns that are all zero are left out (a category nobody is in tells nothing);
    p_value is None if fewer than two rows or columns remain.
    """
    rows = [
        [_count(value, f"Row {r} column {c}") for c, value in enumerate(_group_list(row), 1)]
        for r, row in enumerate(_group_list(table), 1)
    ]
    if len(rows) < 2 or len({len(row) for row in rows}) != 1 or len(rows[0]) < 2:
        raise InvalidAnswers("Comparing proportions needs at least a 2 x 2 table of counts")
    counts = np.array(rows, dtype=float)
    counts = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return GroupComparison(test="chi_square", statistic=None, p_value=None)
    result = scipy_stats.chi2_contingency(counts)
    return GroupComparison(
        test="chi_square", statistic=_finite(result.statistic), p_value=_finite(result.pvalue)
    )


def _values(values: Any, name: str, keep_none: bool = False) -> list[float | None]:
    items = _group_list(values, name)
    result: list[float | None] = []
    for position, value in enumerate(items, 1):
        if value is None:
            if keep_none:
                result.append(None)
            continue
        result.append(require_real_number(value, f"{name} value {position}"))
    return result


def _group_list(values: Any, name: str = "Values") -> list:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidAnswers(f"{name} must be a list, not {describe(values)}")
    return list(values)


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise InvalidAnswers(f"{name} must be a count of people, not {describe(value)}")
    return int(value)


def _mean(data: np.ndarray) -> float | None:
    return float(np.mean(data)) if len(data) else None


def _sd(data: np.ndarray) -> float | None:
    return float(np.std(data, ddof=1)) if len(data) >= 2 else None


def _paired_p_value(base: np.ndarray, follow: np.ndarray, change_sd: float | None) -> float | None:
    # With no spread in the changes the t statistic is undefined (SciPy returns NaN).
    if change_sd is None or change_sd == 0:
        return None
    return _finite(scipy_stats.ttest_rel(follow, base).pvalue)


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None
