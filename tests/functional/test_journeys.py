"""Shorter journeys through the running service: red flags (cauda equina, and one the GP does
not suspect), two missed appointments, a returner, a safety alert, and people of other
organisations who must see none of it."""

import datetime

import pytest
from playwright.sync_api import expect

from pathway.care.models import Episode, EpisodeState
from pathway.demo import care as demo_care
from pathway.proms.links import create_link
from pathway.proms.models import SafetyAlert
from pathway.proms.schedule import open_due_timepoints
from pathway.referrals.models import Referral
from tests.factories import TTPFactory
from tests.functional import steps
from tests.functional.journey import PHONE
from tests.functional.journey_services import move_clock

pytestmark = pytest.mark.browser

BORN = datetime.date(1975, 2, 20)


def test_red_flag_stops_the_referral_and_says_where_to_send_the_person(open_tab, gp, service):
    doctor = open_tab("GP")
    doctor.sign_in(gp)
    doctor.follow("Refer a patient with back or neck pain", "referral template")
    steps.type_patient(
        doctor,
        nhs_number="999 000 0204",
        given_name="Ivor",
        family_name="Irwin",
        born=BORN,
        email="ivor@example.com",
    )
    steps.answer_presentation(doctor)
    steps.answer_screening(doctor, red_flag="red_flag_bilateral_sciatica")
    advice = doctor.test_id("red-flag-advice")
    advice.wait_for()
    steps.wait_for_live_panels(doctor)
    doctor.arrived("referral template, red flag")
    assert "emergency department" in advice.inner_text()
    advice.scroll_into_view_if_needed()
    doctor.page.evaluate("window.scrollBy(0, -140)")
    doctor.screenshot("gp-red-flag.png")

    doctor.press("Submit", "referral summary, red flag")

    assert "red flag" in doctor.test_id("outcome").inner_text().lower()
    referral = Referral.objects.get(patient__nhs_number="9990000204")
    assert referral.outcome == "redirected"
    assert not Episode.objects.filter(referral=referral).exists()


def test_red_flag_not_suspected_needs_a_reason_then_the_referral_goes_on_to_the_ttp(
    open_tab, gp, service, ttp
):
    reason = "Pain at night only when lying on the sore side; well, no weight loss or cancer."
    doctor = open_tab("GP")
    doctor.sign_in(gp)
    doctor.follow("Refer a patient with back or neck pain", "referral template")
    steps.type_patient(
        doctor,
        nhs_number="999 000 0255",
        given_name="Nora",
        family_name="Night",
        born=BORN,
        email="nora@example.com",
    )
    steps.answer_presentation(doctor)
    steps.answer_screening(doctor, red_flag="red_flag_night_pain")

    # Night pain alone: asked, not stopped; the template recommends "not suspected".
    doctor.page.locator("#id_red_flag_judgement_0").wait_for()
    expect(doctor.test_id("red-flag-recommendation")).to_contain_text("not suspected")
    assert doctor.test_id("red-flags-found").is_visible()
    # "Suspected" names where to send the person; the choice keeps its focus through the swap.
    doctor.page.locator("#id_red_flag_judgement_0").check()
    expect(doctor.test_id("red-flag-advice")).to_contain_text("suspected-cancer pathway")
    assert doctor.page.evaluate("document.activeElement.id") == "id_red_flag_judgement_0"
    doctor.page.locator("#id_red_flag_judgement_1").check()
    expect(doctor.test_id("red-flags-go-on")).to_be_visible()
    assert doctor.test_id("red-flag-advice").count() == 0
    steps.answer_startback(doctor)
    doctor.page.locator("#id_decision_0").check()
    steps.wait_for_live_panels(doctor)
    doctor.arrived("referral template, red flag judged")
    doctor.test_id("red-flag-recommendation").scroll_into_view_if_needed()
    doctor.screenshot("gp-red-flag-judgement.png")

    doctor.press("Submit", "referral template, red flag reason missing")
    assert (
        "Say why you do not suspect serious pathology"
        in doctor.page.locator("#id_red_flag_judgement_reason-error").inner_text()
    )
    assert doctor.page.locator("#id_red_flag_judgement_1").is_checked()
    assert doctor.page.get_by_label("Last name").input_value() == "Night"
    assert not Referral.objects.filter(patient__nhs_number="9990000255").exists()
    doctor.page.get_by_label("Your reason").fill(reason)
    doctor.press("Submit", "referral summary, red flags considered")

    assert "Referred" in doctor.test_id("outcome").inner_text()
    expect(doctor.test_id("red-flags-considered")).to_contain_text(reason)
    referral = Referral.objects.get(patient__nhs_number="9990000255")
    assert (referral.outcome, referral.red_flag_judgement) == ("referred", "not_suspected")
    assert referral.red_flags_judged_by == gp

    clinician = open_tab("TTP")
    clinician.sign_in(ttp)
    clinician.follow("Triage queue", "triage queue, red flags")
    row = clinician.test_id("queue-row").filter(has_text="NIGHT, Nora")
    expect(row.get_by_test_id("red-flags-tag")).to_be_visible()
    clinician.goto(f"/ttp/episodes/{referral.episode.public_id}/", "episode, red flags considered")
    expect(clinician.test_id("red-flags-considered")).to_contain_text(reason)
    clinician.screenshot("ttp-red-flags-considered.png")


