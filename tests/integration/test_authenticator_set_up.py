"""Setting up an authenticator app needs a one-time link from an administrator, not just the
password; the session key changes when the second step is passed; showing the set-up page
writes nothing."""

import datetime
import hashlib
import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathway.accounts.models import AuthenticatorSetUpLink, SignedInSession
from pathway.audit.models import AuditAction, AuditEvent
from tests.audit_context import TEST_CONTEXT
from tests.factories import GPFactory
from tests.integration.test_authentication import (
    CODE_PAGE,
    SET_UP_LINK,
    SET_UP_PAGE,
    confirmed_device,
    current_code,
    main_content,
    open_set_up_link,
    send_set_up_link,
    sign_in,
)
from tests.smtp import running_smtp_server

pytestmark = pytest.mark.django_db

LINK_NEEDED = "Ask your administrator for a set-up link"
START_SET_UP = "/account/authenticator/start/"
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED = True


@pytest.fixture
def mfa_optional(settings):
    settings.MFA_REQUIRED = False


def shown_device(client):
    """The app details the set-up page is showing (not saved)."""
    return client.get(SET_UP_PAGE).context["form"].device


def set_up_with(client, device, next_url="/gp/"):
    return client.post(SET_UP_PAGE, {"code": current_code(device), "next": next_url})


def writes_in(queries):
    return [query["sql"] for query in queries if WRITES.match(query["sql"])]


# --- A password alone -----------------------------------------------------------------------


def test_a_password_alone_never_shows_a_secret_when_mfa_is_required(client, gp, mfa_required):
    signed_in = sign_in(client, gp.username)
    landed = client.get(signed_in.url, follow=True)
    guessed = client.post(SET_UP_PAGE, {"code": "123456"})

    assert landed.redirect_chain[-1][0].startswith(SET_UP_PAGE)
    assert LINK_NEEDED in main_content(landed)
    assert "secret" not in landed.context
    assert "data:image/svg+xml" not in landed.content.decode()
    assert LINK_NEEDED in main_content(guessed)
    assert not TOTPDevice.objects.filter(user=gp).exists()
    assert client.get("/gp/").status_code == 302


def test_the_account_page_cannot_start_a_set_up_without_a_link_when_mfa_is_required(
    client, gp, mfa_required
):
    sign_in(client, gp.username)

    started = client.post(START_SET_UP, follow=True)

    assert LINK_NEEDED in main_content(started)
    assert not TOTPDevice.objects.filter(user=gp).exists()


# --- Sending the link -----------------------------------------------------------------------


def test_an_administrator_emails_a_set_up_link_from_the_admin(client, gp, administrator):
    client.force_login(administrator)

    response = client.post(
        "/admin/accounts/user/",
        {"action": "send_authenticator_set_up_link", "_selected_action": [gp.pk]},
        follow=True,
    )

    assert "Sent a set-up link to 1 user(s)" in response.content.decode()
    [email] = mail.outbox
    assert email.to == [gp.email]
    url = SET_UP_LINK.search(email.body).group(0)
    token = url.rstrip("/").rsplit("/", 1)[1]
    link = AuthenticatorSetUpLink.objects.get(user=gp)
    # Only the token's hash is stored, and the link names no one.
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash
    assert gp.username not in url and gp.email not in url
    assert f"http://127.0.0.1:8000{url}" in email.body
    event = AuditEvent.objects.get(object_type="accounts.authenticatorsetuplink")
    assert (event.user, event.action, event.object_id) == (
        administrator,
        AuditAction.CREATE,
        str(link.pk),
    )


def test_the_link_lasts_the_configured_number_of_hours(gp, settings):
    settings.MFA_SET_UP_LINK_HOURS = 5

    before = timezone.now()
    send_set_up_link(gp)

    link = AuthenticatorSetUpLink.objects.get(user=gp)
    assert before + datetime.timedelta(hours=5) <= link.expires_at
    assert link.expires_at <= timezone.now() + datetime.timedelta(hours=5)


