"""The discharge letter to the GP over the API (issue 17): DocumentReference read and search,
and GET /fhir/R4/Binary/<id> for the PDF itself. Real episodes discharged through the care
actions, the real endpoints, and the PDF's text read back with pypdf as a viewer reads it."""

import base64
import datetime
import hashlib
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.binary import Binary
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.operationoutcome import OperationOutcome
from pypdf import PdfReader

from pathway.audit.models import AuditAction, AuditEvent
from pathway.care import actions
from pathway.care.letters.pdf import MISSING
from pathway.demo import care
from pathway.proms.actions import record_questionnaire
from tests.api_clients import access_token, bearer, fhir_get, make_client
from tests.audit_context import TEST_CONTEXT
from tests.factories import PatientFactory
from tests.slots import past_slot

pytestmark = pytest.mark.django_db

SNOMED = "http://snomed.info/sct"
READ_LETTERS = "system/DocumentReference.read system/Patient.read"


# --- Episodes discharged as a TTP discharges them ----------------------------------------------


def record(episode, timepoint, instrument, answers, ttp):
    return record_questionnaire(
        context=TEST_CONTEXT,
        episode=episode,
        timepoint=timepoint,
        instrument=instrument,
        answers=answers,
        source="clinician",
        by=ttp,
    )


def assess(episode, ttp):
    """The first assessment, attended yesterday (the demo's own step)."""
    return care.attend(care.book(episode, ttp, days=-1), ttp)


def discharge_same_day(episode, ttp):
    care.assess_and_triage(episode, ttp, days=-1, outcome="same_day_discharge")
    episode.refresh_from_db()
    return episode


def discharge_after_core_therapy(episode, ttp):
    """Assessed, core therapy (4 sessions planned, 1 attended), discharged with treatment
    complete."""
    assess(episode, ttp)
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="core_therapy",
        symptom_duration="3_to_6",
        planned_sessions=4,
        by=ttp,
    )
    session = actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind="follow_up",
        starts_at=past_slot(),
        clinician=ttp,
        mode="telephone",
        recording_past=True,
        by=ttp,
    )
    actions.record_attendance(
        context=TEST_CONTEXT,
        appointment=session,
        outcome="attended",
        session_components=["exercise"],
        by=ttp,
    )
    actions.discharge_episode(
        context=TEST_CONTEXT, episode=episode, reason="treatment_complete", by=ttp
    )
    episode.refresh_from_db()
    return episode


@pytest.fixture
def alice(practice):
    return PatientFactory(
        registered_practice=practice,
        nhs_number="9990000018",
        given_name="Alice",
        family_name="Armstrong",
        date_of_birth=datetime.date(1971, 3, 14),
    )


@pytest.fixture
def discharged(make_episode, alice, ttp):
    """Alice, referred two days ago and answering pain 6 then (before her assessment, hours
    ago, which closes the baseline), discharged after core therapy."""
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        episode = make_episode(patient=alice)
        record(episode, "baseline", "pain_nrs", {"pain": 6}, ttp)
    return discharge_after_core_therapy(episode, ttp)


@pytest.fixture
def token(client, practice):
    return access_token(client, make_client(practice, scopes=READ_LETTERS, name="Quayside EMIS"))


def read_reference(client, token, episode):
    response = fhir_get(client, f"DocumentReference/{episode.public_id}", token)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    return DocumentReference.model_validate_json(response.content)


def search(client, token, **params):
    response = fhir_get(client, "DocumentReference", token, **params)
    assert response.status_code == 200, response.content
    return Bundle.model_validate_json(response.content)


def matches(bundle):
    return [entry.resource.id for entry in bundle.entry or [] if entry.search.mode == "match"]


def download(client, token, episode, accept="application/pdf", **params):
    return client.get(
        f"/fhir/R4/Binary/{episode.public_id}",
        params,
        headers=bearer(token) | {"Accept": accept},
    )


