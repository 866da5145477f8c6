"""A person answers their questionnaires from the link in their invitation, with no sign-in."""

import logging
import re
import secrets
import threading

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client

from pathway.audit.context import PATIENT
from pathway.clinical import eq5d
from pathway.messaging.models import MessageState, OutboundMessage
from pathway.proms.links import create_link, hash_token
from pathway.proms.models import (
    PatientLink,
    PromTimepoint,
    QuestionnaireResponse,
    SafetyAlert,
    TimepointState,
)
from pathway.proms.schedule import open_due_timepoints, opt_out
from pathway.proms.timepoints import instruments_for
from tests.audit_context import TEST_CONTEXT

pytestmark = pytest.mark.django_db

DATE_OF_BIRTH = {
    "date_of_birth_day": "15",
    "date_of_birth_month": "6",
    "date_of_birth_year": "1970",
}
WRONG_DATE_OF_BIRTH = {**DATE_OF_BIRTH, "date_of_birth_year": "1971"}
NOT_WORKING = "This link is not working"


def baseline_timepoint(episode):
    open_due_timepoints()
    return episode.prom_timepoints.get(timepoint="baseline")


def new_link(episode):
    token, _link = create_link(timepoint=baseline_timepoint(episode))
    return token


@pytest.fixture
def token(episode):
    return new_link(episode)


def form_answers(instrument, value=1, **changes):
    """Form data answering every question of `instrument`."""
    if instrument == "pain_nrs":
        data = {"pain_nrs": "6"}
    elif instrument == "odi":
        data = {f"odi_{number}": "2" for number in range(1, 11)}
    elif instrument == "eq5d5l":
        codes = [code for code, _term, _label in eq5d.DIMENSIONS]
        data = {**dict(zip(codes, "21341", strict=True)), "eq_vas": "70"}
    else:
        count = {"gad7": 7, "phq9": 9}[instrument]
        data = {f"{instrument}_{number}": str(value) for number in range(1, count + 1)}
    data.update({name: str(answer) for name, answer in changes.items()})
    return data


def continue_and_confirm(client, token):
    client.get(f"/q/{token}/")
    return client.post("/q/confirm/", DATE_OF_BIRTH)


def answer(client, instrument, **changes):
    return client.post(f"/q/questionnaire/{instrument}/", form_answers(instrument, **changes))


def answer_everything(client, token, phq9_item_9=0):
    """The whole journey; every response on the way, in order."""
    responses = [client.get(f"/q/{token}/")]
    responses.append(client.get(responses[0]["Location"]))
    responses.append(client.post("/q/confirm/", DATE_OF_BIRTH, follow=True))
    for instrument in instruments_for("baseline"):
        changes = {"phq9_9": phq9_item_9} if instrument == "phq9" else {}
        responses.append(answer(client, instrument, **changes))
        responses.append(client.get(responses[-1]["Location"], follow=True))
    return responses


def without_csrf(content):
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", content.decode())


def test_token_has_256_bits_and_only_its_hash_is_stored(episode):
    token, link = create_link(timepoint=baseline_timepoint(episode))

    assert len(token) == len(secrets.token_urlsafe(32)) == 43  # 32 random bytes: 256 bits
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    row = PatientLink.objects.filter(pk=link.pk).values().get()
    assert row["token_hash"] == hash_token(token)
    assert not any(token in str(value) for value in row.values())


def test_opening_the_link_changes_nothing_but_the_session(client, episode, token):
    # Mail scanners open links: they must not answer, count or opt out anything.
    timepoint = episode.prom_timepoints.get(timepoint="baseline")
    link_before = model_to_dict(PatientLink.objects.get(timepoint=timepoint))

    response = client.get(f"/q/{token}/")
    start = client.get(response["Location"])

    assert start.status_code == 200
    assert b"Continue" in start.content
    assert episode.service.name.encode() in start.content
    after = PromTimepoint.objects.get(pk=timepoint.pk)
    assert (after.state, after.date_of_birth_failures) == (TimepointState.OPEN, 0)
    assert model_to_dict(PatientLink.objects.get(timepoint=timepoint)) == link_before
    episode.patient.refresh_from_db()
    assert episode.patient.prom_opt_out_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_link_redirects_at_once_with_only_the_link_in_a_new_session(client, token, method):
    session = client.session
    session["earlier"] = "visit"
    session.save()
    old_key = session.session_key

    response = getattr(client, method)(f"/q/{token}/")

    assert response.status_code == 302
    assert response["Location"] == "/q/start/"
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    stored = Session.objects.get(session_key=new_key).get_decoded()
    assert stored["prom_link"] == PatientLink.objects.get().pk
    assert token not in str(stored)


