import pytest

from tests.audit_context import TEST_CONTEXT
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


def current_code(device):
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def test_staff_member_sets_up_two_step_verification_then_reaches_their_page(
    page, live_server, gp, settings
):
    import re

    from django.core import mail

    from pathway.accounts.actions import send_set_up_link
    from tests.functional.accessibility import assert_accessible

    settings.MFA_REQUIRED = True
    csp_violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and csp_violations.append(message.text)
        ),
    )

    # The password alone leads only to a page that says to ask for a set-up link.
    sign_in(page, live_server, gp.username, TEST_PASSWORD)
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Ask your administrator for a set-up link"
    assert page.get_by_test_id("authenticator-key").count() == 0
    assert page.locator("img[src^='data:image/svg']").count() == 0
    assert_accessible(page, "the page asking for a set-up link")

    send_set_up_link(user=gp, by=gp, context=TEST_CONTEXT)
    path = re.search(r"/account/authenticator/link/[A-Za-z0-9_-]+/", mail.outbox[-1].body)
    page.goto(f"{live_server.url}{path.group(0)}")

    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-step verification"
    assert "/link/" not in page.url  # the token does not stay in the address bar
    qr_code = page.get_by_role("img", name="QR code to add this service to your authenticator app")
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    key = page.get_by_test_id("authenticator-key").inner_text()
    device = _device_from_typed_key(gp, key)
    page.get_by_label("Enter the 6-digit code from your authenticator app").fill(
        current_code(device)
    )
    page.get_by_role("button", name="Turn on two-step verification").click()

    assert page.get_by_role("heading", level=1).inner_text() == gp.practice.name
    assert (
        "Two-step verification is set up" in page.locator(".nhsuk-notification-banner").inner_text()
    )
    assert csp_violations == []


def _device_from_typed_key(user, key):
    """What the person's app holds after they type the key shown (not a saved device)."""
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    secret = key.replace(" ", "")
    secret += "=" * (-len(secret) % 8)
    return TOTPDevice(user=user, key=b32decode(secret).hex())


def test_staff_member_with_an_app_gives_a_code_and_a_wrong_one_is_refused(
    page, live_server, ttp, settings
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.MFA_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the test gives the right code straight after
    device = TOTPDevice.objects.create(user=ttp, name="Authenticator app", confirmed=True)

    sign_in(page, live_server, ttp.username, TEST_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Enter your code"
    code_box = page.get_by_label("Enter the 6-digit code from your authenticator app")
    code_box.fill(f"{(int(current_code(device)) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Continue").click()

    assert "The code is not correct" in page.locator(".nhsuk-error-summary").inner_text()
    code_box.fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your caseload"
