import pytest

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

HOME_HEADINGS = {
    "gp": None,  # the practice name, checked below
    "ttp": "Your caseload",
    "manager": "Service dashboard",
    "administrator": "Administration",
}


def sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("role", HOME_HEADINGS)
def test_each_role_signs_in_and_sees_its_home_page(page, live_server, request, role):
    user = request.getfixturevalue(role)

    sign_in(page, live_server, user.username, TEST_PASSWORD)

    expected = HOME_HEADINGS[role] or user.practice.name
    assert page.get_by_role("heading", level=1).inner_text() == expected
    assert (
        user.get_role_display() in page.locator("[data-testid=role-and-organisation]").inner_text()
    )
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"


def test_wrong_password_shows_the_nhs_error_summary_with_focus(page, live_server, gp):
    sign_in(page, live_server, gp.username, "not-the-password")

    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "Enter a correct username and password" in summary.inner_text()
    assert page.get_by_label("Username").input_value() == gp.username
