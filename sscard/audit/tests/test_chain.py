"""The audit trail is a keyed hash chain: `manage.py audit_verify` finds a changed, removed or
reordered record, even one changed by someone with the database owner's rights."""

from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from sscard.audit.chain import GENESIS
from sscard.audit.models import AuditRecord
from sscard.audit.selectors import verify_trail
from sscard.audit.services import audit_record

pytestmark = pytest.mark.django_db


@contextmanager
def owner_rights() -> Iterator[None]:
    """What someone with the database owner's rights could do: write past the triggers
    (undone with the test's transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditrecord_append_only")
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditrecord_no_delete")
        yield


def raw(sql: str, params: list[object]) -> None:
    with owner_rights(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def trail() -> list[AuditRecord]:
    return [
        audit_record(actor=None, action=f"card.step{i}", detail={"receipt": f"R{i}", "n": i})
        for i in range(1, 6)
    ]


def test_each_record_is_chained_to_the_one_before(trail):
    assert [r.seq for r in trail] == [1, 2, 3, 4, 5]
    assert trail[0].prev_hash == GENESIS
    assert [r.prev_hash for r in trail[1:]] == [r.hash for r in trail[:-1]]
    assert len({r.hash for r in trail}) == 5


def test_audit_verify_counts_an_intact_chain_and_prints_its_end(trail):
    assert f"已核验 5 条记录。链尾 5:{trail[-1].hash}" in verify()


def test_an_empty_trail_is_intact():
    assert "已核验 0 条记录" in verify()


@pytest.mark.parametrize(
    ("column", "value"),
    [("action", "card.forged"), ("actor_label", "someone"), ("detail", '{"receipt": "R9"}')],
)
def test_a_changed_field_names_the_changed_record(trail, column, value):
    raw(f"UPDATE audit_auditrecord SET {column} = %s WHERE id = %s", [value, trail[2].pk])  # noqa: S608

    with pytest.raises(CommandError, match=rf"id={trail[2].pk}（序号 3）.*内容与哈希不符"):
        verify()


def test_a_changed_time_names_the_changed_record(trail):
    raw(
        "UPDATE audit_auditrecord SET at = %s WHERE id = %s",
        [trail[1].at.replace(year=2020), trail[1].pk],
    )

    with pytest.raises(CommandError, match=rf"id={trail[1].pk}（序号 2）"):
        verify()


def test_a_deleted_record_shows_as_a_gap_at_the_record_after_it(trail):
    raw("DELETE FROM audit_auditrecord WHERE id = %s", [trail[1].pk])

    with pytest.raises(
        CommandError, match=rf"id={trail[2].pk}（序号 3）.*序号应为 2.*之前的记录缺失"
    ):
        verify()


def test_a_deleted_record_renumbered_over_breaks_the_link_to_the_one_before(trail):
    """Closing the gap by renumbering does not help: the link to the missing record stays."""
    raw("DELETE FROM audit_auditrecord WHERE id = %s", [trail[1].pk])
    for record in trail[2:]:
        raw("UPDATE audit_auditrecord SET seq = seq - 1 WHERE id = %s", [record.pk])

    with pytest.raises(CommandError, match=rf"id={trail[2].pk}（序号 2）.*前一条记录的哈希不符"):
        verify()


def test_two_records_swapped_name_the_first_of_them(trail):
    raw("UPDATE audit_auditrecord SET seq = -seq WHERE id IN (%s, %s)", [trail[1].pk, trail[2].pk])
    raw("UPDATE audit_auditrecord SET seq = 3 WHERE id = %s", [trail[1].pk])
    raw("UPDATE audit_auditrecord SET seq = 2 WHERE id = %s", [trail[2].pk])

    with pytest.raises(CommandError, match=rf"id={trail[2].pk}（序号 2）.*前一条记录的哈希不符"):
        verify()


def test_the_last_records_deleted_show_at_the_chain_end(trail):
    raw("DELETE FROM audit_auditrecord WHERE seq >= 4", [])

    with pytest.raises(CommandError, match=r"链尾处断开.*应为第 5 条，实为第 3 条.*此前的 3 条"):
        verify()


def test_a_point_written_down_elsewhere_must_still_be_there(trail):
    out = StringIO()
    call_command("audit_verify", anchor=[f"4:{trail[3].hash}"], stdout=out)
    assert "已核验 5 条记录" in out.getvalue()
    # the end of the chain cut off and the head row set back: the chain alone looks intact
    raw("DELETE FROM audit_auditrecord WHERE seq >= 4", [])
    raw("UPDATE audit_auditchainhead SET seq = 3, hash = %s", [trail[2].hash])
    assert "已核验 3 条记录" in verify()

    with pytest.raises(CommandError, match="不符：该条记录缺失或被替换"):
        call_command("audit_verify", anchor=[f"4:{trail[3].hash}"])


def test_a_record_written_again_without_the_key_does_not_verify(trail, settings):
    settings.SSCARD_AUDIT_KEY = "a-guessed-key"

    with pytest.raises(CommandError, match=rf"id={trail[0].pk}（序号 1）.*内容与哈希不符"):
        verify()


def test_numbers_in_the_detail_verify_as_the_database_gives_them_back():
    audit_record(actor=None, action="x", detail={"big": 1e20, "whole": 100.0, "part": 0.1})

    assert verify_trail().broken is None
