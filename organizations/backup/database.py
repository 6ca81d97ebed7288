"""The database in a backup: a dump taken from one consistent snapshot together with the state
of every table in that snapshot, and the load of such a dump into the configured database.

PostgreSQL goes through ``pg_dump`` and ``pg_restore`` (the client tools on ``PATH``, of the
server's major version or newer), connected with the settings of ``DATABASES``; the password
travels in ``PGPASSWORD``, never on a command line. SQLite goes through Python's online backup
API.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connections, transaction
from django.db.backends.postgresql.client import DatabaseClient
from django.utils.translation import gettext as _

from organizations.backup import BackupError, tables

DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


@dataclass
class Dump:
    vendor: str
    path: Path
    details: dict[str, Any]
    tables: dict[str, dict]
    migrations: list[str]
    file_names: set[str] = field(default_factory=set)


def _supported(vendor: str) -> None:
    if vendor not in DUMP_FILES:
        raise BackupError(
            _("不支持备份或恢复 %(vendor)s 数据库，只支持 PostgreSQL 和 SQLite。") % {"vendor": vendor}
        )


def dump(folder: Path, *, using: str = "default") -> Dump:
    """Write the database to ``folder`` and read the state of its tables, both from one
    snapshot."""
    connection = connections[using]
    _supported(connection.vendor)
    if connection.in_atomic_block:
        raise BackupError(_("备份不能在数据库事务中进行。"))
    path = folder / DUMP_FILES[connection.vendor]
    # Any check of the connection happens now, so that the transaction's first statement below
    # is the one that fixes its isolation level.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            details = _pg_dump(connection.settings_dict, path, snapshot=cursor.fetchone()[0])
            details["server_version"] = connection.pg_version
        else:
            # The first read starts the transaction's snapshot; the copy below is made in it.
            cursor.execute("SELECT count(*) FROM sqlite_master")
            _sqlite_copy(connection.connection, path)
            details = {"sqlite_version": sqlite3.sqlite_version}
        file_names: set[str] = set()
        state = tables.database_state(using=using, file_names=file_names)
        migrations = tables.applied_migrations(using)
    return Dump(connection.vendor, path, details, state, migrations, file_names)


def load(path: Path, *, vendor: str, using: str = "default") -> None:
    """Replace the configured database's content with the dump at ``path``."""
    connection = connections[using]
    _supported(connection.vendor)
    if vendor != connection.vendor:
        raise BackupError(
            _("备份来自 %(source)s 数据库，不能恢复到 %(target)s 数据库。")
            % {"source": vendor, "target": connection.vendor}
        )
    if connection.in_atomic_block:
        raise BackupError(_("恢复不能在数据库事务中进行。"))
    if connection.vendor == "postgresql":
        # pg_restore works on its own connection; this one must hold no locks meanwhile.
        connection.close()
        _pg_restore(connection.settings_dict, path)
    else:
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    connection.close()


# --------------------------------------------------------------------------- SQLite


def _sqlite_copy(source: sqlite3.Connection, path: Path) -> None:
    target = sqlite3.connect(path)
    try:
        # All pages in one step: the copy is of the source's snapshot and nothing later.
        source.backup(target, pages=-1)
    finally:
        target.close()


# --------------------------------------------------------------------------- PostgreSQL


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            _("找不到 %(tool)s：请安装 PostgreSQL 客户端工具（与数据库服务器主版本相同或更新）。")
            % {"tool": name}
        )
    return found


def _pg_environment(settings_dict: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The environment and the ``--dbname`` argument that connect a client tool as Django
    connects: host, port, user and database from DATABASES, password and TLS options in the
    environment."""
    _args, extra = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(extra or {})}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    service = settings_dict["OPTIONS"].get("service")
    name = settings_dict.get("NAME") or (f"service={service}" if service else "postgres")
    return env, [f"--dbname={name}"]


def _run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败（退出码 %(code)d）：%(error)s")
            % {
                "tool": Path(command[0]).name,
                "code": result.returncode,
                "error": result.stderr.strip()[-2000:],
            }
        )
    return result.stdout


def _pg_dump(settings_dict: dict[str, Any], path: Path, *, snapshot: str) -> dict[str, Any]:
    tool = _tool("pg_dump")
    env, database = _pg_environment(settings_dict)
    version = _run([tool, "--version"], env).strip()
    _run(
        [tool, "--format=custom", f"--snapshot={snapshot}", f"--file={path}", "--no-password", *database],
        env,
    )
    return {"tool": version}


def _pg_restore(settings_dict: dict[str, Any], path: Path) -> None:
    tool = _tool("pg_restore")
    env, database = _pg_environment(settings_dict)
    # One transaction: a restore that fails half-way leaves the database as it was. Owners and
    # grants of the source server are not carried over: its roles need not exist here.
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            *database,
            str(path),
        ],
        env,
    )
