"""The whole pathway for one person, as the running service does it: a GP refers, the patient
answers from the emailed link on a phone, the TTP treats and discharges, six months pass, the
6-month invitation arrives once, and the manager's outcomes count the person."""

import datetime

import pytest

from pathway.care.models import Episode
from pathway.messaging.models import MessageState, OutboundMessage
from pathway.messaging.tasks import sweep_outbox
from pathway.proms.models import SafetyAlert, Timepoint
from pathway.proms.tasks import sweep_questionnaires
from pathway.referrals.models import Referral
from tests.functional import steps
from tests.functional.journey import PHONE, link_in
from tests.functional.journey_services import move_clock, run_on_worker

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

EMAIL = "rosa.rivers@example.com"
BORN = datetime.date(1968, 9, 12)
SIX_MONTHS = 182

# Baseline answers whose scores the TTP reads at the assessment.
BASELINE = {"pain_nrs": "7", "eq_vas": "60", "phq9_9": "0"}


def links_sent_to(mail_server, address):
    return [link_in(mail) for mail in mail_server.handler.to(address) if "/q/" in mail.body]


def wait_for_links(mail_server, address, count):
    mail_server.wait_for(
        lambda handler: len(links_sent_to(mail_server, address)) >= count,
        message=f"questionnaire email number {count}",
    )
    return links_sent_to(mail_server, address)


def test_referral_to_six_month_outcome(open_tab, celery_worker, mail_server, gp, ttp, manager):
    # The GP refers a person at medium risk.
    doctor = open_tab("GP")
    doctor.sign_in(gp)
    doctor.follow("Refer a patient with back or neck pain", "referral template")
    steps.type_patient(
        doctor,
        nhs_number="999 000 0131",
        given_name="Rosa",
        family_name="Rivers",
        born=BORN,
        email=EMAIL,
    )
    steps.answer_presentation(doctor)
    steps.answer_screening(doctor)
    steps.answer_startback(doctor)
    doctor.page.locator("#id_decision_0").check()
    steps.wait_for_live_panels(doctor)
    assert doctor.test_id("startback-risk").inner_text() == "Medium"
    doctor.arrived("referral template, answered")
    doctor.page.evaluate(
        "document.querySelector('#live-startback').scrollIntoView({block: 'center'})"
    )
    doctor.screenshot("gp-referral-startback.png")
    doctor.press("Submit", "referral summary")
    assert "medium risk" in doctor.test_id("summary-startback").inner_text()
    referral = Referral.objects.get(patient__email=EMAIL)
    episode = Episode.objects.get(referral=referral)

    # The worker emails the baseline link; the person answers on a phone.
    (baseline_link,) = wait_for_links(mail_server, EMAIL, 1)
    patient = open_tab("patient", viewport=PHONE)
    steps.open_link(patient, baseline_link, BORN)
    steps.answer_questionnaires(
        patient, choice=1, number="7", overrides=BASELINE, screenshot="patient-questionnaire.png"
    )
    assert patient.heading() == "Thank you"
    patient.arrived("questionnaires complete")
    # That was the day before the assessment: the baseline's window closes at the first
    # therapy session, which the TTP books an hour ago below.
    move_clock(episode, days=1)

    # The TTP sees the scores at the assessment, treats and discharges.
    clinician = open_tab("TTP")
    clinician.sign_in(ttp)
    clinician.follow("Triage queue", "triage queue")
    clinician.screenshot("ttp-triage-queue.png")
    clinician.follow("RIVERS, Rosa", "episode awaiting triage")
    scores = clinician.test_id("scores-baseline")
    assert "7 out of 10" in scores.get_by_test_id("score-baseline-pain_nrs").inner_text()
    assert "EQ VAS 60" in scores.get_by_test_id("score-baseline-eq5d5l").inner_text()
    steps.book(clinician, "Book a first assessment")
    steps.record_outcome(clinician, "Attended")
    steps.triage_to_core_therapy(clinician, sessions=3)
    for _ in range(3):
        steps.book(clinician, "Book a follow-up")
        steps.record_outcome(clinician, "Attended", session=True)
    triage = clinician.test_id("triage-outcome").inner_text()
    assert "3 of 3 sessions used" in triage
    clinician.screenshot("ttp-episode.png", full_page=True)
    steps.discharge(clinician, "Treatment complete")
    assert clinician.test_id("episode-state").inner_text() == "Discharged"
    clinician.follow("GP letter", "GP letter")
    clinician.goto("/ttp/", "caseload")
    clinician.screenshot("ttp-caseload.png")

    # Discharge asks for the discharge questionnaires at once (the person does not answer).
    wait_for_links(mail_server, EMAIL, 2)

    # Six months pass: the data moves back, and the beat's two sweeps run on the worker, the
    # outbox's twice (their order is not fixed: here the invitation opens its time point).
    move_clock(episode, days=SIX_MONTHS)
    run_on_worker(sweep_outbox)
    run_on_worker(sweep_questionnaires)
    run_on_worker(sweep_outbox)

    links = links_sent_to(mail_server, EMAIL)
    six_months = OutboundMessage.objects.filter(
        episode=episode, prom_timepoint__timepoint=Timepoint.MONTH_6, state=MessageState.SENT
    )
    assert len(links) == 3
    assert six_months.count() == 1

    steps.open_link(patient, links[-1], BORN)
    assert patient.test_id("progress").inner_text() == "Questionnaire 1 of 7"
    steps.answer_questionnaires(
        patient, choice=0, number="3", overrides={"pain_nrs": "3", "eq_vas": "75", "phq9_9": "0"}
    )
    assert patient.heading() == "Thank you"

    # The manager's outcomes now count the person at six months.
    lead = open_tab("manager")
    lead.sign_in(manager)
    lead.screenshot("manager-dashboard.png")
    lead.follow("Waiting list", "waiting list")
    lead.follow("Outcomes", "outcomes")
    change = lead.test_id("table-change-month_6")
    pain = change.locator("tr", has_text="Pain").first.locator("td")
    assert pain.nth(1).inner_text() == "1"  # n: people with a baseline and a 6-month score
    change.evaluate("table => table.scrollIntoView({block: 'start'})")
    lead.screenshot("manager-outcomes.png")

    assert not SafetyAlert.objects.filter(episode=episode).exists()

    # Back at the practice, the GP sees the outcome.
    doctor.goto("/gp/", "GP home")
    assert "Discharged" in doctor.test_id("referral-status").first.inner_text()
    doctor.screenshot("gp-referrals.png")
