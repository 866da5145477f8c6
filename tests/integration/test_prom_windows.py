"""Each questionnaire time point has a window in which answers belong to it (issue 15, item 10):
the baseline from the referral until care starts, the others a set number of days around their
due date. Outside it nothing is taken, the link says so kindly, the time point is recorded as
not answered in time, and the reports count only answers given inside."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from pathway.care import actions
from pathway.messaging.models import MessageState, OutboundMessage
from pathway.proms import schedule
from pathway.proms.actions import TimepointClosed, record_questionnaire
from pathway.proms.links import create_link
from pathway.proms.models import (
    PromTimepoint,
    QuestionnaireResponse,
    SafetyAlert,
    TimepointState,
)
from pathway.proms.windows import accepts_answers
from tests.audit_context import TEST_CONTEXT
from tests.integration.test_patient_link import (
    DATE_OF_BIRTH,
    NOT_WORKING,
    answer,
    continue_and_confirm,
    form_answers,
    new_link,
)
from tests.integration.test_report_outcomes import page_tables
from tests.slots import past_slot

pytestmark = pytest.mark.django_db

CLOSED = "These questionnaires have closed"
DAY = datetime.timedelta(days=1)


def book(episode, ttp, kind, starts_at):
    return actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind=kind,
        starts_at=starts_at,
        clinician=ttp,
        mode="telephone",
        recording_past=starts_at < timezone.now(),
        by=ttp,
    )


def days_ago(days):
    """A distinct half-hour slot about `days` ago (past_slot: the TTP's times never clash)."""
    return past_slot() - datetime.timedelta(days=days) + datetime.timedelta(hours=1)


def assess(episode, ttp, when=None):
    appointment = book(episode, ttp, "first_assessment", when or days_ago(1))
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=appointment, outcome="attended", by=ttp
    )
    return appointment


def start_core_therapy(episode, ttp):
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="core_therapy",
        symptom_duration="3_to_6",
        planned_sessions=4,
        by=ttp,
    )


def attend_session(episode, ttp, when):
    session = book(episode, ttp, "follow_up", when)
    actions.record_attendance(
        context=TEST_CONTEXT,
        appointment=session,
        outcome="attended",
        session_components=["exercise"],
        by=ttp,
    )
    return session


def discharge_same_day(episode, ttp):
    assess(episode, ttp)
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="same_day_discharge",
        symptom_duration="lt_3",
        by=ttp,
    )
    episode.refresh_from_db()
    return episode


def record(episode, timepoint, instrument, answers, by):
    return record_questionnaire(
        context=TEST_CONTEXT,
        episode=episode,
        timepoint=timepoint,
        instrument=instrument,
        answers=answers,
        source="clinician",
        by=by,
    )


def entry(episode, timepoint):
    return PromTimepoint.objects.get(episode=episode, timepoint=timepoint)


def closed_page(client, token):
    client.get(f"/q/{token}/")
    return client.get("/q/start/").content.decode()


# --- The walk-through: discharged with no questionnaires ---------------------------------------


def test_after_discharge_the_baseline_link_says_closed_and_takes_nothing(client, episode, ttp):
    token = new_link(episode)

    discharge_same_day(episode, ttp)
    page = closed_page(client, token)
    confirm = client.post("/q/confirm/", DATE_OF_BIRTH)
    sent = client.post("/q/questionnaire/phq9/", form_answers("phq9", phq9_9=2))

    assert CLOSED in page and NOT_WORKING not in page
    assert "you do not need to do anything" in page
    assert episode.service.name not in page  # names nobody, like the "not working" page
    assert CLOSED in confirm.content.decode()
    assert NOT_WORKING in sent.content.decode()  # no confirmed session: nothing to answer
    assert entry(episode, "baseline").state == TimepointState.NOT_RESPONDED
    assert not QuestionnaireResponse.objects.filter(episode=episode).exists()
    assert not SafetyAlert.objects.exists()


def test_an_answer_sent_after_the_baseline_closed_is_not_taken_and_raises_no_alert(
    client, episode, ttp
):
    token = new_link(episode)
    continue_and_confirm(client, token)  # the person starts before the assessment...

    discharge_same_day(episode, ttp)  # ...and sends their mood answers after discharge
    response = client.post("/q/questionnaire/phq9/", form_answers("phq9", phq9_9=2))

    page = response.content.decode()
    assert CLOSED in page
    # They said they think of harming themselves: they are shown where to get help now, and
    # not told that their care team knows (no alert can be raised for an answer not taken).
    assert 'data-testid="urgent-help"' in page and "116 123" in page
    assert "Your care team has been told" not in page
    assert "your care team has not seen them" in page
    assert not QuestionnaireResponse.objects.filter(episode=episode).exists()
    assert not SafetyAlert.objects.exists()


