"""Django's SQLite backend, with django-prometheus's query counters as the service runs it,
whose flush may empty the audit trail (see the package)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.backends.sqlite3 import base, operations  # noqa: F401 — base first
from django_prometheus.db.backends.sqlite3 import base as metered


class DatabaseOperations(operations.DatabaseOperations):
    def execute_sql_flush(self, sql_list: Iterable[str]) -> None:
        wrapper: Any = self.connection
        wrapper.audit_maintenance = True
        try:
            super().execute_sql_flush(sql_list)
        finally:
            wrapper.audit_maintenance = False


class DatabaseWrapper(metered.DatabaseWrapper):
    ops_class = DatabaseOperations
    audit_maintenance = False

    def get_new_connection(self, conn_params: Any) -> Any:
        conn = super().get_new_connection(conn_params)
        conn.create_function("sscard_audit_maintenance", 0, lambda: int(self.audit_maintenance))
        return conn
