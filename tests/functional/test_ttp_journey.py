"""A TTP runs a clinic: book, record attendance, triage to core therapy, sessions, discharge."""

import pytest

from pathway.care.models import Episode
from tests.factories import TEST_PASSWORD
from tests.functional import steps

pytestmark = pytest.mark.browser


def book(page, kind_link):
    page.get_by_role("link", name=kind_link).click()
    steps.fill_past_booking(page)
    page.get_by_role("button", name="Book appointment").click()
    assert "Appointment booked" in page.locator(".nhsuk-notification-banner").inner_text()


def record_attended(page, *, session=False):
    page.get_by_role("link", name="Record outcome").first.click()
    page.get_by_label("Attended").check()
    if session:
        page.get_by_label("Exercise").check()
    page.get_by_role("button", name="Save").click()


def test_ttp_triages_to_core_therapy_records_sessions_and_discharges(
    page, live_server, ttp, make_episode
):
    episode = make_episode()
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(ttp.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Triage queue", exact=True).click()
    page.get_by_role("link", name=f"{episode.patient.family_name.upper()}, Test").click()
    book(page, "Book a first assessment")
    record_attended(page)
    page.get_by_role("link", name="Record the triage decision").click()
    page.get_by_role("radio", name="Core therapy").check()
    page.get_by_label("3 to less than 6 months").check()
    page.get_by_label("Planned sessions (core therapy)").fill("3")
    page.get_by_role("button", name="Save decision").click()
    for _ in range(3):
        book(page, "Book a follow-up")
        record_attended(page, session=True)
    assert "3 of 3 sessions used" in page.locator("[data-testid=triage-outcome]").inner_text()
    page.get_by_role("link", name="Discharge", exact=True).click()
    page.get_by_label("Treatment complete").check()
    page.get_by_role("button", name="Discharge").click()

    assert page.locator("[data-testid=episode-state]").inner_text() == "Discharged"
    episode.refresh_from_db()
    assert (episode.state, episode.discharge_reason) == ("discharged", "treatment_complete")
    assert Episode.objects.get(pk=episode.pk).sessions.count() == 3
    page.get_by_role("link", name="GP letter").click()
    assert "Treatment complete" in page.locator("[data-testid=discharge-reason]").inner_text()