def test_later_urls_never_hold_the_token(client, token):
    responses = answer_everything(client, token)

    later = responses[1:]
    urls = [r.request["PATH_INFO"] for r in later] + [r.get("Location", "") for r in later]
    urls += [url for r in later for url, _status in getattr(r, "redirect_chain", [])]
    assert urls and not any(token in url for url in urls)
    assert all(token.encode() not in r.content for r in later)


def test_start_page_continues_to_confirm_and_holds_no_token(client, token):
    client.get(f"/q/{token}/")

    page = client.get("/q/start/").content.decode()

    assert 'href="/q/confirm/"' in page
    assert 'href="/q/stop/"' in page
    assert token not in page


def test_questionnaire_pages_need_the_date_of_birth_first(client, token):
    client.get(f"/q/{token}/")

    response = client.get("/q/questionnaire/pain_nrs/")

    assert NOT_WORKING in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()


def test_wrong_date_of_birth_shows_an_error_and_keeps_the_link_open(client, token):
    client.get(f"/q/{token}/")

    response = client.post("/q/confirm/", WRONG_DATE_OF_BIRTH)

    assert response.status_code == 200
    assert "The date of birth does not match our records" in response.content.decode()
    assert 'class="nhsuk-error-summary"' in response.content.decode()
    assert PromTimepoint.objects.get().date_of_birth_failures == 1


def test_wrong_dates_of_birth_lock_the_link_at_the_limit(client, token):
    limit = settings.PROM_DATE_OF_BIRTH_ATTEMPTS
    client.get(f"/q/{token}/")

    pages = [client.post("/q/confirm/", WRONG_DATE_OF_BIRTH).content.decode() for _ in range(limit)]

    assert all("does not match our records" in page for page in pages[:-1])
    assert NOT_WORKING in pages[-1]
    assert PromTimepoint.objects.get().date_of_birth_failures == limit
    # Locked: the right date now opens nothing, in this session or from the link again.
    assert NOT_WORKING in client.post("/q/confirm/", DATE_OF_BIRTH, follow=True).content.decode()
    assert NOT_WORKING in client.get(f"/q/{token}/").content.decode()


def test_failure_pages_are_identical_whatever_the_reason(client, make_episode, service):
    def link_where(change):
        episode = make_episode()
        token = new_link(episode)
        change(episode, episode.prom_timepoints.get(timepoint="baseline"))
        return token

    def timepoint_update(**fields):
        return lambda _episode, timepoint: PromTimepoint.objects.filter(pk=timepoint.pk).update(
            **fields
        )

    limit = settings.PROM_DATE_OF_BIRTH_ATTEMPTS
    tokens = {
        "unknown": secrets.token_urlsafe(32),
        "malformed": "not-a-token",
        "too long": "a" * 300,
        "expired": link_where(lambda _episode, t: t.links.update(expires_at=t.due_at)),
        "completed": link_where(timepoint_update(state=TimepointState.COMPLETED)),
        "cancelled": link_where(timepoint_update(state=TimepointState.CANCELLED)),
        "locked": link_where(timepoint_update(date_of_birth_failures=limit)),
        "opted out": link_where(
            lambda episode, _t: opt_out(patient=episode.patient, by=PATIENT, context=TEST_CONTEXT)
        ),
    }
    responses = {reason: client.get(f"/q/{token}/") for reason, token in tokens.items()}
    responses["no session"] = Client().get("/q/questionnaire/")
    responses["not verified"] = Client().get("/q/complete/")

    statuses = {reason: response.status_code for reason, response in responses.items()}
    bodies = {without_csrf(response.content) for response in responses.values()}
    assert set(statuses.values()) == {200}
    assert len(bodies) == 1
    body = bodies.pop()
    assert NOT_WORKING in body
    assert "contact the service that sent you the link, or your GP practice" in body
    assert service.name not in body


