"""EpisodeOfCare, ServiceRequest and Appointment over the FHIR API: what each says, how they
are searched and included, and that each client sees only its own organisation's."""

import datetime

import pytest
from django.utils import timezone
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.episodeofcare import EpisodeOfCare as FhirEpisodeOfCare
from fhir.resources.R4B.servicerequest import ServiceRequest as FhirServiceRequest

from pathway.audit.models import AuditAction, AuditEvent
from pathway.care.actions import book_appointment, move_episode, record_attendance
from pathway.care.models import AppointmentKind, AppointmentMode, AppointmentOutcome
from pathway.demo.referrals import refer
from pathway.referrals.models import ReferralOutcome
from tests.api_clients import access_token, fhir_get, make_client
from tests.audit_context import TEST_CONTEXT
from tests.factories import AreaFactory, PatientFactory, PracticeFactory, ServiceFactory

RESOURCE_TYPES = ("EpisodeOfCare", "ServiceRequest", "Appointment")


@pytest.fixture
def token(client, practice):
    return access_token(client, make_client(practice, scopes="system/*.read"))


def fhir_id(resource_type, episode):
    if resource_type == "EpisodeOfCare":
        return episode.public_id
    if resource_type == "ServiceRequest":
        return episode.referral.public_id
    return episode.appointments.get().public_id


def test_an_episode_says_its_status_service_referral_and_patient(client, token, booked_episode):
    response = fhir_get(client, f"EpisodeOfCare/{booked_episode.public_id}", token)

    episode = FhirEpisodeOfCare.model_validate(response.json())
    assert response.status_code == 200
    assert episode.status == "waitlist"
    assert episode.patient.reference == f"Patient/{booked_episode.patient.public_id}"
    assert episode.managingOrganization.identifier.value == booked_episode.service.code
    assert episode.referralRequest[0].reference == (
        f"ServiceRequest/{booked_episode.referral.public_id}"
    )
    assert [coding.code for coding in episode.type[0].coding] == ["279039007"]
    assert episode.careManager.display == booked_episode.lead_clinician.get_full_name()


def test_each_record_read_is_a_view_by_the_client_in_the_audit_trail(client, token, episode):
    fhir_get(client, f"EpisodeOfCare/{episode.public_id}", token)

    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="care.episode")
    assert (event.patient_id, event.role, event.channel) == (
        episode.patient_id,
        "api client",
        "api",
    )


def test_a_returner_points_at_the_earlier_episode(client, token, make_episode, gp, ttp, service):
    first = make_episode()
    move_episode(
        episode=first,
        transition="decline_care",
        discharge_reason="patient_choice",
        reason="Declined",
        by=ttp,
        context=TEST_CONTEXT,
    )
    returner = refer(
        gp=gp,
        patient=first.patient,
        service=service,
        answers={"return_kind": "persisting", "return_justification": "Pain came back"},
    ).episode

    response = fhir_get(client, f"EpisodeOfCare/{returner.public_id}", token)

    extensions = {ext["url"].rsplit("/", 1)[1]: ext for ext in response.json()["extension"]}
    assert extensions["previous-episode"]["valueReference"]["reference"] == (
        f"EpisodeOfCare/{first.public_id}"
    )
    finished = fhir_get(client, f"EpisodeOfCare/{first.public_id}", token).json()
    assert (finished["status"], "end" in finished["period"]) == ("finished", True)


def test_the_referral_is_an_active_service_request_to_the_service(client, token, episode):
    response = fhir_get(client, f"ServiceRequest/{episode.referral.public_id}", token)

    request = FhirServiceRequest.model_validate(response.json())
    assert (request.status, request.intent, request.priority) == ("active", "order", "routine")
    assert request.performer[0].identifier.value == episode.service.code
    assert request.subject.reference == f"Patient/{episode.patient.public_id}"
    assert request.requester.display == episode.referral.referred_by.get_full_name()


def test_a_consultation_that_did_not_refer_is_a_revoked_request(
    client, token, gp, service, patient
):
    referral = refer(gp=gp, patient=patient, answers={"red_flag_bilateral_sciatica": True})
    assert referral.outcome == ReferralOutcome.REDIRECTED

    response = fhir_get(client, "ServiceRequest", token, status="revoked")

    bundle = Bundle.model_validate(response.json())
    assert [entry.resource.id for entry in bundle.entry] == [str(referral.public_id)]
    assert bundle.entry[0].resource.status == "revoked"


