import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from pathway.care import actions
from pathway.care.models import Episode
from pathway.clinical.referral_rules import age_on
from pathway.proms.actions import record_questionnaire
from tests import factories
from tests.audit_context import TEST_CONTEXT
from tests.factories import TTPFactory
from tests.integration.conftest import AUDIT_CHAIN_QUERIES
from tests.referral_data import HIGH_RISK, LOW_RISK, referral_post
from tests.slots import past_slot

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("care:triage_queue")
CASELOAD_URL = reverse("care:caseload")
REFER_URL = reverse("referrals:new")


@pytest.fixture
def gp_client(client, gp):
    client.force_login(gp)
    return client


@pytest.fixture
def refer(gp_client, practice, service, other_service):
    """refer(**answers) -> a new episode awaiting triage, submitted through the GP's form.

    The area has two services, so the form is told which one (`to`, by default `service`).
    """
    counter = iter(range(1, 1000))

    def make(*, to=None, days_ago=0, nhs_number=None, family_name=None, **answers):
        nhs_number = nhs_number or next(factories._nhs_numbers)
        data = referral_post(
            practice=practice,
            nhs_number=nhs_number,
            family_name=family_name or f"Person{next(counter):03d}",
            service=str((to or service).pk),
            **answers,
        )
        response = gp_client.post(REFER_URL, data)
        assert response.status_code == 302, "the referral was refused"
        episode = Episode.objects.open().get(patient__nhs_number=nhs_number)
        if days_ago:
            _backdate(episode, days_ago)
        return episode

    return make


def _backdate(episode, days_ago):
    # Test set-up only (as the demo data does): a referral made `days_ago` days ago, so
    # waits differ. No action can move a waiting clock into the past.
    when = timezone.now() - datetime.timedelta(days=days_ago)
    Episode.objects.filter(pk=episode.pk).update(
        referred_at=when, clock_started_on=timezone.localdate(when)
    )
    episode.refresh_from_db()


def _as(client, user):
    client.force_login(user)
    return client


def _page(response):
    assert response.status_code == 200
    return response.content.decode()


def _row_ids(page):
    return re.findall(
        r'<tr class="nhsuk-table__row" data-testid="[a-z-]+-row" data-episode="([^"]+)"', page
    )


def _row(page, episode):
    match = re.search(rf'data-episode="{episode.public_id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {episode}"
    return match.group(1)


def _cell(row, testid):
    match = re.search(rf'data-testid="{testid}">(.*?)</td>', row, re.S)
    assert match, f"no {testid} cell"
    text = re.sub(r'<span class="nhsuk-table-responsive__heading".*?</span>', "", match.group(1))
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split())


def _testid_text(page, testid):
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(p|div)>', page, re.S)
    assert match, f"no {testid}"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def _ids(*episodes):
    return [str(episode.public_id) for episode in episodes]


def _raise_safety_alert(episode, by):
    record_questionnaire(
        context=TEST_CONTEXT,
        episode=episode,
        timepoint="baseline",
        instrument="phq9",
        answers={"items": [0, 0, 0, 0, 0, 0, 0, 0, 1]},
        source="clinician",
        by=by,
    )


def _book_first_assessment(episode, ttp, *, starts_at=None):
    starts_at = starts_at or past_slot()
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


def _start_core_therapy(episode, ttp, *, planned_sessions=6):
    assessment = _book_first_assessment(episode, ttp)
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=assessment, outcome="attended", by=ttp
    )
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="core_therapy",
        symptom_duration="3_to_6",
        planned_sessions=planned_sessions,
        by=ttp,
    )


def _book_follow_up(episode, ttp, starts_at):
    return actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind="follow_up",
        starts_at=starts_at,
        clinician=ttp,
        mode="telephone",
        by=ttp,
        recording_past=starts_at < timezone.now(),
    )


# --- Triage queue ----------------------------------------------------------------------------


def test_triage_queue_lists_urgent_first_then_the_longest_waiting(client, refer, ttp):
    standard_old = refer(days_ago=20)
    urgent_new = refer(days_ago=1, urgency_severe_sleep_disturbance="yes")
    standard_older = refer(days_ago=30)
    urgent_old = refer(days_ago=4, urgency_severe_sleep_disturbance="yes")

    page = _page(_as(client, ttp).get(QUEUE_URL))

    assert _row_ids(page) == _ids(urgent_old, urgent_new, standard_older, standard_old)
    assert "4 referrals waiting for triage" in page


