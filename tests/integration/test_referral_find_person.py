"""The GP types the NHS number and chooses "Find this person": the details come from PDS.

PDS is outside our control: tests/pds_fake.py is a fake PDS on loopback that answers like the
real one (found, not found, restricted, superseded, slow, failing). The last test goes through
the built-in stand-in for local development instead (pathway.patients.pds_stand_in), over HTTP.
"""

import datetime

import pytest
from django.urls import reverse

from pathway.audit.models import AuditEvent
from pathway.patients.models import Patient
from pathway.referrals.models import Referral
from tests.factories import GPFactory, PatientFactory, PracticeFactory, ServiceFactory
from tests.pds_fake import pds_patient, running_fake_pds
from tests.referral_data import referral_post

pytestmark = pytest.mark.django_db

REFER_URL = reverse("referrals:new")
FOUND, ELSEWHERE, RESTRICTED = "9990100004", "9990100012", "9990100039"
OLD, CURRENT = "9990100047", "9990100055"
NOBODY = "9990100063"


@pytest.fixture
def gp_client(client, gp, service):
    client.force_login(gp)
    return client


@pytest.fixture
def fake_pds(settings, practice):
    with running_fake_pds() as fake:
        ods = practice.ods_code
        fake.add(pds_patient(FOUND, "Rhiannon", "Reid", "1974-02-11", "female", "NE2 2RR", ods))
        fake.add(
            pds_patient(ELSEWHERE, "Tess", "Turner", "1983-05-17", "female", "LS1 4TT", "B86001")
        )
        fake.add(
            pds_patient(
                RESTRICTED, "Una", "Unwin", "1990-01-01", "female", "NE4 9UU", ods, security="R"
            )
        )
        fake.add(pds_patient(CURRENT, "Vera", "Vance", "1969-08-08", "female", "NE3 6VV", ods))
        fake.superseded[OLD] = CURRENT
        settings.PDS_BASE_URL = fake.base_url
        settings.PDS_TIMEOUT_SECONDS = 0.5
        yield fake


def find(client, number, **typed):
    return client.post(REFER_URL, {"nhs_number": number, "action": "find_person", **typed})


def page_of(response):
    return response.content.decode()


def test_the_details_found_are_filled_into_the_form(gp_client, fake_pds, practice):
    response = find(gp_client, "999 010 0004", red_flag_fever="yes")

    page = page_of(response)
    assert response.status_code == 200
    assert 'data-testid="lookup-found"' in page
    for value in ("Rhiannon", "Reid", "11", "2", "1974", "NE2 2RR"):
        assert f'value="{value}"' in page
    assert 'value="female" checked' in page
    assert f'value="{practice.pk}" selected' in page
    assert f'name="looked_up_nhs_number" value="{FOUND}"' in page
    assert 'value="yes" checked' in page  # the red flag ticked before is kept
    assert "There is a problem" not in page


def test_the_lookup_is_audited_by_the_number_asked_for(gp_client, fake_pds, gp):
    find(gp_client, FOUND)

    event = AuditEvent.objects.get(object_type="demographics lookup")
    assert (event.object_id, event.patient_id, event.user, event.action) == (
        FOUND,
        None,
        gp,
        "view",
    )


def test_the_lookup_of_a_known_patient_names_them_in_the_audit_trail(gp_client, fake_pds, practice):
    known = PatientFactory(
        nhs_number=FOUND, registered_practice=practice, date_of_birth=datetime.date(1974, 2, 11)
    )

    find(gp_client, FOUND)

    assert AuditEvent.objects.get(object_type="demographics lookup").patient_id == known.pk


def test_a_practice_outside_the_area_is_named_and_none_is_chosen(gp_client, fake_pds):
    page = page_of(find(gp_client, ELSEWHERE))

    assert 'data-testid="lookup-practice-elsewhere"' in page
    assert "B86001, which is not a practice in this service's area" in page
    assert 'value="Tess"' in page
    assert " selected" not in page.split('name="registered_practice"')[1].split("</select>")[0]


