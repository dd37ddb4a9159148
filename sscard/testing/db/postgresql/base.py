"""Django's PostgreSQL backend, with django-prometheus's query counters as the service runs
it, whose flush may empty the audit trail (see the package)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.backends.postgresql import base, operations  # noqa: F401 — base first
from django_prometheus.db.backends.postgresql import base as metered

MAINTENANCE = "SELECT set_config('sscard.audit_maintenance', '{}', true)"


class DatabaseOperations(operations.DatabaseOperations):
    def execute_sql_flush(self, sql_list: Iterable[str]) -> None:
        # one transaction: the setting (local to it) is gone when the flush ends
        super().execute_sql_flush([MAINTENANCE.format("on"), *sql_list, MAINTENANCE.format("off")])


class DatabaseWrapper(metered.DatabaseWrapper):
    ops_class = DatabaseOperations
