"""The test run's database backends: Django's own, except that their flush (between
transactional tests, and ``manage.py flush`` under the test settings) may empty the audit
trail, which the database refuses to anyone else (migration ``audit.0003_hash_chain``).

SQLite: the trigger lets a DELETE through only where the connection's SQL function
``sscard_audit_maintenance()`` answers 1. This backend alone defines it, answering 1 only
while it flushes; no SQL statement can define or turn it on, and a connection without it
(the service's, a ``sqlite3`` shell) cannot delete at all.

PostgreSQL: the flush's transaction sets ``sscard.audit_maintenance`` to ``on`` before its
TRUNCATE. The trigger honours it only for the table's owner, who could drop the trigger
anyway; the service's role in production owns nothing and holds no DELETE or TRUNCATE right.
"""
