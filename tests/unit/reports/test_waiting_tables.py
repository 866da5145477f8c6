"""The waiting list's rows from plain, unsaved episodes: no database (pytest-django refuses a
query here), so the cells are the rules' results on the values given, and nothing else.

Expected days, target dates and breaches are worked out by hand from a calendar.
"""

import datetime

from django.utils import timezone

from pathway.care.models import Episode
from pathway.organisations.models import GPPractice, ProviderService
from pathway.patients.models import Patient
from pathway.referrals.models import Referral
from pathway.reports import waiting_tables
from pathway.reports.waiting_tables import COLUMNS, OUT_OF_RANGE

PATIENT, WAITING_FOR, DAYS, PRIORITY, SERVICE, PRACTICE, RISK = range(7)
APPOINTMENT, TARGET, RTT, BREACH = range(7, 11)
TYNESIDE = ProviderService(pk=1, name="Tyneside MSK")


def _episode(clock, *, priority="standard", state="awaiting_triage", booked=None, **service):
    episode = Episode(
        patient=Patient(given_name="Gina", family_name="Green"),
        service=ProviderService(pk=2, name="Quick service", **service) if service else TYNESIDE,
        referral=Referral(practice=GPPractice(name="Quayside Surgery"), startback_risk="high"),
        priority=priority,
        state=state,
        clock_started_on=clock,
    )
    # As the list's query annotates it: the booked first assessment's start, if any.
    episode.first_booked_at = booked
    return episode


def _cells(episode, on):
    (row,) = waiting_tables.waiting_rows([episode], on=on)
    return row, dict(zip(range(len(COLUMNS)), row.cells, strict=True))


def test_urgent_target_skips_the_easter_2026_bank_holidays():
    # Wednesday 1 April 2026: Good Friday (3) and Easter Monday (6) are not working days, so
    # the fifth working day is Friday 10 April, and 9 April is the fourth.
    row, cells = _cells(
        _episode(datetime.date(2026, 4, 1), priority="urgent"), datetime.date(2026, 4, 9)
    )

    assert cells[DAYS] == "4 working days"
    assert cells[TARGET] == "10 Apr 2026"
    assert cells[BREACH] == "No"
    assert row.urgent and not row.breaching


def test_urgent_referral_breaches_on_the_sixth_working_day():
    row, cells = _cells(
        _episode(datetime.date(2026, 4, 1), priority="urgent"), datetime.date(2026, 4, 13)
    )

    assert cells[DAYS] == "6 working days"
    assert cells[BREACH] == "Yes: first assessment"
    assert row.target_breached and not row.rtt_breached


def test_standard_target_counts_calendar_days_and_18_weeks():
    row, cells = _cells(_episode(datetime.date(2026, 3, 2)), datetime.date(2026, 3, 17))

    assert cells[DAYS] == "15 days"
    assert cells[TARGET] == "16 Mar 2026"
    assert cells[RTT] == "6 Jul 2026"  # 2 March + 126 days
    assert cells[BREACH] == "Yes: first assessment"


def test_each_service_is_held_to_its_own_target():
    quick = _episode(datetime.date(2026, 3, 2), standard_target_days=7)
    usual = _episode(datetime.date(2026, 3, 2))

    rows = waiting_tables.waiting_rows([quick, usual], on=datetime.date(2026, 3, 10))

    assert [row.cells[TARGET] for row in rows] == ["9 Mar 2026", "16 Mar 2026"]
    assert [row.breaching for row in rows] == [True, False]


def test_a_booked_first_assessment_is_judged_on_its_own_date():
    booked = timezone.make_aware(datetime.datetime(2026, 3, 20, 9))
    episode = _episode(datetime.date(2026, 3, 2), state="assessment_booked", booked=booked)

    row, cells = _cells(episode, datetime.date(2026, 3, 5))

    assert cells[APPOINTMENT] == "Booked 20 Mar 2026"
    assert cells[BREACH] == "Yes: first assessment"  # 20 March is after the 16 March target


def test_waiting_for_treatment_is_held_only_to_18_weeks():
    episode = _episode(datetime.date(2026, 1, 1), state="in_treatment")

    row, cells = _cells(episode, datetime.date(2026, 5, 8))

    assert (cells[WAITING_FOR], cells[APPOINTMENT], cells[TARGET]) == (
        "Treatment",
        "Seen",
        "Not applicable",
    )
    assert cells[RTT] == "7 May 2026"
    assert cells[BREACH] == "Yes: 18 weeks"
    assert row.for_treatment and row.rtt_breached and not row.target_breached


def test_the_row_names_the_person_service_practice_and_risk():
    _row, cells = _cells(_episode(datetime.date(2026, 3, 2)), datetime.date(2026, 3, 3))

    assert [cells[i] for i in (PATIENT, PRIORITY, SERVICE, PRACTICE, RISK)] == [
        "GREEN, Gina",
        "Standard",
        "Tyneside MSK",
        "Quayside Surgery",
        "High",
    ]


def test_a_clock_start_out_of_range_is_shown_and_not_judged():
    row, cells = _cells(_episode(datetime.date(1, 1, 1)), datetime.date(2026, 3, 3))

    assert cells[DAYS] == cells[TARGET] == cells[RTT] == OUT_OF_RANGE
    assert cells[BREACH] == "Not known: check the record"
    assert not row.breaching


def test_page_tables_pair_cells_with_headings_and_chart_the_history():
    rows = waiting_tables.waiting_rows(
        [_episode(datetime.date(2026, 3, 2))], on=datetime.date(2026, 3, 3)
    )
    history = [(datetime.date(2026, 3, 2), 4, 1), (datetime.date(2026, 3, 9), 5, 2)]

    shown = waiting_tables.page_tables(rows, history)

    assert shown["table"].rows == [rows[0].cells]
    assert shown["lines"][0][1][0] == ("Patient", "GREEN, Gina")
    assert shown["history_table"].rows == [["2 Mar 2026", "4", "1"], ["9 Mar 2026", "5", "2"]]
    assert "2 Mar: 4, 9 Mar: 5." in shown["waiting_chart"].aria_label
    assert "2 Mar: 1, 9 Mar: 2." in shown["breach_chart"].aria_label
