"""The outcomes report's inputs as plain values: each episode's facts, the measures reported,
and every questionnaire score indexed by episode and time point. No database access here
(pathway.reports.outcome_queries loads the rows).

Groups follow the North of England pathway evaluation:
- discharge category (its Table 1): *did not attend* is an episode discharged for not
  attending; *care in the pathway* one triaged to core therapy or the CPPP (and not discharged
  for not attending); *same-day discharge* one triaged to same-day discharge. Onward referrals,
  discharges by patient choice and people not yet triaged are in none of the three.
- change from baseline (its Tables 3-5 and 11) covers care in the pathway, complete cases:
  people with both time points.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from pathway.clinical.referral_rules import SYMPTOM_DURATION_GROUPS
from pathway.clinical.startback import RISK_LEVELS
from pathway.clinical.stats import MINIMAL_IMPORTANT_CHANGE

CATEGORIES = (
    ("care", "Care in the pathway"),
    ("same_day", "Same-day discharge"),
    ("dna", "Did not attend"),
)
TIMEPOINTS = (
    ("baseline", "Baseline"),
    ("discharge", "Discharge"),
    ("month_6", "6 months"),
    ("month_12", "12 months"),
)
FOLLOW_UPS = TIMEPOINTS[1:]
TIMEPOINT_LABELS = dict(TIMEPOINTS)
PATHWAYS = (("core_therapy", "Core therapy"), ("cppp", "CPPP"))
TRIAGE_DECISIONS = (
    ("same_day_discharge", "Same-day discharge"),
    ("core_therapy", "Core therapy"),
    ("cppp", "CPPP"),
    ("onward_referral", "Onward referral"),
)
RISKS = tuple((code, code.capitalize()) for code in RISK_LEVELS)
DURATIONS = tuple((code, label) for code, label, _upper in SYMPTOM_DURATION_GROUPS)
TEST_NAMES = {
    "one_way_anova": "One-way ANOVA",
    "welch_t_test": "Welch t-test",
    "chi_square": "Chi-square",
}


@dataclass(frozen=True)
class EpisodeFacts:
    id: int
    age: int | None
    sex: str
    startback_total: int | None
    startback_risk: str
    # The TTP's assessment of symptom duration if triaged, else the GP's (a group code).
    symptom_duration: str
    triage: str  # a triage decision code, "" before triage
    discharged: bool
    discharge_reason: str
    returned: bool  # a later returner episode points back at this one
    # Which door the referral came through (referrals.models.ReferralSource): GP form, GP
    # system or self-referral.
    source: str = "gp_form"

    @property
    def category(self):
        if self.discharge_reason == "did_not_attend":
            return "dna"
        if self.triage in ("core_therapy", "cppp"):
            return "care"
        if self.triage == "same_day_discharge":
            return "same_day"
        return None


@dataclass(frozen=True)
class Measure:
    code: str  # a key of MINIMAL_IMPORTANT_CHANGE
    label: str
    instrument: str
    decimals: int
    lowest: float
    highest: float

    @property
    def threshold(self):
        mic = MINIMAL_IMPORTANT_CHANGE[self.code]
        if mic.group_percent_of_baseline is not None:
            return f"{mic.group_percent_of_baseline:g}% of baseline mean"
        points = mic.group_points
        if points < 1:  # an index: no unit
            return f"{points:g}"
        text = f"{points:g} point{'' if points == 1 else 's'}"
        return text + (" (service choice)" if self.code == "eq_vas" else "")


def outcome_measures(value_set):
    """The six measures, the EQ-5D index on the reporting value set (an eq5d.ValueSet)."""

    def measure(code, label, instrument, decimals):
        mic = MINIMAL_IMPORTANT_CHANGE[code]
        return Measure(code, label, instrument, decimals, mic.lowest, mic.highest)

    eq5d_label = f"EQ-5D-5L index ({value_set.label})"
    return (
        measure("pain_nrs", "Pain NRS (0-10)", "pain_nrs", 1),
        measure("odi", "ODI (0-100)", "odi", 1),
        Measure("eq5d_index", eq5d_label, "eq5d5l", 3, value_set.published_min, 1),
        measure("eq_vas", "EQ VAS (0-100)", "eq5d5l", 1),
        measure("gad7", "GAD-7 (0-21)", "gad7", 1),
        measure("phq9", "PHQ-9 (0-27)", "phq9", 1),
    )


@dataclass
class Responses:
    """Scores by (episode id, time point): measure values and GSOS / FFT answers."""

    values: dict = field(default_factory=dict)
    answers: dict = field(default_factory=dict)

    def value(self, episode_id, timepoint, measure_code):
        return self.values.get((episode_id, timepoint), {}).get(measure_code)

    def answer(self, episode_id, timepoint, instrument):
        return self.answers.get((episode_id, timepoint), {}).get(instrument)


def index_responses(rows, measures, value_set_code):
    """rows: dicts of episode_id, timepoint, instrument, score, scores (as values() gives)."""
    by_instrument = defaultdict(list)
    for measure in measures:
        by_instrument[measure.instrument].append(measure)
    responses = Responses()
    for row in rows:
        key = (row["episode_id"], row["timepoint"])
        scores = row["scores"] or {}
        for measure in by_instrument.get(row["instrument"], ()):
            if measure.code == "eq5d_index":
                value = (scores.get("index") or {}).get(value_set_code)
            elif measure.code == "eq_vas":
                value = scores.get("vas")
            else:
                value = row["score"]
            if value is not None:
                responses.values.setdefault(key, {})[measure.code] = float(value)
        if row["instrument"] in ("gsos", "fft") and scores.get("answer"):
            responses.answers.setdefault(key, {})[row["instrument"]] = scores["answer"]
    return responses
