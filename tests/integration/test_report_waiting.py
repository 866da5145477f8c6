"""The service manager's waiting list (pathway.reports.waiting_queries and waiting_tables).

Expected days, target dates and breaches are worked out by hand in each test from a calendar,
not with pathway.clinical.waiting, so a wrong rule there or a wrong use of it here fails.
Tests that need a fixed "today" replace `waiting_queries.today`; the referral dates are set with
`.update()`, as no action can move a waiting clock into the past.
"""

import csv
import datetime
import io
import re
from html import unescape
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pathway.audit.models import AuditAction, AuditEvent
from pathway.care import actions
from pathway.care.models import Appointment, Episode
from pathway.clinical import waiting as clinical_waiting
from pathway.clinical.service_rules import ServiceRules
from pathway.demo.referrals import refer
from pathway.reports import waiting_queries, waiting_tables
from pathway.reports.calendar import england_bank_holidays
from pathway.reports.waiting_cutoffs import (
    latest_breaching_clock_start,
    latest_rtt_breaching_clock_start,
)
from tests.audit_context import TEST_CONTEXT
from tests.factories import ManagerFactory, PatientFactory
from tests.slots import past_slot

pytestmark = pytest.mark.django_db

URL = reverse("reports:waiting_list")
URGENT = {"urgency_severe_sleep_disturbance": True}

# Column positions in the table (and the CSV).
PATIENT, WAITING_FOR, DAYS, PRIORITY, SERVICE, PRACTICE, RISK = range(7)
APPOINTMENT, TARGET, RTT, BREACH = range(7, 11)


@pytest.fixture
def on(monkeypatch):
    """on(date): the report's "today" is `date`."""

    def set_today(day):
        monkeypatch.setattr(waiting_queries, "today", lambda: day)

    return set_today


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def _at(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _referred_on(episode, day):
    Episode.objects.filter(pk=episode.pk).update(referred_at=_at(day), clock_started_on=day)
    episode.refresh_from_db()
    return episode


def _text(html):
    html = re.sub(r'<span class="nhsuk-table-responsive__heading".*?</span>', "", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _page_rows(response):
    """{episode public id: [cell text]} in the page's order (dicts keep it)."""
    assert response.status_code == 200
    page = response.content.decode()
    rows = re.findall(r'data-testid="waiting-row" data-episode="([^"]+)">(.*?)</tr>', page, re.S)
    return {
        public_id: [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]
        for public_id, body in rows
    }


def _row(response, episode):
    rows = _page_rows(response)
    assert str(episode.public_id) in rows, "the episode is not on the waiting list"
    return rows[str(episode.public_id)]


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _count(response, name):
    match = re.search(rf'data-testid="count-{name}">(\d+)<', response.content.decode())
    assert match, f"no {name} count"
    return int(match.group(1))


def _book_first_assessment(episode, ttp, starts_at):
    # The same day, at the clinician's first free time from `starts_at` (no double booking).
    starts_at = Appointment.objects.first_free_start(ttp, starts_at)
    return actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind="first_assessment",
        starts_at=starts_at,
        clinician=ttp,
        mode="telephone",
        by=ttp,
        recording_past=starts_at < timezone.now(),
    )


def _start_core_therapy(episode, ttp, *, assessed_at=None):
    assessment = _book_first_assessment(episode, ttp, assessed_at or past_slot())
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=assessment, outcome="attended", by=ttp
    )
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="core_therapy",
        symptom_duration="3_to_6",
        planned_sessions=4,
        by=ttp,
    )
    episode.refresh_from_db()
    return episode


# --- Targets and breaches ---------------------------------------------------------------------


def test_waiting_list_urgent_target_skips_easter_2026_bank_holidays(
    manager_client, make_episode, on
):
    # Referred Wednesday 1 April 2026. Working days after it: Thu 2 (1), Good Friday 3 and
    # the weekend and Easter Monday 6 do not count, Tue 7 (2), Wed 8 (3), Thu 9 (4), Fri 10 (5).
    # So the 5-working-day target is Friday 10 April (8 April if the bank holidays counted).
    episode = _referred_on(make_episode(answers=URGENT), datetime.date(2026, 4, 1))
    on(datetime.date(2026, 4, 9))

    row = _row(manager_client.get(URL), episode)

    assert row[PRIORITY] == "Urgent"
    assert row[DAYS] == "4 working days"
    assert row[TARGET] == "10 Apr 2026"
    assert row[BREACH] == "No"


