"""Guessing at patient links from one address gets nowhere, and every failure looks the same."""

import logging
import re
import secrets
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from pathway.audit.context import PATIENT
from pathway.proms.links import create_link
from pathway.proms.models import GuessCounter, GuessKind, PromTimepoint, TimepointState
from pathway.proms.schedule import open_due_timepoints, opt_out
from tests.audit_context import TEST_CONTEXT

pytestmark = pytest.mark.django_db

DATE_OF_BIRTH = {
    "date_of_birth_day": "15",
    "date_of_birth_month": "6",
    "date_of_birth_year": "1970",
}
WRONG_DATE_OF_BIRTH = {**DATE_OF_BIRTH, "date_of_birth_year": "1971"}
NOT_WORKING = "This link is not working"
GUESSER = "203.0.113.7"  # TEST-NET-3: an address for documentation


def new_link(episode):
    open_due_timepoints()
    token, _link = create_link(timepoint=episode.prom_timepoints.get(timepoint="baseline"))
    return token


def client_at(address):
    return Client(REMOTE_ADDR=address)


def guess(client, times):
    for _ in range(times):
        client.get(f"/q/{secrets.token_urlsafe(32)}/")


def without_csrf(content):
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", content.decode())


@pytest.fixture
def low_limits(settings):
    settings.PROM_TOKEN_GUESSES_PER_IP = 3
    settings.PROM_DATE_OF_BIRTH_GUESSES_PER_IP = 3
    settings.PROM_DATE_OF_BIRTH_ATTEMPTS = 5
    settings.PROM_GUESS_WINDOW_MINUTES = 10
    return settings


def test_token_guesses_at_the_limit_block_even_a_good_link_from_that_address(low_limits, episode):
    token = new_link(episode)
    guesser = client_at(GUESSER)
    guess(guesser, 3)

    response = guesser.get(f"/q/{token}/")

    assert response.status_code == 200
    assert NOT_WORKING in response.content.decode()
    assert not Session.objects.exists()  # the good link opened nothing


def test_token_guesses_below_the_limit_leave_a_good_link_working(low_limits, episode):
    token = new_link(episode)
    guesser = client_at(GUESSER)
    guess(guesser, 2)

    response = guesser.get(f"/q/{token}/")

    assert response["Location"] == "/q/start/"


def test_token_guesses_block_only_their_own_address(low_limits, episode):
    token = new_link(episode)
    guess(client_at(GUESSER), 5)

    response = client_at("198.51.100.20").get(f"/q/{token}/")

    assert response["Location"] == "/q/start/"


def test_token_guesses_older_than_the_window_no_longer_count(low_limits, episode):
    token = new_link(episode)
    guesser = client_at(GUESSER)
    guess(guesser, 3)
    GuessCounter.objects.update(minute=timezone.now() - timedelta(minutes=10))

    response = guesser.get(f"/q/{token}/")

    assert response["Location"] == "/q/start/"


def test_counters_hold_an_hmac_of_the_address_never_the_address(low_limits):
    guess(client_at(GUESSER), 2)

    counter = GuessCounter.objects.get()
    expected = salted_hmac("pathway.proms.throttle", GUESSER, algorithm="sha256").hexdigest()
    assert (counter.kind, counter.count, counter.client) == (GuessKind.TOKEN, 2, expected)
    row = GuessCounter.objects.values().get()
    assert not any(GUESSER in str(value) for value in row.values())


def test_counters_past_the_window_are_deleted_when_a_guess_is_counted(low_limits):
    guess(client_at("198.51.100.20"), 1)
    GuessCounter.objects.update(minute=timezone.now() - timedelta(minutes=11))

    guess(client_at(GUESSER), 1)

    assert list(GuessCounter.objects.values_list("count", flat=True)) == [1]
    assert GuessCounter.objects.get().minute > timezone.now() - timedelta(minutes=2)


