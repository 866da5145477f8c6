"""The GP referral template reacts at once (the keyboard-only run is in test_keyboard_only.py),
and works without JavaScript."""

import datetime
from types import SimpleNamespace

import pytest

from pathway.referrals.models import Referral
from tests.factories import TEST_PASSWORD, PatientFactory
from tests.functional import steps

pytestmark = pytest.mark.browser


def test_red_flag_shows_where_to_send_the_person_at_once(page, live_server, gp, service):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(gp.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/gp/refer/")
    page.get_by_label("Last name").fill("Typed Before")

    page.locator("#id_red_flag_bilateral_sciatica").check()

    advice = page.locator("[data-testid=red-flag-advice]")
    advice.wait_for()
    assert "emergency department" in advice.inner_text()
    assert page.get_by_label("Last name").input_value() == "Typed Before"


@pytest.fixture
def form_without_javascript(browser, live_server, gp, service):
    """The referral form in a browser with JavaScript off, signed in as the GP. Not through
    Tab's page checks: axe itself needs JavaScript."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(gp.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/gp/refer/")
    yield page
    context.close()


def test_red_flag_question_works_without_javascript(form_without_javascript):
    page = form_without_javascript
    tab = SimpleNamespace(page=page)

    def press(button):
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).first.click()

    steps.type_patient(
        tab,
        nhs_number="999 000 0263",
        given_name="Nell",
        family_name="Script",
        born=datetime.date(1968, 4, 2),
        email="nell@example.com",
    )
    steps.answer_presentation(tab)
    steps.answer_screening(tab, red_flag="red_flag_history_of_cancer")
    assert page.locator("#id_red_flag_judgement_0").count() == 0  # nothing to ask yet

    press("Work out scores")
    recommendation = page.get_by_test_id("red-flag-recommendation").inner_text()
    assert "past history of cancer" in recommendation
    page.locator("#id_red_flag_judgement_0").check()
    press("Submit")

    referral = Referral.objects.get(patient__nhs_number="9990000263")
    assert (referral.outcome, referral.red_flag_action) == (
        "redirected",
        "suspected_cancer_pathway",
    )
    assert "suspected-cancer pathway" in page.get_by_test_id("outcome").inner_text()


def test_gp_finds_the_person_on_the_national_record(open_tab, live_server, settings, gp, service):
    # Through the built-in PDS stand-in (pathway.patients.pds_stand_in), as `make run` does.
    settings.PDS_BASE_URL = f"{live_server.url}/pds-stand-in/FHIR/R4"
    gp.practice.ods_code = "A99001"  # Rhiannon Reid's practice on the stand-in
    gp.practice.save()
    tab = open_tab("gp")
    tab.sign_in(gp)
    page = tab.goto("/gp/refer/", "referral form")

    page.get_by_label("NHS number").fill("999 010 0004")
    tab.press("Find this person", "referral form: person found")

    assert "Rhiannon Reid" in tab.test_id("lookup-found").inner_text()
    assert page.get_by_label("First name").input_value() == "Rhiannon"
    assert page.get_by_label("Postcode").input_value() == "NE2 2RR"
    assert page.locator("#id_registered_practice").input_value() == str(gp.practice.pk)
    tab.screenshot("gp-find-person.png")

    page.get_by_label("NHS number").fill("999 010 0039")
    tab.press("Find this person", "referral form: restricted record")

    assert "restricted" in tab.test_id("lookup-sensitive").inner_text()
    # The details shown are still Rhiannon's, found for another number: the page says so.
    assert "999 010 0004" in tab.test_id("lookup-mismatch").inner_text()
    tab.screenshot("gp-find-person-restricted.png")


def test_none_of_these_then_a_flag_unticks_none_and_shows_the_advice(open_tab, gp, service):
    tab = open_tab("gp")
    tab.sign_in(gp)
    page = tab.goto("/gp/refer/", "referral form")
    none = page.locator("#id_red_flags_none")

    none.check()
    skipped = page.locator("#id_red_flag_fever").get_attribute("tabindex")
    page.locator("#id_red_flag_saddle_anaesthesia").check()

    page.locator("[data-testid=red-flag-advice]").wait_for()
    assert skipped == "-1"  # while "None of these" is ticked, Tab passes over the flags
    assert not none.is_checked()
    assert page.locator("#id_red_flag_fever").get_attribute("tabindex") is None
    assert "emergency department" in page.locator("[data-testid=red-flag-advice]").inner_text()


def test_enter_after_the_nhs_number_fills_the_details_without_javascript(
    form_without_javascript, gp
):
    PatientFactory(nhs_number="9990000018", given_name="Alice", registered_practice=gp.practice)
    page = form_without_javascript

    page.keyboard.type("999 000 0018")  # focus starts in the NHS number box
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The test settings point PDS at a closed port: the page says so, and our record stands in.
    assert page.evaluate("document.activeElement.id") == "pds-lookup"
    assert "could not be reached" in page.locator("#pds-lookup").inner_text()
    assert "Alice" in page.get_by_test_id("patient-details").inner_text()
    assert page.locator("#id_given_name").input_value() == "Alice"
