import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from sscard.audit.context import Source, current_source
from sscard.audit.models import AppendOnlyError, AuditRecord
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


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite keeps DELETE open for the test runner; the model layer refuses it there",
)
def test_on_postgresql_the_database_refuses_to_delete_a_record_with_raw_sql():
    record = audit_record(actor=None, action="card.active")

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [record.pk])
    assert AuditRecord.objects.filter(pk=record.pk).exists()


def test_each_response_carries_the_request_id_the_audit_records_use():
    response = Client().get("/admin/login/")

    assert len(response["X-Request-ID"]) == 32
