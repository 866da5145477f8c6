"""The whole outcomes report from plain values, and its charts of mean scores: no database
access here. pathway.reports.outcomes computes it for a scope; outcome_summary stores it.
"""

from dataclasses import dataclass

from pathway.clinical.stats import mean_ci
from pathway.reports.outcome_change import SUBGROUPS, change_table, subgroup_change_table
from pathway.reports.outcome_facts import FOLLOW_UPS, TIMEPOINTS, index_responses, outcome_measures
from pathway.reports.outcome_format import number
from pathway.reports.outcome_tables import baseline_table, fft_table, gsos_table, triage_table
from pathway.reports.tables import Table

# --- Mean score at each time point, as charts with their numbers ----------------------------

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
