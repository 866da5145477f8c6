"""Text messages through GOV.UK Notify's official client, against a local fake of its API.

GOV.UK Notify is outside our control, so it is the one thing faked here (tests/notify_fake.py):
the official `notifications_python_client`, our adapter and our sending code all run for real
and talk HTTP to the fake on loopback.
"""

import re

import pytest
from notifications_python_client.notifications import NotificationsAPIClient

from pathway.messaging.models import Channel, MessageKind, MessageState
from pathway.messaging.providers import DeliveryFailed, send_sms
from tests.notify_fake import make_api_key, running_fake_notify, secret_of, service_id_of
from tests.smtp import free_port

MOBILE = "07700900982"
LINK = re.compile(r"/q/([A-Za-z0-9_-]{20,100})/")


@pytest.fixture
def notify(settings):
    with running_fake_notify() as fake:
        fake.template_id = fake.use_in(settings)
        yield fake


def test_fake_api_key_is_read_by_the_official_client_like_a_real_one():
    key = make_api_key()

    client = NotificationsAPIClient(key, base_url="http://127.0.0.1:1")

    assert client.service_id == service_id_of(key)
    assert client.api_key == secret_of(key)


def test_send_sms_posts_the_body_to_the_template_with_a_signed_token(notify):
    send_sms(to=MOBILE, body="Your link: https://example.org/q/abc/", reference="prom:1:sms")

    [request] = notify.requests
    assert request.json == {
        "phone_number": MOBILE,
        "template_id": notify.template_id,
        "personalisation": {"body": "Your link: https://example.org/q/abc/"},
        "reference": "prom:1:sms",
    }
    assert request.headers["Authorization"].startswith("Bearer ")
    assert request.token_claims["iss"] == service_id_of(notify.api_key)


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (400, "BadRequestError", "Can't send to this recipient using a team-only API key"),
        (500, "Exception", "Internal server error"),
    ],
)
def test_send_sms_refused_by_notify_raises_delivery_failed_with_the_status(
    notify, status, error, message
):
    notify.fail_next(status, error, message)

    with pytest.raises(DeliveryFailed) as failure:
        send_sms(to=MOBILE, body="Hello", reference="prom:1:sms")

    assert f"HTTP {status}" in str(failure.value)
    assert MOBILE not in str(failure.value)
    assert len(notify.requests) == 1


def test_send_sms_with_notify_unreachable_raises_delivery_failed(settings):
    settings.NOTIFY_API_KEY = make_api_key()
    settings.NOTIFY_SMS_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    # A port nothing listens on: the connection is refused at once.
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(DeliveryFailed) as failure:
        send_sms(to=MOBILE, body="Hello", reference="prom:1:sms")

    # The official client turns a connection failure into an APIError with status 503, so
    # today the text reads "refused (HTTP 503)"; only the failure itself is asserted here.
    assert "Notify" in str(failure.value)
    assert MOBILE not in str(failure.value)


def test_send_sms_without_a_key_raises_delivery_failed_and_calls_nobody(notify, settings):
    settings.NOTIFY_API_KEY = ""

    with pytest.raises(DeliveryFailed, match="^No text message provider is configured$"):
        send_sms(to=MOBILE, body="Hello", reference="prom:1:sms")

    assert notify.requests == []


def test_deliver_sms_invitation_through_notify_marks_it_sent(notify, make_episode, practice):
    from pathway.messaging.sending import deliver
    from pathway.proms.links import find_link
    from tests.factories import PatientFactory

    patient = PatientFactory(
        given_name="Ottoline",
        family_name="Quennell",
        mobile=MOBILE,
        preferred_channel="sms",
        registered_practice=practice,
    )
    episode = make_episode(patient=patient)
    invitation = episode.messages.get(kind=MessageKind.PROM_INVITATION)
    assert invitation.channel == Channel.SMS

    assert deliver(invitation.pk) == "sent"

    invitation.refresh_from_db()
    assert invitation.state == MessageState.SENT
    assert invitation.sent_at is not None
    [request] = notify.requests
    assert request.json["phone_number"] == MOBILE
    assert request.json["template_id"] == notify.template_id
    assert request.json["reference"] == invitation.key
    text = request.json["personalisation"]["body"]
    token = LINK.search(text).group(1)
    assert find_link(token).timepoint == invitation.prom_timepoint
    for identifier in ("Ottoline", "Quennell", patient.nhs_number, "1970"):
        assert identifier not in text


# --- Looking a text up before sending it again ------------------------------------------------


