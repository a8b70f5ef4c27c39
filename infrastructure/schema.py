"""Versioned migrations: the read side's tables, created only by the numbered SQL files.

Each `infrastructure/migrations/NNNN_name.sql` runs once per database, in its own
transaction, recorded in `schema_migrations`; an advisory lock lets many processes start at
once without racing on DDL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import psycopg
import structlog

log = structlog.get_logger("oversight.schema")

# Any fixed number shared by every process of the service: it serialises migrations. It
# differs from the event store's schema lock, which may be held by the same process.
MIGRATIONS_LOCK_KEY = 0x0F_E2_51_68

MIGRATIONS_PACKAGE = "infrastructure.migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

_CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text        PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file; its version is the file name without `.sql`."""

    version: str
    sql: str


def packaged_migrations() -> list[Migration]:
    """Every migration shipped with the service, in version order."""
    folder = resources.files(MIGRATIONS_PACKAGE)
    migrations = [
        Migration(entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if _MIGRATION_NAME.match(entry.name)
    ]
    return sorted(migrations, key=lambda migration: migration.version)


def apply_migrations(database_url: str) -> list[str]:
    """Apply the migrations this database has not recorded yet; answer their versions."""
    applied: list[str] = []
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (MIGRATIONS_LOCK_KEY,))
        try:
            connection.execute(_CREATE_MIGRATIONS_TABLE)
            done = {row[0] for row in connection.execute("SELECT version FROM schema_migrations")}
            for migration in packaged_migrations():
                if migration.version in done:
                    continue
                with connection.transaction():
                    connection.execute(migration.sql.encode())
                    connection.execute(
                        "INSERT INTO schema_migrations (version, applied_at) VALUES (%s, now())",
                        (migration.version,),
                    )
                log.info("migration_applied", version=migration.version)
                applied.append(migration.version)
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (MIGRATIONS_LOCK_KEY,))
    return applied


def applied_versions(database_url: str) -> list[str]:
    """The versions recorded in `schema_migrations`, in order (empty if there is none)."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        exists = connection.execute("SELECT to_regclass('schema_migrations')").fetchone()
        if exists is None or exists[0] is None:
            return []
        rows = connection.execute("SELECT version FROM schema_migrations ORDER BY version")
        return [row[0] for row in rows]
