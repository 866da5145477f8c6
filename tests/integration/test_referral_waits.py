"""The median waits beside the choice of service: read only when the page is shown."""

import pytest
from django.urls import reverse

from pathway.demo.referrals import refer
from tests.factories import PatientFactory, ServiceFactory
from tests.referral_data import referral_post

pytestmark = pytest.mark.django_db


def test_each_services_median_wait_is_shown_when_the_area_has_two(client, gp, practice, service):
    quiet = ServiceFactory(area=practice.area)
    for days_ago in (10, 20):
        patient = PatientFactory(registered_practice=practice)
        refer(gp=gp, patient=patient, service=service, days_ago=days_ago)
    client.force_login(gp)

    response = client.post(
        reverse("referrals:new"),
        referral_post(practice=practice, service=str(service.pk), action="assess"),
    )

    page = response.content.decode()
    assert f"{service.name}: 15 days" in page
    assert f"{quiet.name}: no one waiting" in page
