"""The GP form in a minute (issue 18): red flags, eligibility and urgency each one checklist
("None of these", or tick what applies, each question still recorded yes or no), the details
filled from the NHS number alone, and questions asked only when they apply."""

import pytest
from django.urls import reverse

from pathway.clinical.red_flags import RED_FLAGS
from pathway.patients.models import Patient
from pathway.referrals.answers import EXCLUSION_FIELDS, URGENCY_FIELDS
from pathway.referrals.models import Referral, ReferralOutcome
from tests.factories import PatientFactory
from tests.pds_fake import pds_patient, running_fake_pds
from tests.referral_data import LOW_RISK, as_ticked, referral_post

pytestmark = pytest.mark.django_db

REFER_URL = reverse("referrals:new")
ASSESS_URL = reverse("referrals:assess")


@pytest.fixture
def gp_client(client, gp, service):
    client.force_login(gp)
    return client


def post(client, practice, url=REFER_URL, **changes):
    return client.post(url, as_ticked(referral_post(practice=practice, **changes)))


def page_of(response):
    return response.content.decode()


# --- One checklist each


def test_none_of_these_records_every_red_flag_as_no(gp_client, practice):
    post(gp_client, practice)

    referral = Referral.objects.get()
    assert referral.outcome == ReferralOutcome.REFERRED
    assert referral.red_flag_answers == {flag.code: False for flag in RED_FLAGS}
    assert set(referral.exclusion_answers.values()) == {False}
    assert len(referral.exclusion_answers) == len(EXCLUSION_FIELDS)
    assert len(referral.urgency_answers) == len(URGENCY_FIELDS)


def test_one_flag_ticked_records_it_yes_and_every_other_no(gp_client, practice):
    data = as_ticked(referral_post(practice=practice))
    del data["red_flags_none"]
    data["red_flag_bilateral_sciatica"] = "yes"

    gp_client.post(REFER_URL, data)

    referral = Referral.objects.get()
    assert referral.outcome == ReferralOutcome.REDIRECTED
    assert referral.red_flag_answers == {
        flag.code: flag.code == "bilateral_sciatica" for flag in RED_FLAGS
    }


def test_a_flag_ticked_shows_the_advice_at_once(gp_client, practice):
    response = gp_client.post(
        ASSESS_URL, {"nhs_number": "9990000018", "red_flag_saddle_anaesthesia": "yes"}
    )

    page = page_of(response)
    assert "emergency department" in page
    assert "still to answer" not in page


def test_a_checklist_left_alone_is_one_error_and_nothing_is_saved(gp_client, practice):
    data = as_ticked(referral_post(practice=practice))
    del data["red_flags_none"]

    page = page_of(gp_client.post(REFER_URL, data))

    assert page.count("Red flags: tick each red flag the person has") == 2  # summary and field
    assert 'href="#id_red_flags_none"' in page
    assert 'value="Referral"' in page
    assert not Referral.objects.exists()


def test_none_of_these_with_a_flag_ticked_is_refused_and_keeps_both(gp_client, practice):
    page = page_of(post(gp_client, practice, red_flag_night_pain="yes", red_flags_none="on"))

    assert "You ticked \u201cNone of these red flags\u201d and a red flag" in page
    assert 'id="id_red_flags_none" name="red_flags_none" type="checkbox" value="on"' in page
    assert (
        'id="id_red_flag_night_pain" name="red_flag_night_pain" type="checkbox" value="yes" checked'
        in page
    )
    assert not Referral.objects.exists()


def test_a_list_of_explicit_noes_shows_as_none_of_these(gp_client, practice):
    # Another door (or an older page) may post every question "no": the page shows that as
    # "None of these", so submitting again keeps the answers.
    data = referral_post(practice=practice, decision=None)

    page = page_of(gp_client.post(REFER_URL, data))

    assert 'data-behaviour-group="red_flags" data-none-of-these checked' in page


# --- The NHS number alone


