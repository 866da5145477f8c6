"""Who has looked at this record? The per-patient audit trail page."""

import datetime
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pathway.audit.actions import record_event
from pathway.audit.models import AuditAction, AuditEvent
from pathway.demo.referrals import refer
from pathway.patients.audit_views import PAGE_SIZE
from tests.audit_context import TEST_CONTEXT
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = reverse("audit:search")
UNUSED_VALID_NHS_NUMBER = "9999999999"  # valid check digit, never given to a test patient


@pytest.fixture
def own_patient(gp, service):
    patient = PatientFactory(registered_practice=gp.practice)
    refer(gp=gp, patient=patient, service=service)
    return patient


@pytest.fixture
def elsewhere_patient(gp, other_service):
    """Referred to another service only: not the manager's to see."""
    patient = PatientFactory(registered_practice=gp.practice)
    refer(gp=gp, patient=patient, service=other_service)
    return patient


def _search(client, user, number, **extra):
    client.force_login(user)
    return client.post(URL, {"nhs_number": number, **extra})


def _shown_ids(response):
    return [int(i) for i in re.findall(r'data-testid="event-(\d+)"', response.content.decode())]


def _main_without_numbers(page):
    """The page's main content with NHS numbers and CSRF tokens blanked, to compare answers."""
    main = re.search(r"<main.*</main>", page, re.S).group(0)
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
    return re.sub(r"999 \d{3} \d{4}|\d{10}", "N", main)


def _views(patient, user, count):
    return [
        record_event(
            by=user, context=TEST_CONTEXT, action=AuditAction.VIEW, obj=patient, patient=patient
        )
        for _ in range(count)
    ]


# --- Who may use it ------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["gp", "ttp"])
def test_clinicians_are_refused(client, request, role, own_patient):
    user = request.getfixturevalue(role)
    client.force_login(user)

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"nhs_number": own_patient.nhs_number}).status_code == 403


@pytest.mark.parametrize("role", ["manager", "administrator"])
def test_managers_and_administrators_have_it_in_the_menu(client, request, role):
    client.force_login(request.getfixturevalue(role))

    page = client.get(URL).content.decode()

    assert f'href="{URL}" aria-current="page"' in page
    assert 'method="post"' in page


def test_administrator_home_links_to_it(client, administrator):
    client.force_login(administrator)

    assert f'href="{URL}"' in client.get(reverse("accounts:administrator_home")).content.decode()


# --- What each role finds ------------------------------------------------------------------


def test_manager_sees_the_trail_of_a_person_referred_to_their_service(
    client, manager, ttp, own_patient
):
    first, second = _views(own_patient, ttp, 2)

    response = _search(client, manager, own_patient.nhs_number)

    page = response.content.decode()
    assert response.status_code == 200
    assert own_patient.full_name in page
    # Newest first; the referral's own events (by the GP) come after these.
    assert _shown_ids(response)[:2] == [second.id, first.id]
    assert "Triage and Treat Practitioner" in page
    assert str(ttp.service) in page
    assert ttp.username in page


def test_manager_is_told_no_record_for_another_services_patient(client, manager, elsewhere_patient):
    elsewhere = _search(client, manager, elsewhere_patient.nhs_number).content.decode()
    nobody = _search(client, manager, UNUSED_VALID_NHS_NUMBER).content.decode()

    assert elsewhere_patient.full_name not in elsewhere
    assert 'data-testid="not-found"' in elsewhere
    # The same answer as for a number nobody has: existence elsewhere is not revealed.
    assert _main_without_numbers(elsewhere) == _main_without_numbers(nobody)


def test_administrator_sees_any_persons_trail(client, administrator, elsewhere_patient):
    response = _search(client, administrator, elsewhere_patient.nhs_number)

    assert elsewhere_patient.full_name in response.content.decode()
    assert _shown_ids(response)


def test_times_are_shown_in_uk_local_time(client, manager, ttp, own_patient):
    summer_noon_utc = datetime.datetime(2026, 7, 1, 11, 0, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=summer_noon_utc):
        _views(own_patient, ttp, 1)

    page = _search(client, manager, own_patient.nhs_number).content.decode()

    assert "1 Jul 2026, 12:00:00" in page  # British Summer Time, UTC+1


# --- The search is itself audited ---------------------------------------------------------


def test_the_search_is_audited_as_a_view_of_the_trail(client, manager, own_patient):
    already = AuditEvent.objects.count()

    _search(client, manager, own_patient.nhs_number)

    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == already + 1
    assert (event.user, event.action, event.object_type, event.patient_id) == (
        manager,
        AuditAction.VIEW,
        "audit trail",
        own_patient.pk,
    )
    assert (event.role, event.organisation, event.ip_address) == (
        "manager",
        str(manager.service),
        "127.0.0.1",
    )


def test_a_search_that_finds_no_one_writes_no_event(client, manager, elsewhere_patient):
    already = AuditEvent.objects.count()

    _search(client, manager, elsewhere_patient.nhs_number)

    assert AuditEvent.objects.count() == already


# --- The form -------------------------------------------------------------------------------


def test_an_invalid_nhs_number_is_shown_by_the_field_with_what_was_typed(client, manager):
    response = _search(client, manager, "999 000 0019")

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "the last (check) digit does not match" in page
    assert "nhsuk-form-group--error" in page
    assert 'value="999 000 0019"' in page
    assert 'data-testid="audit-trail"' not in page


def test_a_missing_nhs_number_is_asked_for(client, manager):
    page = _search(client, manager, "").content.decode()

    assert "Enter the NHS number" in page


def test_the_nhs_number_is_never_put_in_an_address(client, administrator, ttp, own_patient):
    _views(own_patient, ttp, PAGE_SIZE + 1)

    page = _search(client, administrator, own_patient.nhs_number).content.decode()

    addresses = re.findall(r'(?:href|action)="([^"]*)"', page)
    assert addresses
    assert not [a for a in addresses if re.search(r"\d{3}\s?\d{3}\s?\d{4}", a)]
    # Paging on posts the number again rather than carrying it in a link.
    assert 'data-testid="older"' in page


# --- Paging and cost ------------------------------------------------------------------------


def test_older_events_are_a_page_at_a_time_by_sequence_number(
    client, administrator, ttp, own_patient
):
    events = _views(own_patient, ttp, PAGE_SIZE + 3)
    every_id = sorted(
        AuditEvent.objects.filter(patient=own_patient).values_list("id", flat=True), reverse=True
    )

    first = _search(client, administrator, own_patient.nhs_number)
    before = _shown_ids(first)[-1]
    older = _search(client, administrator, own_patient.nhs_number, before=str(before))

    assert _shown_ids(first) == every_id[:PAGE_SIZE]
    assert _shown_ids(older) == every_id[PAGE_SIZE : 2 * PAGE_SIZE]
    assert events[0].id in _shown_ids(older)


def test_query_count_does_not_grow_with_the_trail(client, administrator, ttp, own_patient):
    client.force_login(administrator)
    with CaptureQueriesContext(connection) as short_trail:
        client.post(URL, {"nhs_number": own_patient.nhs_number})
    _views(own_patient, ttp, PAGE_SIZE * 2)

    with CaptureQueriesContext(connection) as long_trail:
        response = client.post(URL, {"nhs_number": own_patient.nhs_number})

    assert len(_shown_ids(response)) == PAGE_SIZE
    assert len(long_trail) == len(short_trail)
    assert len(long_trail) <= 10
