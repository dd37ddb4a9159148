import pytest
from django.db import connection


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="pragmas of the embedded database")
def test_the_embedded_database_runs_in_wal_mode_with_immediate_writes_and_a_busy_timeout():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        busy = cursor.fetchone()[0]
        cursor.execute("PRAGMA foreign_keys")
        foreign_keys = cursor.fetchone()[0]

    assert journal == "wal"
    assert busy >= 5000
    assert foreign_keys == 1
    assert connection.transaction_mode == "IMMEDIATE"
