"""The write side's storage: eventsourcing's PostgreSQL persistence, configured once."""

from __future__ import annotations

import psycopg
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment
from psycopg.conninfo import conninfo_to_dict

from application.base import EVENT_STORE_NAME
from infrastructure.schema import apply_migrations

# Any fixed number shared by every process of the service: it serialises schema creation.
SCHEMA_LOCK_KEY = 0x0F_E2_51_67

UNSAFE_FLAGS = ("POSTGRES_ENABLE_DB_FUNCTIONS", "OVERSIGHT_POSTGRES_ENABLE_DB_FUNCTIONS")


class UnsafeConfiguration(RuntimeError):
    """The configuration would let readers see events out of order, or similar harm."""


def refuse_unsafe_environment(environ: dict[str, str]) -> None:
    """Database functions insert without the table lock, so readers could skip events."""
    for flag in UNSAFE_FLAGS:
        if environ.get(flag, "").strip().lower() in {"y", "yes", "t", "true", "on", "1"}:
            raise UnsafeConfiguration(
                f"{flag} is set: the service keeps eventsourcing's table-lock mode, "
                "because database functions can make events visible out of order"
            )


def event_store_env(
    database_url: str,
    *,
    pool_size: int,
    max_overflow: int,
    connect_timeout: int,
    lock_timeout: int = 5,
) -> dict[str, str]:
    """Translate a PostgreSQL URL into the eventsourcing library's settings."""
    params = conninfo_to_dict(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params.get("dbname") or "postgres"),
        "POSTGRES_HOST": str(params.get("host") or "localhost"),
        "POSTGRES_PORT": str(params.get("port") or "5432"),
        "POSTGRES_USER": str(params.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(params.get("password") or ""),
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": str(max_overflow),
        "POSTGRES_CONNECT_TIMEOUT": str(connect_timeout),
        # No test query before each use: it doubled the round trips of every command. A
        # connection broken by a restart fails its statement, the pool drops it, and the
        # library's retries take another (the crash tests in docs/reliability.md).
        "POSTGRES_PRE_PING": "n",
        # Bounds the wait for the table lock every write takes, so a stuck writer cannot
        # queue the whole service behind it; the command answers 503 and may be retried.
        "POSTGRES_LOCK_TIMEOUT": str(lock_timeout),
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        # Tables are made once by `initialise_schema`, not raced over by every process.
        "CREATE_TABLE": "n",
        "AGGREGATE_CACHE_MAXSIZE": "1000",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
    }


def initialise_schema(database_url: str) -> None:
    """Create the event store's tables, then apply migrations; safe when many processes race."""
    env = event_store_env(database_url, pool_size=1, max_overflow=0, connect_timeout=30)
    env["CREATE_TABLE"] = "y"
    with psycopg.connect(database_url, autocommit=True) as lock_connection:
        lock_connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        try:
            factory = InfrastructureFactory.construct(Environment(EVENT_STORE_NAME, env))
            factory.application_recorder()
            factory.close()
        finally:
            lock_connection.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))
    apply_migrations(database_url)  # the read side's tables, under a lock of their own