def test_the_admin_refuses_to_send_a_link_to_someone_without_an_email_address(
    client, gp, administrator
):
    gp.email = ""
    gp.save()
    client.force_login(administrator)

    response = client.post(
        "/admin/accounts/user/",
        {"action": "send_authenticator_set_up_link", "_selected_action": [gp.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert f"No link sent to {gp.username}: the account has no email address" in page
    assert mail.outbox == []
    assert not AuthenticatorSetUpLink.objects.exists()


def test_no_link_is_sent_to_someone_who_already_has_an_app(gp):
    from pathway.accounts.actions import SetUpLinkNotSent, send_set_up_link

    confirmed_device(gp)

    with pytest.raises(SetUpLinkNotSent, match="they already have an authenticator app"):
        send_set_up_link(user=gp, by=gp, context=TEST_CONTEXT)
    assert mail.outbox == []


def test_the_link_goes_through_a_real_mail_server_and_a_refusal_saves_no_link(
    client, gp, administrator, settings
):
    client.force_login(administrator)
    send = {"action": "send_authenticator_set_up_link", "_selected_action": [gp.pk]}
    with running_smtp_server() as server:
        server.use_in(settings)
        client.post("/admin/accounts/user/", send)
        server.handler.refuse_next(1)
        refused = client.post("/admin/accounts/user/", send, follow=True)

        [received] = server.handler.to(gp.email)
    first_url = SET_UP_LINK.search(received.body).group(0)

    assert "the email could not be sent (SMTPDataError)" in refused.content.decode()
    assert AuthenticatorSetUpLink.objects.filter(user=gp).count() == 1
    # The refused send changed nothing: the link that arrived still works.
    assert Client().get(first_url).status_code == 302


def test_the_management_command_emails_a_link(gp):
    call_command("send_mfa_set_up_link", gp.username)

    [email] = mail.outbox
    assert email.to == [gp.email]
    assert SET_UP_LINK.search(email.body)


def test_the_management_command_refuses_an_unknown_username(db):
    with pytest.raises(CommandError, match="There is no user called nobody"):
        call_command("send_mfa_set_up_link", "nobody")


# --- Using the link -------------------------------------------------------------------------


def test_password_then_link_sets_up_the_app_and_the_link_works_once(client, gp, mfa_required):
    url = send_set_up_link(gp)
    sign_in(client, gp.username)

    opened = client.get(url)
    device = shown_device(client)
    done = set_up_with(client, device)

    assert opened.url == SET_UP_PAGE
    assert done.url == "/gp/"
    assert client.get("/gp/").status_code == 200
    assert AuthenticatorSetUpLink.objects.get(user=gp).used_at is not None
    again = Client().get(url)
    assert again.status_code == 410
    assert "already been used" in main_content(again)


def test_link_then_password_sets_up_the_app(client, gp, mfa_required):
    url = send_set_up_link(gp)

    opened = client.get(url, follow=True)
    signed_in = sign_in(client, gp.username)
    landed = client.get(signed_in.url, follow=True)
    done = set_up_with(client, landed.context["form"].device, next_url="/")

    assert opened.redirect_chain[-1][0] == reverse("login")
    assert "Sign in to set up two-step verification" in opened.content.decode()
    assert landed.redirect_chain[-1][0].startswith(SET_UP_PAGE)
    assert done.url == "/"
    assert TOTPDevice.objects.filter(user=gp, confirmed=True).exists()


def test_a_second_session_with_the_same_link_cannot_set_up_another_app(client, gp, mfa_required):
    url = send_set_up_link(gp)
    other = Client()
    for each in (client, other):
        sign_in(each, gp.username)
        each.get(url)
    set_up_with(client, shown_device(client))

    late = other.post(SET_UP_PAGE, {"code": "123456"})

    # The other session now owes a code from the app that was set up, not a new app.
    assert late.url.startswith(CODE_PAGE)
    assert TOTPDevice.objects.filter(user=gp).count() == 1


def test_a_used_link_cannot_confirm_a_second_app_even_in_a_race(client, gp, mfa_required):
    from pathway.accounts.actions import confirm_authenticator
    from pathway.accounts.set_up_links import LinkRefused, Refusal

    sign_in(client, gp.username)
    open_set_up_link(client, gp)
    set_up_with(client, shown_device(client))
    link = AuthenticatorSetUpLink.objects.get(user=gp)
    # A second session that passed every check on the page a moment before the first finished.
    second = TOTPDevice.objects.create(user=gp, name="Authenticator app", confirmed=False)

    with pytest.raises(LinkRefused) as refused:
        confirm_authenticator(device=second, link_id=link.pk, context=TEST_CONTEXT)

    assert refused.value.reason is Refusal.USED
    second.refresh_from_db()
    assert not second.confirmed


def test_an_expired_link_is_refused(client, gp, mfa_required):
    url = send_set_up_link(gp)
    AuthenticatorSetUpLink.objects.update(expires_at=timezone.now() - datetime.timedelta(hours=1))
    sign_in(client, gp.username)

    response = client.get(url)

    assert response.status_code == 410
    assert "The link has expired" in main_content(response)
    assert "data:image/svg+xml" not in response.content.decode()
    assert LINK_NEEDED in main_content(client.get(SET_UP_PAGE))


def test_a_link_that_expires_while_the_page_is_open_is_refused(client, gp, mfa_required):
    url = send_set_up_link(gp)
    sign_in(client, gp.username)
    client.get(url)
    device = shown_device(client)
    AuthenticatorSetUpLink.objects.update(expires_at=timezone.now() - datetime.timedelta(hours=1))

    response = set_up_with(client, device)

    assert response.status_code == 410
    assert "The link has expired" in main_content(response)
    assert not TOTPDevice.objects.filter(user=gp, confirmed=True).exists()
    assert client.get("/gp/").status_code == 302


def test_another_persons_link_is_refused_when_signed_in(client, gp, other_gp, mfa_required):
    url = send_set_up_link(other_gp)
    sign_in(client, gp.username)

    response = client.get(url)

    assert response.status_code == 403
    assert "for a different account" in main_content(response)
    assert LINK_NEEDED in main_content(client.get(SET_UP_PAGE))
    assert AuthenticatorSetUpLink.objects.get(user=other_gp).used_at is None


def test_another_persons_link_opened_before_signing_in_is_refused(
    client, gp, other_gp, mfa_required
):
    client.get(send_set_up_link(other_gp))
    signed_in = sign_in(client, gp.username)

    response = client.get(signed_in.url, follow=True)
    guessed = client.post(SET_UP_PAGE, {"code": "123456"})

    assert response.status_code == 403
    assert "for a different account" in main_content(response)
    assert "secret" not in response.context
    assert guessed.status_code == 403
    assert not TOTPDevice.objects.exists()


def test_a_new_link_replaces_the_earlier_one(client, gp, mfa_required):
    first = send_set_up_link(gp)
    second = send_set_up_link(gp)
    sign_in(client, gp.username)

    response = client.get(first)

    assert response.status_code == 404
    assert "not recognised" in main_content(response)
    assert client.get(second).url == SET_UP_PAGE


def test_a_made_up_link_is_refused(client, gp, mfa_required):
    response = client.get("/account/authenticator/link/" + "A" * 43 + "/")

    assert response.status_code == 404
    assert "not recognised" in main_content(response)


# --- The session key and the set-up page's writes -------------------------------------------


def test_the_session_key_changes_when_the_code_is_given(client, gp, mfa_required):
    device = confirmed_device(gp)
    sign_in(client, gp.username)
    before = client.session.session_key

    client.post(CODE_PAGE, {"code": current_code(device)})

    after = client.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert list(SignedInSession.objects.filter(user=gp).values_list("session_key", flat=True)) == [
        after
    ]
    assert client.get("/gp/").status_code == 200


def test_the_session_key_changes_when_an_app_is_set_up(client, gp, mfa_required):
    sign_in(client, gp.username)
    open_set_up_link(client, gp)
    before = client.session.session_key

    set_up_with(client, shown_device(client))

    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get("/gp/").status_code == 200


def test_showing_the_set_up_page_writes_nothing(client, gp, mfa_optional):
    client.force_login(gp)
    client.post(START_SET_UP)

    with CaptureQueriesContext(connection) as queries:
        first = client.get(SET_UP_PAGE)
        again = client.get(SET_UP_PAGE)

    assert first.status_code == again.status_code == 200
    assert writes_in(queries) == []
    assert first.context["secret"] == again.context["secret"]
    assert not TOTPDevice.objects.exists()


def test_showing_the_set_up_page_from_a_link_writes_nothing(client, gp, mfa_required):
    sign_in(client, gp.username)
    open_set_up_link(client, gp)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(SET_UP_PAGE)

    assert response.status_code == 200
    assert writes_in(queries) == []


def test_a_colleague_without_a_link_is_not_helped_by_someone_elses_set_up(
    client, gp, practice, mfa_required
):
    colleague = GPFactory(practice=practice)
    open_set_up_link(Client(), gp)
    sign_in(client, colleague.username)

    response = client.get(SET_UP_PAGE)

    assert LINK_NEEDED in main_content(response)