def test_enter_after_the_nhs_number_asks_pds_and_keeps_our_contact_details(
    gp_client, practice, settings
):
    PatientFactory(
        nhs_number="9990000026",
        registered_practice=practice,
        given_name="Brian",
        postcode="NE1 1AA",
        email="brian@example.com",
    )
    with running_fake_pds() as fake:
        moved = ("Brian", "Bell", "1958-11-02", "male", "NE9 9ZZ", practice.ods_code)
        fake.add(pds_patient("9990000026", *moved))
        settings.PDS_BASE_URL = fake.base_url

        page = page_of(
            gp_client.post(REFER_URL, {"nhs_number": "999 000 0026", "action": "assess"})
        )

    assert 'value="NE9 9ZZ"' in page  # the national record's current postcode
    assert 'value="brian@example.com"' in page  # the contact details from our record
    assert 'id="pds-lookup" tabindex="-1" autofocus' in page
    assert 'data-testid="patient-details"' in page
    assert "There is a problem" not in page


def test_enter_fills_in_the_practices_patient_from_our_record_while_pds_is_down(
    gp_client, practice
):
    # The test settings point PDS at a closed port.
    PatientFactory(nhs_number="9990000026", registered_practice=practice, given_name="Brian")

    page = page_of(gp_client.post(REFER_URL, {"nhs_number": "999 000 0026", "action": "assess"}))

    assert "could not be reached" in page
    assert 'value="Brian"' in page
    assert 'data-testid="patient-details"' in page


def test_enter_never_overwrites_details_already_typed(gp_client, practice):
    PatientFactory(nhs_number="9990000026", registered_practice=practice, given_name="Brian")

    page = page_of(
        gp_client.post(
            REFER_URL, {"nhs_number": "9990000026", "given_name": "Typed", "action": "assess"}
        )
    )

    assert 'value="Typed"' in page
    assert 'value="Brian"' not in page


def test_a_lookup_that_fails_says_why_and_leaves_the_fields_open(gp_client, practice):
    # The test settings point PDS at a closed port: the manual path.
    page = page_of(gp_client.post(REFER_URL, {"nhs_number": "9990000263", "action": "assess"}))

    assert "could not be reached" in page
    assert 'data-testid="patient-details"' not in page
    assert 'id="id_given_name"' in page
    assert not Patient.objects.exists()


# --- Questions only when they apply


def test_low_risk_reason_is_asked_only_at_low_risk(gp_client, practice):
    medium = page_of(post(gp_client, practice, ASSESS_URL))
    low = page_of(post(gp_client, practice, ASSESS_URL, startback=LOW_RISK))

    assert "Why refer a person at low risk?" not in medium
    assert "Why refer a person at low risk?" in low


def test_priority_reason_is_asked_only_when_the_priority_changes(gp_client, practice):
    kept = page_of(post(gp_client, practice, ASSESS_URL))
    changed = page_of(post(gp_client, practice, ASSESS_URL, priority_override="urgent"))

    assert "Why are you changing the priority?" not in kept
    assert "Why are you changing the priority?" in changed


def test_returner_questions_are_not_asked_of_a_first_referral(gp_client, practice):
    page = page_of(post(gp_client, practice, ASSESS_URL))

    assert "Are these new symptoms" not in page
    assert "Why does care need to re-open" not in page


def test_a_question_not_asked_keeps_what_was_typed(gp_client, practice):
    page = page_of(
        post(gp_client, practice, ASSESS_URL, low_risk_referral_reason="Typed while low")
    )

    assert "Why refer a person at low risk?" not in page
    assert '<input type="hidden" name="low_risk_referral_reason" value="Typed while low">' in page


def test_details_found_for_another_number_are_not_folded_away(gp_client, practice):
    # Found for 999 010 0004, then the number changed: the warning shows, the fields stay open.
    data = as_ticked(
        referral_post(
            practice=practice,
            nhs_number="9990100063",
            looked_up_nhs_number="9990100004",
            action="assess",
        )
    )

    page = page_of(gp_client.post(REFER_URL, data))

    assert 'data-testid="lookup-mismatch"' in page
    assert 'data-testid="patient-details"' not in page


def test_complete_details_are_shown_to_check_with_the_fields_one_change_away(gp_client, practice):
    page = page_of(post(gp_client, practice, action="assess"))

    summary = page.split('data-testid="patient-details"', 1)[1].split("</dl>", 1)[0]
    assert "Ruth Referral" in summary and "NE1 4LP" in summary
    assert '<details class="nhsuk-details">' in page
    assert 'id="id_given_name"' in page.split('<details class="nhsuk-details">', 1)[1]