def test_completing_every_questionnaire_stores_scored_responses(client, episode, token):
    pages = answer_everything(client, token)

    responses = QuestionnaireResponse.objects.filter(episode=episode, timepoint="baseline")
    assert sorted(responses.values_list("instrument", flat=True)) == sorted(
        instruments_for("baseline")
    )
    assert all(response.source == "patient" for response in responses)
    phq9 = responses.get(instrument="phq9")
    # Eight items "several days" (1) and item 9 "not at all" (0).
    assert (phq9.score, phq9.scores["total"], phq9.scores["self_harm_flag"]) == (8, 8, False)
    assert responses.get(instrument="odi").score == 40.0  # 20 of 50
    assert pages[-1].request["PATH_INFO"] == "/q/complete/"
    assert "Thank you" in pages[-1].content.decode()
    assert 'data-testid="urgent-help"' not in pages[-1].content.decode()


def test_completing_every_questionnaire_completes_the_timepoint_and_stops_reminders(
    client, episode, token
):
    timepoint = episode.prom_timepoints.get(timepoint="baseline")
    pending = OutboundMessage.objects.filter(prom_timepoint=timepoint, state=MessageState.PENDING)
    reminders = list(pending.values_list("pk", flat=True))
    assert reminders

    answer_everything(client, token)

    timepoint.refresh_from_db()
    assert timepoint.state == TimepointState.COMPLETED
    assert timepoint.completed_at is not None
    states = OutboundMessage.objects.filter(pk__in=reminders).values_list("state", flat=True)
    assert set(states) == {MessageState.CANCELLED}
    assert NOT_WORKING in client.get(f"/q/{token}/").content.decode()


def test_pages_show_progress_and_help(client, token):
    continue_and_confirm(client, token)
    answer(client, "pain_nrs")

    page = client.get("/q/questionnaire/odi/").content.decode()

    assert "Questionnaire 2 of 5" in page
    assert "everyday life" in page
    assert 'data-testid="licensed-wording-hint"' in page


def test_confirming_goes_to_the_first_outstanding_questionnaire(client, token):
    response = continue_and_confirm(client, token)

    assert response["Location"] == "/q/questionnaire/"
    assert client.get("/q/questionnaire/")["Location"] == "/q/questionnaire/pain_nrs/"


def test_returning_later_asks_for_the_date_of_birth_and_continues(client, token):
    continue_and_confirm(client, token)
    answer(client, "pain_nrs")
    answer(client, "odi")
    later = Client()

    later.get(f"/q/{token}/")
    before_confirming = later.get("/q/questionnaire/")
    later.post("/q/confirm/", DATE_OF_BIRTH)

    assert NOT_WORKING in before_confirming.content.decode()
    assert later.get("/q/questionnaire/")["Location"] == "/q/questionnaire/eq5d5l/"
    # The same browser opening the link again confirms again too.
    client.get(f"/q/{token}/")
    assert NOT_WORKING in client.get("/q/questionnaire/").content.decode()