def test_waiting_list_urgent_referral_breaches_after_the_easter_target(
    manager_client, make_episode, on
):
    # Monday 13 April is the 6th working day after 1 April (2, 7, 8, 9, 10, 13).
    episode = _referred_on(make_episode(answers=URGENT), datetime.date(2026, 4, 1))
    on(datetime.date(2026, 4, 13))

    response = manager_client.get(URL)
    row = _row(response, episode)

    assert row[DAYS] == "6 working days"
    assert row[BREACH] == "Yes: first assessment"
    assert _count(response, "urgent-breaching") == 1


@pytest.mark.parametrize(
    ("today", "days", "breach"),
    [
        (datetime.date(2026, 3, 16), "14 days", "No"),
        (datetime.date(2026, 3, 17), "15 days", "Yes: first assessment"),
    ],
)
def test_waiting_list_standard_target_counts_calendar_days(
    manager_client, make_episode, on, today, days, breach
):
    # Referred Monday 2 March 2026; 14 calendar days later is Monday 16 March.
    episode = _referred_on(make_episode(), datetime.date(2026, 3, 2))
    on(today)

    row = _row(manager_client.get(URL), episode)

    assert row[PRIORITY] == "Standard"
    assert row[DAYS] == days
    assert row[TARGET] == "16 Mar 2026"
    assert row[RTT] == "6 Jul 2026"  # 2 March + 18 weeks (126 days)
    assert row[BREACH] == breach


def test_waiting_list_uses_the_services_own_targets(manager_client, make_episode, service, on):
    service.standard_target_days = 7
    service.urgent_target_working_days = 2
    service.referral_to_treatment_weeks = 6
    service.save()
    standard = _referred_on(make_episode(), datetime.date(2026, 3, 2))
    # Thu 2 April + 2 working days: Good Friday and Easter Monday skipped, so Wed 8 April.
    urgent = _referred_on(make_episode(answers=URGENT), datetime.date(2026, 4, 2))
    on(datetime.date(2026, 4, 8))

    response = manager_client.get(URL)
    standard_row, urgent_row = _row(response, standard), _row(response, urgent)

    assert standard_row[TARGET] == "9 Mar 2026"
    assert standard_row[RTT] == "13 Apr 2026"  # 2 March + 6 weeks
    assert standard_row[BREACH] == "Yes: first assessment"
    assert urgent_row[TARGET] == "8 Apr 2026"
    assert urgent_row[BREACH] == "No"


def test_waiting_list_booked_first_assessment_is_judged_on_its_date(
    manager_client, make_episode, ttp, on
):
    # Referred 2 March (target 16 March); today is only 5 March.
    late = _referred_on(make_episode(), datetime.date(2026, 3, 2))
    in_time = _referred_on(make_episode(), datetime.date(2026, 3, 2))
    _book_first_assessment(late, ttp, _at(datetime.date(2026, 3, 20)))
    _book_first_assessment(in_time, ttp, _at(datetime.date(2026, 3, 16)))
    on(datetime.date(2026, 3, 5))

    response = manager_client.get(URL)

    assert _row(response, late)[APPOINTMENT] == "Booked 20 Mar 2026"
    assert _row(response, late)[BREACH] == "Yes: first assessment"
    assert _row(response, in_time)[APPOINTMENT] == "Booked 16 Mar 2026"
    assert _row(response, in_time)[BREACH] == "No"


@pytest.mark.parametrize(
    ("today", "breach"),
    [(datetime.date(2026, 5, 7), "No"), (datetime.date(2026, 5, 8), "Yes: 18 weeks")],
)
def test_waiting_list_treatment_wait_is_held_to_the_18_week_ceiling(
    manager_client, make_episode, ttp, on, today, breach
):
    # Clock started Thursday 1 January 2026; 18 weeks = 126 days later is Thursday 7 May.
    episode = _start_core_therapy(make_episode(), ttp)
    _referred_on(episode, datetime.date(2026, 1, 1))
    on(today)

    row = _row(manager_client.get(URL), episode)

    assert row[WAITING_FOR] == "Treatment"
    assert row[DAYS] == f"{(today - datetime.date(2026, 1, 1)).days} days"
    assert row[TARGET] == "Not applicable"
    assert row[RTT] == "7 May 2026"
    assert row[BREACH] == breach