def test_two_missed_first_appointments_propose_discharge_and_a_gp_letter(
    open_tab, make_episode, ttp, gp
):
    episode = make_episode()
    clinician = open_tab("TTP")
    clinician.sign_in(ttp)
    clinician.goto(f"/ttp/episodes/{episode.public_id}/", "episode awaiting triage")
    for _ in range(2):
        steps.book(clinician, "Book a first assessment")
        steps.record_outcome(clinician, "Did not attend")

    assert clinician.test_id("episode-state").inner_text() == "Discharge proposed"
    clinician.arrived("episode, discharge proposed")
    clinician.follow("Confirm discharge", "discharge, proposed")
    assert clinician.page.get_by_label("Did not attend", exact=True).is_checked()
    clinician.press("Discharge", "episode discharged")
    clinician.follow("GP letter", "GP letter")
    assert "Did not attend" in clinician.test_id("discharge-reason").inner_text()

    doctor = open_tab("GP")
    doctor.sign_in(gp)
    assert "did not attend" in doctor.test_id("referral-status").first.inner_text().lower()
    doctor.goto(f"/ttp/episodes/{episode.public_id}/discharge-letter/", "GP letter")
    assert "Did not attend" in doctor.test_id("discharge-reason").inner_text()
    episode.refresh_from_db()
    assert (episode.state, episode.discharge_reason) == (EpisodeState.DISCHARGED, "did_not_attend")


