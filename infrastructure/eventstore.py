"""The write side's storage: eventsourcing's PostgreSQL persistence, configured once.

The library's recorder sends a save as one pipelined transaction (lock the table, notify,
insert). psycopg 3.3 stops pushing a pipeline as soon as its queue of commands is empty, even
when libpq still holds part of a large statement unsent; `Pipeline.sync()` then only waits to
read, while the server waits for the rest of the statement, and both wait for ever. How much
gets through first depends on the socket's buffers, so it struck saves of a few thousand
events on a unix socket and of some ten thousand over TCP (docs/reliability.md, "Large saves
and bounded waits"). `EventRecorder` sends everything queued before it syncs, and splits a
large save into INSERTs of bounded size, still in the one transaction under the table lock.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import (
    InfrastructureFactory,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.utils import Environment, EnvType, retry
from psycopg.abc import PQGen
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq.abc import PGconn
from psycopg.waiting import Ready, Wait

from application.base import EVENT_STORE_NAME
from infrastructure.database_waits import (
    ANSWER_MARGIN_SECONDS,
    UNACKNOWLEDGED_SECONDS,
    DatabaseWaits,
)
from infrastructure.schema import apply_migrations

# Any fixed number shared by every process of the service: it serialises schema creation.
SCHEMA_LOCK_KEY = 0x0F_E2_51_67

UNSAFE_FLAGS = ("POSTGRES_ENABLE_DB_FUNCTIONS", "OVERSIGHT_POSTGRES_ENABLE_DB_FUNCTIONS")

# An INSERT carries at most about this many bytes of events (more only for a single larger
# event): a few thousand typical events, one short statement for the server.
STATEMENT_BYTES = 1 << 20
# A row travels as text: its state hex-encoded (two characters a byte), its topic, and the id,
# version and punctuation around them.
ROW_OVERHEAD_BYTES = 64


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


class EventRecorder(PostgresApplicationRecorder):
    """The library's application recorder, for saves of any size.

    Like the library's: one pipelined transaction that locks the table, notifies and inserts,
    so insert order stays commit order, with the same round trips for an ordinary save.
    Unlike it: all that is queued is on its way to the server before the pipeline waits for
    answers, and a large save is inserted by several statements of bounded size, each
    answered before the next is sent, so no wait spans more than one statement.
    """

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        failure: Exception | None = None
        notification_ids: list[int] = []
        with self.datastore.get_connection() as connection:
            with connection.pipeline() as pipeline, connection.transaction():
                with connection.cursor() as cursor:
                    self._lock_table(cursor)
                    self._notify_channel(cursor)
                try:
                    with connection.cursor() as insert:
                        for part in statement_parts(stored_events):
                            insert.execute(self.insert_events_statement, (self._rows(part),))
                            connection.wait(sending(connection.pgconn))
                            # A conflict is IntegrityError here rather than at the commit.
                            pipeline.sync()
                            notification_ids += [row["notification_id"] for row in insert]
                except Exception as error:
                    # Raised once the pipeline has ended, as the library does, so psycopg
                    # does not warn about a pipeline left with an error.
                    failure = error
            if failure is not None:
                raise failure
        return notification_ids

    def _rows(self, events: Sequence[StoredEvent]) -> list[Any]:
        return [
            self.construct_pg_stored_event(
                event.originator_id, event.originator_version, event.topic, event.state
            )
            for event in events
        ]


def statement_parts(
    events: Sequence[StoredEvent], limit: int = STATEMENT_BYTES
) -> Iterator[Sequence[StoredEvent]]:
    """The events in order, in runs whose rows add up to about `limit` bytes at most."""
    start = size = 0
    for index, event in enumerate(events):
        row = 2 * len(event.state) + len(event.topic) + ROW_OVERHEAD_BYTES
        if index > start and size + row > limit:
            yield events[start:index]
            start, size = index, 0
        size += row
    yield events[start:]


def sending(pgconn: PGconn) -> PQGen[None]:
    """Push everything libpq holds for the server onto the socket, reading what arrives
    meanwhile so the server never blocks writing answers while we block writing statements.
    Run it with `connection.wait`, which bounds it like any exchange with the server."""
    while pgconn.flush():
        if (yield Wait.RW) & Ready.R:
            pgconn.consume_input()


class EventStoreFactory(PostgresFactory):
    """The library's PostgreSQL persistence with `EventRecorder` and every wait bounded."""

    application_recorder_class = EventRecorder
    POSTGRES_STATEMENT_TIMEOUT = "POSTGRES_STATEMENT_TIMEOUT"
    unacknowledged_seconds: float = UNACKNOWLEDGED_SECONDS
    answer_margin_seconds: float = ANSWER_MARGIN_SECONDS

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        statement_timeout = self.env.get(self.POSTGRES_STATEMENT_TIMEOUT)
        waits = DatabaseWaits(
            connect_seconds=int(self.env.get(self.POSTGRES_CONNECT_TIMEOUT) or 30),
            statement_seconds=float(statement_timeout) if statement_timeout else None,
            # Reads too: a migration holding the table must not stall commands for ever.
            lock_seconds=self.datastore.lock_timeout or None,
            idle_in_transaction_seconds=None,  # the library sets its own (5 s)
            unacknowledged_seconds=self.unacknowledged_seconds,
            answer_margin_seconds=self.answer_margin_seconds,
        )
        # The library opens its pool on first use, so these reach every connection it makes.
        self.datastore.pool.connection_class = waits.connection_class
        self.datastore.pool.kwargs.update(
            waits.parameters(), application_name="oversight-event-store"
        )


def event_store_env(
    database_url: str,
    *,
    pool_size: int,
    max_overflow: int,
    connect_timeout: int,
    lock_timeout: int = 5,
    statement_timeout: float | None = None,
) -> dict[str, str]:
    """Translate a PostgreSQL URL into the eventsourcing library's settings."""
    params = conninfo_to_dict(database_url)
    env = {
        "PERSISTENCE_MODULE": f"{EventStoreFactory.__module__}:{EventStoreFactory.__qualname__}",
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
    if statement_timeout is not None:
        env[EventStoreFactory.POSTGRES_STATEMENT_TIMEOUT] = str(statement_timeout)
    return env


def initialise_schema(database_url: str) -> None:
    """Create the event store's tables, then apply migrations; safe when many processes race."""
    env = event_store_env(database_url, pool_size=1, max_overflow=0, connect_timeout=30)
    env["CREATE_TABLE"] = "y"
    waits = DatabaseWaits().parameters(database_url)
    with psycopg.connect(database_url, autocommit=True, **waits) as lock_connection:
        lock_connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        try:
            factory = InfrastructureFactory.construct(Environment(EVENT_STORE_NAME, env))
            factory.application_recorder()
            factory.close()
        finally:
            lock_connection.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))
    apply_migrations(database_url)  # the read side's tables, under a lock of their own
