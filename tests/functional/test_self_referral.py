"""People refer themselves in a real browser, on a phone (360 px) and a desktop (1280 px):
accepted, stopped by an emergency red flag, and an identity that does not match. Every page
reached is checked with axe (tests/functional/journey.py), once for each width."""

import pytest
from django.core.cache import cache

from pathway.care.models import Episode, EpisodeState
from pathway.clinical.self_referral import (
    PATIENT_EXCLUSION_QUESTIONS,
    PATIENT_QUESTIONS,
    PATIENT_URGENCY_QUESTIONS,
)
from pathway.referrals.answers import STARTBACK
from pathway.referrals.models import Referral, ReferralOutcome, ReferralSource
from pathway.selfreferral.forms import ContactForm
from tests.factories import ServiceFactory
from tests.functional.journey import PHONE
from tests.self_referral_data import STAN_DATE_OF_BIRTH, STAN_POSTCODE, fake_pds_knowing_stan

pytestmark = [pytest.mark.browser, pytest.mark.redis]

WIDE = {"width": 1280, "height": 900}
WIDTHS = pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["360px", "1280px"])
CONTACT_CONSENT = ContactForm.base_fields["consents_to_contact"].label
# Medium risk: agree with statements 1, 2, 5 and 6; "Very much" bothersome.
AGREED = {1, 2, 5, 6}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def service(practice):
    return ServiceFactory(area=practice.area, accepts_self_referral=True)


@pytest.fixture
def fake_pds(settings, practice):
    with fake_pds_knowing_stan(settings, practice) as fake:
        yield fake


def person(open_tab, viewport):
    return open_tab(f"self-referrer {viewport['width']}px", viewport=viewport)


def fits_the_width(tab, viewport):
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{tab.page.url} scrolls sideways at {viewport['width']}px"


def answer(tab, question, choice):
    tab.page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


def give_identity(tab, service, *, nhs_number="999 010 0012"):
    tab.goto(f"/self-referral/{service.code}/", "start")
    tab.press("Start now", "your details")  # a link styled (and with the role of) a button
    page = tab.page
    page.get_by_label("Your NHS number").fill(nhs_number)
    day, month, year = STAN_DATE_OF_BIRTH
    page.get_by_label("Day").fill(day)
    page.get_by_label("Month").fill(month)
    page.get_by_label("Year").fill(year)
    page.get_by_label("Your postcode").fill(STAN_POSTCODE)


def about_the_pain(tab):
    tab.press("Continue", "about your pain")
    answer(tab, "Where is your pain?", "Back")
    answer(tab, "Does the pain, numbness or tingling spread into an arm or a leg?", "No")
    answer(tab, "How long have you had this pain?", "3 to less than 6 months")
    answer(tab, "Have you had this problem before?", "No, this is the first time")
    tab.press("Continue", "symptoms")


def through_the_red_flags(tab, service):
    give_identity(tab, service)
    about_the_pain(tab)
    fits_the_width(tab, tab.page.viewport_size)
    tab.page.get_by_label("None of these").check()
    tab.press("Continue", "eligibility")


@WIDTHS
def test_a_person_refers_themselves_and_awaits_triage(open_tab, service, fake_pds, viewport):
    tab = person(open_tab, viewport)
    through_the_red_flags(tab, service)
    for question in PATIENT_EXCLUSION_QUESTIONS.values():
        if "pregnant" not in question:  # not asked: the national record says male
            answer(tab, question, "No")
    tab.press("Continue", "how the pain affects you")
    for question in PATIENT_URGENCY_QUESTIONS.values():
        answer(tab, question, "No")
    for number, item in enumerate(STARTBACK.items[:8], 1):
        choice = "Agree" if number in AGREED else "Disagree"
        answer(tab, f"{number}. {item.text}", choice)
    answer(tab, f"9. {STARTBACK.items[8].text}", "Very much")
    fits_the_width(tab, viewport)
    tab.press("Continue", "contact")
    answer(tab, CONTACT_CONSENT, "Yes")
    answer(tab, "How would you like to be contacted?", "Email")
    tab.page.get_by_label("Email address").fill("stan@example.com")
    tab.press("Send my referral", "confirmation")

    assert tab.heading() == "Your referral has been sent"
    fits_the_width(tab, viewport)
    referral = Referral.objects.get()
    assert referral.source == ReferralSource.SELF_REFERRAL
    assert referral.episode.state == EpisodeState.AWAITING_TRIAGE

    # Straight on to the baseline questionnaires, through the patient link's own pages.
    tab.press("Answer the questions now", "questionnaires start")
    assert tab.heading() == "Questionnaires about your back or neck pain"