def test_triage_queue_row_shows_age_days_waiting_risk_and_links(client, refer, ttp):
    episode = refer(days_ago=9, startback=HIGH_RISK)

    row = _row(_page(_as(client, ttp).get(QUEUE_URL)), episode)

    assert _cell(row, "patient") == "PERSON001, Ruth"
    assert _cell(row, "age") == str(age_on(datetime.date(1971, 3, 14), timezone.localdate()))
    assert _cell(row, "priority") == "Standard"
    assert _cell(row, "days-waiting") == "9"
    assert _cell(row, "risk") == "High"
    assert _cell(row, "notes") == ""
    assert reverse("care:episode", args=[episode.public_id]) in row
    assert reverse("care:book", args=[episode.public_id]) in row


def test_triage_queue_sorted_newest_first_on_request(client, refer, ttp):
    urgent_old = refer(days_ago=10, urgency_severe_sleep_disturbance="yes")
    standard_new = refer(days_ago=1)

    page = _page(_as(client, ttp).get(QUEUE_URL, {"sort": "newest"}))

    assert _row_ids(page) == _ids(standard_new, urgent_old)


def test_triage_queue_filtered_by_priority(client, refer, ttp):
    urgent = refer(urgency_severe_sleep_disturbance="yes")
    standard = refer()

    client = _as(client, ttp)
    urgent_page = _page(client.get(QUEUE_URL, {"priority": "urgent"}))
    standard_page = _page(client.get(QUEUE_URL, {"priority": "standard"}))

    assert _row_ids(urgent_page) == _ids(urgent)
    assert _row_ids(standard_page) == _ids(standard)
    assert "1 referral matches these filters" in urgent_page


def test_triage_queue_filtered_by_startback_risk(client, refer, ttp):
    refer(startback=LOW_RISK, low_risk_referral_reason="Asked for physiotherapy")
    medium = refer()
    high = refer(startback=HIGH_RISK)

    client = _as(client, ttp)

    assert _row_ids(_page(client.get(QUEUE_URL, {"risk": "high"}))) == _ids(high)
    assert _row_ids(_page(client.get(QUEUE_URL, {"risk": "medium"}))) == _ids(medium)


def test_triage_queue_filtered_to_returners(client, refer, ttp):
    first = refer()
    actions.move_episode(
        context=TEST_CONTEXT,
        episode=first,
        transition="decline_care",
        reason="Wants to wait",
        discharge_reason="patient_choice",
        by=ttp,
    )
    returner = refer(
        nhs_number=first.patient.nhs_number,
        family_name=first.patient.family_name,
        return_kind="persisting",
        return_justification="Pain back after stopping exercises",
    )
    newcomer = refer()

    page = _page(_as(client, ttp).get(QUEUE_URL, {"returner": "yes"}))

    assert returner.previous_episode == first
    assert _row_ids(page) == _ids(returner)
    assert _cell(_row(page, returner), "notes") == "Returner"
    assert str(newcomer.public_id) not in page


def test_triage_queue_filtered_to_open_safety_alerts(client, refer, ttp):
    alerted = refer()
    refer()
    _raise_safety_alert(alerted, ttp)

    page = _page(_as(client, ttp).get(QUEUE_URL, {"alert": "yes"}))

    assert _row_ids(page) == _ids(alerted)
    assert _cell(_row(page, alerted), "notes") == "Safety alert"


def test_triage_queue_filters_combine(client, refer, ttp):
    refer(urgency_severe_sleep_disturbance="yes")
    urgent_high = refer(urgency_severe_sleep_disturbance="yes", startback=HIGH_RISK)
    refer(startback=HIGH_RISK)

    page = _page(_as(client, ttp).get(QUEUE_URL, {"priority": "urgent", "risk": "high"}))

    assert _row_ids(page) == _ids(urgent_high)


def test_triage_queue_ignores_a_bad_filter_value(client, refer, ttp):
    urgent = refer(urgency_severe_sleep_disturbance="yes", startback=HIGH_RISK)
    standard = refer()

    response = _as(client, ttp).get(
        QUEUE_URL,
        {"priority": "<script>", "risk": "extreme", "returner": "maybe", "sort": "'; DROP"},
    )

    assert _row_ids(_page(response)) == _ids(urgent, standard)


