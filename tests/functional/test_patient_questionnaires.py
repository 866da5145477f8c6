"""A person answers their baseline questionnaires on a phone, from the link in their message."""

import os

import pytest

from pathway.clinical import eq5d
from pathway.proms.links import create_link
from pathway.proms.schedule import open_due_timepoints
from pathway.proms.timepoints import instruments_for
from tests.factories import TEST_PASSWORD
from tests.functional.accessibility import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
# Set to a folder to keep a screenshot of every page (for looking at the design).
SCREENSHOTS = os.environ.get("PATIENT_SCREENSHOTS")

ANSWERS = {
    "pain_nrs": {"pain_nrs": "6"},
    "odi": {f"odi_{number}": "2" for number in range(1, 11)},
    "eq5d5l": {
        **{
            code: level
            for (code, _term, _label), level in zip(eq5d.DIMENSIONS, "21341", strict=True)
        },
        "eq_vas": "70",
    },
    "gad7": {f"gad7_{number}": "1" for number in range(1, 8)},
    "phq9": {**{f"phq9_{number}": "1" for number in range(1, 9)}, "phq9_9": "0"},
}


def link_for(episode):
    open_due_timepoints()
    token, _link = create_link(timepoint=episode.prom_timepoints.get(timepoint="baseline"))
    return token


def check_fits_the_phone(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name


def answer(page, answers):
    for name, value in answers.items():
        radio = page.locator(f"input[type=radio][name={name}][value='{value}']")
        if radio.count():
            radio.check()
        else:
            page.locator(f"input[name={name}]").fill(value)
    page.get_by_role("button", name="Save and continue").click()


def test_person_answers_every_baseline_questionnaire_on_a_phone(
    page, browser, live_server, make_episode, ttp
):
    episode = make_episode()
    token = link_for(episode)
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/q/{token}/")
    assert episode.service.name in page.get_by_test_id("sent-by").inner_text()
    check_fits_the_phone(page, "01-start")
    page.get_by_role("button", name="Continue").click()

    assert page.url == f"{live_server.url}/q/confirm/"
    check_fits_the_phone(page, "02-confirm")
    page.get_by_label("Day").fill("15")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("1971")
    page.get_by_role("button", name="Continue").click()
    assert "does not match our records" in page.locator(".nhsuk-error-summary").inner_text()
    check_fits_the_phone(page, "03-confirm-error")
    page.get_by_label("Year").fill("1970")
    page.get_by_role("button", name="Continue").click()

    instruments = instruments_for("baseline")
    for position, instrument in enumerate(instruments, 1):
        assert page.url == f"{live_server.url}/q/questionnaire/{instrument}/"
        progress = page.get_by_test_id("progress").inner_text()
        assert progress == f"Questionnaire {position} of {len(instruments)}"
        check_fits_the_phone(page, f"{position + 3:02d}-{instrument}")
        answer(page, ANSWERS[instrument])

    assert page.url == f"{live_server.url}/q/complete/"
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    assert page.get_by_test_id("urgent-help").count() == 0
    check_fits_the_phone(page, "09-complete")

    staff = browser.new_context(viewport={"width": 1024, "height": 800})
    clinic = staff.new_page()
    clinic.goto(f"{live_server.url}/sign-in/")
    clinic.get_by_label("Username").fill(ttp.username)
    clinic.get_by_label("Password").fill(TEST_PASSWORD)
    clinic.get_by_role("button", name="Sign in").click()
    clinic.goto(f"{live_server.url}/ttp/episodes/{episode.public_id}/")
    scores = clinic.get_by_test_id("scores-baseline")
    assert "6 out of 10" in scores.get_by_test_id("score-baseline-pain_nrs").inner_text()
    assert "40.0%" in scores.get_by_test_id("score-baseline-odi").inner_text()
    assert "EQ VAS 70" in scores.get_by_test_id("score-baseline-eq5d5l").inner_text()
    assert "7 out of 21" in scores.get_by_test_id("score-baseline-gad7").inner_text()
    assert "8 out of 27" in scores.get_by_test_id("score-baseline-phq9").inner_text()
    staff.close()


def test_person_sees_where_to_get_help_after_phq9_item_9(page, live_server, make_episode):
    token = link_for(make_episode())
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/q/{token}/")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Day").fill("15")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("1970")
    page.get_by_role("button", name="Continue").click()

    for instrument in instruments_for("baseline"):
        changes = {"phq9_9": "2"} if instrument == "phq9" else {}
        answer(page, {**ANSWERS[instrument], **changes})

    card = page.get_by_test_id("urgent-help")
    assert "116 123" in card.inner_text()
    check_fits_the_phone(page, "10-complete-urgent-help")


def test_link_not_working_page_fits_a_phone(page, live_server, db):
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/q/no-such-link-0123456789/")

    assert page.get_by_role("heading", level=1).inner_text() == "This link is not working"
    check_fits_the_phone(page, "11-link-not-working")


def test_person_stops_messages_after_their_date_of_birth_on_a_phone(
    page, live_server, make_episode
):
    episode = make_episode()
    token = link_for(episode)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/q/{token}/")

    page.get_by_role("link", name="Stop questionnaire messages").click()
    assert "before you stop your questionnaire messages" in page.content()
    page.get_by_label("Day").fill("15")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("1970")
    page.get_by_role("button", name="Continue").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Stop questionnaire messages?"
    assert "questions about your mood" in page.content()
    check_fits_the_phone(page, "12-stop-messages")
    assert_accessible(page, "stop questionnaire messages")
    episode.patient.refresh_from_db()
    assert episode.patient.prom_opt_out_at is None
    page.get_by_role("button", name="Stop questionnaire messages").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Questionnaire messages stopped"
    episode.patient.refresh_from_db()
    assert episode.patient.prom_opt_out_at is not None


def test_closed_questionnaires_page_fits_a_phone(page, live_server, make_episode):
    from django.utils import timezone

    from pathway.proms.schedule import close_baseline

    episode = make_episode()
    token = link_for(episode)
    close_baseline(episode=episode, at=timezone.now())
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/q/{token}/")

    assert page.get_by_role("heading", level=1).inner_text() == "These questionnaires have closed"
    check_fits_the_phone(page, "13-questionnaires-closed")
    assert_accessible(page, "questionnaires closed")