def test_waiting_list_drops_people_once_a_follow_up_is_attended(manager_client, make_episode, ttp):
    episode = _start_core_therapy(make_episode(), ttp)
    assert str(episode.public_id) in _page_rows(manager_client.get(URL))
    follow_up = actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind="follow_up",
        starts_at=past_slot(),
        clinician=ttp,
        mode="telephone",
        by=ttp,
        recording_past=True,
    )

    actions.record_attendance(
        context=TEST_CONTEXT, appointment=follow_up, outcome="attended", by=ttp
    )

    assert str(episode.public_id) not in _page_rows(manager_client.get(URL))


def test_waiting_list_first_appointment_dna_restarts_the_clock(manager_client, make_episode, ttp):
    today = timezone.localdate()
    episode = _referred_on(make_episode(), today - datetime.timedelta(days=30))
    missed_on = today - datetime.timedelta(days=2)
    appointment = _book_first_assessment(episode, ttp, _at(missed_on))
    before = _row(manager_client.get(URL), episode)

    actions.record_attendance(
        context=TEST_CONTEXT, appointment=appointment, outcome="did_not_attend", by=ttp
    )

    after = _row(manager_client.get(URL), episode)
    assert before[DAYS] == "30 days"
    assert before[BREACH] == "Yes: first assessment"  # booked 28 days after referral
    assert after[DAYS] == "2 days"
    assert after[APPOINTMENT] == "Not booked"
    assert after[TARGET] == f"{missed_on + datetime.timedelta(days=14):%-d %b %Y}"
    assert after[BREACH] == "No"


def test_waiting_list_leaves_out_discharged_and_proposed_discharges(
    manager_client, make_episode, ttp
):
    waiting_one = make_episode()
    declined = make_episode()
    actions.move_episode(
        context=TEST_CONTEXT,
        episode=declined,
        transition="decline_care",
        reason="Feeling better",
        discharge_reason="patient_choice",
        by=ttp,
    )

    rows = _page_rows(manager_client.get(URL))

    assert list(rows) == [str(waiting_one.public_id)]


def test_waiting_list_shows_the_patient_service_practice_and_risk(
    manager_client, make_episode, service, gp
):
    episode = make_episode(risk="high")

    response = manager_client.get(URL)
    row = _row(response, episode)

    patient = episode.patient
    assert row[PATIENT] == f"{patient.family_name.upper()}, {patient.given_name}"
    assert reverse("patients:detail", args=[patient.public_id]) in response.content.decode()
    assert row[WAITING_FOR] == "First assessment"
    assert row[SERVICE] == service.name
    assert row[PRACTICE] == gp.practice.name
    assert row[RISK] == "High"


# --- Summary, filters, htmx and CSV -------------------------------------------------------------


@pytest.fixture
def mixed_list(make_episode, gp, other_gp, service, on):
    """Four people waiting on 13 April 2026, each differing from the others in one way."""
    on(datetime.date(2026, 4, 13))
    urgent_late = _referred_on(make_episode(answers=URGENT, risk="high"), datetime.date(2026, 4, 1))
    standard_late = _referred_on(make_episode(risk="low"), datetime.date(2026, 3, 2))
    standard_new = _referred_on(make_episode(risk="low"), datetime.date(2026, 4, 10))
    other_practice = refer(
        gp=other_gp,
        patient=PatientFactory(registered_practice=other_gp.practice),
        service=service,
    ).episode
    _referred_on(other_practice, datetime.date(2026, 4, 10))
    return {
        "urgent_late": urgent_late,
        "standard_late": standard_late,
        "standard_new": standard_new,
        "other_practice": other_practice,
    }


def _ids(*episodes):
    return [str(episode.public_id) for episode in episodes]


def test_waiting_list_lists_urgent_first_then_longest_waiting_with_summary_counts(
    manager_client, mixed_list
):
    response = manager_client.get(URL)

    assert list(_page_rows(response)) == _ids(
        mixed_list["urgent_late"],
        mixed_list["standard_late"],
        mixed_list["standard_new"],
        mixed_list["other_practice"],
    )
    assert _count(response, "waiting") == 4
    assert _count(response, "breaching") == 2
    assert _count(response, "urgent-breaching") == 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"priority": "urgent"}, ["urgent_late"]),
        ({"priority": "standard"}, ["standard_late", "standard_new", "other_practice"]),
        ({"risk": "low"}, ["standard_late", "standard_new"]),
        ({"risk": "high"}, ["urgent_late"]),
        ({"breach": "yes"}, ["urgent_late", "standard_late"]),
        ({"breach": "no"}, ["standard_new", "other_practice"]),
        ({"priority": "standard", "breach": "yes"}, ["standard_late"]),
        (
            {"priority": "nonsense"},
            ["urgent_late", "standard_late", "standard_new", "other_practice"],
        ),
    ],
)
def test_waiting_list_filtered_by_query_string(manager_client, mixed_list, params, expected):
    response = manager_client.get(URL, params)

    assert list(_page_rows(response)) == _ids(*(mixed_list[name] for name in expected))
    assert _count(response, "waiting") == len(expected)


