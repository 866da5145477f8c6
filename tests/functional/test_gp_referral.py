"""The GP referral template reacts at once (the keyboard-only run is in test_keyboard_only.py)."""

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


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
