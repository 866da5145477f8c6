"""People refer themselves: the public journey, each of its endings, and what it records.

PDS is outside our control: tests/pds_fake.py answers for Stan (registered in the service's
area) and Tess (registered elsewhere).
"""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from pathway.audit.context import Channel
from pathway.audit.models import AuditEvent
from pathway.care.models import Episode, EpisodeState
from pathway.clinical.red_flags import EMERGENCY_SAME_DAY, GP_SAME_DAY
from pathway.organisations.models import ProviderService
from pathway.referrals.models import Referral, ReferralOutcome, ReferralSource
from pathway.selfreferral import journey, throttle
from tests.factories import ServiceFactory
from tests.self_referral_data import (
    IDENTITY,
    IDENTITY_BY_NAME,
    NOBODY,
    TESS,
    fake_pds_knowing_stan,
    refer_self,
    step_url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def service(practice):
    return ServiceFactory(area=practice.area, accepts_self_referral=True, phone="0191 000 0000")


@pytest.fixture
def fake_pds(settings, practice):
    with fake_pds_knowing_stan(settings, practice) as fake:
        yield fake


def finish(client, response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response.url)


def test_start_page_is_public_for_a_service_that_accepts_self_referral(client, service):
    response = client.get(reverse("selfreferral:start", args=[service.code]))

    assert response.status_code == 200
    assert "Refer yourself for back or neck pain" in response.content.decode()


def test_start_page_is_not_found_for_a_service_that_does_not_accept_it(client, practice):
    closed = ServiceFactory(area=practice.area, accepts_self_referral=False)

    response = client.get(reverse("selfreferral:start", args=[closed.code]))

    assert response.status_code == 404


def test_accepted_self_referral_awaits_triage_marked_as_a_self_referral(
    client, service, fake_pds, ttp
):
    page = finish(client, refer_self(client, service))

    referral = Referral.objects.get()
    assert "Your referral has been sent" in page.content.decode()
    assert (referral.outcome, referral.source) == (
        ReferralOutcome.REFERRED,
        ReferralSource.SELF_REFERRAL,
    )
    assert referral.referred_by is None and referral.referrer == ""
    assert referral.practice.ods_code == referral.patient.registered_practice.ods_code
    assert (referral.startback_risk, referral.priority) == ("medium", "standard")
    assert referral.episode.state == EpisodeState.AWAITING_TRIAGE
    assert referral.episode.service == service
    client.force_login(ttp)
    queue = client.get(reverse("care:triage_queue")).content.decode()
    assert 'data-testid="self-referral-tag"' in queue
    episode_page = client.get(reverse("care:episode", args=[referral.episode.public_id]))
    assert "Self-referral" in episode_page.content.decode()


def test_accepted_self_referral_is_audited_through_the_self_referral_door(
    client, service, fake_pds
):
    finish(client, refer_self(client, service))

    referral = Referral.objects.get()
    events = AuditEvent.objects.filter(patient=referral.patient, channel=Channel.SELF_REFERRAL)
    assert {"referral", "episode"} <= {e.object_type.rsplit(".", 1)[-1] for e in events}
    assert events.filter(user__isnull=True).count() == events.count()


def test_urgency_answers_give_the_same_priority_as_the_gp_form(client, service, fake_pds):
    finish(
        client, refer_self(client, service, questions={"urgency_deteriorating_neurology": "yes"})
    )

    assert Referral.objects.get().priority == "urgent"


def test_emergency_flag_stops_at_once_recorded_without_an_episode(client, service, fake_pds):
    response = refer_self(client, service, red_flags={"symptoms": ["saddle_anaesthesia"]})

    page = finish(client, response).content.decode()
    referral = Referral.objects.get()
    assert "Call 999 or go to your nearest emergency department" in page
    assert referral.outcome == ReferralOutcome.REDIRECTED
    assert referral.red_flag_action == EMERGENCY_SAME_DAY
    assert referral.red_flags_found == ["saddle_anaesthesia"]
    assert referral.source == ReferralSource.SELF_REFERRAL
    assert not Episode.objects.exists()


def test_urgent_flag_stops_with_same_day_gp_or_111_recorded_without_an_episode(
    client, service, fake_pds
):
    response = refer_self(client, service, red_flags={"symptoms": ["night_pain", "fever"]})

    page = finish(client, response).content.decode()
    referral = Referral.objects.get()
    assert "Contact your GP surgery today, or call 111" in page
    assert (referral.outcome, referral.red_flag_action) == (ReferralOutcome.REDIRECTED, GP_SAME_DAY)
    assert referral.red_flag_judgement == ""
    assert not Episode.objects.exists()


def test_none_of_these_with_a_symptom_is_refused_and_redisplayed(client, service, fake_pds):
    response = refer_self(client, service, red_flags={"symptoms": ["none", "fever"]})

    page = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in page
    assert "not both" in page
    assert 'value="fever" checked' in page
    assert not Referral.objects.exists()


def test_not_eligible_is_recorded_with_where_to_go_instead(client, service, fake_pds):
    response = refer_self(client, service, eligibility={"housebound": "yes"})

    page = finish(client, response).content.decode()
    referral = Referral.objects.get()
    assert "community physiotherapy" in page
    assert (referral.outcome, referral.exclusions_found) == (
        ReferralOutcome.EXCLUDED,
        ["housebound"],
    )
    assert not Episode.objects.exists()


def test_registered_outside_the_area_is_not_eligible(client, service, fake_pds, settings):
    from tests.factories import PracticeFactory

    PracticeFactory(ods_code="B86001")  # in another area
    identity = {**IDENTITY, "nhs_number": TESS, "postcode": "LS1 4TT"}
    identity |= {
        "date_of_birth_day": "17",
        "date_of_birth_month": "5",
        "date_of_birth_year": "1983",
    }
    response = refer_self(client, service, identity=identity)

    finish(client, response)
    assert Referral.objects.get().exclusions_found == ["not_registered_locally"]


@pytest.mark.parametrize(
    "typed",
    [
        {"date_of_birth_year": "1962"},  # Stan's number, another date of birth
        {"postcode": "NE1 4LP"},  # Stan's number, another postcode
        {"nhs_number": NOBODY},  # nobody on the national record
    ],
)
def test_identity_mismatch_shows_nothing_about_any_record(client, service, fake_pds, typed):
    response = client.post(step_url(service, "identity"), {**IDENTITY, **typed})

    page = response.content.decode()
    assert response.status_code == 200
    assert "We could not confirm your details" in page
    for disclosed in ("Stan", "Sutton", "CA2", service.area.name):
        assert disclosed not in page
    assert journey.SESSION_KEY not in client.session


def test_identity_checks_are_slowed_then_refused(client, service, fake_pds, settings, monkeypatch):
    settings.SELF_REFERRAL_CHECKS_PER_NUMBER = 4
    monkeypatch.setattr(throttle, "SLOW_SECONDS", 60)
    wrong = {**IDENTITY, "date_of_birth_year": "1962"}
    for _ in range(2):
        assert (
            "could not confirm"
            in client.post(step_url(service, "identity"), wrong).content.decode()
        )

    slowed = client.post(step_url(service, "identity"), wrong)
    monkeypatch.setattr(throttle, "SLOW_SECONDS", 0)
    for _ in range(2):
        client.post(step_url(service, "identity"), wrong)
    refused = client.post(step_url(service, "identity"), IDENTITY)

    assert slowed.status_code == 429
    assert "Please wait a minute" in slowed.content.decode()
    assert refused.status_code == 429
    assert "You have tried too many times" in refused.content.decode()
    assert journey.SESSION_KEY not in client.session


def test_identity_checks_from_one_address_are_limited_across_numbers(
    client, service, fake_pds, settings, monkeypatch
):
    settings.SELF_REFERRAL_CHECKS_PER_ADDRESS = 2
    monkeypatch.setattr(throttle, "SLOW_SECONDS", 0)
    client.post(step_url(service, "identity"), {**IDENTITY, "nhs_number": NOBODY})
    client.post(step_url(service, "identity"), {**IDENTITY, "nhs_number": TESS})

    refused = client.post(step_url(service, "identity"), IDENTITY)

    assert refused.status_code == 429


def test_bad_identity_input_is_redisplayed_with_the_error_summary(client, service):
    typed = {**IDENTITY, "nhs_number": "12345", "postcode": "ZZ9"}

    response = client.post(step_url(service, "identity"), typed)

    page = response.content.decode()
    assert "nhsuk-error-summary" in page
    assert 'value="12345"' in page
    assert 'value="ZZ9"' in page
    assert "Enter a real postcode" in page


def test_a_timed_out_journey_keeps_nothing_and_says_so(client, service, fake_pds, settings):
    client.post(step_url(service, "identity"), IDENTITY)
    session = client.session
    session[journey.SESSION_KEY]["touched"] = time.time() - 31 * 60
    session.save()

    response = client.post(step_url(service, "about_pain"), {"body_part": "back"})

    assert "Your session has ended" in response.content.decode()
    assert "Nothing was sent" in response.content.decode()
    assert journey.SESSION_KEY not in client.session
    assert not Referral.objects.exists()


def test_a_step_without_a_journey_starts_again(client, service):
    response = client.get(step_url(service, "red_flags"))

    assert response.status_code == 302
    assert response.url == reverse("selfreferral:start", args=[service.code])


def test_a_second_self_referral_while_one_is_open_is_refused(client, service, fake_pds):
    finish(client, refer_self(client, service))

    page = refer_self(client, service).content.decode()

    assert "You already have a referral for this" in page
    assert Referral.objects.count() == 1


def test_the_gp_rules_decide_a_self_referral_with_its_own_differences(practice, service, patient):
    """The same assess and decide: a low risk needs no referrer's reason from the person
    (the TTP gives the advice), where a GP must say why; everything else is the GP's rule."""
    from pathway.accounts.scoping import OrganisationScope
    from pathway.demo.referrals import complete_answers
    from pathway.referrals.answers import with_answers
    from pathway.referrals.assessment import assess
    from pathway.referrals.decision import decide

    low_risk = with_answers(
        complete_answers(patient, risk="low", service=service), low_risk_referral_reason=""
    )
    scope = OrganisationScope.of_practice(practice.pk)
    by_gp = decide(low_risk, assess(low_risk, scope=scope, services=[service]), [service])
    self_referral = with_answers(low_risk, self_referral=True)
    by_person = decide(
        self_referral, assess(self_referral, scope=scope, services=[service]), [service]
    )

    assert dict(by_gp.problems).keys() == {"low_risk_referral_reason"}
    assert (by_person.outcome, by_person.problems) == (ReferralOutcome.REFERRED, ())


def test_the_readme_demo_identity_refers_itself_on_the_demo(client, live_server, settings):
    """The README's walk through: Stan Sutton, through the built-in PDS stand-in, to the demo's
    Tyneside service, which accepts self-referral (North Cumbria does not)."""
    from django.core.management import call_command

    call_command("load_demo")
    settings.PDS_STAND_IN = True
    settings.PDS_BASE_URL = f"{live_server.url}/pds-stand-in/FHIR/R4"
    tyneside = ProviderService.objects.get(code="TYNE-MSK")

    finish(client, refer_self(client, tyneside))

    referral = Referral.objects.get(patient__nhs_number="9990100012")
    assert referral.episode.service == tyneside
    assert referral.practice.ods_code == "A99002"
    closed = client.get(reverse("selfreferral:start", args=["CUMB-MSK"]))
    assert closed.status_code == 404
    # Without the NHS number, the stand-in's search finds him by name too.
    found = client.post(
        reverse("selfreferral:identity_by_name", args=["TYNE-MSK"]), IDENTITY_BY_NAME
    )
    assert found.url == step_url(tyneside, "about_pain")


def test_someone_without_their_nhs_number_is_found_by_name_date_of_birth_and_postcode(
    client, service, fake_pds
):
    response = client.post(
        reverse("selfreferral:identity_by_name", args=[service.code]), IDENTITY_BY_NAME
    )

    assert response.url == step_url(service, "about_pain")
    assert client.session[journey.SESSION_KEY]["person"]["nhs_number"] == "9990100012"


@pytest.mark.parametrize(
    "typed",
    [{"family_name": "Sutten"}, {"date_of_birth_day": "29"}, {"postcode": "NE1 4LP"}],
)
def test_a_name_search_that_does_not_find_one_person_shows_nothing(
    client, service, fake_pds, typed
):
    response = client.post(
        reverse("selfreferral:identity_by_name", args=[service.code]),
        {**IDENTITY_BY_NAME, **typed},
    )

    page = response.content.decode()
    assert "We could not confirm your details" in page
    assert "999 010 0012" not in page and "9990100012" not in page
    assert journey.SESSION_KEY not in client.session


def test_a_name_search_counts_against_the_number_it_finds(client, service, fake_pds, settings):
    settings.SELF_REFERRAL_CHECKS_PER_NUMBER = 1
    client.post(step_url(service, "identity"), {**IDENTITY, "date_of_birth_year": "1962"})

    refused = client.post(
        reverse("selfreferral:identity_by_name", args=[service.code]), IDENTITY_BY_NAME
    )

    assert refused.status_code == 429
    assert journey.SESSION_KEY not in client.session


def test_when_the_national_record_does_not_answer_the_person_is_told_to_try_later(
    client, service, fake_pds
):
    fake_pds.fail_next(503)

    response = client.post(step_url(service, "identity"), IDENTITY)

    page = response.content.decode()
    assert "We cannot check your details just now" in page
    assert "Stan" not in page
    assert journey.SESSION_KEY not in client.session


def test_the_person_goes_straight_on_to_the_baseline_questionnaires(client, service, fake_pds):
    finish(client, refer_self(client, service))

    response = client.post(reverse("selfreferral:baseline_questionnaires", args=[service.code]))
    start = client.get(response.url, follow=True)

    baseline = Referral.objects.get().episode.prom_timepoints.get(timepoint="baseline")
    assert response.url.startswith("/q/")
    assert "Questionnaires about your back or neck pain" in start.content.decode()
    assert baseline.links.exists()


def test_sending_the_last_step_again_shows_the_referral_sent_not_a_timeout(
    client, service, fake_pds
):
    from tests.self_referral_data import CONTACT

    finish(client, refer_self(client, service))

    again = client.post(step_url(service, "contact"), CONTACT, follow=True)

    assert "Your referral has been sent" in again.content.decode()
    assert Referral.objects.count() == 1


def test_the_activity_report_counts_each_source_separately(
    client, service, fake_pds, gp, manager, practice
):
    from pathway.demo.referrals import refer
    from tests.factories import PatientFactory
    from tests.integration.test_report_activity import page_table, report, rows_by_label
    from tests.pds_fake import pds_patient

    fake_pds.add(
        pds_patient(
            "9990100055", "Vera", "Vance", "1969-08-08", "female", "NE3 6VV", practice.ods_code
        )
    )
    vera = {"nhs_number": "9990100055", "postcode": "NE3 6VV", "date_of_birth_day": "8"}
    vera |= {"date_of_birth_month": "8", "date_of_birth_year": "1969"}
    finish(client, refer_self(client, service))
    finish(
        client,
        refer_self(client, service, identity=vera, red_flags={"symptoms": ["fever"]}),
    )
    refer(gp=gp, patient=PatientFactory(registered_practice=practice), service=service)

    table = rows_by_label(page_table(report(client, manager), "referral-sources"))

    assert table["Self-referral"] == ["1", "1", "2"]
    assert table["GP (web form)"] == ["1", "0", "1"]
    assert table["Total"] == ["2", "1", "3"]


def test_the_person_is_sent_what_happens_next_with_nothing_clinical(client, service, fake_pds):
    from pathway.messaging.models import MessageKind, OutboundMessage
    from pathway.messaging.sending import compose

    finish(
        client, refer_self(client, service, questions={"urgency_deteriorating_neurology": "yes"})
    )
    refer_self(client, service)  # again: refused as already open, and nothing more is queued

    message = OutboundMessage.objects.get(kind=MessageKind.REFERRAL_RECEIVED)
    _subject, body = compose(message)
    assert (message.channel, message.patient.nhs_number) == ("email", "9990100012")
    assert f"{service.name} has your referral" in body
    for clinical in ("urgent", "STarT", "risk", "red flag", "Sutton", "9990100012", "999 010"):
        assert clinical not in body


def test_no_message_without_agreement_to_be_contacted(client, service, fake_pds):
    from pathway.messaging.models import OutboundMessage

    finish(client, refer_self(client, service, contact={"consents_to_contact": "no"}))

    assert Referral.objects.get().outcome == ReferralOutcome.REFERRED
    assert not OutboundMessage.objects.exists()


def test_a_step_cannot_be_reached_before_the_red_flags_are_answered(client, service, fake_pds):
    client.post(step_url(service, "identity"), IDENTITY)

    response = client.get(step_url(service, "contact"))

    assert response.url == step_url(service, "about_pain")
    assert not Referral.objects.exists()
