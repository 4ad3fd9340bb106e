"""Backup and restore of the whole database: pg_dump/pg_restore for PostgreSQL, SQLite's
online backup API (safe while the application runs) for SQLite."""

import os
import sqlite3
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.db import connections


def _pg_env(db: Mapping[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    return env


def _is_postgres(db: Mapping[str, Any]) -> bool:
    return "postgresql" in db["ENGINE"]


def database_backup(*, output: Path, alias: str = "default") -> Path:
    connection = connections[alias]
    db = connection.settings_dict
    output.parent.mkdir(parents=True, exist_ok=True)
    if _is_postgres(db):
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={output}", db["NAME"]],
            env=_pg_env(db),
            check=True,
        )
    else:
        connection.ensure_connection()
        target = sqlite3.connect(output)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    return output


def database_restore(*, source: Path, database_url: str | None = None, alias: str = "default") -> None:
    """Restore a backup into the database (or into the one `database_url` names), replacing it."""
    db = dj_database_url.parse(database_url) if database_url else connections[alias].settings_dict
    if _is_postgres(db):
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                f"--dbname={db['NAME']}",
                str(source),
            ],
            env=_pg_env(db),
            check=True,
        )
        _renew_revisions_postgres(db)
        return
    if not database_url:
        connections[alias].close()
    origin = sqlite3.connect(source)
    target = sqlite3.connect(db["NAME"])
    try:
        origin.backup(target)
        _renew_revisions_sqlite(target)
    finally:
        origin.close()
        target.close()


# After a restore every promise gets a new revision and rules revision (promises/revisions.py),
# so no process that cached figures or rules of the discarded timeline finds them again under
# the restored data's keys. A backup from before revisions were UUIDs (or before the rules
# revision) gets new ones from its migration instead.


def _renew_revisions_postgres(db: Mapping[str, Any]) -> None:
    import psycopg2

    connection = psycopg2.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    try:
        with connection, connection.cursor() as cursor:
            for column in ("revision", "rules_revision"):
                cursor.execute(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'promises_promise' AND column_name = %s",
                    [column],
                )
                if cursor.fetchone() == ("uuid",):
                    cursor.execute(f"UPDATE promises_promise SET {column} = gen_random_uuid()")
    finally:
        connection.close()


def _renew_revisions_sqlite(connection: sqlite3.Connection) -> None:
    columns = {row[1]: row[2] for row in connection.execute("PRAGMA table_info(promises_promise)")}
    for column in ("revision", "rules_revision"):
        if columns.get(column, "").lower().startswith("char(32)"):
            # Django keeps a UUID in SQLite as 32 hexadecimal digits.
            connection.execute(f"UPDATE promises_promise SET {column} = lower(hex(randomblob(16)))")
    connection.commit()