def pdf_text(pdf):
    """The words of every page, as a viewer gives them, with lines joined (a sentence may
    wrap anywhere)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


# --- The DocumentReference ----------------------------------------------------------------------


def test_a_discharged_episode_has_a_letter_described_as_a_document_reference(
    client, token, discharged, service, ttp
):
    letter = read_reference(client, token, discharged)

    assert (letter.id, letter.status) == (str(discharged.public_id), "current")
    assert [(c.system, c.code) for c in letter.type.coding] == [(SNOMED, "373942005")]
    assert letter.subject.reference == f"Patient/{discharged.patient.public_id}"
    assert letter.date == discharged.discharged_at
    assert letter.custodian.identifier.value == service.code
    assert [author.display for author in letter.author] == [service.name, ttp.get_full_name()]
    attachment = letter.content[0].attachment
    assert attachment.contentType == "application/pdf"
    assert attachment.url.endswith(f"/fhir/R4/Binary/{discharged.public_id}")
    assert attachment.creation == discharged.discharged_at
    assert [related.reference for related in letter.context.related] == [
        f"EpisodeOfCare/{discharged.public_id}",
        f"ServiceRequest/{discharged.referral.public_id}",
    ]
    assert letter.meta.lastUpdated >= discharged.updated_at


def test_the_size_and_hash_are_those_of_the_binarys_bytes(client, token, discharged):
    response = fhir_get(client, f"DocumentReference/{discharged.public_id}", token)
    attachment = response.json()["content"][0]["attachment"]

    pdf = download(client, token, discharged).content

    assert attachment["size"] == len(pdf)
    # FHIR's Attachment.hash: the SHA-1 of the bytes, in base64.
    sha1 = hashlib.sha1(pdf, usedforsecurity=False).digest()
    assert attachment["hash"] == base64.b64encode(sha1).decode()


def test_an_open_episode_has_no_letter(client, token, booked_episode):
    read = fhir_get(client, f"DocumentReference/{booked_episode.public_id}", token)
    binary = download(client, token, booked_episode)

    assert read.status_code == binary.status_code == 404
    assert search(client, token).total == 0


# --- The PDF ------------------------------------------------------------------------------------


def test_the_pdf_is_the_letter_to_the_practice_about_the_person(
    client, token, discharged, practice, service, ttp
):
    response = download(client, token, discharged)
    pdf = response.content
    text = pdf_text(pdf)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert pdf.startswith(b"%PDF-")
    for words in (
        "Alice Armstrong",
        "NHS number 999 000 0018",
        "14 March 1971",
        f"To: {practice.name} ({practice.ods_code})",
        "Reason: Treatment complete.",
        "with back pain. Their STarT Back risk at referral was medium.",
        "Assessment outcome: Core therapy.",
        "Therapy sessions attended: 1 of 4 planned.",
        "6 out of 10",
        ttp.get_full_name(),
        service.name,
    ):
        assert words in text, words


def test_scores_answered_after_the_discharge_change_the_letter_and_its_last_update(
    client, token, discharged, ttp
):
    before = read_reference(client, token, discharged)

    record(discharged, "discharge", "pain_nrs", {"pain": 2}, ttp)
    after = read_reference(client, token, discharged)
    polled = search(client, token, _lastUpdated=f"gt{before.meta.lastUpdated.isoformat()}")

    assert after.meta.lastUpdated > before.meta.lastUpdated
    assert after.content[0].attachment.hash != before.content[0].attachment.hash
    assert "2 out of 10" in pdf_text(download(client, token, discharged).content)
    assert matches(polled) == [str(discharged.public_id)]


def test_the_same_record_gives_the_same_bytes(client, token, discharged):
    from pathway.care.letters.pdf import _render

    first = download(client, token, discharged).content
    _render.cache_clear()
    again = download(client, token, discharged).content

    assert first == again


def test_a_character_the_fonts_lack_prints_as_a_replacement_not_as_nothing(
    client, token, make_episode, practice, ttp
):
    person = PatientFactory(registered_practice=practice, given_name="Wang 王", family_name="Łuk")
    episode = discharge_same_day(make_episode(patient=person), ttp)

    text = pdf_text(download(client, token, episode).content)

    assert f"Wang {MISSING} Łuk" in text


def test_the_binary_comes_as_fhir_json_when_asked_for(client, token, discharged):
    pdf = download(client, token, discharged).content

    for response in (
        download(client, token, discharged, accept="application/fhir+json"),
        download(client, token, discharged, accept="application/fhir+json; fhirVersion=4.0"),
        download(client, token, discharged, accept="application/pdf;q=0.5, application/json"),
        download(client, token, discharged, accept="*/*", _format="json"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
        binary = Binary.model_validate_json(response.content)
        assert binary.contentType == "application/pdf"
        assert binary.securityContext.reference == f"DocumentReference/{discharged.public_id}"
        assert binary.data == pdf  # the models decode base64Binary


def test_a_client_that_names_no_type_gets_the_pdf(client, token, discharged):
    for accept in ("*/*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"):
        response = download(client, token, discharged, accept=accept)

        assert response["Content-Type"] == "application/pdf", accept


def test_a_binary_in_a_type_not_served_is_refused_with_an_outcome(client, token, discharged):
    for response in (
        download(client, token, discharged, accept="application/fhir+xml"),
        download(client, token, discharged, _format="xml"),
    ):
        assert response.status_code == 406
        OperationOutcome.model_validate_json(response.content)


# --- Searching, as a GP system polls for letters ------------------------------------------------


def test_polling_last_updated_finds_a_newly_discharged_letter_and_not_older_ones(
    client, token, make_episode, ttp
):
    older = discharge_same_day(make_episode(), ttp)
    still_open = make_episode()
    last_poll = timezone.now()

    newer = discharge_same_day(make_episode(), ttp)
    polled = search(client, token, _lastUpdated=f"gt{last_poll.isoformat()}")

    assert matches(polled) == [str(newer.public_id)]
    assert str(older.public_id) in matches(search(client, token))
    assert str(still_open.public_id) not in matches(search(client, token))


def test_pages_of_letters_follow_the_letters_last_change(client, token, make_episode, ttp):
    letters = [discharge_same_day(make_episode(), ttp) for _ in range(3)]

    first = search(client, token, _count=2)
    following = client.get(
        [link.url for link in first.link if link.relation == "next"][0], headers=bearer(token)
    )

    second = Bundle.model_validate_json(following.content)
    assert matches(first) + matches(second) == [str(letter.public_id) for letter in letters]
    assert not [link for link in second.link if link.relation == "next"]


def test_letters_are_found_by_patient_status_and_date(
    client, token, discharged, alice, make_episode, ttp
):
    someone_else = discharge_same_day(make_episode(), ttp)
    mine, both = (
        [str(discharged.public_id)],
        [str(discharged.public_id), str(someone_else.public_id)],
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    by_nhs_number = {"patient:identifier": "https://fhir.nhs.uk/Id/nhs-number|9990000018"}

    assert matches(search(client, token, patient=f"Patient/{alice.public_id}")) == mine
    assert matches(search(client, token, **by_nhs_number)) == mine
    assert matches(search(client, token, status="current")) == both
    assert matches(search(client, token, status="superseded,entered-in-error")) == []
    assert matches(search(client, token, date=f"ge{yesterday}")) == both
    assert matches(search(client, token, date=f"lt{yesterday}")) == []


def test_include_gives_the_patient_with_the_letter(client, token, discharged, alice):
    bundle = search(client, token, _include="DocumentReference:patient")

    included = [entry.resource for entry in bundle.entry if entry.search.mode == "include"]
    assert [(r.get_resource_type(), r.id) for r in included] == [("Patient", str(alice.public_id))]


# --- Who may see a letter -----------------------------------------------------------------------


def test_another_organisations_letter_is_not_found(
    client, discharged, other_practice, other_service
):
    for organisation in (other_practice, other_service):
        token = access_token(client, make_client(organisation, scopes=READ_LETTERS))

        read = fhir_get(client, f"DocumentReference/{discharged.public_id}", token)
        binary = download(client, token, discharged)

        assert read.status_code == binary.status_code == 404
        assert OperationOutcome.model_validate_json(binary.content).issue[0].code == "not-found"
        assert search(client, token).total == 0


def test_the_service_and_its_area_see_its_letters(client, discharged, service):
    for organisation in (service, service.area):
        token = access_token(client, make_client(organisation, scopes=READ_LETTERS))

        assert matches(search(client, token)) == [str(discharged.public_id)]
        assert download(client, token, discharged).status_code == 200


def test_the_pdf_is_read_with_the_document_reference_scope(client, practice, discharged):
    binary_only = access_token(client, make_client(practice, scopes="system/Binary.read"))
    letters = access_token(client, make_client(practice, scopes="system/DocumentReference.read"))

    refused = download(client, binary_only, discharged)

    assert refused.status_code == 403
    assert "system/DocumentReference.read" in refused["WWW-Authenticate"]
    assert download(client, letters, discharged).status_code == 200


# --- The audit trail ----------------------------------------------------------------------------


def test_each_letter_shown_is_a_view_and_each_download_an_export(client, token, discharged):
    search(client, token)
    download(client, token, discharged)
    download(client, token, discharged, accept="application/fhir+json")

    events = AuditEvent.objects.filter(
        patient=discharged.patient, object_type="discharge letter"
    ).order_by("id")
    assert [(e.action, e.object_id, e.role, e.organisation, e.channel) for e in events] == [
        (AuditAction.VIEW, str(discharged.pk), "api client", "Quayside EMIS", "api"),
        (AuditAction.EXPORT, str(discharged.pk), "api client", "Quayside EMIS", "api"),
        (AuditAction.EXPORT, str(discharged.pk), "api client", "Quayside EMIS", "api"),
    ]


def test_asking_for_another_organisations_letter_is_audited_as_refused(
    client, discharged, other_practice
):
    token = access_token(client, make_client(other_practice, scopes=READ_LETTERS))

    download(client, token, discharged)

    refused = AuditEvent.objects.get(action=AuditAction.REFUSED, object_type="fhir:Binary")
    assert refused.object_id == str(discharged.public_id)
    assert not AuditEvent.objects.filter(object_type="discharge letter").exists()


# --- The same PDF from the TTP's episode page ---------------------------------------------------


def test_the_episode_page_offers_the_pdf_the_api_serves(client, token, discharged, ttp):
    from_api = download(client, token, discharged).content
    pdf_url = reverse("care:discharge_letter_pdf", args=[discharged.public_id])
    client.force_login(ttp)

    page = client.get(reverse("care:episode", args=[discharged.public_id])).content.decode()
    response = client.get(pdf_url)

    assert f'href="{pdf_url}"' in page and "Download the discharge letter (PDF)" in page
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content == from_api
    export = AuditEvent.objects.filter(user=ttp, action=AuditAction.EXPORT).get()
    assert (export.object_type, export.patient_id) == ("discharge letter", discharged.patient_id)


def test_an_open_episode_has_no_pdf_to_download(client, booked_episode, ttp):
    client.force_login(ttp)

    page = client.get(reverse("care:episode", args=[booked_episode.public_id])).content.decode()
    response = client.get(reverse("care:discharge_letter_pdf", args=[booked_episode.public_id]))

    assert "Download the discharge letter" not in page
    assert response.status_code == 409