def test_an_alert_from_the_discharge_link_names_the_discharge_questionnaire(client, episode, ttp):
    discharge_same_day(episode, ttp)
    token, _link = create_link(timepoint=entry(episode, "discharge"))
    continue_and_confirm(client, token)

    answer(client, "phq9", phq9_9=1)

    alert = SafetyAlert.objects.get(episode=episode)
    assert alert.response.timepoint == "discharge"
    client.force_login(ttp)
    alerts_page = client.get("/ttp/alerts/").content.decode()
    assert "from the discharge questionnaire" in alerts_page
    assert "from the baseline questionnaire" not in alerts_page


# --- Baseline: open through the assessment, closed by the first treatment session -----------


def test_baseline_can_be_recorded_at_the_first_assessment(episode, ttp):
    assess(episode, ttp)

    record(episode, "baseline", "pain_nrs", {"pain": 6}, ttp)

    assert entry(episode, "baseline").closes_at is None
    assert QuestionnaireResponse.objects.filter(episode=episode, timepoint="baseline").exists()


@pytest.mark.parametrize(("session_in_days", "attended"), [(1, False), (-1, True)])
def test_baseline_closes_at_the_first_attended_treatment_session(
    episode, ttp, session_in_days, attended
):
    """A session booked for tomorrow has not started care; one attended yesterday has."""
    assess(episode, ttp, days_ago(2))
    start_core_therapy(episode, ttp)
    session = book(episode, ttp, "follow_up", timezone.now() + session_in_days * DAY)
    if attended:
        actions.record_attendance(
            context=TEST_CONTEXT,
            appointment=session,
            outcome="attended",
            session_components=["exercise"],
            by=ttp,
        )

    baseline = entry(episode, "baseline")
    if not attended:
        assert accepts_answers(baseline)
        record(episode, "baseline", "pain_nrs", {"pain": 6}, ttp)
    else:
        assert (baseline.closes_at, baseline.state) == (
            session.starts_at,
            TimepointState.NOT_RESPONDED,
        )
        with pytest.raises(TimepointClosed, match="closed on"):
            record(episode, "baseline", "pain_nrs", {"pain": 6}, ttp)


def test_a_missed_treatment_session_does_not_close_the_baseline(episode, ttp):
    assess(episode, ttp, days_ago(2))
    start_core_therapy(episode, ttp)
    missed = book(episode, ttp, "follow_up", days_ago(1))
    actions.record_attendance(
        context=TEST_CONTEXT,
        appointment=missed,
        outcome="did_not_attend",
        dna_exception_reason="Unwell",
        by=ttp,
    )

    assert accepts_answers(entry(episode, "baseline"))


def test_a_completed_baseline_stays_completed_when_care_starts(make_episode, ttp):
    episode = make_episode(days_ago=5)
    assessment = assess(episode, ttp, days_ago(2))
    for instrument, answers in {
        "pain_nrs": {"pain": 6},
        "odi": {"sections": [2] * 10},
        "eq5d5l": {"state": "21341", "vas": 60},
        "gad7": {"items": [1] * 7},
        "phq9": {"items": [1] * 8 + [0]},
    }.items():
        record(episode, "baseline", instrument, answers, ttp)
    # Recorded at the assessment, two days ago.
    at_assessment = assessment.starts_at + datetime.timedelta(minutes=20)
    QuestionnaireResponse.objects.filter(episode=episode).update(completed_at=at_assessment)
    PromTimepoint.objects.filter(episode=episode).update(completed_at=at_assessment)
    start_core_therapy(episode, ttp)

    session = attend_session(episode, ttp, days_ago(1))

    baseline = entry(episode, "baseline")
    assert (baseline.state, baseline.closes_at) == (TimepointState.COMPLETED, session.starts_at)
    assert QuestionnaireResponse.objects.in_window().filter(episode=episode).count() == 5


def test_baseline_can_close_at_the_first_assessment_instead(episode, ttp, settings):
    settings.PROM_BASELINE_CLOSES_AT = "first_assessment"

    assessment = assess(episode, ttp)

    baseline = entry(episode, "baseline")
    assert (baseline.closes_at, baseline.state) == (
        assessment.starts_at,
        TimepointState.NOT_RESPONDED,
    )
    with pytest.raises(TimepointClosed):
        record(episode, "baseline", "pain_nrs", {"pain": 6}, ttp)


def test_closing_the_baseline_stops_its_reminders(episode, ttp):
    discharge_same_day(episode, ttp)

    pending = OutboundMessage.objects.filter(
        prom_timepoint=entry(episode, "baseline"), state=MessageState.PENDING
    )
    assert not pending.exists()