@pytest.mark.parametrize(
    ("number", "outcome", "says"),
    [
        (NOBODY, "not_found", "No one with this NHS number was found"),
        (RESTRICTED, "sensitive", "national record is restricted"),
        (OLD, "superseded", "current NHS number is 999 010 0055"),
    ],
)
def test_each_failure_says_why_and_keeps_what_was_typed(gp_client, fake_pds, number, outcome, says):
    page = page_of(find(gp_client, number, given_name="Typed", postcode="NE1 1AA"))

    assert f'data-testid="lookup-{outcome}"' in page
    assert says in page
    assert 'value="Typed"' in page and 'value="NE1 1AA"' in page
    assert "Una" not in page and "Vera" not in page and "NE4 9UU" not in page
    assert (
        'name="looked_up_nhs_number"' in page
        and f'value="{number}"' not in page.split('name="looked_up_nhs_number"')[1][:30]
    )


@pytest.mark.parametrize("trouble", ["slow", "failing"])
def test_an_unavailable_pds_says_so_and_the_manual_path_works(
    gp_client, fake_pds, practice, trouble
):
    if trouble == "slow":
        fake_pds.delay = 3
    else:
        fake_pds.fail_next(500)

    page = page_of(find(gp_client, FOUND, given_name="Typed"))
    submitted = gp_client.post(REFER_URL, referral_post(practice=practice, nhs_number=FOUND))

    assert 'data-testid="lookup-unavailable"' in page
    assert "could not be reached just now" in page and 'value="Typed"' in page
    assert submitted.status_code == 302
    assert Referral.objects.get().patient.given_name == "Ruth"


def test_details_found_and_submitted_make_the_referral(gp_client, fake_pds, practice):
    filled = {
        "given_name": "Rhiannon",
        "family_name": "Reid",
        "date_of_birth_day": "11",
        "date_of_birth_month": "2",
        "date_of_birth_year": "1974",
        "postcode": "NE2 2RR",
        "looked_up_nhs_number": FOUND,
    }

    response = gp_client.post(
        REFER_URL, referral_post(practice=practice, nhs_number=FOUND, **filled)
    )

    assert response.status_code == 302
    patient = Patient.objects.get()
    assert (patient.given_name, patient.date_of_birth) == ("Rhiannon", datetime.date(1974, 2, 11))


def test_a_number_changed_after_the_lookup_is_questioned_once(gp_client, practice):
    changed = referral_post(practice=practice, nhs_number=NOBODY, looked_up_nhs_number=FOUND)

    first = gp_client.post(REFER_URL, changed)
    recorded_at_first = Referral.objects.exists()
    changed.pop("looked_up_nhs_number")  # the page that questioned it no longer carries it
    second = gp_client.post(REFER_URL, changed)

    page = page_of(first)
    assert "found on the national record for NHS number 999 010 0004, not this one" in page
    assert 'name="looked_up_nhs_number"' not in page
    assert not recorded_at_first
    assert second.status_code == 302


def test_a_changed_number_is_pointed_out_as_the_gp_types(gp_client, practice):
    response = gp_client.post(
        reverse("referrals:assess"), {"nhs_number": NOBODY, "looked_up_nhs_number": FOUND}
    )

    assert 'data-testid="lookup-mismatch"' in page_of(response)


def test_an_invalid_nhs_number_is_not_looked_up(gp_client, fake_pds):
    page = page_of(find(gp_client, "999 010 0005"))

    assert fake_pds.requests == []
    assert "Check the NHS number" in page
    assert not AuditEvent.objects.filter(object_type="demographics lookup").exists()


def test_without_a_pds_there_is_no_find_button(gp_client, settings):
    settings.PDS_BASE_URL = ""

    assert "Find this person" not in page_of(gp_client.get(REFER_URL))


def test_with_a_pds_the_find_button_is_shown(gp_client):
    assert 'value="find_person"' in page_of(gp_client.get(REFER_URL))


def test_the_form_finds_a_person_through_the_stand_in_over_http(
    client, live_server, settings, transactional_db
):
    practice = PracticeFactory(ods_code="A99001")
    ServiceFactory(area=practice.area)
    client.force_login(GPFactory(practice=practice))
    settings.PDS_BASE_URL = f"{live_server.url}/pds-stand-in/FHIR/R4"

    page = page_of(find(client, "999 010 0004"))

    assert 'data-testid="lookup-found"' in page and 'value="Rhiannon"' in page
    assert f'value="{practice.pk}" selected' in page