def test_missing_answer_is_shown_by_its_question_keeping_the_others(client, token):
    continue_and_confirm(client, token)
    data = form_answers("phq9", value=2)
    del data["phq9_3"]

    response = client.post("/q/questionnaire/phq9/", data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose an answer to question 3" in page
    assert 'href="#id_phq9_3_0"' in page  # the error summary links to the question
    assert re.search(r'id="id_phq9_1_2"[^>]*checked', page)
    assert not QuestionnaireResponse.objects.exists()


def test_odi_the_scorer_refuses_shows_its_reason_by_the_question(client, token):
    continue_and_confirm(client, token)
    data = form_answers("odi")
    del data["odi_3"], data["odi_7"]

    response = client.post("/q/questionnaire/odi/", data)

    page = response.content.decode()
    assert "ODI sections 3, 7 are missing" in page
    assert 'id="id_odi_3-error"' in page
    assert re.search(r'id="id_odi_1_2"[^>]*checked', page)
    assert not QuestionnaireResponse.objects.exists()


def test_second_submission_of_an_answered_questionnaire_adds_nothing(client, token):
    continue_and_confirm(client, token)
    answer(client, "pain_nrs")

    again = client.post("/q/questionnaire/pain_nrs/", {"pain_nrs": "2"})

    assert again.status_code == 302
    assert client.get(again["Location"])["Location"] == "/q/questionnaire/odi/"
    pain = QuestionnaireResponse.objects.filter(instrument="pain_nrs")
    assert [response.score for response in pain] == [6]


@pytest.mark.postgres
def test_simultaneous_last_submissions_give_one_response(transactional_db, episode):
    token = new_link(episode)
    first, second = Client(), Client()
    continue_and_confirm(first, token)
    continue_and_confirm(second, token)
    for instrument in instruments_for("baseline")[:-1]:
        answer(first, instrument)
    barrier = threading.Barrier(2)
    statuses = []

    def submit(client):
        barrier.wait()
        try:
            statuses.append(answer(client, "phq9").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [302, 302]
    assert QuestionnaireResponse.objects.filter(instrument="phq9").count() == 1
    assert PromTimepoint.objects.get().state == TimepointState.COMPLETED


def test_phq9_item_9_above_zero_shows_where_to_get_help_and_raises_an_alert(client, episode, token):
    pages = answer_everything(client, token, phq9_item_9=1)

    page = pages[-1].content.decode()
    assert "Thank you" in page
    assert 'class="nhsuk-card nhsuk-card--care nhsuk-card--care--urgent"' in page
    for words in ("999", "A&amp;E", "111", "mental health option", "116 123", "24 hours"):
        assert words in page
    assert "Your care team has been told about your answer and will contact you" in page
    alert = SafetyAlert.objects.get(episode=episode)
    assert alert.response.instrument == "phq9"
    assert alert.response.score == 9  # every item "several days" (1)


def test_stop_messages_opts_out_and_cancels_pending_messages(client, episode, token):
    client.get(f"/q/{token}/")
    client.get("/q/stop/")
    confirmed = client.post("/q/confirm/", DATE_OF_BIRTH)

    explained = client.get(confirmed["Location"])
    response = client.post("/q/stop/")

    assert confirmed["Location"] == "/q/stop/"
    assert "Stop questionnaire messages?" in explained.content.decode()
    assert "Questionnaire messages stopped" in response.content.decode()
    episode.patient.refresh_from_db()
    assert episode.patient.prom_opt_out_at is not None
    states = OutboundMessage.objects.filter(patient=episode.patient).values_list("state", flat=True)
    assert set(states) == {MessageState.CANCELLED}
    assert NOT_WORKING in client.get(f"/q/{token}/").content.decode()


def test_opening_the_stop_addresses_does_not_opt_out(client, episode, token):
    # /q/<token>/stop/ was the stop button's address before links redirected at once.
    old_address = client.post(f"/q/{token}/stop/")
    stop_page = client.get("/q/stop/")

    assert old_address["Location"] == "/q/start/"
    assert stop_page["Location"] == "/q/confirm/"
    episode.patient.refresh_from_db()
    assert episode.patient.prom_opt_out_at is None


def test_token_never_appears_in_logs(client, caplog, make_episode):
    token = new_link(make_episode())
    other = new_link(make_episode())
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")

    client.get(f"/q/{secrets.token_urlsafe(32)}/")
    client.get(f"/q/{token}/")
    client.post("/q/confirm/", WRONG_DATE_OF_BIRTH)
    answer_everything(client, token, phq9_item_9=2)
    client.get(f"/q/{token}/")
    client.get(f"/q/{other}/stop/")
    client.post(f"/q/{other}/stop/")
    client.post("/q/stop/")
    client.get(f"/q/{other}/")

    assert caplog.records  # the capture works: the flow does log something
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert token not in logged
    assert other not in logged


def test_questionnaire_pages_send_no_referrer_and_are_never_cached(client, token):
    responses = [
        client.get(f"/q/{token}/"),
        client.post(f"/q/{token}/"),
        client.get(f"/q/{token}/stop/"),
        client.post("/q/confirm/", DATE_OF_BIRTH),
        client.get("/q/questionnaire/"),
        client.post("/q/questionnaire/pain_nrs/", form_answers("pain_nrs")),
        Client().get(f"/q/{secrets.token_urlsafe(32)}/"),
        Client().get("/q/complete/"),
    ]
    for instrument in instruments_for("baseline")[1:]:
        answer(client, instrument)
    responses.append(client.get("/q/complete/"))

    assert {response["Referrer-Policy"] for response in responses} == {"no-referrer"}
    assert all(response["Cache-Control"] == "no-store" for response in responses)


def test_pages_with_forms_send_referrers_only_within_the_site(client, token):
    # Under no-referrer a browser sends "Origin: null" with a form, which the CSRF check
    # refuses; these URLs hold no token, and same-origin sends no Referer to other sites.
    client.get(f"/q/{token}/")
    pages = [client.get("/q/start/"), client.get("/q/confirm/")]
    client.post("/q/confirm/", DATE_OF_BIRTH)
    pages.append(client.get("/q/questionnaire/pain_nrs/"))

    assert {page["Referrer-Policy"] for page in pages} == {"same-origin"}
    assert {page["Cache-Control"] for page in pages} == {"no-store"}
    assert not any(token in page.request["PATH_INFO"] for page in pages)