# --- Discharge, 6 and 12 months: days around the due date --------------------------------------


WINDOWS = {"discharge": (0, 28), "month_6": (0, 42), "month_12": (0, 42)}


def shift_window(timepoint, *, closes_in):
    """Move the time point's dates so that its window closes `closes_in` from now."""
    delta = timezone.now() + closes_in - timepoint.closes_at
    PromTimepoint.objects.filter(pk=timepoint.pk).update(
        due_at=F("due_at") + delta, opens_at=F("opens_at") + delta, closes_at=F("closes_at") + delta
    )


@pytest.mark.parametrize("timepoint", list(WINDOWS))
def test_follow_up_windows_are_the_configured_days_around_the_due_date(episode, ttp, timepoint):
    episode = discharge_same_day(episode, ttp)

    scheduled = entry(episode, timepoint)

    before, after = WINDOWS[timepoint]
    assert scheduled.due_at - scheduled.opens_at == datetime.timedelta(days=before)
    assert scheduled.closes_at - scheduled.due_at == datetime.timedelta(days=after)


@pytest.mark.parametrize("timepoint", list(WINDOWS))
@pytest.mark.parametrize(("closes_in", "taken"), [(DAY, True), (-DAY, False)])
def test_follow_up_answers_a_day_before_the_window_closes_count_a_day_after_do_not(
    episode, ttp, timepoint, closes_in, taken
):
    episode = discharge_same_day(episode, ttp)
    scheduled = entry(episode, timepoint)
    shift_window(scheduled, closes_in=closes_in)

    schedule.open_due_timepoints()
    schedule.record_non_response()

    scheduled.refresh_from_db()
    if taken:
        record(episode, timepoint, "pain_nrs", {"pain": 3}, None)
        assert scheduled.state == TimepointState.OPEN
    else:
        assert scheduled.state == TimepointState.NOT_RESPONDED
        with pytest.raises(TimepointClosed):
            record(episode, timepoint, "pain_nrs", {"pain": 3}, None)


@pytest.mark.parametrize(("now_from_due", "state"), [(-15, "scheduled"), (-13, "open")])
def test_a_window_opening_before_the_due_date_opens_and_invites_then(
    episode, ttp, settings, now_from_due, state
):
    settings.PROM_WINDOW_BEFORE_DAYS = {"month_6": 14}
    episode = discharge_same_day(episode, ttp)
    six_months = entry(episode, "month_6")

    schedule.open_due_timepoints(now=six_months.due_at + now_from_due * DAY)

    six_months.refresh_from_db()
    invitation = six_months.messages.get(kind="prom_invitation")
    assert six_months.opens_at == six_months.due_at - 14 * DAY == invitation.due_at
    assert six_months.state == state


def test_the_sweep_closes_expired_time_points_and_their_links_say_so(client, episode, ttp):
    episode = discharge_same_day(episode, ttp)
    discharge = entry(episode, "discharge")
    token, _link = create_link(timepoint=discharge)
    shift_window(discharge, closes_in=-datetime.timedelta(minutes=1))

    closed = schedule.record_non_response()

    discharge.refresh_from_db()
    assert closed >= 1
    assert discharge.state == TimepointState.NOT_RESPONDED
    assert not discharge.messages.filter(state=MessageState.PENDING).exists()
    # The baseline has no end date: only its closing event (here discharge) closed it.
    assert entry(episode, "baseline").closes_at == episode.discharged_at
    assert CLOSED in closed_page(client, token)


def test_a_link_sent_late_in_a_window_expires_with_it(episode, ttp):
    episode = discharge_same_day(episode, ttp)
    discharge = entry(episode, "discharge")
    shift_window(discharge, closes_in=3 * DAY)
    discharge.refresh_from_db()

    _token, link = create_link(timepoint=discharge)

    assert link.expires_at == discharge.closes_at


# --- The clinician's form follows the same windows -------------------------------------------


def record_url(episode, timepoint):
    path = reverse("care:record_questionnaires", args=[episode.public_id])
    return f"{path}?timepoint={timepoint}"


def test_clinician_cannot_record_a_baseline_after_treatment_started(client, episode, ttp):
    assess(episode, ttp, days_ago(2))
    start_core_therapy(episode, ttp)
    attend_session(episode, ttp, days_ago(1))
    client.force_login(ttp)

    page = client.get(record_url(episode, "baseline")).content.decode()
    posted = client.post(record_url(episode, "baseline"), {"pain_nrs": "6"})

    assert 'data-testid="questionnaires-closed"' in page
    assert "cannot be recorded as baseline" in page
    assert 'name="pain_nrs"' not in page
    assert posted.status_code == 200
    assert "cannot be recorded as baseline" in posted.content.decode()
    assert not QuestionnaireResponse.objects.filter(episode=episode).exists()


