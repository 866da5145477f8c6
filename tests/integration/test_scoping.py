import pytest
from django.urls import reverse

from pathway.audit.models import AuditEvent
from pathway.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_gp_sees_their_own_practices_patient(client, gp, patient):
    client.force_login(gp)

    response = client.get(reverse("patients:detail", args=[patient.public_id]))

    assert response.status_code == 200
    assert patient.family_name in response.content.decode()


def test_gp_of_another_practice_gets_not_found(client, other_gp, patient):
    client.force_login(other_gp)

    response = client.get(reverse("patients:detail", args=[patient.public_id]))

    assert response.status_code == 404
    assert patient.family_name not in response.content.decode()


def test_viewing_a_patient_writes_one_audit_event(client, gp, patient):
    client.force_login(gp)

    client.get(reverse("patients:detail", args=[patient.public_id]))

    event = AuditEvent.objects.get()
    assert (event.user, event.action, event.patient_id) == (gp, "view", patient.pk)
    assert event.organisation == str(gp.practice)
    assert event.ip_address == "127.0.0.1"


def test_refused_patient_view_writes_no_audit_event(client, other_gp, patient):
    client.force_login(other_gp)

    client.get(reverse("patients:detail", args=[patient.public_id]))

    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("gp", "care:caseload"),
        ("gp", "reports:dashboard"),
        ("ttp", "referrals:gp_home"),
        ("ttp", "reports:outcomes"),
        ("manager", "care:triage_queue"),
        ("manager", "accounts:administrator_home"),
    ],
)
def test_role_pages_refuse_other_roles(client, request, role, url_name):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse(url_name)).status_code == 403


def test_visible_to_gives_nothing_to_anonymous_or_inactive_users(gp, patient):
    from django.contrib.auth.models import AnonymousUser

    gp.is_active = False

    assert not Patient.objects.visible_to(AnonymousUser()).exists()
    assert not Patient.objects.visible_to(gp).exists()


def test_ttp_sees_no_patients_until_they_are_referred_to_the_service(ttp, patient):
    assert not Patient.objects.visible_to(ttp).exists()


def test_area_manager_sees_patients_of_practices_in_the_area(patient, practice):
    from tests.factories import ManagerFactory

    area_manager = ManagerFactory(service=None, area=practice.area)

    assert list(Patient.objects.visible_to(area_manager)) == [patient]


def test_database_refuses_a_gp_without_a_practice(db):
    from django.db import IntegrityError

    from tests.factories import UserFactory

    with pytest.raises(IntegrityError):
        UserFactory(role="gp", practice=None)


def test_related_models_are_scoped_through_their_episode():
    from pathway.accounts.scoping import through
    from pathway.care.models import Appointment, Episode
    from pathway.proms.models import PromTimepoint, QuestionnaireResponse, SafetyAlert

    through_episode = {
        kind: f"episode__{lookup}" for kind, lookup in Episode.objects.all().scope_lookups.items()
    }
    assert through("episode", {"service": "service_id"}) == {"service": "episode__service_id"}
    for model in (Appointment, PromTimepoint, QuestionnaireResponse):
        assert model.objects.all().scope_lookups_by_kind() == through_episode
    # Safety alerts are for the service, not the referring practice.
    assert "practice" in through_episode
    assert SafetyAlert.objects.all().scope_lookups_by_kind() == {
        kind: lookup for kind, lookup in through_episode.items() if kind != "practice"
    }
