"""The audit trail is append-only, enforced by PostgreSQL itself.

Two layers: the application's role is granted only SELECT and INSERT on the audit table
(`manage.py grant_app_role`), and a trigger refuses UPDATE and DELETE from anyone, the owner
included. These tests connect as a real role, so they need PostgreSQL.
"""

import secrets

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.urls import reverse
from psycopg import errors

from pathway.audit.actions import record_event
from pathway.audit.models import AuditAction, AuditEvent
from tests.audit_context import TEST_CONTEXT
from tests.integration.conftest import owner_sql as _owner_sql

INSERT_EVENT = (
    "INSERT INTO audit_auditevent (at, role, organisation, action, object_type, object_id) "
    "VALUES (now(), 'ttp', 'Test service', 'view', 'patients.patient', '1') RETURNING id"
)


@pytest.fixture
def event(transactional_db, patient):
    return record_event(
        by=None, context=TEST_CONTEXT, action=AuditAction.VIEW, obj=patient, patient=patient
    )


@pytest.mark.postgres
def test_app_role_can_add_and_read_audit_events(as_app_role, event):
    new_id = as_app_role.execute(INSERT_EVENT).fetchone()[0]

    ids = {row[0] for row in as_app_role.execute("SELECT id FROM audit_auditevent")}
    assert ids == {event.id, new_id}
    assert new_id > event.id


@pytest.mark.postgres
def test_app_role_can_still_change_clinical_data(as_app_role, patient):
    as_app_role.execute(
        "UPDATE patients_patient SET postcode = 'NE2 4HH' WHERE id = %s", [patient.pk]
    )

    patient.refresh_from_db()
    assert patient.postcode == "NE2 4HH"


@pytest.mark.postgres
def test_the_service_works_as_the_app_role(app_role, client, ttp, episode):
    client.force_login(ttp)
    url = reverse("care:episode", args=[episode.public_id])
    # Django's own connection acts as the role for the request: sessions, pages and the
    # audit insert all need only what grant_app_role gave.
    _owner_sql(f'SET ROLE "{app_role}"')
    try:
        response = client.get(url)
    finally:
        _owner_sql("RESET ROLE")

    assert response.status_code == 200
    assert AuditEvent.objects.filter(object_type="care.episode", user=ttp).exists()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'export'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
    ],
)
def test_app_role_cannot_change_or_remove_audit_events(as_app_role, event, statement):
    with pytest.raises(errors.InsufficientPrivilege, match="permission denied"):
        as_app_role.execute(statement)

    assert AuditEvent.objects.get().action == AuditAction.VIEW


@pytest.mark.postgres
def test_app_role_cannot_switch_the_trigger_off(as_app_role, event):
    with pytest.raises(errors.InsufficientPrivilege, match="must be owner"):
        as_app_role.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")


@pytest.mark.postgres
def test_trigger_stops_even_the_owner_changing_an_event(event):
    with pytest.raises(DatabaseError, match="append-only: UPDATE of audit event"):
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.EXPORT)

    assert AuditEvent.objects.get().action == AuditAction.VIEW


@pytest.mark.postgres
def test_trigger_stops_even_the_owner_deleting_an_event(event):
    with pytest.raises(DatabaseError, match="append-only: DELETE of audit event"):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_grant_refuses_a_role_that_does_not_exist(transactional_db):
    with pytest.raises(CommandError, match="no database role called pathway_nobody_here"):
        call_command("grant_app_role", "pathway_nobody_here")


@pytest.mark.postgres
def test_grant_refuses_the_owner_itself(transactional_db):
    with pytest.raises(CommandError, match="is a superuser|is the role running this command"):
        call_command("grant_app_role", connection.settings_dict["USER"] or "postgres")


@pytest.mark.postgres
def test_grant_refuses_a_role_that_inherits_audit_rights_elsewhere(transactional_db):
    # A role given UPDATE through another role it belongs to is not protected by its own grants.
    suffix = secrets.token_hex(4)
    role, wide = f"pathway_app_test_{suffix}", f"pathway_wide_test_{suffix}"
    _owner_sql(f'CREATE ROLE "{wide}" NOLOGIN')
    _owner_sql(f'GRANT UPDATE ON audit_auditevent TO "{wide}"')
    _owner_sql(f'CREATE ROLE "{role}" NOLOGIN IN ROLE "{wide}"')
    try:
        with pytest.raises(CommandError, match="can still UPDATE the audit trail"):
            call_command("grant_app_role", role)
    finally:
        for name in (role, wide):
            _owner_sql(f'DROP OWNED BY "{name}"')
            _owner_sql(f'DROP ROLE "{name}"')


def test_grant_refuses_a_role_name_that_is_not_a_plain_identifier(monkeypatch):
    with pytest.raises(CommandError, match="not a plain PostgreSQL role name|not PostgreSQL"):
        call_command("grant_app_role", 'app"; DROP TABLE audit_auditevent; --')


def test_grant_without_a_role_does_nothing(monkeypatch, capsys):
    # A single-role deployment (and local development) runs the release step unchanged.
    monkeypatch.delenv("APP_DATABASE_ROLE", raising=False)

    call_command("grant_app_role")

    assert "no grants made" in capsys.readouterr().out
