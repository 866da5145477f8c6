"""The outcomes report's tables, computed from plain rows: no database access here.

The view loads each episode's facts and every questionnaire response in scope (a constant
number of queries); this module groups them and takes every figure from
`pathway.clinical.stats` (means, intervals, tests, proportions, thresholds), so the page, its
CSV and any other report share one definition of each statistic.

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

from pathway.clinical import fft, gsos
from pathway.clinical.referral_rules import SYMPTOM_DURATION_GROUPS
from pathway.clinical.startback import RISK_LEVELS
from pathway.clinical.stats import (
    MINIMAL_IMPORTANT_CHANGE,
    compare_means,
    compare_proportions,
    improved,
    mean_ci,
    paired_change,
    passes_clinical_threshold,
    proportion,
)
from pathway.reports.tables import Table

NOT_CALCULABLE = "–"

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
# Individual improvement (triage table): the two measures the triage question is asked of.
IMPROVEMENT_MEASURES = ("odi", "pain_nrs")


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


# --- Formatting: one place, so the page and the CSV show the same strings ---------------------


def number(value, decimals):
    if value is None:
        return NOT_CALCULABLE
    rounded = round(value, decimals) or 0.0  # never "-0.0"
    return f"{rounded:.{decimals}f}"


def mean_sd(n, mean, sd, decimals):
    if not n:
        return NOT_CALCULABLE
    return f"{number(mean, decimals)} ({number(sd, decimals)})"


def p_value(value):
    if value is None:
        return NOT_CALCULABLE
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def percent(share):
    return NOT_CALCULABLE if share.proportion is None else f"{share.proportion * 100:.1f}%"


def count_percent(share):
    return f"{share.k} ({percent(share)})"


# --- 1. Baseline characteristics by discharge category ----------------------------------------


def baseline_table(facts, responses, measures):
    groups = [[f for f in facts if f.category == code] for code, _label in CATEGORIES]
    in_groups = sum(len(group) for group in groups)
    rows, missing = [], []

    def mean_row(label, value_of, decimals):
        samples = [[v for f in group if (v := value_of(f)) is not None] for group in groups]
        cells = []
        for sample in samples:
            summary = mean_ci(sample)
            cells += [mean_sd(summary.n, summary.mean, summary.sd, decimals), str(summary.n)]
        comparison = compare_means(samples)
        rows.append([label, *cells, p_value(comparison.p_value), TEST_NAMES[comparison.test]])
        missing.append((label, in_groups - sum(len(sample) for sample in samples)))

    def proportion_row(label, flag_of):
        cells, counts, known = [], [], 0
        for group in groups:
            flags = [flag for f in group if (flag := flag_of(f)) is not None]
            share = proportion(sum(flags), len(flags))
            cells += [percent(share), str(share.n)]
            counts.append([share.k, share.n - share.k])
            known += share.n
        comparison = compare_proportions(counts)
        rows.append([label, *cells, p_value(comparison.p_value), TEST_NAMES[comparison.test]])
        missing.append((label, in_groups - known))

    mean_row("Age at referral (years), mean (SD)", lambda f: f.age, 1)
    proportion_row(
        "Sex: female, %", lambda f: None if f.sex in ("", "unknown") else f.sex == "female"
    )
    mean_row("STarT Back score (0-9), mean (SD)", lambda f: f.startback_total, 1)
    proportion_row(
        "STarT Back low risk (score 0-3), %",
        lambda f: (f.startback_risk == "low") if f.startback_risk else None,
    )

    codes = [code for code, _label in DURATIONS]
    counts = [
        [sum(f.symptom_duration == code for f in group) for code in codes] for group in groups
    ]
    comparison = compare_proportions(counts)
    header = ["Symptom duration group, % (all four groups tested together)"]
    for group_counts in counts:
        header += ["", str(sum(group_counts))]
    rows.append([*header, p_value(comparison.p_value), TEST_NAMES[comparison.test]])
    missing.append(("symptom duration", in_groups - sum(map(sum, counts))))
    for position, (_code, label) in enumerate(DURATIONS):
        cells = []
        for group_counts in counts:
            share = proportion(group_counts[position], sum(group_counts))
            cells += [percent(share), str(share.n)]
        rows.append([f"Symptom duration: {label[0].lower()}{label[1:]}", *cells, "", ""])

    for measure in measures:
        mean_row(
            f"Baseline {measure.label}, mean (SD)",
            lambda f, code=measure.code: responses.value(f.id, "baseline", code),
            measure.decimals,
        )

    columns = ["Characteristic"]
    for _code, label in CATEGORIES:
        columns += [label, f"{label}: n"]
    columns += ["p value", "Test"]
    sizes = ", ".join(
        f"{label.lower()} {len(group)}"
        for (_c, label), group in zip(CATEGORIES, groups, strict=True)
    )
    gaps = [f"{label.split(',')[0]} {count}" for label, count in missing if count]
    note = (
        f"{_episodes(len(facts))} referred in this range: {sizes}; {len(facts) - in_groups} in "
        "none of these (onward referral, discharged by patient choice, or not yet triaged). "
        "Each row's n is the people with that figure. Missing data: "
        f"{'; '.join(gaps) if gaps else 'none'}. Sex is missing when not known. "
        "Symptom duration is the TTP's assessment, or the GP's referral before triage."
    )
    return Table(
        slug="baseline",
        title="Baseline characteristics by discharge category",
        columns=columns,
        rows=rows,
        note=note,
    )


def _episodes(count):
    return f"{count} episode{'' if count == 1 else 's'}"


# --- 2 and 3. Change from baseline ------------------------------------------------------------


def _paired(episodes, responses, measure, follow_up):
    return paired_change(
        [responses.value(f.id, "baseline", measure.code) for f in episodes],
        [responses.value(f.id, follow_up, measure.code) for f in episodes],
    )


def change_cells(measure, change, people):
    """n, missing, baseline, follow-up, change (95% CI), p value, passes threshold, threshold."""
    d = measure.decimals
    if change.mean_change is None:
        interval, passes = NOT_CALCULABLE, NOT_CALCULABLE
    else:
        interval = number(change.mean_change, d) + (
            f" ({number(change.ci_low, d)}, {number(change.ci_high, d)})"
            if change.ci_low is not None
            else f" ({NOT_CALCULABLE})"
        )
        passes = (
            "Yes"
            if passes_clinical_threshold(measure.code, change.mean_change, change.baseline_mean)
            else "No"
        )
    return [
        str(change.n),
        str(people - change.n),
        mean_sd(change.n, change.baseline_mean, change.baseline_sd, d),
        mean_sd(change.n, change.follow_up_mean, change.follow_up_sd, d),
        interval,
        p_value(change.p_value),
        passes,
        measure.threshold,
    ]


def _change_columns(follow_up, first=()):
    return [
        *first,
        "Measure",
        "n",
        "Missing",
        "Baseline mean (SD)",
        f"{TIMEPOINT_LABELS[follow_up]} mean (SD)",
        "Mean change (95% CI)",
        "p value",
        "Passes clinical threshold",
        "Threshold",
    ]


def _change_note(people, follow_up, who):
    when = TIMEPOINT_LABELS[follow_up].lower()
    return (
        f"{who}: {people} people. n = people with both a baseline and a {when} score "
        "(complete cases); Missing = the others, without one or both. Change = "
        f"{when} minus baseline, with its 95% confidence interval and paired t-test. Passes: "
        "the mean change is an improvement at least as large as the threshold (the "
        "evaluation's; 7 points on EQ VAS is the service's choice). Lower is better for pain, "
        "ODI, GAD-7 and PHQ-9; higher for EQ-5D."
    )


def change_table(care, responses, measures, follow_up):
    rows = [
        [
            measure.label,
            *change_cells(measure, _paired(care, responses, measure, follow_up), len(care)),
        ]
        for measure in measures
    ]
    label = TIMEPOINT_LABELS[follow_up].lower()
    return Table(
        slug=f"change-{follow_up}",
        title=f"Care in the pathway: change from baseline to {label}",
        columns=_change_columns(follow_up),
        rows=rows,
        note=_change_note(len(care), follow_up, "Care in the pathway"),
    )


SUBGROUPS = (
    ("duration", "Symptom duration", DURATIONS, lambda f: f.symptom_duration),
    ("risk", "STarT Back risk", RISKS, lambda f: f.startback_risk),
    ("pathway", "Pathway", PATHWAYS, lambda f: f.triage),
)


def subgroup_change_table(care, responses, measures, follow_up, subgroup):
    slug, heading, groups, key = subgroup
    members = {code: [f for f in care if key(f) == code] for code, _label in groups}
    rows = []
    for measure in measures:
        for code, label in groups:
            change = _paired(members[code], responses, measure, follow_up)
            rows.append([label, measure.label, *change_cells(measure, change, len(members[code]))])
    sizes = ", ".join(f"{label} {len(members[code])}" for code, label in groups)
    when = TIMEPOINT_LABELS[follow_up].lower()
    return Table(
        slug=f"change-{slug}-{follow_up}",
        title=f"Care in the pathway by {heading.lower()}: change from baseline to {when}",
        columns=_change_columns(follow_up, first=(heading,)),
        rows=rows,
        note=f"People in each group: {sizes}. "
        + _change_note(len(care), follow_up, "Care in the pathway"),
    )


# --- 4. Global Subjective Outcome Scale and Friends and Family Test ---------------------------


def answers_table(facts, responses, *, instrument, title, options, summary):
    summary_label, summary_codes = summary
    given = {
        timepoint: [a for f in facts if (a := responses.answer(f.id, timepoint, instrument))]
        for timepoint, _label in FOLLOW_UPS
    }
    rows = []
    for code, label in options:
        cells = []
        for timepoint, _label in FOLLOW_UPS:
            share = proportion(given[timepoint].count(code), len(given[timepoint]))
            cells += [str(share.k), percent(share)]
        rows.append([label, *cells])
    cells = []
    for timepoint, _label in FOLLOW_UPS:
        answers = given[timepoint]
        share = proportion(sum(a in summary_codes for a in answers), len(answers))
        cells += [str(share.k), percent(share)]
    rows.append([summary_label, *cells])
    rows.append(["Answered", *[c for t, _l in FOLLOW_UPS for c in (str(len(given[t])), "")]])
    columns = ["Answer"]
    for _timepoint, label in FOLLOW_UPS:
        columns += [f"{label}: n", f"{label}: %"]
    discharged = sum(f.discharged for f in facts)
    answered = ", ".join(f"{label.lower()} {len(given[t])}" for t, label in FOLLOW_UPS)
    return Table(
        slug=instrument,
        title=title,
        columns=columns,
        rows=rows,
        note=(
            f"Everyone in scope: {len(facts)} episodes, {discharged} discharged. Answered at "
            f"{answered}; % of those who answered at that time point. People not yet due, or "
            "who did not answer, are missing and not counted."
        ),
    )


def gsos_table(facts, responses):
    return answers_table(
        facts,
        responses,
        instrument="gsos",
        title="Global Subjective Outcome Scale",
        options=gsos.OPTIONS,
        summary=("Completely or a lot better", gsos.MUCH_BETTER),
    )


def fft_table(facts, responses):
    table = answers_table(
        facts,
        responses,
        instrument="fft",
        title=f"Friends and Family Test: {fft.QUESTION}",
        options=fft.OPTIONS,
        summary=("Very good or good", fft.POSITIVE),
    )
    table.note += (
        " This is the FFT question used since 2020; the evaluation's 'likely to recommend' "
        "figures are not comparable."
    )
    return table


# --- 5. How well triage works -----------------------------------------------------------------


def _improvement(episodes, responses, measure_code):
    pairs = [
        (b, d)
        for f in episodes
        if (b := responses.value(f.id, "baseline", measure_code)) is not None
        and (d := responses.value(f.id, "discharge", measure_code)) is not None
    ]
    return proportion(sum(improved(measure_code, b, d) for b, d in pairs), len(pairs))


def _individual_threshold(measure_code):
    mic = MINIMAL_IMPORTANT_CHANGE[measure_code]
    parts = []
    if mic.individual_points is not None:
        parts.append(f"{mic.individual_points:g} points")
    if mic.individual_percent_of_baseline is not None:
        parts.append(f"{mic.individual_percent_of_baseline:g}% of their baseline")
    return " or ".join(parts)


def triage_table(facts, responses):
    triaged = [f for f in facts if f.triage]
    rows = []
    for risk, risk_label in RISKS:
        for decision, decision_label in TRIAGE_DECISIONS:
            cell = [f for f in triaged if f.startback_risk == risk and f.triage == decision]
            odi = _improvement(cell, responses, "odi")
            pain = _improvement(cell, responses, "pain_nrs")
            discharged = [f for f in cell if f.discharged]
            returned = proportion(sum(f.returned for f in discharged), len(discharged))
            rows.append(
                [
                    risk_label,
                    decision_label,
                    str(len(cell)),
                    str(odi.n),
                    count_percent(odi),
                    str(pain.n),
                    count_percent(pain),
                    str(len(discharged)),
                    count_percent(returned),
                ]
            )
    odi_n = _improvement(triaged, responses, "odi").n
    pain_n = _improvement(triaged, responses, "pain_nrs").n
    note = (
        f"{len(triaged)} triaged episodes; {len(facts) - len(triaged)} not yet triaged are not "
        f"shown. Improved: one person's score from baseline to discharge fell by at least "
        f"{_individual_threshold('odi')} on ODI, or by at least "
        f"{_individual_threshold('pain_nrs')} on pain NRS (the individual minimal important "
        f"change). Only people with both scores count: ODI {odi_n}, pain {pain_n}; the rest "
        "are missing. Returned: a later episode refers back to this one as a returner (in "
        "services you can see), out of the discharged episodes."
    )
    return Table(
        slug="triage",
        title="How well triage works: STarT Back risk by triage decision",
        columns=[
            "STarT Back risk",
            "Triage decision",
            "Episodes",
            "ODI: n with baseline and discharge",
            "ODI: improved, n (%)",
            "Pain NRS: n with baseline and discharge",
            "Pain NRS: improved, n (%)",
            "Discharged",
            "Returned, n (%)",
        ],
        rows=rows,
        note=note,
    )


# --- 6. Mean score at each time point, as charts with their numbers -------------------------

CHART_WIDTH, CHART_HEIGHT = 320, 200
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 48, 16, 24, 32


@dataclass(frozen=True)
class ChartPoint:
    label: str
    text: str
    x: float
    y: float | None

    @property
    def text_y(self):
        return None if self.y is None else round(self.y - 8, 1)


@dataclass(frozen=True)
class LineChart:
    title: str
    points: tuple
    lowest: str
    highest: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    top: int = CHART_TOP
    bottom: int = CHART_HEIGHT - CHART_BOTTOM
    right: int = CHART_WIDTH - CHART_RIGHT

    @property
    def path(self):
        return " ".join(f"{p.x},{p.y}" for p in self.points if p.y is not None)

    @property
    def aria_label(self):
        readings = ", ".join(f"{p.label} {p.text}" for p in self.points)
        return f"{self.title}, mean score at each time point: {readings}."


def line_chart(measure, means):
    """A line through the mean at each time point, on the measure's whole scale."""
    step = (CHART_WIDTH - CHART_LEFT - CHART_RIGHT) / len(means)
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    points = []
    for position, ((_timepoint, label), summary) in enumerate(zip(TIMEPOINTS, means, strict=True)):
        y = None
        if summary.mean is not None:
            share = (measure.highest - summary.mean) / (measure.highest - measure.lowest)
            y = round(CHART_TOP + plot_height * share, 1)
        x = round(CHART_LEFT + step * (position + 0.5), 1)
        text = "no data" if y is None else number(summary.mean, measure.decimals)
        points.append(ChartPoint(label=label, text=text, x=x, y=y))
    return LineChart(
        title=measure.label,
        points=tuple(points),
        lowest=f"{measure.lowest:g}",
        highest=f"{measure.highest:g}",
    )


