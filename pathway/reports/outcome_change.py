"""The outcomes report's change-from-baseline tables (the evaluation's Tables 3-5 and 11):
care in the pathway, complete cases, to each follow-up time point, overall and by subgroup.
From plain values (pathway.reports.outcome_facts); no database access here.
"""

from pathway.clinical.stats import paired_change, passes_clinical_threshold
from pathway.referrals.models import ReferralSource
from pathway.reports.outcome_facts import DURATIONS, PATHWAYS, RISKS, TIMEPOINT_LABELS
from pathway.reports.outcome_format import NOT_CALCULABLE, mean_sd, number, p_value
from pathway.reports.tables import Table


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
    # Issue 18: each door counted separately, so a self-referral's outcomes can be compared.
    ("source", "Referral source", tuple(ReferralSource.choices), lambda f: f.source),
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
