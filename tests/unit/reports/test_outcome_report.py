"""The outcomes report from plain facts and response rows: no database. Figures checked here
are worked out by hand; the statistics themselves are tested in tests/unit/clinical."""

from pathway.clinical import eq5d
from pathway.reports import outcome_summary
from pathway.reports.outcome_facts import EpisodeFacts, index_responses, outcome_measures
from pathway.reports.outcome_report import build_report

ENGLAND = eq5d.VALUE_SETS["england_2018"]


def _facts(id, triage, risk, *, discharge_reason="", discharged=True, returned=False, **more):
    values = {"age": 40, "sex": "female", "startback_total": 2, "symptom_duration": "lt_3"}
    return EpisodeFacts(
        id=id,
        startback_risk=risk,
        triage=triage,
        discharged=discharged,
        discharge_reason=discharge_reason,
        returned=returned,
        **{**values, **more},
    )


FACTS = [
    _facts(1, "core_therapy", "low", age=40),
    _facts(2, "cppp", "high", age=50, sex="male", symptom_duration="3_to_6", returned=True),
    _facts(3, "same_day_discharge", "low", age=30),
    _facts(4, "", "medium", discharge_reason="did_not_attend"),
    _facts(5, "", "low", discharged=False),
]


def _response(episode_id, timepoint, instrument, score=None, **scores):
    return {
        "episode_id": episode_id,
        "timepoint": timepoint,
        "instrument": instrument,
        "score": score,
        "scores": scores,
    }


RESPONSES = [
    _response(1, "baseline", "pain_nrs", 8),
    _response(1, "discharge", "pain_nrs", 3),  # 5 points better: improved
    _response(2, "baseline", "pain_nrs", 6),
    _response(2, "discharge", "pain_nrs", 5),  # 1 point (17%): not improved
    _response(1, "discharge", "gsos", answer="completely_better"),
    _response(2, "discharge", "gsos", answer="same"),
]


def test_responses_are_indexed_by_episode_time_point_and_measure():
    rows = [_response(9, "baseline", "eq5d5l", index={"england_2018": 0.7, "uk_2026": 0.6}, vas=70)]

    responses = index_responses(rows, outcome_measures(ENGLAND), ENGLAND.code)

    assert responses.value(9, "baseline", "eq5d_index") == 0.7
    assert responses.value(9, "baseline", "eq_vas") == 70.0
    assert responses.value(9, "discharge", "eq_vas") is None


def test_baseline_groups_people_by_discharge_category():
    report = build_report(FACTS, RESPONSES, ENGLAND)

    age = report.baseline.rows[0]
    assert age[:5] == ["Age at referral (years), mean (SD)", "45.0 (7.1)", "2", "30.0 (–)", "1"]
    assert age[5:7] == ["40.0 (–)", "1"]
    assert report.baseline.note.startswith(
        "5 episodes referred in this range: care in the pathway 2, same-day discharge 1, "
        "did not attend 1; 1 in none of these"
    )


def test_change_to_discharge_pairs_each_persons_scores():
    report = build_report(FACTS, RESPONSES, ENGLAND)

    change = report.changes[0]
    pain = next(row for row in change.rows if row[0].startswith("Pain"))
    odi = next(row for row in change.rows if row[0].startswith("ODI"))
    assert change.slug == "change-discharge"
    assert pain[1:5] == ["2", "0", "7.0 (1.4)", "4.0 (1.4)"]
    assert pain[5].startswith("-3.0 (")
    assert pain[7] == "Yes"  # 3 points better, the group threshold is 1
    assert odi[1:3] == ["0", "2"]


def test_subgroups_split_care_by_pathway():
    report = build_report(FACTS, RESPONSES, ENGLAND)

    pathway = next(sub for sub in report.subgroups if sub.heading == "Pathway")
    pain = [row for row in pathway.tables[0].rows if row[1].startswith("Pain")]
    # Each pathway has one person with pain scores at both time points.
    assert [(row[0], row[2], row[3]) for row in pain] == [
        ("Core therapy", "1", "0"),
        ("CPPP", "1", "0"),
    ]
    assert [row[4] for row in pain] == ["8.0 (–)", "6.0 (–)"]


def test_subgroups_count_each_referral_source_separately():
    facts = [
        _facts(1, "core_therapy", "low"),
        _facts(2, "cppp", "high", source="self_referral"),
    ]

    report = build_report(facts, RESPONSES, ENGLAND)

    source = next(sub for sub in report.subgroups if sub.heading == "Referral source")
    pain = [row for row in source.tables[0].rows if row[1].startswith("Pain")]
    assert [(row[0], row[2]) for row in pain] == [
        ("GP (web form)", "1"),
        ("GP (practice's GP system)", "0"),
        ("Self-referral", "1"),
    ]
    assert [row[4] for row in pain] == ["8.0 (–)", "–", "6.0 (–)"]


def test_gsos_counts_the_answers_given_at_each_time_point():
    report = build_report(FACTS, RESPONSES, ENGLAND)

    much_better = next(row for row in report.gsos.rows if row[0] == "Completely or a lot better")
    assert much_better[1:3] == ["1", "50.0%"]
    assert report.gsos.rows[-1][1] == "2"  # answered at discharge


def test_triage_table_counts_improved_and_returned_by_risk_and_decision():
    report = build_report(FACTS, RESPONSES, ENGLAND)

    rows = {(row[0], row[1]): row[2:] for row in report.triage.rows}
    assert rows[("Low", "Core therapy")] == ["1", "0", "0 (–)", "1", "1 (100.0%)", "1", "0 (0.0%)"]
    assert rows[("High", "CPPP")] == ["1", "0", "0 (–)", "1", "0 (0.0%)", "1", "1 (100.0%)"]


def test_means_chart_shows_the_table_numbers():
    report = build_report(FACTS, RESPONSES, ENGLAND)

    pain_row = next(row for row in report.means.rows if row[0].startswith("Pain"))
    pain_chart = next(chart for chart in report.charts if chart.title.startswith("Pain"))
    assert pain_row[1:5] == ["7.0", "2", "4.0", "2"]
    assert [point.text for point in pain_chart.points] == ["7.0", "4.0", "no data", "no data"]


def test_a_stored_report_reads_back_equal():
    report = build_report(FACTS, RESPONSES, ENGLAND)

    assert outcome_summary.report_from_json(outcome_summary.report_to_json(report)) == report


def test_a_report_stored_before_the_referral_source_subgroup_is_not_served():
    stored = outcome_summary.report_to_json(build_report(FACTS, RESPONSES, ENGLAND))
    stored["subgroups"] = [s for s in stored["subgroups"] if s["heading"] != "Referral source"]

    assert outcome_summary.report_from_json(stored) is None