def test_returner_within_12_months_is_recognised_and_needs_a_justification(
    open_tab, make_episode, ttp, gp
):
    earlier = make_episode()
    demo_care.assess_and_triage(earlier, ttp, days=-1, outcome="same_day_discharge")
    move_clock(earlier, days=120)  # referred, seen and discharged 120 days ago
    patient = earlier.patient
    doctor = open_tab("GP")
    doctor.sign_in(gp)
    doctor.follow("Refer a patient with back or neck pain", "referral template")

    doctor.page.locator("#id_nhs_number").fill(patient.nhs_number)
    doctor.page.keyboard.press("Tab")  # leaving the box is a change: htmx asks who this is
    doctor.test_id("returner").wait_for()
    assert "Seen by the pathway before" in doctor.test_id("returner").inner_text()
    doctor.press("Use these details", "referral template, known patient")
    steps.answer_presentation(doctor)  # back pain again: the same area
    steps.wait_for_live_panels(doctor)
    expect(doctor.test_id("returner")).to_contain_text(
        "re-opening care within 12 months needs a reason"
    )
    doctor.arrived("referral template, returner")
    steps.answer_screening(doctor)
    steps.answer_startback(doctor)
    doctor.page.locator("#id_return_kind_0").check()
    doctor.page.locator("#id_decision_0").check()
    steps.wait_for_live_panels(doctor)
    doctor.press("Submit", "referral template, errors")
    summary = doctor.page.locator(".nhsuk-error-summary")
    assert "12 months" in summary.inner_text()
    assert not Episode.objects.exclude(pk=earlier.pk).exists()

    doctor.page.get_by_label("Why does care need to re-open within 12 months?").fill(
        "New sciatica after a fall; the earlier care was for neck pain advice only."
    )
    doctor.press("Submit", "referral summary")

    later = Episode.objects.exclude(pk=earlier.pk).get()
    assert later.previous_episode_id == earlier.pk
    clinician = open_tab("TTP")
    clinician.sign_in(ttp)
    clinician.goto(f"/ttp/episodes/{later.public_id}/", "episode, returner")
    assert clinician.page.locator(".nhsuk-tag", has_text="Returner").is_visible()


def test_phq9_item_9_raises_an_alert_a_ttp_acknowledges(
    open_tab, celery_worker, mail_server, make_episode, ttp
):
    episode = make_episode()
    open_due_timepoints()
    token, _link = create_link(timepoint=episode.prom_timepoints.get(timepoint="baseline"))
    patient = open_tab("patient", viewport=PHONE)
    steps.open_link(patient, f"{patient.base_url}/q/{token}/", episode.patient.date_of_birth)
    steps.answer_questionnaires(patient, overrides={"phq9_9": "2"})
    assert "116 123" in patient.test_id("urgent-help").inner_text()
    patient.arrived("questionnaires complete, urgent help")

    # The duty clinician is emailed by the worker, with no patient details in the message.
    duty = episode.service.duty_clinician_email
    mail_server.wait_for(lambda handler: handler.to(duty), message="the duty clinician email")
    assert episode.patient.family_name not in mail_server.handler.to(duty)[0].body

    clinician = open_tab("TTP")
    clinician.sign_in(ttp)
    clinician.follow("Safety alerts", "safety alerts", exact=False)
    alert = clinician.test_id("alert")
    assert episode.patient.family_name in alert.inner_text()
    clinician.screenshot("ttp-safety-alert.png")
    alert.get_by_label("What did you do?").fill("Phoned the person; safety plan agreed.")
    clinician.press("Acknowledge", "safety alerts, none open", exact=False)

    assert clinician.test_id("alert").count() == 0
    acknowledged = SafetyAlert.objects.get(episode=episode)
    assert acknowledged.acknowledged_by == ttp


def test_another_practice_and_another_service_see_none_of_it(
    open_tab, make_episode, other_gp, other_service, ttp
):
    episode = make_episode()
    name = f"{episode.patient.family_name.upper()}, {episode.patient.given_name}"
    other_ttp = TTPFactory(service=other_service)
    private = [
        f"/gp/referrals/{episode.referral.public_id}/",
        f"/ttp/episodes/{episode.public_id}/",
        f"/ttp/episodes/{episode.public_id}/discharge-letter/",
        f"/patients/{episode.patient.public_id}/",
    ]

    doctor = open_tab("GP of another practice")
    doctor.sign_in(other_gp)
    assert name not in doctor.page.inner_text("main")
    clinician = open_tab("TTP of another service")
    clinician.sign_in(other_ttp)
    assert name not in clinician.page.inner_text("main")
    clinician.follow("Triage queue", "triage queue")
    assert name not in clinician.page.inner_text("main")

    for tab in (doctor, clinician):
        for path in private:
            response = tab.page.goto(tab.base_url + path)
            tab.arrived(f"refused {response.status}")
            assert response.status in {403, 404}, (tab.who, path, response.status)
            assert episode.patient.family_name not in tab.page.content()
