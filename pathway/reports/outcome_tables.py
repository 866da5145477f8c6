"""The outcomes report's tables of who was seen and how they did: baseline characteristics by
discharge category, the Global Subjective Outcome Scale and Friends and Family Test, and how
well triage works. Computed from plain values (pathway.reports.outcome_facts): no database
access here. Every figure comes from `pathway.clinical.stats` (means, intervals, tests,
proportions, thresholds), so the page, its CSV and any other report share one definition of
each statistic.
"""

from pathway.clinical import fft, gsos
from pathway.clinical.stats import (
    MINIMAL_IMPORTANT_CHANGE,
    compare_means,
    compare_proportions,
    improved,
    mean_ci,
    proportion,
)
from pathway.reports.outcome_facts import (
    CATEGORIES,
    DURATIONS,
    FOLLOW_UPS,
    RISKS,
    TEST_NAMES,
    TRIAGE_DECISIONS,
)
from pathway.reports.outcome_format import count_percent, mean_sd, p_value, percent
from pathway.reports.tables import Table

# --- Baseline characteristics by discharge category -------------------------------------------


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


# --- Global Subjective Outcome Scale and Friends and Family Test ------------------------------


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


# --- How well triage works --------------------------------------------------------------------


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