def test_clinician_records_discharge_questionnaires_only_once_discharged(client, episode, ttp):
    assess(episode, ttp)
    start_core_therapy(episode, ttp)
    client.force_login(ttp)

    before = client.post(record_url(episode, "discharge"), {"pain_nrs": "3"})
    actions.discharge_episode(
        context=TEST_CONTEXT, episode=episode, reason="treatment_complete", by=ttp
    )
    episode_page = client.get(reverse("care:episode", args=[episode.public_id]))
    after = client.post(record_url(episode, "discharge"), {"pain_nrs": "3"})

    assert "open when the person is discharged" in before.content.decode()
    assert "Record questionnaires with the person" in episode_page.content.decode()
    assert after.status_code == 302
    saved = QuestionnaireResponse.objects.get(episode=episode)
    assert (saved.timepoint, saved.score) == ("discharge", 3)


# --- Reports count only answers given inside the window --------------------------------------


def pain_at_baseline(client):
    tables, _html = page_tables(client)
    row = next(row for row in tables["means"] if row[0].startswith("Pain"))
    return row[1], row[2]  # baseline mean, n


def test_reports_leave_out_an_answer_given_after_the_window(client, make_episode, ttp, manager):
    for pain in (4, 8):
        treated = make_episode()
        assess(treated, ttp)
        record(treated, "baseline", "pain_nrs", {"pain": pain}, ttp)
        start_core_therapy(treated, ttp)
    late = make_episode()
    assess(late, ttp, days_ago(2))
    start_core_therapy(late, ttp)
    actions.discharge_episode(
        context=TEST_CONTEXT, episode=late, reason="treatment_complete", by=ttp
    )
    client.force_login(manager)
    without_late_answer = pain_at_baseline(client)

    # A baseline answered after discharge, as stored before windows existed (the service no
    # longer takes one): the row is kept, but no report counts it.
    QuestionnaireResponse.objects.create(
        episode=late,
        timepoint="baseline",
        instrument="pain_nrs",
        answers={"pain": 10},
        scores={"pain": 10},
        score=10,
        completed_at=timezone.now(),
        source="patient",
    )

    assert without_late_answer == ("6.0", "2")
    assert pain_at_baseline(client) == without_late_answer
    assert QuestionnaireResponse.objects.in_window().filter(episode=late).count() == 0


def test_migration_classifies_a_baseline_completed_after_discharge_as_not_in_time(episode, ttp):
    """Completed after discharge, before windows existed: not answered in time."""
    migration = importlib.import_module("pathway.proms.migrations.0007_classify_timepoint_windows")
    late = discharge_same_day(episode, ttp)
    PromTimepoint.objects.filter(episode=late, timepoint="baseline").update(
        state="completed",
        completed_at=timezone.now() + datetime.timedelta(minutes=5),
        closes_at=None,
        opens_at=timezone.now(),
    )

    migration.classify(apps, None)

    baseline = entry(late, "baseline")
    assert (baseline.state, baseline.closes_at) == ("not_responded", late.discharged_at)
    assert baseline.opens_at == min(late.referred_at, baseline.due_at)
    six_months = entry(late, "month_6")
    assert six_months.closes_at - six_months.due_at == datetime.timedelta(days=42)


def test_migration_reopens_a_baseline_whose_window_is_still_open(make_episode):
    """Left "not responded" at 28 days while the person still waits for care: open again."""
    migration = importlib.import_module("pathway.proms.migrations.0007_classify_timepoint_windows")
    waiting = make_episode()
    PromTimepoint.objects.filter(episode=waiting).update(state="not_responded")

    migration.classify(apps, None)

    assert (entry(waiting, "baseline").state, entry(waiting, "baseline").closes_at) == (
        "open",
        None,
    )


# --- Settings ------------------------------------------------------------------------------


def test_a_mistyped_window_setting_stops_the_service_starting(settings):
    from pathway.proms.checks import check_questionnaire_windows

    settings.PROM_BASELINE_CLOSES_AT = "first_session"
    settings.PROM_WINDOW_AFTER_DAYS = {"month_6": 0}

    errors = check_questionnaire_windows()

    assert [error.id for error in errors] == ["proms.E001", "proms.E001"]
    assert "PROM_BASELINE_CLOSES_AT must be" in errors[0].msg
    assert "PROM_WINDOW_AFTER_DAYS['month_6']" in errors[1].msg
