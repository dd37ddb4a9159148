"""Django's PostgreSQL backend whose flush may empty the audit trail (see the package)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.backends.postgresql import base, operations

MAINTENANCE = "SELECT set_config('sscard.audit_maintenance', '{}', true)"


class DatabaseOperations(operations.DatabaseOperations):
    def execute_sql_flush(self, sql_list: Iterable[str]) -> None:
        # one transaction: the setting (local to it) is gone when the flush ends
        super().execute_sql_flush([MAINTENANCE.format("on"), *sql_list, MAINTENANCE.format("off")])


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
