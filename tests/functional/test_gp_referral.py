"""A GP completes the referral template with the keyboard alone."""

import pytest

from pathway.referrals.forms import EXCLUSION_FIELDS, RED_FLAG_FIELDS, URGENCY_FIELDS
from pathway.referrals.models import Referral
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


class Keyboard:
    """Moves focus with Tab only, and answers with typing, Space and the arrow keys."""

    def __init__(self, page):
        self.page = page

    def focused_id(self):
        return self.page.evaluate("document.activeElement && document.activeElement.id")

    def tab_to(self, element_id):
        for _ in range(400):
            self.page.keyboard.press("Tab")
            if self.focused_id() == element_id:
                return
        raise AssertionError(f"Tab never reached #{element_id}")

    def type_into(self, element_id, text):
        self.tab_to(element_id)
        self.page.keyboard.type(text)

    def choose(self, field_id, position):
        """Pick the option at this position of a radio group that has nothing selected."""
        self.tab_to(f"{field_id}_0")
        if position == 0:
            self.page.keyboard.press("Space")
        for _ in range(position):
            self.page.keyboard.press("ArrowRight")


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
    keys.type_into("id_given_name", "Keyboard")
    keys.type_into("id_family_name", "Only")
    keys.type_into("id_date_of_birth_day", "2")
    keys.type_into("id_date_of_birth_month", "6")
    keys.type_into("id_date_of_birth_year", "1980")
    keys.choose("id_sex", 0)
    keys.type_into("id_postcode", "NE1 4LP")
    keys.type_into("id_email", "keyboard@example.com")
    keys.tab_to("id_consents_to_contact")
    page.keyboard.press("Space")
    keys.choose("id_body_part", 0)
    keys.choose("id_limb_symptoms", 1)
    keys.choose("id_symptom_duration", 1)
    keys.choose("id_recurrence", 0)
    for name in [*RED_FLAG_FIELDS, *EXCLUSION_FIELDS, *URGENCY_FIELDS]:
        keys.choose(f"id_{name}", 1)
    # Medium risk: agree with items 1, 2, 5 and 6; item 9 "very much" (the fourth option).
    for number, position in enumerate([0, 0, 1, 1, 0, 0, 1, 1, 3], 1):
        keys.choose(f"id_startback_{number}", position)

    page.locator("[data-testid=startback-risk]").wait_for()
    live_total = page.locator("[data-testid=startback-total]").inner_text()
    live_risk = page.locator("[data-testid=startback-risk]").inner_text()
    assert "No red flags" in page.locator("#live-red-flags").inner_text()
    keys.choose("id_decision", 0)
    keys.tab_to("submit-referral")
    page.keyboard.press("Enter")
    page.wait_for_url("**/gp/referrals/**")

    referral = Referral.objects.get()
    assert (live_total, live_risk) == ("5", "Medium")
    assert (str(referral.startback_total), referral.startback_risk) == (live_total, "medium")
    assert "Total 5 of 9" in page.locator("[data-testid=summary-startback]").inner_text()


def test_red_flag_shows_where_to_send_the_person_at_once(page, live_server, gp, service):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(gp.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/gp/refer/")
    page.get_by_label("Last name").fill("Typed Before")

    page.locator("#id_red_flag_bilateral_sciatica_0").check()

    advice = page.locator("[data-testid=red-flag-advice]")
    advice.wait_for()
    assert "emergency department" in advice.inner_text()
    assert page.get_by_label("Last name").input_value() == "Typed Before"