def means_by_timepoint(care, responses, measures):
    rows, charts = [], []
    for measure in measures:
        means = [
            mean_ci([v for f in care if (v := responses.value(f.id, tp, measure.code)) is not None])
            for tp, _label in TIMEPOINTS
        ]
        cells = []
        for summary in means:
            cells += [number(summary.mean, measure.decimals), str(summary.n)]
        rows.append([measure.label, *cells])
        charts.append(line_chart(measure, means))
    columns = ["Measure"]
    for _timepoint, label in TIMEPOINTS:
        columns += [f"{label}: mean", f"{label}: n"]
    table = Table(
        slug="means",
        title="Care in the pathway: mean score at each time point",
        columns=columns,
        rows=rows,
        note=(
            f"Care in the pathway: {len(care)} people. Every score recorded at each time point, "
            "so the people differ between time points (n given); the change tables above pair "
            "each person's scores. People without a score at a time point are missing."
        ),
    )
    return table, charts


# --- The whole report ------------------------------------------------------------------------


@dataclass
class Subgroup:
    heading: str
    tables: list  # one per follow-up time point


@dataclass
class OutcomeReport:
    baseline: Table
    changes: list
    subgroups: list
    gsos: Table
    fft: Table
    triage: Table
    means: Table
    charts: list

    @property
    def tables(self):
        nested = [table for subgroup in self.subgroups for table in subgroup.tables]
        return [
            self.baseline,
            *self.changes,
            *nested,
            self.gsos,
            self.fft,
            self.triage,
            self.means,
        ]


def build_report(facts, response_rows, value_set):
    """facts: EpisodeFacts in scope; response_rows: their questionnaire responses as dicts;
    value_set: the eq5d.ValueSet the EQ-5D index is reported on."""
    measures = outcome_measures(value_set)
    responses = index_responses(response_rows, measures, value_set.code)
    care = [f for f in facts if f.category == "care"]
    means, charts = means_by_timepoint(care, responses, measures)
    return OutcomeReport(
        baseline=baseline_table(facts, responses, measures),
        changes=[change_table(care, responses, measures, tp) for tp, _label in FOLLOW_UPS],
        subgroups=[
            Subgroup(
                heading=subgroup[1],
                tables=[
                    subgroup_change_table(care, responses, measures, tp, subgroup)
                    for tp, _label in FOLLOW_UPS
                ],
            )
            for subgroup in SUBGROUPS
        ],
        gsos=gsos_table(facts, responses),
        fft=fft_table(facts, responses),
        triage=triage_table(facts, responses),
        means=means,
        charts=charts,
    )
