"""When a change in an outcome measure is clinically important (reference sections 1 and 4).

Two uses, kept apart because the reference gives different figures for them:
- group change (service reports): is the mean change at least the threshold the evaluation
  used? EQ-5D index 0.03, pain NRS 1 point, ODI 10 points, GAD-7 and PHQ-9 10% of the
  baseline mean;
- individual improvement (one person's baseline and follow-up): pain NRS uses its published
  individual minimal important change, 2 points or 30% of baseline, whichever is reached; the
  other measures use the same figure as for groups, as the reference gives no separate one.
EQ VAS has no threshold in the reference: 7 points is a service choice (it lies within the
range of published EQ VAS minimal important differences) and is labelled as such in reports.

Direction matters: lower is better for pain, ODI, GAD-7 and PHQ-9; higher is better for the
EQ-5D index and EQ VAS. An unchanged score is never an improvement, even where a threshold
works out as zero (a baseline of 0 on GAD-7).
"""

from dataclasses import dataclass
from typing import Any

from pathway.clinical.answers import describe, require_real_number
from pathway.clinical.errors import InvalidAnswers

# Scores are recorded to at most three decimals, so this only absorbs binary rounding, such
# as 0.73 - 0.70 coming out as 0.0299999... against a threshold of 0.03.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class MinimalImportantChange:
    measure: str
    label: str
    lower_is_better: bool
    lowest: float
    highest: float
    source: str
    # Group threshold: points, or a percentage of the baseline mean (exactly one is set).
    group_points: float | None = None
    group_percent_of_baseline: float | None = None
    # Individual threshold: improved when either figure that is set is reached.
    individual_points: float | None = None
    individual_percent_of_baseline: float | None = None


_MEASURES = (
    MinimalImportantChange(
        measure="pain_nrs",
        label="Pain (NRS 0-10)",
        lower_is_better=True,
        lowest=0,
        highest=10,
        source="Group: 1 point, the pathway evaluation's threshold. Individual: 2 points or "
        "30% of baseline (clinical reference section 4).",
        group_points=1,
        individual_points=2,
        individual_percent_of_baseline=30,
    ),
    MinimalImportantChange(
        measure="odi",
        label="Oswestry Disability Index",
        lower_is_better=True,
        lowest=0,
        highest=100,
        source="10 points, the pathway evaluation's threshold.",
        group_points=10,
        individual_points=10,
    ),
    MinimalImportantChange(
        measure="eq5d_index",
        label="EQ-5D-5L index",
        lower_is_better=False,
        # The widest range of the value sets (UK crosswalk, -0.594 to 1).
        lowest=-0.594,
        highest=1,
        source="0.03, the pathway evaluation's threshold.",
        group_points=0.03,
        individual_points=0.03,
    ),
    MinimalImportantChange(
        measure="eq_vas",
        label="EQ VAS",
        lower_is_better=False,
        lowest=0,
        highest=100,
        source="7 points: a service choice, not a figure from the evaluation.",
        group_points=7,
        individual_points=7,
    ),
    MinimalImportantChange(
        measure="gad7",
        label="GAD-7",
        lower_is_better=True,
        lowest=0,
        highest=21,
        source="10% of baseline, the pathway evaluation's threshold.",
        group_percent_of_baseline=10,
        individual_percent_of_baseline=10,
    ),
    MinimalImportantChange(
        measure="phq9",
        label="PHQ-9",
        lower_is_better=True,
        lowest=0,
        highest=27,
        source="10% of baseline, the pathway evaluation's threshold.",
        group_percent_of_baseline=10,
        individual_percent_of_baseline=10,
    ),
)
MINIMAL_IMPORTANT_CHANGE = {mic.measure: mic for mic in _MEASURES}


def passes_clinical_threshold(measure: str, mean_change: Any, baseline_mean: Any) -> bool:
    """True when a group's mean change (follow-up minus baseline) is an improvement at least
    as large as the measure's group threshold. `baseline_mean` is needed for the measures whose
    threshold is a percentage of baseline (GAD-7, PHQ-9) and may be None for the others."""
    mic = _measure(measure)
    change = require_real_number(mean_change, f"{mic.label} mean change")
    improvement = -change if mic.lower_is_better else change
    if mic.group_points is not None:
        threshold = mic.group_points
    else:
        baseline = _in_range(mic, baseline_mean, "baseline mean")
        threshold = baseline * mic.group_percent_of_baseline / 100
    return improvement > 0 and improvement >= threshold - _TOLERANCE


def improved(measure: str, baseline: Any, follow_up: Any) -> bool:
    """True when one person's follow-up score is an important improvement on their baseline."""
    mic = _measure(measure)
    before = _in_range(mic, baseline, "baseline")
    after = _in_range(mic, follow_up, "follow-up")
    improvement = before - after if mic.lower_is_better else after - before
    if improvement <= 0:
        return False
    thresholds = []
    if mic.individual_points is not None:
        thresholds.append(mic.individual_points)
    if mic.individual_percent_of_baseline is not None:
        thresholds.append(abs(before) * mic.individual_percent_of_baseline / 100)
    return any(improvement >= threshold - _TOLERANCE for threshold in thresholds)


def _measure(measure: Any) -> MinimalImportantChange:
    if not isinstance(measure, str) or measure not in MINIMAL_IMPORTANT_CHANGE:
        raise InvalidAnswers(
            f"Unknown outcome measure {describe(measure)}; choose one of "
            f"{', '.join(MINIMAL_IMPORTANT_CHANGE)}"
        )
    return MINIMAL_IMPORTANT_CHANGE[measure]


def _in_range(mic: MinimalImportantChange, value: Any, what: str) -> float:
    number = require_real_number(value, f"{mic.label} {what}")
    if not mic.lowest <= number <= mic.highest:
        raise InvalidAnswers(
            f"{mic.label} {what} must be from {mic.lowest:g} to {mic.highest:g}; "
            f"{value!r} is out of range"
        )
    return number
