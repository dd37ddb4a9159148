"""The database's part of a backup. PostgreSQL: ``pg_dump --format=custom`` of a snapshot
exported by a read-only REPEATABLE READ transaction, whose rows, migrations and audit chain head
go into the manifest (what is counted is exactly what is dumped, while the service keeps
writing); restored by ``pg_restore`` in one transaction (the audit trail's triggers are created
after its rows). SQLite: the online backup API (a consistent copy while the service writes, in
WAL mode), read for the manifest from the copy itself; restored by the same API into the empty
target."""

from __future__ import annotations

import collections
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.client import DatabaseClient

from sscard.backups.manifest import BackupError, DatabaseState, Progress, database_state

# pg_dump's and pg_restore's --verbose line for each table's rows (their messages in English)
_TABLE_LINE = re.compile(r'(?:dumping contents of|processing data for) table "([^"]+)"')
_VERSION = re.compile(r"\)\s*(\d+)")  # "pg_dump (PostgreSQL) 15.20 (Debian …)"


def is_empty(connection: BaseDatabaseWrapper) -> bool:
    """No table at all: a database just created (``createdb``), a SQLite file not there yet."""
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def dump(connection: BaseDatabaseWrapper, target: Path, progress: Progress) -> DatabaseState:
    if connection.vendor == "postgresql":
        return _dump_postgresql(connection, target, progress)
    return _dump_sqlite(connection, target, progress)


def restore(connection: BaseDatabaseWrapper, source: Path, progress: Progress) -> None:
    connection.close()
    if connection.vendor == "postgresql":
        _restore_postgresql(connection, source, progress)
    else:
        _restore_sqlite(connection, source, progress)
    connection.close()


# PostgreSQL ------------------------------------------------------------------------------


def server_major(connection: Any) -> int:
    return int(connection.pg_version) // 10000


def _tool(name: str, connection: Any) -> tuple[str, str]:
    """The path and ``--version`` of ``pg_dump`` or ``pg_restore`` on PATH, of the same major
    version as the server: an older one cannot read the server, a newer one writes archives
    that the server's own ``pg_restore`` cannot read."""
    server = server_major(connection)
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL {server} 的客户端（如 postgresql-client-{server}）"
        )
    version = subprocess.run(  # noqa: S603 — the tool found on PATH, no input of anyone's
        [path, "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()
    found = _VERSION.search(version)
    if found is None or int(found.group(1)) != server:
        raise BackupError(
            f"{path} 是 {version}，数据库服务器是 PostgreSQL {server}：请把 PostgreSQL {server} "
            f"的 {name}（如 /usr/lib/postgresql/{server}/bin）放在 PATH 的最前面"
        )
    return path, version


def _environment(connection: Any) -> dict[str, str]:
    """libpq's variables for the connection's settings (the password never on a command
    line), messages in English for the progress lines."""
    settings = connection.settings_dict
    _, found = DatabaseClient.settings_to_cmd_args_env(settings, [])
    env = dict(found or {})
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGDATABASE", "NAME"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    return {**os.environ, **env, "LC_ALL": "C"}


def _run(command: list[str], env: dict[str, str], progress: Progress) -> None:
    """Run a PostgreSQL tool, each table it reaches shown; its last lines if it fails."""
    tail: collections.deque[str] = collections.deque(maxlen=20)
    with subprocess.Popen(  # noqa: S603 — the tool checked by _tool, arguments of our own
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stderr is not None  # noqa: S101 — stderr=PIPE
        for line in process.stderr:
            table = _TABLE_LINE.search(line)
            if table:
                progress(f"  表 {table.group(1)}")
            else:
                tail.append(line.rstrip())
        code = process.wait()
    if code != 0:
        lines = "\n".join(line for line in tail if line)
        raise BackupError(f"{Path(command[0]).name} 失败（退出码 {code}）：\n{lines}")


def _dump_postgresql(connection: Any, target: Path, progress: Progress) -> DatabaseState:
    pg_dump, version = _tool("pg_dump", connection)
    progress(f"导出 PostgreSQL 数据库 {connection.settings_dict['NAME']}（{version}）…")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        state = database_state(cursor, connection.introspection.table_names(cursor))
        _run(
            [pg_dump, "--format=custom", "--verbose", f"--snapshot={snapshot}", f"--file={target}"],
            _environment(connection),
            progress,
        )
    return state


def _restore_postgresql(connection: Any, source: Path, progress: Progress) -> None:
    pg_restore, version = _tool("pg_restore", connection)
    progress(f"恢复到 PostgreSQL 数据库 {connection.settings_dict['NAME']}（{version}）…")
    _run(
        [
            pg_restore,
            "--verbose",
            "--single-transaction",
            "--exit-on-error",
            # owned by the role restoring (the owner's, as for migrate); the service role's
            # grants are given again as after each migrate
            "--no-owner",
            "--no-privileges",
            f"--dbname={connection.settings_dict['NAME']}",
            str(source),
        ],
        _environment(connection),
        progress,
    )


# SQLite ----------------------------------------------------------------------------------


def _sqlite_path(connection: Any) -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复")
    return Path(name)


def _dump_sqlite(connection: Any, target: Path, progress: Progress) -> DatabaseState:
    source_path = _sqlite_path(connection)
    progress(f"复制 SQLite 数据库 {source_path}（{source_path.stat().st_size:,} 字节）…")
    source = sqlite3.connect(source_path, timeout=20)
    copy = sqlite3.connect(target)
    try:
        # one step: a read transaction on the source for the whole copy, which in WAL mode
        # blocks no writer (copied page by page, every write elsewhere would restart it)
        source.backup(copy)
        # a plain file, readable where it lies without a -wal or -shm beside it
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        tables = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master")}
        state = database_state(cursor, tables)
    finally:
        copy.close()
        source.close()
    return state


def _restore_sqlite(connection: Any, source: Path, progress: Progress) -> None:
    target = _sqlite_path(connection)
    progress(f"恢复到 SQLite 数据库 {target}…")
    backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    destination = sqlite3.connect(target, timeout=20)
    try:
        backup.backup(destination)
    except sqlite3.Error as exc:
        raise BackupError(f"无法写入 {target}：{exc}") from exc
    finally:
        destination.close()
        backup.close()