def test_triage_queue_keeps_valid_filters_beside_a_bad_one(client, refer, ttp):
    urgent = refer(urgency_severe_sleep_disturbance="yes")
    refer()

    page = _page(_as(client, ttp).get(QUEUE_URL, {"priority": "urgent", "risk": "x"}))

    assert _row_ids(page) == _ids(urgent)
    assert '<option value="urgent" selected>' in page


def test_triage_queue_htmx_request_gets_only_the_results_partial(client, refer, ttp):
    episode = refer()

    response = _as(client, ttp).get(QUEUE_URL, {"risk": "medium"}, headers={"HX-Request": "true"})

    page = _page(response)
    assert _row_ids(page) == _ids(episode)
    assert "<h1" not in page and "<form" not in page and "<html" not in page
    assert 'hx-swap-oob="innerHTML"' in page
    assert "HX-Request" in response["Vary"]


def test_triage_queue_full_page_varies_on_htmx_header(client, refer, ttp):
    refer()

    response = _as(client, ttp).get(QUEUE_URL)

    page = _page(response)
    assert "<h1>Triage queue</h1>" in page
    assert 'hx-get="/ttp/triage/"' in page and 'hx-push-url="true"' in page
    assert "HX-Request" in response["Vary"]


def test_triage_queue_history_restore_gets_the_full_page(client, refer, ttp):
    refer()

    response = _as(client, ttp).get(
        QUEUE_URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert "<h1>Triage queue</h1>" in _page(response)


def test_triage_queue_never_shows_another_services_episodes(
    client, refer, ttp, service, other_service
):
    ours = refer(to=service)
    theirs = refer(to=other_service)

    other_ttp_page = _page(_as(client, TTPFactory(service=other_service)).get(QUEUE_URL))
    our_page = _page(_as(client, ttp).get(QUEUE_URL))

    assert _row_ids(other_ttp_page) == _ids(theirs)
    assert _row_ids(our_page) == _ids(ours)


def test_triage_queue_leaves_out_episodes_already_booked(client, refer, ttp):
    booked = refer()
    waiting = refer()
    _book_first_assessment(booked, ttp, starts_at=timezone.now() + datetime.timedelta(days=2))

    page = _page(_as(client, ttp).get(QUEUE_URL))

    assert _row_ids(page) == _ids(waiting)


def test_triage_queue_says_when_nothing_matches(client, refer, ttp):
    refer()

    page = _page(_as(client, ttp).get(QUEUE_URL, {"priority": "urgent"}))

    assert "No referrals waiting for triage match these filters" in page


def test_triage_queue_counts_everyone_waiting(client, refer, ttp):
    refer()

    page = _page(_as(client, ttp).get(QUEUE_URL))

    assert "1 referral waiting for triage" in page


def test_triage_queue_is_forbidden_to_a_gp(gp_client):
    assert gp_client.get(QUEUE_URL).status_code == 403


@pytest.mark.parametrize("count", [1, 10])
def test_triage_queue_queries_do_not_grow_with_rows(
    client, refer, ttp, count, django_assert_max_num_queries
):
    for n in range(count):
        episode = refer(days_ago=n)
        if n % 2:
            _raise_safety_alert(episode, ttp)
    client = _as(client, ttp)

    with django_assert_max_num_queries(6 + AUDIT_CHAIN_QUERIES):
        page = _page(client.get(QUEUE_URL))

    assert len(_row_ids(page)) == count


# --- Caseload --------------------------------------------------------------------------------


def test_caseload_shows_only_the_ttps_own_open_episodes(client, refer, ttp, service):
    colleague = TTPFactory(service=service)
    mine = refer()
    _book_first_assessment(mine, ttp, starts_at=timezone.now() + datetime.timedelta(days=1))
    colleagues = refer()
    _book_first_assessment(
        colleagues, colleague, starts_at=timezone.now() + datetime.timedelta(days=1)
    )
    refer()  # awaiting triage: nobody's yet
    discharged = refer()
    _book_first_assessment(discharged, ttp)
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=discharged.appointments.get(), outcome="attended", by=ttp
    )
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=discharged,
        outcome="same_day_discharge",
        symptom_duration="3_to_6",
        by=ttp,
    )

    page = _page(_as(client, ttp).get(CASELOAD_URL))

    assert _row_ids(page) == _ids(mine)