def test_fake_lists_accepted_texts_by_reference_as_notify_does(notify):
    send_sms(to=MOBILE, body="First", reference="prom:1:0:sms")
    send_sms(to=MOBILE, body="Second", reference="prom:2:0:sms")
    client = NotificationsAPIClient(notify.api_key, base_url=notify.base_url)

    found = client.get_all_notifications(template_type="sms", reference="prom:1:0:sms")

    [notification] = found["notifications"]
    assert notification["reference"] == "prom:1:0:sms"
    assert (notification["type"], notification["phone_number"]) == ("sms", MOBILE)
    assert notification["body"] == "First"
    assert notification["template"]["id"] == notify.template_id
    assert notification["created_at"].endswith("Z")
    assert found["links"]["current"].startswith(f"{notify.base_url}/v2/notifications?")
    assert client.get_notification_by_id(notification["id"])["body"] == "First"
    # Newest first, paged by older_than as the official client's iterator follows it.
    every = list(client.get_all_notifications_iterator(template_type="sms"))
    assert [n["body"] for n in every] == ["Second", "First"]


@pytest.fixture
def texted_invitation(notify, make_episode, practice):
    from tests.factories import PatientFactory

    patient = PatientFactory(
        mobile=MOBILE, email="", preferred_channel="sms", registered_practice=practice
    )
    invitation = make_episode(patient=patient).messages.get(kind=MessageKind.PROM_INVITATION)
    assert invitation.channel == Channel.SMS
    return invitation


def worker_died_sending(invitation, *, reached_notify, settings):
    """A worker claims the text and dies, before or after Notify accepted it; the sweep takes
    the row back once the lease has run out."""
    import datetime

    from django.utils import timezone

    from pathway.messaging.sending import claim, requeue_stuck

    claim(invitation.pk)
    if reached_notify:
        send_sms(to=MOBILE, body="Your questionnaire", reference=invitation.key)
    later = timezone.now() + datetime.timedelta(minutes=settings.MESSAGE_STUCK_MINUTES + 1)
    assert requeue_stuck(now=later) == 1


def test_text_notify_took_before_its_worker_died_is_recorded_sent_not_sent_again(
    notify, texted_invitation, settings
):
    from pathway.messaging.sending import deliver

    worker_died_sending(texted_invitation, reached_notify=True, settings=settings)

    assert deliver(texted_invitation.pk) == "already sent"

    assert len(notify.accepted_with_reference(texted_invitation.key)) == 1
    assert [lookup["reference"] for lookup in notify.lookups] == [[texted_invitation.key]]
    texted_invitation.refresh_from_db()
    assert (texted_invitation.state, texted_invitation.attempts) == (MessageState.SENT, 2)
    assert texted_invitation.sent_at is not None


def test_text_that_never_reached_notify_is_sent_once_after_its_worker_died(
    notify, texted_invitation, settings
):
    from pathway.messaging.sending import deliver

    worker_died_sending(texted_invitation, reached_notify=False, settings=settings)

    assert deliver(texted_invitation.pk) == "sent"

    assert len(notify.accepted_with_reference(texted_invitation.key)) == 1
    assert len(notify.lookups) == 1  # asked first, found nothing, sent


def test_text_is_not_sent_again_while_notify_cannot_be_asked(notify, texted_invitation, settings):
    from pathway.messaging.models import OutboundMessage
    from pathway.messaging.sending import deliver

    worker_died_sending(texted_invitation, reached_notify=True, settings=settings)
    notify.fail_next_lookups(500)

    assert deliver(texted_invitation.pk) == "retrying"
    texted_invitation.refresh_from_db()
    assert texted_invitation.state == MessageState.PENDING
    assert "look-up" in texted_invitation.last_error
    assert len(notify.accepted_with_reference(texted_invitation.key)) == 1

    OutboundMessage.objects.filter(pk=texted_invitation.pk).update(
        due_at=texted_invitation.created_at
    )
    assert deliver(texted_invitation.pk) == "already sent"  # the backoff over, Notify answers
    assert len(notify.accepted_with_reference(texted_invitation.key)) == 1


def test_text_notify_could_not_pass_on_is_sent_again(notify, texted_invitation, settings):
    from pathway.messaging.sending import deliver

    worker_died_sending(texted_invitation, reached_notify=True, settings=settings)
    [first] = notify.accepted_with_reference(texted_invitation.key)
    notify.mark(first["id"], "technical-failure")  # Notify: "you'll have to try again"

    assert deliver(texted_invitation.pk) == "sent"

    assert len(notify.accepted_with_reference(texted_invitation.key)) == 2


def test_text_with_our_reference_from_before_the_message_existed_is_not_taken_for_it(
    notify, texted_invitation, settings
):
    """A database restored from backup hands out row keys again; a text Notify took days ago
    with the same reference belongs to another message."""
    from pathway.messaging.sending import deliver

    worker_died_sending(texted_invitation, reached_notify=True, settings=settings)
    [earlier] = notify.accepted_with_reference(texted_invitation.key)
    earlier["created_at"] = "2020-01-02T03:04:05.000000Z"

    assert deliver(texted_invitation.pk) == "sent"

    assert len(notify.accepted_with_reference(texted_invitation.key)) == 2


def test_first_try_of_a_text_asks_notify_nothing(notify, texted_invitation):
    from pathway.messaging.sending import deliver

    assert deliver(texted_invitation.pk) == "sent"

    assert notify.lookups == []
