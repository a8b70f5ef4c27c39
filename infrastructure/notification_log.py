"""What every runner over the notification log shares: its connection, its tracked position,
one batch per transaction under an advisory lock, and reading the notifications after a
position.

Projections, policies and the audit feed each keep a row in `projection_tracking`. A batch
takes the runner's advisory lock for its transaction, reads the position, handles the
notifications after it and moves the position, so two runners never handle the same
notification at once and a crash leaves the position at a batch boundary.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any, Self

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from psycopg import sql

from application.base import EVENT_STORE_NAME
from infrastructure.database_waits import DatabaseWaits

DEFAULT_BATCH_SIZE = 500
# The library names the table `<application name>_events` and NOTIFYs a channel of that name.
DEFAULT_EVENTS_TABLE = f"{EVENT_STORE_NAME.lower()}_events"


def events_table_of(application: Application[Any]) -> str:
    """The name of the application's events table (also its NOTIFY channel)."""
    return str(getattr(application.recorder, "events_table_name", DEFAULT_EVENTS_TABLE))


def tracked_position(connection: psycopg.Connection[Any], name: str) -> int:
    """Where the runner tracked as `name` has got to in the notification log (0: nowhere)."""
    row = connection.execute(
        "SELECT position FROM projection_tracking WHERE name = %s", (name,)
    ).fetchone()
    return int(row[0]) if row else 0


def set_tracked_position(connection: psycopg.Connection[Any], name: str, position: int) -> None:
    """Record that the runner tracked as `name` has handled everything up to `position`."""
    connection.execute(
        "INSERT INTO projection_tracking (name, position) VALUES (%s, %s) "
        "ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position",
        (name, position),
    )


def read_notifications(
    connection: psycopg.Connection[Any],
    events_table: str,
    *,
    after: int,
    limit: int,
    topic_prefix: str | None = None,
    topics: Collection[str] | None = None,
    stop: int | None = None,
) -> list[Notification]:
    """The next `limit` notifications after `after` (up to `stop`), in order.

    Given a topic prefix, or a set of topics, only the events it names are fetched whole; the
    others come with an empty state and count for the position alone.
    """
    if topic_prefix:
        state = sql.SQL("CASE WHEN starts_with(topic, %s) THEN state END")
        params: list[Any] = [topic_prefix]
    elif topics is not None:
        state = sql.SQL("CASE WHEN topic = ANY(%s) THEN state END")
        params = [list(topics)]
    else:
        state = sql.SQL("state")
        params = []
    query = sql.SQL(
        "SELECT notification_id, originator_id, originator_version, topic, {state} "
        "FROM {events} WHERE notification_id > %s {upto} ORDER BY notification_id LIMIT %s"
    ).format(
        state=state,
        events=sql.Identifier(events_table),
        upto=sql.SQL("AND notification_id <= %s" if stop is not None else ""),
    )
    params.append(after)
    if stop is not None:
        params.append(stop)
    params.append(limit)
    return [
        Notification(
            id=notification_id,
            originator_id=originator_id,
            originator_version=originator_version,
            topic=topic,
            state=bytes(state) if state is not None else b"",
        )
        for notification_id, originator_id, originator_version, topic, state in (
            connection.execute(query, params).fetchall()
        )
    ]


class LazyConnection:
    """One autocommit connection, opened on first use and again after it broke.

    Worker tasks that run one after another on the worker's thread (the audit feed, the
    ledger) share one, so the worker needs a single extra connection for both. Its waits are
    bounded by `waits`; the default sets no statement timeout, because a rebuild runs long
    statements on a runner's connection.
    """

    def __init__(self, database_url: str, *, waits: DatabaseWaits | None = None) -> None:
        self.database_url = database_url
        self._waits = waits or DatabaseWaits()
        self._connection: psycopg.Connection[Any] | None = None

    def __call__(self) -> psycopg.Connection[Any]:
        if self._connection is None or self._connection.closed or self._connection.broken:
            if self._connection is not None:
                self._connection.close()
            self._connection = self._waits.connection_class.connect(
                self.database_url, autocommit=True, **self._waits.parameters(self.database_url)
            )
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class TrackedRunner:
    """A runner over the notification log with a tracked position and an advisory lock."""

    def __init__(
        self,
        database_url: str,
        application: Application[Any],
        *,
        tracking_name: str,
        lock_key: int,
        batch_size: int = DEFAULT_BATCH_SIZE,
        connection: LazyConnection | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("a batch holds at least one notification")
        self.database_url = database_url
        self.tracking_name = tracking_name
        self.lock_key = lock_key
        self.batch_size = batch_size
        self.mapper = application.mapper
        self.events_table = events_table_of(application)
        self._connection = connection or LazyConnection(database_url)

    @property
    def name(self) -> str:
        """What the worker's logs and runner_health call this runner."""
        return self.tracking_name

    def connection(self) -> psycopg.Connection[Any]:
        """The runner's connection (autocommit; each batch opens its own transaction)."""
        return self._connection()

    def close(self) -> None:
        """Close the runner's connection."""
        self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def position(self) -> int:
        """The last notification this runner has accounted for."""
        return tracked_position(self.connection(), self.tracking_name)

    @contextmanager
    def batch(self) -> Iterator[tuple[psycopg.Connection[Any], int]]:
        """A transaction holding the runner's lock, with the position it starts after."""
        connection = self.connection()
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (self.lock_key,))
            yield connection, tracked_position(connection, self.tracking_name)
