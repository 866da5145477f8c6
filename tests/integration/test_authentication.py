"""Signing in: two-step verification, lockout, session time limits, deactivation and saying
nothing about which accounts exist."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathway.accounts import sessions
from pathway.accounts.models import SignedInSession
from tests.audit_context import TEST_CONTEXT
from tests.factories import TEST_PASSWORD, GPFactory

pytestmark = pytest.mark.django_db

CODE_PAGE = "/sign-in/code/"
SET_UP_PAGE = "/account/authenticator/"
SET_UP_LINK = re.compile(r"/account/authenticator/link/[A-Za-z0-9_-]{20,100}/")
PRACTICE_ADDRESS = "10.20.30.40"
OTHER_ADDRESS = "10.99.99.99"


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED = True


@pytest.fixture
def mfa_optional(settings):
    settings.MFA_REQUIRED = False


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def wrong_code(device):
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in(client, username, password=TEST_PASSWORD, address="127.0.0.1", **extra):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def send_set_up_link(user):
    """The link as the person receives it: by email, from an administrator."""
    from pathway.accounts.actions import send_set_up_link as send

    send(user=user, by=user, context=TEST_CONTEXT)
    return SET_UP_LINK.search(mail.outbox[-1].body).group(0)


def open_set_up_link(client, user):
    return client.get(send_set_up_link(user))


def main_content(response):
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def error_summary(response):
    page = response.content.decode()
    start = page.index('<ul class="nhsuk-list nhsuk-error-summary__list">')
    return page[start : page.index("</ul>", start)]


# --- Two-step verification ---------------------------------------------------------------------


def test_mfa_required_sends_a_user_without_an_app_to_set_one_up(client, gp, mfa_required):
    response = sign_in(client, gp.username)
    open_set_up_link(client, gp)
    set_up = client.get(response.url, follow=True)

    assert response.url.startswith(CODE_PAGE)
    assert set_up.redirect_chain[-1][0].startswith(SET_UP_PAGE)
    page = set_up.content.decode()
    assert "Set up two-step verification" in page
    assert 'src="data:image/svg+xml' in page
    assert set_up.context["secret"].replace(" ", "") in page.replace(" ", "")
    # Nothing is saved until a code from the app is given.
    assert not TOTPDevice.objects.filter(user=gp).exists()


def test_set_up_page_has_no_inline_style_the_csp_would_block(client, gp, mfa_required):
    client.force_login(gp)
    open_set_up_link(client, gp)

    page = client.get(SET_UP_PAGE).content.decode()

    assert "<img" in page
    assert not re.search(r"\sstyle\s*=", page)


def test_setting_up_an_app_verifies_the_session_and_serves_staff_pages(client, gp, mfa_required):
    sign_in(client, gp.username)
    assert client.get("/gp/").status_code == 302
    open_set_up_link(client, gp)
    device = client.get(SET_UP_PAGE).context["form"].device

    response = client.post(SET_UP_PAGE, {"code": current_code(device), "next": "/gp/"})

    assert response.status_code == 302
    assert response.url == "/gp/"
    assert TOTPDevice.objects.get(user=gp, confirmed=True).key == device.key
    assert client.get("/gp/").status_code == 200


def test_set_up_refuses_a_wrong_code_and_keeps_the_app_unconfirmed(client, gp, mfa_required):
    client.force_login(gp)
    open_set_up_link(client, gp)
    shown = client.get(SET_UP_PAGE).context["form"].device

    response = client.post(SET_UP_PAGE, {"code": wrong_code(shown)})

    assert response.status_code == 200
    assert "The code is not correct" in error_summary(response)
    device = TOTPDevice.objects.get(user=gp)
    assert device.key == shown.key
    assert not device.confirmed
    assert device.throttling_failure_count == 1
    assert client.get("/gp/").status_code == 302


def test_a_user_with_an_app_gives_password_then_code(client, gp, mfa_required):
    device = confirmed_device(gp)

    response = sign_in(client, gp.username)
    code_page = client.get(response.url)
    verified = client.post(CODE_PAGE, {"code": current_code(device), "next": "/gp/"})

    assert response.url.startswith(CODE_PAGE)
    assert "Enter the 6-digit code from your authenticator app" in code_page.content.decode()
    assert verified.url == "/gp/"
    assert client.get("/gp/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message(client, gp, mfa_required):
    device = confirmed_device(gp)
    sign_in(client, gp.username)

    response = client.post(CODE_PAGE, {"code": wrong_code(device)})

    assert response.status_code == 200
    assert "The code is not correct" in error_summary(response)
    assert client.get("/gp/").status_code == 302


def test_a_code_that_is_not_six_digits_is_refused(client, gp, mfa_required):
    confirmed_device(gp)
    sign_in(client, gp.username)

    response = client.post(CODE_PAGE, {"code": "12ab"})

    assert "The code must be 6 digits" in error_summary(response)


def test_code_guessing_is_throttled_even_for_the_right_code(client, gp, mfa_required, settings):
    # The wait doubles after each wrong code from 1 second; a long first wait keeps a slow
    # test machine from outlasting it.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = confirmed_device(gp)
    sign_in(client, gp.username)
    client.post(CODE_PAGE, {"code": wrong_code(device)})

    response = client.post(CODE_PAGE, {"code": current_code(device)})

    assert "too many wrong codes" in error_summary(response)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert client.get("/gp/").status_code == 302


@pytest.mark.parametrize(
    "role,page",
    [
        ("gp", "/gp/"),
        ("ttp", "/ttp/"),
        ("manager", "/manager/"),
        ("administrator", "/administration/"),
        ("administrator", "/admin/"),
        ("administrator", "/admin/accounts/user/"),
        ("gp", "/account/"),
    ],
)
def test_mfa_required_keeps_every_staff_page_from_an_unverified_session(
    client, request, role, page, mfa_required
):
    client.force_login(request.getfixturevalue(role))

    response = client.get(page)

    assert response.status_code == 302
    assert response.url == f"{CODE_PAGE}?next={page.replace('/', '%2F')}"


def test_role_required_pages_stay_closed_even_without_the_middleware(
    client, gp, mfa_required, settings
):
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if not name.endswith("SecondFactorMiddleware")
    ]
    client.force_login(gp)

    response = client.get("/gp/")

    assert response.status_code == 302
    assert response.url.startswith(CODE_PAGE)


def test_an_unverified_htmx_request_is_redirected_with_hx_redirect(client, gp, mfa_required):
    client.force_login(gp)

    response = client.get("/gp/", headers={"HX-Request": "true"})

    assert response.headers["HX-Redirect"] == CODE_PAGE


def test_pages_without_staff_data_stay_open_before_the_code(client, gp, mfa_required):
    client.force_login(gp)

    assert client.get(reverse("advice")).status_code == 200
    assert client.get(reverse("password_reset")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_the_menu_is_hidden_until_the_code_is_given(client, gp, mfa_required):
    confirmed_device(gp)
    client.force_login(gp)

    page = client.get(CODE_PAGE).content.decode()

    assert "nhsuk-header__navigation-list" not in page


def test_someone_with_only_the_password_cannot_replace_the_app(client, gp, mfa_required):
    device = confirmed_device(gp)
    sign_in(client, gp.username)

    response = client.get(SET_UP_PAGE)

    assert response.status_code == 302
    assert response.url.startswith(CODE_PAGE)
    assert list(TOTPDevice.objects.filter(user=gp)) == [device]


def test_mfa_off_leaves_sign_in_unchanged_for_staff_without_an_app(client, gp, mfa_optional):
    response = sign_in(client, gp.username)

    assert response.url == reverse("home")
    assert client.get("/gp/").status_code == 200
    assert not TOTPDevice.objects.exists()


def test_mfa_off_still_asks_for_a_code_from_staff_who_set_up_an_app(client, gp, mfa_optional):
    device = confirmed_device(gp)

    response = sign_in(client, gp.username)
    blocked = client.get("/gp/")
    client.post(CODE_PAGE, {"code": current_code(device)})

    assert response.url.startswith(CODE_PAGE)
    assert blocked.status_code == 302
    assert client.get("/gp/").status_code == 200


def test_the_admin_login_page_cannot_skip_the_code(client, administrator, mfa_optional):
    confirmed_device(administrator)

    client.post("/admin/login/", {"username": administrator.username, "password": TEST_PASSWORD})

    assert client.get("/admin/").url.startswith(CODE_PAGE)


def test_staff_can_set_up_an_app_from_their_account_page_when_not_required(
    client, gp, mfa_optional
):
    client.force_login(gp)
    before = client.get(reverse("accounts:account")).content.decode()
    started = client.post(reverse("accounts:start_authenticator_set_up"), {"next": "/account/"})
    device = client.get(started.url).context["form"].device

    client.post(SET_UP_PAGE, {"code": current_code(device), "next": "/account/"})

    after = client.get(reverse("accounts:account")).content.decode()
    assert "Two-step verification is off" in before
    assert "Two-step verification is on" in after
    assert client.get("/gp/").status_code == 200


def test_administrator_reset_removes_the_app_and_ends_that_persons_sessions(
    client, gp, administrator, mfa_optional
):
    confirmed_device(gp)
    gp_client = Client()
    gp_client.force_login(gp)
    client.force_login(administrator)

    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_step_verification", "_selected_action": [gp.pk]},
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=gp).exists()
    assert gp_client.get("/gp/").url.startswith(reverse("login"))


def test_after_a_reset_mfa_required_asks_the_person_to_set_up_again(client, gp, mfa_required):
    from pathway.accounts.second_factor import reset_authenticator

    confirmed_device(gp)
    reset_authenticator(gp)

    response = sign_in(client, gp.username)
    set_up = client.get(response.url, follow=True)

    assert set_up.redirect_chain[-1][0].startswith(SET_UP_PAGE)
    assert "Ask your administrator for a set-up link" in main_content(set_up)


# --- Lockout by username and address together ---------------------------------------------------


def fail_five_times(client, username, address=PRACTICE_ADDRESS):
    return [sign_in(client, username, "wrong-password", address) for _ in range(5)]


def test_five_failures_lock_that_username_from_that_address(client, gp):
    failures = fail_five_times(client, gp.username)

    response = sign_in(client, gp.username, address=PRACTICE_ADDRESS)

    assert [r.status_code for r in failures[:4]] == [200] * 4
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert client.get("/gp/").status_code == 302


def test_a_lockout_does_not_stop_the_same_username_from_another_address(client, gp):
    fail_five_times(client, gp.username)

    response = sign_in(client, gp.username, address=OTHER_ADDRESS)

    assert response.status_code == 302
    assert client.get("/gp/").status_code == 200


def test_a_lockout_does_not_stop_a_colleague_at_the_same_address(client, gp, practice):
    colleague = GPFactory(practice=practice)
    fail_five_times(client, gp.username)

    response = sign_in(client, colleague.username, address=PRACTICE_ADDRESS)

    assert response.status_code == 302
    assert client.get("/gp/").status_code == 200


def test_the_lockout_page_is_the_same_whether_or_not_the_username_exists(client, gp):
    fail_five_times(client, gp.username)
    fail_five_times(client, "nobody-by-that-name")

    known = sign_in(client, gp.username, address=PRACTICE_ADDRESS)
    unknown = sign_in(client, "nobody-by-that-name", address=PRACTICE_ADDRESS)

    assert known.status_code == unknown.status_code == 429
    assert main_content(known) == main_content(unknown)
    assert gp.username not in main_content(known)


def test_lockout_works_with_redis_down(client, gp, settings):
    # Sign-in keeps its counts in the database: a cache pointing at nothing changes nothing.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    fail_five_times(client, gp.username)

    locked = sign_in(client, gp.username, address=PRACTICE_ADDRESS)
    elsewhere = sign_in(Client(), gp.username, address=OTHER_ADDRESS)

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


# --- Session time limits -----------------------------------------------------------------------


def age_session(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = int(time.time()) - ago
    session.save()


def test_expiry_reason_is_idle_after_the_idle_limit_and_absolute_after_the_absolute_limit():
    def reason(signed_in_ago, seen_ago):
        return sessions.expiry_reason(
            signed_in_at=1_000_000 - signed_in_ago,
            last_seen_at=1_000_000 - seen_ago,
            now=1_000_000,
            idle_seconds=1800,
            absolute_seconds=43200,
        )

    assert reason(100, 1799) is None
    assert reason(5000, 1800) == sessions.IDLE
    assert reason(43200, 0) == sessions.ABSOLUTE
    assert reason(43200, 1800) == sessions.ABSOLUTE


def test_an_idle_session_is_signed_out_with_the_reason(client, gp):
    client.force_login(gp)
    age_session(client, **{sessions.LAST_SEEN_AT: 31 * 60})

    response = client.get("/gp/", follow=True)

    assert response.redirect_chain[0][0] == f"{reverse('login')}?next=%2Fgp%2F"
    page = response.content.decode()
    assert "You were signed out because you had not used the service for 30 minutes" in page
    assert client.get("/gp/").status_code == 302


def test_a_session_past_the_absolute_limit_is_signed_out_even_when_busy(client, gp):
    client.force_login(gp)
    age_session(client, **{sessions.SIGNED_IN_AT: 12 * 3600 + 1, sessions.LAST_SEEN_AT: 5})

    response = client.get("/gp/", follow=True)

    assert "You were signed out because you had been signed in for 12 hours" in (
        response.content.decode()
    )
    assert not SignedInSession.objects.filter(user=gp).exists()


def test_a_session_within_both_limits_is_served(client, gp):
    client.force_login(gp)
    age_session(client, **{sessions.SIGNED_IN_AT: 11 * 3600, sessions.LAST_SEEN_AT: 29 * 60})

    assert client.get("/gp/").status_code == 200


def test_the_idle_limit_is_configurable(client, gp, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client.force_login(gp)
    age_session(client, **{sessions.LAST_SEEN_AT: 6 * 60})

    assert client.get("/gp/").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(client, gp):
    client.force_login(gp)
    age_session(client, **{sessions.LAST_SEEN_AT: 10})
    recent = client.session[sessions.LAST_SEEN_AT]

    client.get("/gp/")
    unchanged = client.session[sessions.LAST_SEEN_AT]
    age_session(client, **{sessions.LAST_SEEN_AT: 120})
    client.get("/gp/")

    assert unchanged == recent
    assert client.session[sessions.LAST_SEEN_AT] >= int(time.time()) - 5


def test_a_timed_out_htmx_request_is_redirected_with_hx_redirect(client, gp):
    client.force_login(gp)
    age_session(client, **{sessions.LAST_SEEN_AT: 31 * 60})

    response = client.get("/gp/", headers={"HX-Request": "true"})

    assert response.headers["HX-Redirect"] == reverse("login")


# --- Deactivation ------------------------------------------------------------------------------


def test_deactivating_a_user_ends_all_their_sessions_and_no_one_elses(client, gp, ttp):
    other_device = Client()
    colleague = Client()
    client.force_login(gp)
    other_device.force_login(gp)
    colleague.force_login(ttp)
    gp_keys = list(SignedInSession.objects.filter(user=gp).values_list("session_key", flat=True))

    gp.is_active = False
    gp.save()

    assert len(gp_keys) == 2
    assert not Session.objects.filter(session_key__in=gp_keys).exists()
    assert not SignedInSession.objects.filter(user=gp).exists()
    assert client.get("/gp/").url.startswith(reverse("login"))
    assert other_device.get("/gp/").url.startswith(reverse("login"))
    assert colleague.get("/ttp/").status_code == 200


def test_deactivation_still_finds_a_session_after_a_password_change(client, gp):
    new_password = "another-long-passphrase-2026"
    client.force_login(gp)
    client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    assert client.get("/gp/").status_code == 200

    gp.is_active = False
    gp.save()

    assert client.get("/gp/").status_code == 302
    assert not Session.objects.filter(session_key=client.session.session_key).exists()


def test_signing_out_forgets_the_session(client, gp):
    client.force_login(gp)

    client.post(reverse("logout"))

    assert not SignedInSession.objects.filter(user=gp).exists()


# --- Saying nothing about which accounts exist -------------------------------------------------


def test_sign_in_failure_is_word_for_word_the_same_for_unknown_wrong_and_inactive(client, gp):
    inactive = GPFactory(practice=gp.practice, is_active=False)

    wrong_password = sign_in(client, gp.username, "not-the-password")
    unknown = sign_in(client, "nobody-by-that-name", "not-the-password")
    inactive_right_password = sign_in(client, inactive.username, TEST_PASSWORD)

    assert wrong_password.status_code == unknown.status_code == 200
    assert inactive_right_password.status_code == 200
    assert (
        error_summary(wrong_password)
        == error_summary(unknown)
        == error_summary(inactive_right_password)
    )
    assert client.get("/gp/").status_code == 302


def test_password_reset_answers_every_address_alike_and_mails_only_an_active_account(client, gp):
    inactive = GPFactory(practice=gp.practice, is_active=False, email="gone@example.nhs.uk")

    answers = [
        client.post(reverse("password_reset"), {"email": email})
        for email in (gp.email, "stranger@example.com", inactive.email)
    ]
    done_pages = [client.get(answer.url) for answer in answers]

    assert {(a.status_code, a.url) for a in answers} == {(302, reverse("password_reset_done"))}
    assert len({main_content(page) for page in done_pages}) == 1
    assert [message.to for message in mail.outbox] == [[gp.email]]


def test_the_admin_never_shows_an_existing_apps_secret(client, gp, administrator, mfa_optional):
    device = confirmed_device(gp)
    client.force_login(administrator)

    qr_code = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/")
    change_page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")

    assert qr_code.status_code == 403
    assert change_page.status_code == 200
    assert device.key not in change_page.content.decode()