def test_a_missed_appointment_is_a_noshow(client, token, episode, ttp):
    appointment = book_appointment(
        episode=episode,
        kind=AppointmentKind.FIRST_ASSESSMENT,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        clinician=ttp,
        mode=AppointmentMode.IN_PERSON,
        location="Quayside Clinic",
        recording_past=True,
        by=ttp,
        context=TEST_CONTEXT,
    )
    record_attendance(
        appointment=appointment,
        outcome=AppointmentOutcome.DID_NOT_ATTEND,
        by=ttp,
        context=TEST_CONTEXT,
    )

    response = fhir_get(client, "Appointment", token, status="noshow")

    bundle = Bundle.model_validate(response.json())
    found = FhirAppointment.model_validate(bundle.entry[0].resource.model_dump())
    assert (bundle.total, found.id, found.status) == (1, str(appointment.public_id), "noshow")
    assert found.supportingInformation[0].reference == f"EpisodeOfCare/{episode.public_id}"
    assert fhir_get(client, "Appointment", token, status="booked").json()["total"] == 0


def test_booking_moves_the_episodes_last_updated(client, token, episode, ttp):
    before = episode.updated_at
    book_appointment(
        episode=episode,
        kind=AppointmentKind.FIRST_ASSESSMENT,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        clinician=ttp,
        mode=AppointmentMode.TELEPHONE,
        by=ttp,
        context=TEST_CONTEXT,
    )
    episode.refresh_from_db()

    changed = fhir_get(client, "EpisodeOfCare", token, _lastUpdated=f"gt{before.isoformat()}")
    assert episode.updated_at > before
    assert changed.json()["total"] == 1


@pytest.mark.parametrize("resource_type", RESOURCE_TYPES)
def test_a_systems_search_by_nhs_number_finds_that_persons_records(
    client, token, booked_episode, make_episode, resource_type
):
    make_episode()  # someone else, at the same practice
    number = booked_episode.patient.nhs_number

    response = fhir_get(
        client,
        resource_type,
        token,
        **{"patient:identifier": f"https://fhir.nhs.uk/Id/nhs-number|{number}"},
    )

    bundle = Bundle.model_validate(response.json())
    assert [entry.resource.id for entry in bundle.entry] == [
        str(fhir_id(resource_type, booked_episode))
    ]


@pytest.mark.parametrize("resource_type", RESOURCE_TYPES)
def test_include_brings_the_patient_once(client, token, booked_episode, resource_type):
    response = fhir_get(client, resource_type, token, _include=f"{resource_type}:patient")

    entries = response.json()["entry"]
    modes = [(entry["resource"]["resourceType"], entry["search"]["mode"]) for entry in entries]
    assert modes == [(resource_type, "match"), ("Patient", "include")]
    assert entries[1]["resource"]["id"] == str(booked_episode.patient.public_id)


def test_pages_follow_next_links_to_the_end(client, token, make_episode):
    made = {str(make_episode().public_id) for _ in range(3)}

    seen, url = [], None
    response = fhir_get(client, "EpisodeOfCare", token, _count=2)
    while True:
        bundle = response.json()
        seen += [entry["resource"]["id"] for entry in bundle["entry"]]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
        if url is None:
            break
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})

    assert sorted(seen) == sorted(made)


@pytest.mark.parametrize(
    "query",
    [
        {"status": "sleeping"},
        {"patient": "9990000018"},
        {"patient:missing": "true"},
        {"_include": "EpisodeOfCare:practitioner"},
        {"date": "last tuesday"},
    ],
)
def test_a_search_it_cannot_do_is_refused_with_an_outcome(client, token, episode, query):
    response = fhir_get(client, "EpisodeOfCare", token, **query)

    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


# --- Each kind of client, and another organisation's records ---------------------------------


@pytest.fixture
def clients_of_each_kind(practice, service):
    """A client of each kind of organisation that can see the episode, and of each that
    cannot: another practice, another service, another commissioning area."""
    elsewhere = AreaFactory()
    return {
        "own": [
            make_client(practice, scopes="system/*.read"),
            make_client(service, scopes="system/*.read"),
            make_client(practice.area, scopes="system/*.read"),
        ],
        "other": [
            make_client(PracticeFactory(area=practice.area), scopes="system/*.read"),
            make_client(ServiceFactory(area=practice.area), scopes="system/*.read"),
            make_client(elsewhere, scopes="system/*.read"),
        ],
    }