def test_wrong_dates_of_birth_across_links_from_one_address_block_confirming(
    low_limits, make_episode
):
    tokens = [new_link(make_episode()) for _ in range(4)]
    guesser = client_at(GUESSER)
    for token in tokens[:3]:
        guesser.get(f"/q/{token}/")
        page = guesser.post("/q/confirm/", WRONG_DATE_OF_BIRTH).content.decode()
        assert "does not match our records" in page  # each link alone is far from its limit

    guesser.get(f"/q/{tokens[3]}/")
    response = guesser.post("/q/confirm/", DATE_OF_BIRTH)

    assert response.status_code == 200
    assert NOT_WORKING in response.content.decode()
    assert NOT_WORKING in guesser.get("/q/questionnaire/").content.decode()
    failures = PromTimepoint.objects.values_list("date_of_birth_failures", flat=True)
    assert sorted(failures) == [0, 1, 1, 1]
    # The same person from another address confirms as usual.
    other = client_at("198.51.100.20")
    other.get(f"/q/{tokens[3]}/")
    assert other.post("/q/confirm/", DATE_OF_BIRTH)["Location"] == "/q/questionnaire/"


def test_every_failed_link_gives_the_same_status_and_page(low_limits, make_episode):
    def link_where(change):
        episode = make_episode()
        token = new_link(episode)
        change(episode, PromTimepoint.objects.get(episode=episode))
        return token

    def set_state(state):
        return lambda _episode, timepoint: PromTimepoint.objects.filter(pk=timepoint.pk).update(
            state=state
        )

    tokens = {
        "unknown": secrets.token_urlsafe(32),
        "expired": link_where(
            lambda _e, timepoint: timepoint.links.update(expires_at=timezone.now())
        ),
        "used": link_where(set_state(TimepointState.COMPLETED)),
        "stopped": link_where(
            lambda episode, _t: opt_out(patient=episode.patient, by=PATIENT, context=TEST_CONTEXT)
        ),
        "locked": link_where(
            lambda _e, timepoint: PromTimepoint.objects.filter(pk=timepoint.pk).update(
                date_of_birth_failures=5
            )
        ),
    }
    good = new_link(make_episode())
    # Each from its own address, so that only the last one is over the guessing limit.
    responses = {
        reason: client_at(f"192.0.2.{number}").get(f"/q/{token}/")
        for number, (reason, token) in enumerate(tokens.items(), 1)
    }
    guesser = client_at(GUESSER)
    guess(guesser, 3)
    responses["good link, too many guesses"] = guesser.get(f"/q/{good}/")
    dob_guesser = client_at("192.0.2.99")
    for token in (new_link(make_episode()) for _ in range(3)):
        dob_guesser.get(f"/q/{token}/")
        dob_guesser.post("/q/confirm/", WRONG_DATE_OF_BIRTH)
    responses["too many dates of birth"] = dob_guesser.post("/q/confirm/", DATE_OF_BIRTH)

    statuses = {response.status_code for response in responses.values()}
    bodies = {without_csrf(response.content) for response in responses.values()}
    headers = {
        (response["Referrer-Policy"], response["Cache-Control"], response["Content-Type"])
        for response in responses.values()
    }
    assert statuses == {200}
    assert len(bodies) == 1 and NOT_WORKING in bodies.pop()
    assert headers == {("no-referrer", "no-store", "text/html; charset=utf-8")}


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 1: every cache call would fail.
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
)
def test_guessing_limit_and_pages_work_with_the_cache_down(low_limits, episode):
    token = new_link(episode)
    person = client_at("198.51.100.20")
    guesser = client_at(GUESSER)
    guess(guesser, 3)

    blocked = guesser.get(f"/q/{token}/")
    person.get(f"/q/{token}/")
    confirmed = person.post("/q/confirm/", DATE_OF_BIRTH)

    assert NOT_WORKING in blocked.content.decode()
    assert confirmed["Location"] == "/q/questionnaire/"


def test_blocked_and_failed_guesses_never_log_a_token(low_limits, make_episode, caplog):
    token = new_link(make_episode())
    guesser = client_at(GUESSER)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    guesses = [secrets.token_urlsafe(32) for _ in range(4)]

    for guessed in guesses:
        guesser.get(f"/q/{guessed}/")
        guesser.post(f"/q/{guessed}/stop/")
    guesser.get(f"/q/{token}/")
    guesser.get(f"/q/{token}/nothing-here/")  # a 404 under a token

    assert caplog.records
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    logged += "".join(str(getattr(record, "request", "")) for record in caplog.records)
    assert not any(secret in logged for secret in [token, *guesses])
