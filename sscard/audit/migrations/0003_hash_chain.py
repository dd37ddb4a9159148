"""The audit trail becomes a hash chain, and the database refuses to empty it.

Existing records are chained in the order they were written (by id), from the genesis hash,
under the ``SSCARD_AUDIT_KEY`` set when this migration runs.

The triggers, after this migration:
- PostgreSQL: UPDATE and DELETE refused for every row; TRUNCATE refused unless the session
  has set ``sscard.audit_maintenance`` to ``on`` *and* its role owns the table. Only the test
  runner's flush sets it (``sscard.testing.db``); the owner could drop the trigger anyway, and
  the application's role in production is not the owner (README: production setup).
- SQLite: UPDATE refused; DELETE refused unless the connection's function
  ``sscard_audit_maintenance()`` answers 1. Only the test run's database backend
  (``sscard.testing.db.sqlite3``) defines that function, and only its flush turns it on; on
  any other connection the function does not exist and every DELETE fails. SQLite has no
  TRUNCATE.
"""

import django.utils.timezone
from django.db import migrations, models

from sscard.audit.chain import GENESIS, record_hash

PG_OLD = [
    """CREATE TRIGGER audit_auditrecord_append_only BEFORE UPDATE OR DELETE ON audit_auditrecord
    FOR EACH ROW EXECUTE FUNCTION audit_auditrecord_append_only()""",
]
SQLITE_OLD = [
    """CREATE TRIGGER audit_auditrecord_append_only BEFORE UPDATE ON audit_auditrecord
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END""",
]
PG_FORBID = [
    *PG_OLD,
    """CREATE OR REPLACE FUNCTION audit_auditrecord_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('sscard.audit_maintenance', true) = 'on' AND pg_has_role(
        current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE'
    ) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit records cannot be truncated';
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_auditrecord_no_truncate BEFORE TRUNCATE ON audit_auditrecord
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditrecord_no_truncate()""",
]
PG_ALLOW = [
    "DROP TRIGGER IF EXISTS audit_auditrecord_append_only ON audit_auditrecord",
    "DROP TRIGGER IF EXISTS audit_auditrecord_no_truncate ON audit_auditrecord",
    "DROP FUNCTION IF EXISTS audit_auditrecord_no_truncate()",
]
SQLITE_FORBID = [
    *SQLITE_OLD,
    """CREATE TRIGGER audit_auditrecord_no_delete BEFORE DELETE ON audit_auditrecord
WHEN sscard_audit_maintenance() IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'audit records cannot be deleted');
END""",
]
SQLITE_ALLOW = [
    "DROP TRIGGER IF EXISTS audit_auditrecord_append_only",
    "DROP TRIGGER IF EXISTS audit_auditrecord_no_delete",
]


def _run(schema_editor, by_vendor):
    for statement in by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def allow_changes(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_ALLOW, "sqlite": SQLITE_ALLOW})


def forbid_changes(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_FORBID, "sqlite": SQLITE_FORBID})


def restore_old_triggers(apps, schema_editor):
    allow_changes(apps, schema_editor)
    _run(schema_editor, {"postgresql": PG_OLD, "sqlite": SQLITE_OLD})


def chain_existing(apps, schema_editor):
    AuditRecord = apps.get_model("audit", "AuditRecord")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    seq, prev = 0, GENESIS
    batch = []
    for record in AuditRecord.objects.order_by("id").iterator(chunk_size=2000):
        seq += 1
        record.seq, record.prev_hash = seq, prev
        record.hash = prev = record_hash(record)
        batch.append(record)
        if len(batch) == 2000:
            AuditRecord.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
            batch = []
    AuditRecord.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
    AuditChainHead.objects.create(pk=1, seq=seq, hash=prev)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.RunPython(allow_changes, restore_old_triggers),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.BigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
            options={"verbose_name": "审计链末端", "verbose_name_plural": "审计链末端"},
        ),
        migrations.AlterField(
            model_name="auditrecord",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="时间"
            ),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="seq",
            field=models.BigIntegerField(null=True, verbose_name="链序号"),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="prev_hash",
            field=models.CharField(default="", max_length=64, verbose_name="前一条的哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="哈希"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditrecord",
            name="seq",
            field=models.BigIntegerField(unique=True, verbose_name="链序号"),
        ),
        migrations.RunPython(forbid_changes, allow_changes),
    ]