@pytest.mark.parametrize("resource_type", ("Patient", *RESOURCE_TYPES))
def test_own_organisations_see_a_record_and_others_are_told_it_does_not_exist(
    client, clients_of_each_kind, booked_episode, resource_type
):
    record_id = (
        booked_episode.patient.public_id
        if resource_type == "Patient"
        else fhir_id(resource_type, booked_episode)
    )
    for api_client in clients_of_each_kind["own"]:
        token = access_token(client, api_client)
        assert fhir_get(client, f"{resource_type}/{record_id}", token).status_code == 200
        assert fhir_get(client, resource_type, token).json()["total"] == 1

    for api_client in clients_of_each_kind["other"]:
        token = access_token(client, api_client)
        read = fhir_get(client, f"{resource_type}/{record_id}", token)
        assert (read.status_code, read.json()["resourceType"]) == (404, "OperationOutcome")
        assert fhir_get(client, resource_type, token).json()["total"] == 0
        refused = AuditEvent.objects.get(action=AuditAction.REFUSED, organisation=api_client.name)
        assert (refused.object_type, refused.object_id) == (f"fhir:{resource_type}", str(record_id))


def test_a_token_without_the_scope_is_refused_and_audited(client, practice, episode):
    api_client = make_client(practice, scopes="system/Patient.read")
    token = access_token(client, api_client)

    response = fhir_get(client, "EpisodeOfCare", token)

    assert response.status_code == 403
    refused = AuditEvent.objects.get(action=AuditAction.REFUSED)
    assert (refused.organisation, refused.object_type) == (api_client.name, "fhir:EpisodeOfCare")


def test_a_search_keeps_a_fixed_number_of_queries(
    client, token, make_episode, django_assert_max_num_queries
):
    for _ in range(2):
        make_episode()
    with django_assert_max_num_queries(12) as few:
        fhir_get(client, "EpisodeOfCare", token, _include="EpisodeOfCare:patient")
    for _ in range(5):
        make_episode()
    with django_assert_max_num_queries(len(few.captured_queries)):
        fhir_get(client, "EpisodeOfCare", token, _include="EpisodeOfCare:patient")


def test_a_patient_seen_by_another_practice_is_not_included(
    client, token, other_practice, gp, service
):
    # A person registered elsewhere that this practice referred: the episode is the practice's;
    # the Patient is not (a practice sees its registered patients).
    stranger = PatientFactory(registered_practice=other_practice)
    episode = refer(gp=gp, patient=stranger, service=service).episode

    response = fhir_get(client, "EpisodeOfCare", token, _include="EpisodeOfCare:patient")

    types = [entry["resource"]["resourceType"] for entry in response.json()["entry"]]
    assert (types, response.json()["entry"][0]["resource"]["id"]) == (
        ["EpisodeOfCare"],
        str(episode.public_id),
    )


def test_a_referral_whose_care_ended_is_completed_and_found_so(client, token, make_episode, ttp):
    open_one, ended = make_episode(), make_episode()
    move_episode(
        episode=ended,
        transition="decline_care",
        discharge_reason="patient_choice",
        reason="Declined",
        by=ttp,
        context=TEST_CONTEXT,
    )

    def found(status):
        bundle = fhir_get(client, "ServiceRequest", token, status=status).json()
        return [
            (entry["resource"]["id"], entry["resource"]["status"])
            for entry in bundle.get("entry", [])
        ]

    assert found("completed") == [(str(ended.referral.public_id), "completed")]
    assert found("active") == [(str(open_one.referral.public_id), "active")]


@pytest.mark.parametrize("resource_type", ("Patient", *RESOURCE_TYPES))
def test_each_resource_claims_its_uk_core_profile(client, token, booked_episode, resource_type):
    record_id = (
        booked_episode.patient.public_id
        if resource_type == "Patient"
        else fhir_id(resource_type, booked_episode)
    )

    resource = fhir_get(client, f"{resource_type}/{record_id}", token).json()

    assert resource["meta"]["profile"] == [
        f"https://fhir.hl7.org.uk/StructureDefinition/UKCore-{resource_type}"
    ]
