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