def test_caseload_row_shows_next_appointment_sessions_and_questionnaires(client, refer, ttp):
    episode = refer()
    _start_core_therapy(episode, ttp, planned_sessions=6)
    # Recorded at the assessment: the first therapy session then closes the baseline window.
    for instrument, answers in [("pain_nrs", {"pain": 6}), ("gad7", {"items": [1] * 7})]:
        record_questionnaire(
            context=TEST_CONTEXT,
            episode=episode,
            timepoint="baseline",
            instrument=instrument,
            answers=answers,
            source="clinician",
            by=ttp,
        )
    now = timezone.now()
    attended = _book_follow_up(episode, ttp, now - datetime.timedelta(minutes=30))
    actions.record_attendance(
        context=TEST_CONTEXT,
        appointment=attended,
        outcome="attended",
        session_components=["exercise"],
        by=ttp,
    )
    cancelled = _book_follow_up(episode, ttp, now + datetime.timedelta(days=1))
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=cancelled, outcome="cancelled_by_service", by=ttp
    )
    _book_follow_up(episode, ttp, now + datetime.timedelta(days=5))
    next_one = _book_follow_up(episode, ttp, now + datetime.timedelta(days=2))

    row = _row(_page(_as(client, ttp).get(CASELOAD_URL)), episode)

    expected = dateformat.format(timezone.localtime(next_one.starts_at), "j M Y, H:i")
    assert _cell(row, "next-appointment") == expected
    assert _cell(row, "sessions") == "1 / 6"
    assert _cell(row, "questionnaires-outstanding") == "3"
    assert _cell(row, "state") == "In treatment"
    assert _cell(row, "open-alerts") == "0"


def test_caseload_row_without_core_therapy_or_future_appointment(client, refer, ttp):
    episode = refer()
    _book_first_assessment(episode, ttp)

    row = _row(_page(_as(client, ttp).get(CASELOAD_URL)), episode)

    assert _cell(row, "next-appointment") == "None booked"
    assert _cell(row, "sessions") == "0 / -"
    assert _cell(row, "questionnaires-outstanding") == "5"


def test_caseload_counts_at_the_top_and_puts_alerts_and_proposed_discharges_first(
    client, refer, ttp
):
    soon = timezone.now() + datetime.timedelta(days=1)
    booked_later = refer()
    _book_first_assessment(booked_later, ttp, starts_at=soon + datetime.timedelta(days=3))
    booked_sooner = refer()
    _book_first_assessment(booked_sooner, ttp, starts_at=soon)
    treated = refer()
    _start_core_therapy(treated, ttp)
    proposed = refer()
    _start_core_therapy(proposed, ttp)
    missed = _book_follow_up(proposed, ttp, timezone.now() - datetime.timedelta(minutes=10))
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=missed, outcome="did_not_attend", by=ttp
    )
    alerted = refer()
    _book_first_assessment(alerted, ttp, starts_at=soon + datetime.timedelta(days=10))
    _raise_safety_alert(alerted, ttp)

    page = _page(_as(client, ttp).get(CASELOAD_URL))

    assert "5 open episodes" in _testid_text(page, "count-open")
    assert _testid_text(page, "count-assessment-booked") == "3"
    assert _testid_text(page, "count-in-treatment") == "1"
    assert _testid_text(page, "count-discharge-proposed") == "1"
    assert _testid_text(page, "count-open-alerts") == "1"
    rows = _row_ids(page)
    assert set(rows[:2]) == set(_ids(proposed, alerted))
    assert rows[2:] == _ids(booked_sooner, booked_later, treated)
    assert "nhsuk-tag--red" in _row(page, alerted)


def test_caseload_without_open_episodes_points_to_the_triage_queue(client, ttp):
    page = _page(_as(client, ttp).get(CASELOAD_URL))

    assert "You have no open episodes" in page
    assert f'href="{QUEUE_URL}"' in page


def test_caseload_is_forbidden_to_a_gp(gp_client):
    assert gp_client.get(CASELOAD_URL).status_code == 403


@pytest.mark.parametrize("count", [1, 10])
def test_caseload_queries_do_not_grow_with_episodes(
    client, refer, ttp, count, django_assert_max_num_queries
):
    for n in range(count):
        episode = refer()
        _start_core_therapy(episode, ttp)
        _book_follow_up(episode, ttp, timezone.now() + datetime.timedelta(days=n + 1))
        if n % 2:
            _raise_safety_alert(episode, ttp)
    client = _as(client, ttp)

    with django_assert_max_num_queries(7 + AUDIT_CHAIN_QUERIES):
        page = _page(client.get(CASELOAD_URL))

    assert len(_row_ids(page)) == count
