"""The activity report's tables from plain rows, as the queries return them: no database."""

import datetime

from pathway.reports import activity_care_tables as care
from pathway.reports import activity_tables
from pathway.reports.activity_queries import ActivityRows
from pathway.reports.scope import ReportScope

SCOPE = ReportScope(datetime.date(2026, 1, 15), datetime.date(2026, 3, 10), None, ())
JAN, MAR = datetime.date(2026, 1, 1), datetime.date(2026, 3, 1)


def _month(month, risk, ods, name, n):
    return {
        "month": month,
        "startback_risk": risk,
        "practice__ods_code": ods,
        "practice__name": name,
        "n": n,
    }


PER_MONTH = [
    _month(JAN, "low", "A1", "quayside", 2),
    _month(JAN, "", "B2", "Benwell", 1),
    _month(MAR, "high", "A1", "quayside", 3),
]


def test_referrals_by_month_counts_every_month_of_the_range_with_risk_shares():
    (monthly, by_risk), chart = activity_tables.referrals_by_month(PER_MONTH, SCOPE)

    assert monthly.rows == [["Jan 2026", "3"], ["Feb 2026", "0"], ["Mar 2026", "3"], ["Total", "6"]]
    assert by_risk.columns == [
        "Month",
        "Low risk",
        "Medium risk",
        "High risk",
        "Not recorded",
        "Referrals",
    ]
    assert by_risk.rows[0] == ["Jan 2026", "2", "0", "0", "1", "3"]
    assert by_risk.rows[-1] == ["% of referrals", "33.3%", "0.0%", "50.0%", "16.7%", "100.0%"]
    assert chart == [("Jan 26", 3), ("Feb 26", 0), ("Mar 26", 3)]


def test_referrals_by_practice_adds_the_months_and_sorts_by_name_ignoring_case():
    table = activity_tables.referrals_by_practice(PER_MONTH)

    assert table.rows == [["Benwell", "B2", "1"], ["quayside", "A1", "5"]]
    assert table.note.startswith("n = 6 referrals from 2 practices.")


def test_referrals_by_practice_month_has_one_row_per_month_and_practice():
    table = activity_tables.referrals_by_practice_month(PER_MONTH)

    assert table.rows == [
        ["Jan 2026", "Benwell", "B2", "1"],
        ["Jan 2026", "quayside", "A1", "2"],
        ["Mar 2026", "quayside", "A1", "3"],
    ]


def test_gp_outcomes_add_the_referrals_to_what_ended_at_the_gp():
    table = activity_tables.gp_outcomes({"gp_discharged": 1}, referred=3)

    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["Referred to the back pain service"] == ["3", "75.0%"]
    assert rows["Discharged by the GP with advice"] == ["1", "25.0%"]
    assert rows["Total"] == ["4", "100.0%"]


RETURNS = {
    "referred": 20,
    "returners": 3,
    "with_days": 2,
    "first_day": 100,
    "last_day": 140,
    "new_symptoms": 1,
    "persisting": 2,
}


def test_returners_share_days_and_kinds():
    table = activity_tables.returners(RETURNS, [100, 140])

    assert table.rows[0][:4] == ["Returners (of referrals to the service)", "20", "3", "15.0%"]
    assert table.rows[1][:3] == ["Days from discharge to the new referral: mean", "2", "120.0"]
    assert table.rows[2][:3] == [
        "Days from discharge to the new referral: range",
        "2",
        "100 to 140",
    ]
    assert [row[2] for row in table.rows[3:]] == ["1", "2"]
    assert "1 returners with no discharge date are left out" in table.note


def test_cppp_tables_share_one_set_of_rows():
    rows = [
        {"outcome": "joined", "decline_reason": "", "n": 3},
        {"outcome": "declined", "decline_reason": "work", "n": 1},
        {"outcome": "declined", "decline_reason": "family", "n": 2},
        {"outcome": "", "decline_reason": "", "n": 4},
    ]

    uptake = care.cppp(rows)
    reasons = care.cppp_decline_reasons(rows)

    assert uptake.rows[0][:2] == ["Invited", "10"]
    assert uptake.rows[1][:2] == ["Outcome not yet recorded", "4"]
    assert uptake.rows[2][:3] == ["Joined (uptake)", "3", "50.0%"]
    assert reasons.rows == [["Family issues", "2", "66.7%"], ["Work commitments", "1", "33.3%"]]


def test_triage_outcomes_leave_out_the_untriaged_and_say_how_many():
    counts = {None: 2, "core_therapy": 3, "cppp": 1}

    table = care.triage_outcomes(counts)

    assert table.rows[-1][:3] == ["Total", "4", "100.0%"]
    assert "2 not yet triaged" in table.note
    assert counts == {None: 2, "core_therapy": 3, "cppp": 1}  # the caller's rows untouched


def test_did_not_attend_rate_counts_appointments_with_an_outcome():
    counts = {
        "first_assessment": {"recorded": 4, "attended": 2, "dna": 1, "cancelled": 1, "pending": 3}
    }

    table = care.did_not_attend(counts)

    assert table.rows[0][:6] == ["First assessment", "4", "2", "1", "1", "25.0%"]
    assert table.rows[1][:6] == ["Follow-up", "0", "0", "0", "0", "-"]
    assert "3 appointments with no outcome yet" in table.note


def test_caseload_lists_named_clinicians_by_surname_then_the_unassigned():
    def row(pk, first, last, open_):
        states = {"awaiting_triage": 0, "assessment_booked": open_, "in_treatment": 0}
        return {
            "lead_clinician_id": pk,
            "lead_clinician__first_name": first,
            "lead_clinician__last_name": last,
            "open": open_,
            **states,
            "discharge_proposed": 0,
        }

    table = care.caseload(
        [row(None, None, None, 2), row(7, "Zoe", "Adams", 1), row(3, "Al", "Bell", 4)]
    )

    assert [r[:2] for r in table.rows] == [
        ["Zoe Adams", "1"],
        ["Al Bell", "4"],
        ["No lead clinician yet (no appointment booked)", "2"],
    ]
    assert "2 open episodes have none yet" in table.note


def test_questionnaire_response_rate_is_completed_of_those_due_and_closed():
    counts = {
        "baseline": {
            "completed": 3,
            "not_responded": 1,
            "still_open": 2,
            "not_yet_due": 0,
            "cancelled": 1,
        }
    }

    table = care.questionnaire_responses(counts)

    assert table.rows[0][:4] == ["Baseline", "3", "1", "75.0%"]
    assert table.rows[0][5:] == ["2", "0", "1"]
    assert table.rows[1][:4] == ["Discharge", "0", "0", "-"]


def test_page_tables_are_every_table_in_the_page_order():
    rows = ActivityRows(
        per_month=PER_MONTH,
        referrals=RETURNS,
        return_days=[100, 140],
        gp_ended={},
        triage={},
        appointments={},
        cppp=[],
        onward={"mri": 1},
        caseload=[],
        timepoints={},
    )

    tables, chart = activity_tables.page_tables(rows, SCOPE)

    assert [table.slug for table in tables] == [
        "referrals-by-month",
        "referrals-by-risk",
        "referrals-by-practice",
        "gp-outcomes",
        "referral-sources",
        "triage-outcomes",
        "did-not-attend",
        "returners",
        "cppp",
        "cppp-decline-reasons",
        "onward-referrals",
        "caseload",
        "questionnaire-responses",
    ]
    assert chart.aria_label.endswith("Jan 26: 3, Feb 26: 0, Mar 26: 3.")
