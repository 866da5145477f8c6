"""A referral read from a FHIR Bundle passes the same action and the same rules as the web
form: record_referral, through the API's audit channel. No HTTP here (the endpoint calls
these same functions); the database is real."""

import pytest

from pathway.api.referrals.bundle import read_referral_bundle
from pathway.api.referrals.outcome import not_eligible_outcome, red_flag_outcome, refused_outcome
from pathway.audit.context import AuditContext, Channel
from pathway.audit.models import AuditEvent
from pathway.care.models import EpisodeState
from pathway.clinical.red_flags import DESTINATIONS
from pathway.patients.models import Patient
from pathway.referrals.actions import ReferralRefused, record_referral
from pathway.referrals.models import Referral, ReferralOutcome
from tests.factories import GPFactory, PracticeFactory, ServiceFactory
from tests.fhir_referrals import (
    PRACTICE_CODE,
    SERVICE_CODE,
    answered,
    example_bundle,
    without_items,
)

pytestmark = pytest.mark.django_db

API = AuditContext(channel=Channel.API)
QR = "Bundle.entry[2].resource"


@pytest.fixture
def practice(db):
    return PracticeFactory(ods_code=PRACTICE_CODE)


@pytest.fixture
def service(practice):
    return ServiceFactory(code=SERVICE_CODE, area=practice.area)


@pytest.fixture
def gp(practice):
    return GPFactory(practice=practice)


def _record(bundle, *, practice, service, gp):
    """Read the bundle and record it as the endpoint will: (ReferralBundle, Referral)."""
    read = read_referral_bundle(bundle)
    assert (read.registered_practice_code, read.service_code) == (practice.ods_code, service.code)
    answers = read.answers_with(registered_practice=practice, service=service)
    return read, record_referral(answers=answers, services=[service], by=gp, context=API)


def test_the_example_bundle_is_referred_as_the_web_form_would_refer_it(practice, service, gp):
    read, referral = _record(example_bundle(), practice=practice, service=service, gp=gp)

    assert referral.outcome == ReferralOutcome.REFERRED
    assert (referral.startback_risk, referral.priority, referral.service) == (
        "medium",
        "standard",
        service,
    )
    assert referral.submission_key == read.submission_key
    assert referral.episode.state == EpisodeState.AWAITING_TRIAGE
    patient = referral.patient
    assert (patient.nhs_number, patient.mobile, patient.preferred_channel) == (
        "9990000018",
        "07700900982",
        "sms",
    )
    assert set(AuditEvent.objects.values_list("channel", flat=True)) == {Channel.API}


def test_a_replay_of_the_bundle_returns_the_first_referral(practice, service, gp):
    _, first = _record(example_bundle(), practice=practice, service=service, gp=gp)

    _, again = _record(example_bundle(), practice=practice, service=service, gp=gp)

    assert again.pk == first.pk and Referral.objects.count() == 1


def test_a_cauda_equina_flag_is_redirected_and_says_where_to_send_the_person(practice, service, gp):
    bundle = answered(example_bundle(), red_flag_bilateral_sciatica=True)

    read, referral = _record(bundle, practice=practice, service=service, gp=gp)

    assert referral.outcome == ReferralOutcome.REDIRECTED
    assert not Referral.objects.filter(episode__isnull=False).exists()
    (issue,) = red_flag_outcome(
        destinations=referral.red_flag_destinations,
        flags=referral.red_flags_found,
        places=read.places,
    ).issue
    assert issue.diagnostics == DESTINATIONS["emergency_same_day"]
    assert issue.expression == [f"{QR}.item.where(linkId='red_flag_bilateral_sciatica')"]


def test_suspected_pathology_is_redirected_to_every_destination_its_flags_name(
    practice, service, gp
):
    bundle = answered(
        example_bundle(),
        red_flag_history_of_cancer=True,
        red_flag_fever=True,
        red_flag_judgement="suspected",
    )

    read, referral = _record(bundle, practice=practice, service=service, gp=gp)

    assert referral.outcome == ReferralOutcome.REDIRECTED
    issues = red_flag_outcome(
        destinations=referral.red_flag_destinations,
        flags=referral.red_flags_found,
        places=read.places,
    ).issue
    assert [issue.diagnostics for issue in issues] == [
        DESTINATIONS["urgent_secondary_care"],
        DESTINATIONS["suspected_cancer_pathway"],
    ]


def test_an_exclusion_is_recorded_and_says_why(practice, service, gp):
    bundle = answered(example_bundle(), exclusion_housebound=True)

    read, referral = _record(bundle, practice=practice, service=service, gp=gp)

    assert referral.outcome == ReferralOutcome.EXCLUDED
    (issue,) = not_eligible_outcome(exclusions=referral.exclusions_found, places=read.places).issue
    assert issue.expression == [f"{QR}.item.where(linkId='exclusion_housebound')"]


def test_a_missing_startback_answer_is_refused_at_its_item_and_nothing_is_saved(
    practice, service, gp
):
    bundle = without_items(example_bundle(), "startback_3")

    with pytest.raises(ReferralRefused) as refused:
        _record(bundle, practice=practice, service=service, gp=gp)

    read = read_referral_bundle(bundle)
    answers = read.answers_with(registered_practice=practice, service=service)
    (issue,) = refused_outcome(refused.value.problems, answers, read.places).issue
    assert (issue.code, issue.diagnostics) == ("required", "STarT Back: answer question 3")
    assert issue.expression == [f"{QR}.item.where(linkId='startback_3')"]
    assert not Referral.objects.exists() and not Patient.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_priority_changed_without_a_reason_is_refused_at_the_reason(practice, service, gp):
    bundle = example_bundle()
    bundle["entry"][1]["resource"]["priority"] = "urgent"

    with pytest.raises(ReferralRefused) as refused:
        _record(bundle, practice=practice, service=service, gp=gp)

    read = read_referral_bundle(bundle)
    answers = read.answers_with(registered_practice=practice, service=service)
    (issue,) = refused_outcome(refused.value.problems, answers, read.places).issue
    assert issue.expression == [
        f"{QR}.item.where(linkId='priority_override_reason')",
        "Bundle.entry[1].resource.priority",
    ]
    assert not Referral.objects.exists()


def test_a_changed_priority_with_its_reason_is_referred_urgently(practice, service, gp):
    bundle = answered(example_bundle(), priority_override_reason="Off work and not coping")
    bundle["entry"][1]["resource"]["priority"] = "urgent"

    _, referral = _record(bundle, practice=practice, service=service, gp=gp)

    assert (referral.computed_priority, referral.priority) == ("standard", "urgent")
