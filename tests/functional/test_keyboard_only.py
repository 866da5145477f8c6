"""The GP's referral template and the patient's questionnaires, with the keyboard alone.

No clicks: Tab (and the arrow keys inside a radio group) moves, typing, Space and Enter answer.
A few stops also check that focus is visible (WCAG 2.4.7).
"""

import pytest

from pathway.proms.links import create_link
from pathway.proms.models import QuestionnaireResponse
from pathway.proms.schedule import open_due_timepoints
from pathway.proms.timepoints import instruments_for
from pathway.referrals.answers import NONE_OF_THESE
from pathway.referrals.models import Referral
from tests.factories import TEST_PASSWORD
from tests.functional.journey import PHONE
from tests.functional.keyboard import Keyboard

pytestmark = pytest.mark.browser

# The questionnaire page's questions in order: [name, kind, id of the first input].
QUESTIONS = """() => {
    const seen = new Set();
    const fields = [];
    for (const input of document.querySelectorAll('form input:not([type=hidden])')) {
        if (seen.has(input.name)) continue;
        seen.add(input.name);
        fields.push([input.name, input.type, input.id]);
    }
    return fields;
}"""


def test_gp_completes_the_template_with_the_keyboard_and_the_live_score_is_stored(
    page, live_server, gp, service
):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(gp.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/gp/refer/")
    keys = Keyboard(page)

    keys.type_into("id_nhs_number", "999 000 0050")
    keys.check_focus_visible()
    keys.type_into("id_given_name", "Keyboard")
    keys.type_into("id_family_name", "Only")
    keys.type_into("id_date_of_birth_day", "2")
    keys.type_into("id_date_of_birth_month", "6")
    keys.type_into("id_date_of_birth_year", "1980")
    keys.choose("id_sex", 0)
    keys.check_focus_visible()
    keys.type_into("id_postcode", "NE1 4LP")
    keys.type_into("id_email", "keyboard@example.com")
    keys.tab_to("id_consents_to_contact")
    keys.check_focus_visible()
    page.keyboard.press("Space")
    keys.choose("id_body_part", 0)
    keys.choose("id_limb_symptoms", 1)
    keys.choose("id_symptom_duration", 1)
    keys.choose("id_recurrence", 0)
    for none_of_these in NONE_OF_THESE.values():
        keys.tab_to(f"id_{none_of_these}")
        page.keyboard.press("Space")
    # Medium risk: agree with items 1, 2, 5 and 6; item 9 "very much" (the fourth option).
    for number, position in enumerate([0, 0, 1, 1, 0, 0, 1, 1, 3], 1):
        keys.choose(f"id_startback_{number}", position)

    page.locator("[data-testid=startback-risk]").wait_for()
    live_total = page.locator("[data-testid=startback-total]").inner_text()
    live_risk = page.locator("[data-testid=startback-risk]").inner_text()
    assert "No red flags" in page.locator("#live-red-flags").inner_text()
    keys.choose("id_decision", 0)
    keys.tab_to("submit-referral")
    keys.check_focus_visible()
    page.keyboard.press("Enter")
    page.wait_for_url("**/gp/referrals/**")

    referral = Referral.objects.get()
    assert (live_total, live_risk) == ("5", "Medium")
    assert (str(referral.startback_total), referral.startback_risk) == (live_total, "medium")
    assert "Total 5 of 9" in page.locator("[data-testid=summary-startback]").inner_text()
    assert keys.focus_checked == 4


def test_patient_answers_every_questionnaire_with_the_keyboard(page, live_server, make_episode):
    episode = make_episode()
    open_due_timepoints()
    token, _ = create_link(timepoint=episode.prom_timepoints.get(timepoint="baseline"))
    born = episode.patient.date_of_birth
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/q/{token}/")  # opening the link from the message
    keys = Keyboard(page)

    keys.tab_until("el.innerText && el.innerText.trim() === 'Continue'", "Continue")
    keys.check_focus_visible()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.type_into("id_date_of_birth_day", str(born.day))
    keys.check_focus_visible()
    keys.type_into("id_date_of_birth_month", str(born.month))
    keys.type_into("id_date_of_birth_year", str(born.year))
    keys.submit_with("Continue")

    for instrument in instruments_for("baseline"):
        assert page.url.endswith(f"/q/questionnaire/{instrument}/")
        for _name, kind, first_id in page.evaluate(QUESTIONS):
            if kind == "radio":
                keys.tab_to(first_id)
                page.keyboard.press("ArrowDown")  # the second answer: moves and selects
            else:
                keys.type_into(first_id, "4")
        keys.check_focus_visible()
        keys.submit_with("Save and continue")

    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    responses = QuestionnaireResponse.objects.filter(episode=episode, timepoint="baseline")
    assert sorted(responses.values_list("instrument", flat=True)) == sorted(
        instruments_for("baseline")
    )
