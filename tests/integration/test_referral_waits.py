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
    assert "15 days" in hint_of(page, service)
    assert "no one waiting" in hint_of(page, quiet)


def hint_of(page, service):
    """The hint under this service's radio button."""
    after_label = page.split(f">{service.name}</label>", 1)[1]
    return after_label.split("</div>", 1)[0]


def test_the_practices_usual_service_is_chosen_and_named(client, gp, practice, service):
    other = ServiceFactory(area=practice.area)
    refer(gp=gp, patient=PatientFactory(registered_practice=practice), service=other)
    refer(gp=gp, patient=PatientFactory(registered_practice=practice), service=other)
    refer(gp=gp, patient=PatientFactory(registered_practice=practice), service=service)
    client.force_login(gp)

    page = client.get(reverse("referrals:new")).content.decode()

    assert f'value="{other.pk}" checked' in page
    assert f'value="{service.pk}" checked' not in page
    assert "usual service" in hint_of(page, other)
    assert "usual service" not in hint_of(page, service)


def test_no_service_is_chosen_for_a_practice_that_has_referred_to_none(client, gp, service):
    ServiceFactory(area=service.area)
    client.force_login(gp)

    page = client.get(reverse("referrals:new")).content.decode()

    assert 'name="service" type="radio"' in page
    assert "checked" not in page.split('id="live-services"', 1)[1].split("</fieldset>", 1)[0]
