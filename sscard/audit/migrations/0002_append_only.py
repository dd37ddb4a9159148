"""Audit records are append-only in the database itself, not only in the model."""

from django.db import migrations

PG_FORBID = """
CREATE OR REPLACE FUNCTION audit_auditrecord_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditrecord_append_only BEFORE UPDATE OR DELETE ON audit_auditrecord
    FOR EACH ROW EXECUTE FUNCTION audit_auditrecord_append_only();
"""
PG_ALLOW = """
DROP TRIGGER IF EXISTS audit_auditrecord_append_only ON audit_auditrecord;
DROP FUNCTION IF EXISTS audit_auditrecord_append_only();
"""
# SQLite has no TRUNCATE and the test runner empties tables with DELETE, so on the embedded
# database the trigger refuses updates and the model layer refuses deletes.
SQLITE_FORBID = """
CREATE TRIGGER audit_auditrecord_append_only BEFORE UPDATE ON audit_auditrecord
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;
"""
SQLITE_ALLOW = "DROP TRIGGER IF EXISTS audit_auditrecord_append_only;"


def forbid_changes(apps, schema_editor):
    sql = {"postgresql": PG_FORBID, "sqlite": SQLITE_FORBID}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def allow_changes(apps, schema_editor):
    sql = {"postgresql": PG_ALLOW, "sqlite": SQLITE_ALLOW}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forbid_changes, allow_changes)]
