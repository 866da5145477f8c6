"""What people do in the journeys, one step each, through a Tab (journey.py): the GP's
referral template, the patient's questionnaires and the TTP's clinic."""

import datetime
import itertools

from django.utils import timezone

from pathway.referrals.answers import NONE_OF_THESE

# Agree with STarT Back items 1, 2, 5 and 6, item 9 "very much": total 5, psychosocial 3.
MEDIUM_RISK = [0, 0, 1, 1, 0, 0, 1, 1, 3]


# --- the GP ---------------------------------------------------------------------------------
def type_patient(tab, *, nhs_number, given_name, family_name, born, email):
    page = tab.page
    page.locator("#id_nhs_number").fill(nhs_number)
    page.locator("#id_given_name").fill(given_name)
    page.locator("#id_family_name").fill(family_name)
    page.locator("#id_date_of_birth_day").fill(str(born.day))
    page.locator("#id_date_of_birth_month").fill(str(born.month))
    page.locator("#id_date_of_birth_year").fill(str(born.year))
    page.locator("#id_sex_0").check()
    page.locator("#id_postcode").fill("NE1 4LP")
    page.locator("#id_email").fill(email)
    page.locator("#id_preferred_channel_0").check()
    page.locator("#id_consents_to_contact").check()


def answer_presentation(tab):
    for field_id in ["id_body_part_0", "id_limb_symptoms_1", "id_symptom_duration_1"]:
        tab.page.locator(f"#{field_id}").check()
    tab.page.locator("#id_recurrence_0").check()


def answer_screening(tab, *, red_flag=None):
    """ "None of these" for the red flags, eligibility and urgency; or the `red_flag` named
    ticked (every other flag is then no)."""
    for section, none in NONE_OF_THESE.items():
        ticked = red_flag if section == "red_flags" and red_flag else none
        tab.page.locator(f"#id_{ticked}").check()


def answer_startback(tab, positions=MEDIUM_RISK):
    for number, position in enumerate(positions, 1):
        tab.page.locator(f"#id_startback_{number}_{position}").check()
    tab.test_id("startback-risk").wait_for()


def wait_for_live_panels(tab):
    # htmx posts the form 150 ms after a change and marks the form while the request runs:
    # wait past the delay, then until no request is running, so the panels show the last answer.
    tab.page.wait_for_timeout(400)
    tab.page.wait_for_function("() => !document.querySelector('.htmx-request')")


# --- the patient ----------------------------------------------------------------------------
def open_link(tab, url, born):
    """From the link in the email to the first questionnaire."""
    tab.page.goto(url)
    tab.arrived("questionnaire start")
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Continue").click()  # a link styled as a button
    tab.arrived("confirm date of birth")
    tab.page.get_by_label("Day").fill(str(born.day))
    tab.page.get_by_label("Month").fill(str(born.month))
    tab.page.get_by_label("Year").fill(str(born.year))
    return tab.press("Continue", "first questionnaire")


def answer_questionnaires(tab, *, choice=1, number="5", overrides=None, screenshot=None):
    """Answer every questionnaire of the time point, one per page, until the last page.

    Every radio group gets its option at position `choice` (or the last, if shorter), every
    number box `number`, unless `overrides` names the answer (field name -> value)."""
    overrides = overrides or {}
    page = tab.page
    while "/q/questionnaire/" in page.url:
        instrument = page.url.rstrip("/").rsplit("/", 1)[-1]
        if screenshot and instrument == "gad7":  # public wording, unlike the ODI
            tab.screenshot(screenshot, full_page=False)
        page.evaluate(
            """([choice, number, overrides]) => {
                const groups = new Set([...document.querySelectorAll('input[type=radio]')]
                    .map((radio) => radio.name));
                for (const name of groups) {
                    const options = [...document.querySelectorAll(`input[name="${name}"]`)];
                    const wanted = name in overrides
                        ? options.find((o) => o.value === overrides[name])
                        : options[Math.min(choice, options.length - 1)];
                    wanted.checked = true;
                }
                for (const box of document.querySelectorAll(
                        'form input:not([type=radio]):not([type=hidden]):not([type=checkbox])')) {
                    box.value = overrides[box.name] ?? number;
                }
            }""",
            [choice, number, overrides],
        )
        tab.press("Save and continue", f"questionnaire {instrument}")
    return page


# --- the TTP --------------------------------------------------------------------------------
def an_hour_ago():
    return timezone.localtime() - datetime.timedelta(hours=1)


_bookings = itertools.count()


def fill_past_booking(page):
    """Fill the booking form with a telephone contact earlier today, ticked as already
    happened; each 45 minutes before the last, so one clinician's never overlap."""
    when = an_hour_ago() - datetime.timedelta(minutes=45 * next(_bookings))
    page.get_by_label("Day").fill(str(when.day))
    page.get_by_label("Month").fill(str(when.month))
    page.get_by_label("Year").fill(str(when.year))
    page.get_by_label("Time").fill(when.strftime("%H:%M"))
    page.get_by_label("Telephone").check()
    page.get_by_label("I am recording an appointment that has already happened").check()


def book(tab, link):
    """Record an appointment that took place earlier today, as a TTP entering a past contact
    does."""
    tab.follow(link, "book an appointment")
    page = tab.page
    fill_past_booking(page)
    tab.press("Book appointment", "episode")
    assert "Appointment booked" in page.locator(".nhsuk-notification-banner").inner_text()


def record_outcome(tab, outcome, *, session=False):
    tab.follow("Record outcome", "record an appointment outcome", exact=False)
    tab.page.get_by_label(outcome, exact=True).check()
    if session:
        tab.page.get_by_label("Exercise").check()
    tab.press("Save", "episode")


def triage_to_core_therapy(tab, sessions):
    tab.follow("Record the triage decision", "triage decision")
    tab.page.get_by_role("radio", name="Core therapy").check()
    tab.page.get_by_label("3 to less than 6 months").check()
    tab.page.get_by_label("Planned sessions (core therapy)").fill(str(sessions))
    tab.press("Save decision", "episode in treatment")


def discharge(tab, reason):
    tab.follow("Discharge", "discharge")
    tab.page.get_by_label(reason).check()
    tab.press("Discharge", "episode discharged")
