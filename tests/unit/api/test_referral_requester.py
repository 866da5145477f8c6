"""ServiceRequest.requester says who referred, by the referral's source (no database)."""

import uuid

from pathway.api.care_resources import referrer_reference
from pathway.patients.models import Patient
from pathway.referrals.models import Referral, ReferralSource


def test_a_self_referral_is_requested_by_the_person_themselves():
    person = Patient(public_id=uuid.uuid4())
    referral = Referral(source=ReferralSource.SELF_REFERRAL, patient=person)

    assert referrer_reference(referral) == {"reference": f"Patient/{person.public_id}"}


def test_a_gp_systems_referral_is_requested_by_the_practitioner_it_named():
    referral = Referral(
        source=ReferralSource.GP_SYSTEM, referrer="https://fhir.nhs.uk/Id/sds-user-id|5555"
    )

    assert referrer_reference(referral)["identifier"]["value"] == "5555"
