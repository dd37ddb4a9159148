import sqlite3
import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from sscard.audit.context import Source, current_source
from sscard.audit.models import AppendOnlyError, AuditRecord
from sscard.audit.selectors import verify_trail
from sscard.audit.services import audit_record
from sscard.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_a_record_names_who_did_what_when_and_from_where():
    staff = StaffFactory(username="reviewer1")
    token = current_source.set(Source(address="10.1.2.3", request_id="abc", channel="web"))
    try:
        record = audit_record(actor=staff, action="application.approve", detail={"receipt": "R1"})
    finally:
        current_source.reset(token)

    assert record.actor_label == "reviewer1"
    assert record.actor_role == "reviewer"
    assert record.address == "10.1.2.3"
    assert record.request_id == "abc"
    assert record.at is not None


def test_the_system_is_named_when_nobody_acted():
    record = audit_record(actor=None, action="card.active")

    assert record.actor_label == "系统"
    assert record.actor_role == "system"


def test_a_record_cannot_be_changed_or_deleted_through_the_model():
    record = audit_record(actor=None, action="card.active")

    record.action = "card.cancelled"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.all().update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.all().delete()


def test_the_database_refuses_to_change_a_record_even_with_raw_sql():
    record = audit_record(actor=None, action="card.active")

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditrecord SET action = 'forged' WHERE id = %s", [record.pk])
    assert AuditRecord.objects.get(pk=record.pk).action == "card.active"


def test_the_database_refuses_to_delete_a_record_even_with_raw_sql():
    record = audit_record(actor=None, action="card.active")

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [record.pk])
    assert AuditRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_on_postgresql_the_database_refuses_to_truncate_the_trail():
    record = audit_record(actor=None, action="card.active")

    with (
        pytest.raises(DatabaseError, match="cannot be truncated"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditrecord")
    assert AuditRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's")
def test_the_maintenance_setting_does_not_let_a_role_that_does_not_own_the_table_truncate():
    """The service's role, even granted every right on the table (the production setup
    revokes them), cannot turn the test flush's way around the trigger on for itself."""
    record = audit_record(actor=None, action="card.active")
    role = f"sscard_app_{uuid.uuid4().hex[:12]}"

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role}")
        cursor.execute(f"GRANT ALL ON audit_auditrecord TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute("SET LOCAL sscard.audit_maintenance = 'on'")
        with pytest.raises(DatabaseError, match="cannot be truncated"):
            cursor.execute("TRUNCATE audit_auditrecord")
        transaction.set_rollback(True)
    assert AuditRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's")
def test_in_the_production_setup_the_services_role_adds_records_and_can_remove_none():
    """The README's grants for the service's role: audit_record works, nothing else does."""
    first = audit_record(actor=None, action="card.active")
    role = f"sscard_app_{uuid.uuid4().hex[:12]}"

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditrecord FROM {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
        assert audit_record(actor=None, action="card.lost").seq == first.seq + 1
        for sql in [
            "UPDATE audit_auditrecord SET action = 'forged'",
            "DELETE FROM audit_auditrecord",
            "TRUNCATE audit_auditrecord",
        ]:
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                cursor.execute(sql)
        transaction.set_rollback(True)
    assert AuditRecord.objects.filter(pk=first.pk).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded database's connection")
@pytest.mark.django_db(transaction=True)
def test_on_sqlite_a_connection_other_than_the_test_runners_cannot_delete_at_all():
    """The service's own connection (Django's stock backend) or a sqlite3 shell has no way
    around the trigger: only the test run's backend defines the function it asks."""
    audit_record(actor=None, action="card.active")
    plain = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        with pytest.raises(sqlite3.OperationalError, match="sscard_audit_maintenance"):
            plain.execute("DELETE FROM audit_auditrecord")
    finally:
        plain.close()
    assert AuditRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_test_runners_flush_still_empties_the_trail_and_a_new_chain_starts():
    audit_record(actor=None, action="card.active")

    call_command("flush", interactive=False)

    assert AuditRecord.objects.count() == 0
    assert audit_record(actor=None, action="card.active").seq == 1
    assert verify_trail().verified == 1


def test_each_response_carries_the_request_id_the_audit_records_use():
    response = Client().get("/admin/login/")

    assert len(response["X-Request-ID"]) == 32