@WIDTHS
def test_an_emergency_red_flag_stops_the_journey_at_once(open_tab, service, fake_pds, viewport):
    tab = person(open_tab, viewport)
    give_identity(tab, service)
    about_the_pain(tab)
    tab.page.get_by_label(PATIENT_QUESTIONS["faecal_incontinence"]).check()
    tab.press("Continue", "emergency stop")

    assert "Call 999" in tab.heading()
    fits_the_width(tab, viewport)
    referral = Referral.objects.get()
    assert referral.outcome == ReferralOutcome.REDIRECTED
    assert not Episode.objects.exists()


@WIDTHS
def test_an_identity_that_does_not_match_shows_nothing(open_tab, service, fake_pds, viewport):
    tab = person(open_tab, viewport)
    give_identity(tab, service)
    tab.page.get_by_label("Year").fill("1962")
    tab.press("Continue", "details not confirmed")

    text = tab.page.locator("main").inner_text()
    assert "We could not confirm your details" in text
    assert "Sutton" not in text and "Stan" not in text
    assert tab.page.get_by_label("Your NHS number").input_value() == "999 010 0012"
    fits_the_width(tab, viewport)
    assert not Referral.objects.exists()


@WIDTHS
def test_an_urgent_red_flag_sends_the_person_to_their_gp_today(
    open_tab, service, fake_pds, viewport
):
    tab = person(open_tab, viewport)
    give_identity(tab, service)
    about_the_pain(tab)
    tab.page.get_by_label(PATIENT_QUESTIONS["unexplained_weight_loss"]).check()
    tab.press("Continue", "urgent stop")

    assert "Contact your GP surgery today, or call 111" in tab.heading()
    fits_the_width(tab, viewport)
    assert Referral.objects.get().outcome == ReferralOutcome.REDIRECTED
    assert not Episode.objects.exists()


@WIDTHS
def test_someone_the_service_cannot_help_is_told_where_to_go_instead(
    open_tab, service, fake_pds, viewport
):
    tab = person(open_tab, viewport)
    through_the_red_flags(tab, service)
    for code, question in PATIENT_EXCLUSION_QUESTIONS.items():
        if code != "pregnant_over_35_weeks":  # not asked: the national record says male
            answer(tab, question, "Yes" if code == "primary_limb_problem" else "No")
    tab.press("Continue", "not eligible")

    assert tab.heading() == "This service is not the right place for you"
    assert "physiotherapist for that joint" in tab.test_id("where-instead").inner_text()
    fits_the_width(tab, viewport)
    assert Referral.objects.get().outcome == ReferralOutcome.EXCLUDED


@WIDTHS
def test_too_many_identity_checks_are_refused_with_a_clear_message(
    open_tab, service, fake_pds, viewport, settings
):
    settings.SELF_REFERRAL_CHECKS_PER_ADDRESS = 1
    tab = person(open_tab, viewport)
    give_identity(tab, service)
    tab.press("Continue", "about your pain")
    give_identity(tab, service)
    tab.press("Continue", "too many checks")

    assert "You have tried too many times" in tab.test_id("journey-message").inner_text()
    fits_the_width(tab, viewport)