def test_waiting_list_filtered_by_practice(manager_client, mixed_list, other_gp):
    response = manager_client.get(URL, {"practice": other_gp.practice.pk})

    assert list(_page_rows(response)) == _ids(mixed_list["other_practice"])
    assert f'value="{other_gp.practice.pk}" selected' in response.content.decode()


def test_waiting_list_filtered_by_service_for_an_area_manager(
    client, make_episode, gp, service, other_service
):
    ours = make_episode()
    theirs = refer(
        gp=gp, patient=PatientFactory(registered_practice=gp.practice), service=other_service
    ).episode
    client.force_login(ManagerFactory(service=None, area=service.area))

    everyone = _page_rows(client.get(URL))
    filtered = _page_rows(client.get(URL, {"service": other_service.pk}))

    assert set(everyone) == set(_ids(ours, theirs))
    assert list(filtered) == _ids(theirs)


def test_waiting_list_htmx_request_returns_only_the_results_with_vary(manager_client, mixed_list):
    response = manager_client.get(URL, {"priority": "urgent"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert "HX-Request" in response["Vary"]
    assert "<h1>" not in page
    assert "waiting-filters" not in page
    assert list(_page_rows(response)) == _ids(mixed_list["urgent_late"])


def test_waiting_list_full_page_has_the_filter_form_and_vary(manager_client, mixed_list):
    response = manager_client.get(URL)

    page = response.content.decode()
    assert "HX-Request" in response["Vary"]
    assert "<h1>Waiting list</h1>" in page
    assert 'data-testid="waiting-filters"' in page
    assert 'id="waiting-results"' in page


@pytest.mark.parametrize("params", [{}, {"risk": "low"}, {"breach": "yes"}])
def test_waiting_list_csv_rows_equal_the_page_rows(manager_client, mixed_list, params):
    page_rows = list(_page_rows(manager_client.get(URL, params)).values())

    exported = _csv(manager_client.get(URL, {**params, "export": "waiting-list"}))

    assert exported[0] == waiting_tables.COLUMNS
    assert exported[1:] == page_rows
    assert page_rows  # each case shows somebody


def test_waiting_list_csv_link_keeps_the_filters(manager_client, mixed_list):
    page = manager_client.get(URL, {"risk": "low", "breach": "yes"}).content.decode()

    assert 'href="?risk=low&amp;breach=yes&amp;export=waiting-list"' in page


def test_waiting_list_export_is_audited_for_each_person(manager_client, manager, mixed_list):
    manager_client.get(URL, {"priority": "standard", "export": "waiting-list"})

    events = AuditEvent.objects.filter(action=AuditAction.EXPORT, user=manager)
    assert sorted(event.patient_id for event in events) == sorted(
        mixed_list[name].patient_id for name in ("standard_late", "standard_new", "other_practice")
    )


# --- Weekly history -------------------------------------------------------------------------------


def test_waiting_history_counts_people_waiting_and_past_target_at_each_week_end(
    manager_client, make_episode, ttp, on
):
    on(datetime.date(2026, 4, 13))  # a Monday: weeks end on Mondays 26 Jan ... 13 Apr
    # Standard, 16 March: target 30 March, so past it at the 6 and 13 April week ends.
    _referred_on(make_episode(), datetime.date(2026, 3, 16))
    # Urgent, 1 April: target 10 April (Easter), so past it at 13 April only.
    _referred_on(make_episode(answers=URGENT), datetime.date(2026, 4, 1))
    # Standard, 2 March, declined care on 20 March: waiting at 2, 9 and 16 March, never past
    # its 16 March target at a week's end (16 March itself is within it).
    declined = _referred_on(make_episode(), datetime.date(2026, 3, 2))
    actions.move_episode(
        context=TEST_CONTEXT,
        episode=declined,
        transition="decline_care",
        reason="Feeling better",
        discharge_reason="patient_choice",
        by=ttp,
    )
    Episode.objects.filter(pk=declined.pk).update(discharged_at=_at(datetime.date(2026, 3, 20)))
    # Standard, 16 February, first assessment attended 10 March: waiting 16 Feb to 9 March,
    # past its 2 March target at the 9 March week end.
    assessed = _referred_on(make_episode(), datetime.date(2026, 2, 16))
    _start_core_therapy(assessed, ttp, assessed_at=_at(datetime.date(2026, 3, 10)))

    rows = _csv(manager_client.get(URL, {"export": "weekly"}))

    assert rows == [
        ["Week ending", "Waiting", "Past their target"],
        ["26 Jan 2026", "0", "0"],
        ["2 Feb 2026", "0", "0"],
        ["9 Feb 2026", "0", "0"],
        ["16 Feb 2026", "1", "0"],
        ["23 Feb 2026", "1", "0"],
        ["2 Mar 2026", "2", "0"],
        ["9 Mar 2026", "2", "1"],
        ["16 Mar 2026", "2", "0"],
        ["23 Mar 2026", "1", "0"],
        ["30 Mar 2026", "1", "0"],
        ["6 Apr 2026", "2", "1"],
        ["13 Apr 2026", "2", "2"],
    ]


def test_waiting_history_urgent_target_skips_easter_2026_bank_holidays(
    manager_client, make_episode, on
):
    # Weeks end on Thursdays. Urgent, 1 April: target Friday 10 April, because Good Friday and
    # Easter Monday are not working days, so still within it at the 9 April week end.
    on(datetime.date(2026, 4, 9))
    _referred_on(make_episode(answers=URGENT), datetime.date(2026, 4, 1))

    rows = _csv(manager_client.get(URL, {"export": "weekly"}))

    assert rows[-2:] == [["2 Apr 2026", "1", "0"], ["9 Apr 2026", "1", "0"]]


def test_waiting_history_uses_the_clock_before_a_later_restart(
    manager_client, make_episode, ttp, on
):
    # Referred 2 March (target 16 March); a missed first appointment on 25 March restarted
    # the clock. At the 23 March week end the person was still on the 2 March clock: past it.
    on(datetime.date(2026, 3, 30))
    episode = _referred_on(make_episode(), datetime.date(2026, 3, 2))
    appointment = _book_first_assessment(episode, ttp, _at(datetime.date(2026, 3, 25)))
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=appointment, outcome="did_not_attend", by=ttp
    )

    rows = _csv(manager_client.get(URL, {"export": "weekly"}))

    assert rows[-2:] == [["23 Mar 2026", "1", "1"], ["30 Mar 2026", "1", "0"]]


def test_waiting_history_chart_shows_the_same_numbers(manager_client, make_episode, on):
    on(datetime.date(2026, 4, 13))
    _referred_on(make_episode(), datetime.date(2026, 3, 16))

    page = manager_client.get(URL).content.decode()

    assert "6 Apr: 1, 13 Apr: 1." in page
    assert 'data-testid="table-weekly"' in page


# --- Who may see it, and what it costs ------------------------------------------------------------


def test_waiting_list_shows_nothing_to_a_manager_of_another_service(
    client, make_episode, other_service
):
    make_episode()
    client.force_login(ManagerFactory(service=other_service))

    response = client.get(URL)
    exported = _csv(client.get(URL, {"export": "waiting-list"}))

    assert _page_rows(response) == {}
    assert _count(response, "waiting") == 0
    assert exported == [waiting_tables.COLUMNS]
    weekly = _csv(client.get(URL, {"export": "weekly"}))
    assert all(row[1:] == ["0", "0"] for row in weekly[1:])


@pytest.mark.parametrize("user", ["gp", "ttp"])
def test_waiting_list_refused_to_gps_and_ttps(client, request, make_episode, user):
    make_episode()
    client.force_login(request.getfixturevalue(user))

    assert client.get(URL).status_code == 403
    assert client.get(URL, {"export": "waiting-list"}).status_code == 403


def test_waiting_list_sends_anonymous_users_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def _mixed_episodes(make_episode, ttp, count):
    for number in range(count):
        episode = make_episode(answers=URGENT if number % 2 else None, days_ago=number * 3)
        if number % 3 == 1:
            _book_first_assessment(episode, ttp, timezone.now() + datetime.timedelta(days=2))
        elif number % 3 == 2:
            _start_core_therapy(episode, ttp)


@pytest.mark.parametrize("params", [{}, {"export": "waiting-list"}])
def test_waiting_list_query_count_does_not_grow_with_the_list(
    manager_client, make_episode, ttp, django_assert_max_num_queries, params
):
    _mixed_episodes(make_episode, ttp, 1)
    with CaptureQueriesContext(connection) as one_episode:
        assert manager_client.get(URL, params).status_code == 200
    _mixed_episodes(make_episode, ttp, 9)

    with django_assert_max_num_queries(len(one_episode)):
        response = manager_client.get(URL, params)

    shown = len(_csv(response)) - 1 if params else _count(response, "waiting")
    assert shown == 10


# --- The database's counts agree with the clinical rules ----------------------------------------

# Dates around England's 2026 bank holidays (New Year, Easter, May, August, Christmas) and the
# turn of the year, so working-day targets cross every kind of holiday.
_AS_OF_DATES = [
    datetime.date(2025, 12, 15) + datetime.timedelta(days=offset) for offset in range(0, 400, 1)
]
_RULES = [
    ServiceRules(),
    ServiceRules(
        urgent_target_working_days=2, standard_target_days=7, referral_to_treatment_weeks=6
    ),
    ServiceRules(urgent_target_working_days=10, standard_target_days=28),
]


@pytest.mark.parametrize("rules", _RULES)
@pytest.mark.parametrize("priority", ["urgent", "standard"])
def test_target_cutoff_agrees_with_the_clinical_breach_rule(rules, priority):
    # The SQL counts "clock start <= cutoff" as a breach: for every as-of date and every clock
    # start near the cutoff that must be exactly pathway.clinical.waiting.breach (further away,
    # a later clock start never has an earlier target, which the rule's own tests cover).
    holidays = frozenset(
        england_bank_holidays(datetime.date(2025, 1, 1), datetime.date(2027, 12, 31))
    )
    assert datetime.date(2026, 4, 3) in holidays  # Good Friday: the calendar is really used
    for as_of in _AS_OF_DATES:
        cutoff = latest_breaching_clock_start(as_of, priority, rules, holidays)
        for offset in range(-20, 21):
            clock = cutoff + datetime.timedelta(days=offset)
            expected = clinical_waiting.breach(
                clock, priority, as_of, rules=rules, bank_holidays=holidays
            )
            assert (clock <= cutoff) == expected, (as_of, priority, clock)


@pytest.mark.parametrize("rules", _RULES)
def test_18_week_cutoff_agrees_with_the_clinical_deadline(rules):
    for on in _AS_OF_DATES:
        cutoff = latest_rtt_breaching_clock_start(on, rules)
        for offset in range(-10, 11):
            clock = cutoff + datetime.timedelta(days=offset)
            expected = on > clinical_waiting.referral_to_treatment_deadline(clock, rules)
            assert (clock <= cutoff) == expected, (on, clock)


def _python_breaches(manager, on):
    """{episode pk: breaching} worked out per row in Python by the clinical rules."""
    episodes = waiting_queries.everyone_waiting(Episode.objects.visible_to(manager))
    return {row.episode.pk: row for row in waiting_tables.waiting_rows(episodes, on=on)}


def _every_page(episodes, services, *, on, breaching=None):
    """[(page, counts)] of the whole list, following each page's next cursor from the first."""
    pages, cursor = [], None
    while True:
        page, counts = waiting_queries.waiting_page(
            episodes, services, on=on, breaching=breaching, cursor=cursor
        )
        pages.append((page, counts))
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def _pks(pages):
    return [episode.pk for page, _counts in pages for episode in page.rows]


@pytest.mark.parametrize(
    "today",
    [datetime.date(2026, 4, 7), datetime.date(2026, 4, 13), datetime.date(2026, 12, 29)],
)
def test_waiting_list_counts_and_order_agree_with_the_row_by_row_rules(
    manager, make_episode, ttp, on, monkeypatch, today
):
    # Clocks spread over the weeks before `today` (across Easter or Christmas), urgent and
    # standard, booked (before and after their targets), awaiting triage and in treatment.
    for number in range(24):
        episode = _referred_on(
            make_episode(answers=URGENT if number % 2 else None),
            today - datetime.timedelta(days=number * 2 + 1),
        )
        if number % 4 == 1:
            _book_first_assessment(episode, ttp, _at(today + datetime.timedelta(days=number)))
        elif number % 4 == 3:
            _start_core_therapy(episode, ttp)
            _referred_on(episode, today - datetime.timedelta(days=number * 6))
    on(today)
    monkeypatch.setattr(waiting_queries, "PAGE_SIZE", 10)
    python_rows = _python_breaches(manager, today)
    services = [Episode.objects.first().service]
    episodes = Episode.objects.visible_to(manager)

    summary = waiting_queries.summary(episodes, services, on=today)
    pages = _every_page(episodes, services, on=today)
    breaching = _every_page(episodes, services, on=today, breaching=True)
    within = _every_page(episodes, services, on=today, breaching=False)

    rows = list(python_rows.values())
    assert summary == {
        "waiting": len(rows),
        "for_assessment": sum(1 for row in rows if not row.for_treatment),
        "for_treatment": sum(1 for row in rows if row.for_treatment),
        "breaching": sum(1 for row in rows if row.breaching),
        "urgent_breaching": sum(1 for row in rows if row.breaching and row.urgent),
    }
    assert 0 < summary["breaching"] < len(rows)  # both kinds are really present
    # Every page carries the whole list's counts, not its own.
    assert all(counts == summary for _page, counts in pages)
    assert set(_pks(breaching)) == {pk for pk, row in python_rows.items() if row.breaching}
    assert set(_pks(within)) == {pk for pk, row in python_rows.items() if not row.breaching}
    # The same order as the full list, read a page at a time.
    assert len(pages) == 3
    assert _pks(pages) == list(python_rows)


NEXT = re.compile(r'href="\?(?:[^"]*&amp;)?cursor=([^"&]+)" rel="next"')
PREVIOUS = re.compile(r'href="\?(?:[^"]*&amp;)?cursor=([^"&]+)" rel="prev"')


def _follow(manager_client, response, link, params=None):
    match = link.search(response.content.decode())
    assert match, "no such link on the page"
    return manager_client.get(URL, {**(params or {}), "cursor": unquote(unescape(match[1]))})


def _showing(response):
    match = re.search(r'data-testid="waiting-page">([^<]*)<', response.content.decode())
    return match[1] if match else None


def test_waiting_list_pages_follow_the_list_order_and_back(
    manager_client, manager, make_episode, monkeypatch
):
    monkeypatch.setattr(waiting_queries, "PAGE_SIZE", 3)
    for number in range(7):
        make_episode(answers=URGENT if number % 3 == 0 else None, days_ago=number)
    everyone = _python_breaches(manager, timezone.localdate())
    public_ids = dict(Episode.objects.values_list("pk", "public_id"))

    first = manager_client.get(URL)
    second = _follow(manager_client, first, NEXT)
    third = _follow(manager_client, second, NEXT)
    back = _follow(manager_client, third, PREVIOUS)

    shown = [*_page_rows(first), *_page_rows(second), *_page_rows(third)]
    assert shown == [str(public_ids[pk]) for pk in everyone]
    assert len(shown) == 7
    assert NEXT.search(third.content.decode()) is None
    assert _page_rows(back) == _page_rows(second)
    assert PREVIOUS.search(first.content.decode()) is None
    assert [_showing(page) for page in (first, second, third, back)] == [
        "Showing 1 to 3 of 7.",
        "Showing 4 to 6 of 7.",
        "Showing 7 to 7 of 7.",
        "Showing 4 to 6 of 7.",
    ]


def test_waiting_list_pages_keep_the_filters(manager_client, make_episode, monkeypatch):
    monkeypatch.setattr(waiting_queries, "PAGE_SIZE", 2)
    urgent = [make_episode(answers=URGENT, days_ago=number) for number in range(3)]
    make_episode()  # standard: filtered out on every page

    first = manager_client.get(URL, {"priority": "urgent"})
    second = _follow(manager_client, first, NEXT, {"priority": "urgent"})

    assert 'href="?priority=urgent&amp;cursor=' in first.content.decode()
    assert [*_page_rows(first), *_page_rows(second)] == _ids(*reversed(urgent))
    assert _count(second, "waiting") == 3


def test_waiting_list_edited_cursor_shows_the_first_page(manager_client, make_episode):
    episode = make_episode()

    response = manager_client.get(URL, {"cursor": "not-a-signed-cursor"})

    assert list(_page_rows(response)) == _ids(episode)
