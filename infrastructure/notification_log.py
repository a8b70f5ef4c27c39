"""What every runner over the notification log shares: its connection, its tracked position,
one batch per transaction under an advisory lock, and reading and decoding the notifications
after a position (through a reader of its own, or the worker's, shared by its runners).

Projections, policies and the audit feed each keep a row in `projection_tracking`. A batch
takes the runner's advisory lock for its transaction, reads the position, handles the
notifications after it and moves the position, so two runners never handle the same
notification at once and a crash leaves the position at a batch boundary.
"""

from __future__ import annotations

import bisect
import zlib
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Self, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, Notification
from psycopg import sql

from application.base import EVENT_STORE_NAME
from infrastructure.database_waits import DatabaseWaits

DEFAULT_BATCH_SIZE = 500
# The library names the table `<application name>_events` and NOTIFYs a channel of that name.
DEFAULT_EVENTS_TABLE = f"{EVENT_STORE_NAME.lower()}_events"


def events_table_of(application: Application[Any]) -> str:
    """The name of the application's events table (also its NOTIFY channel)."""
    return str(getattr(application.recorder, "events_table_name", DEFAULT_EVENTS_TABLE))


def advisory_lock_key(namespace: int, name: str) -> int:
    """The advisory lock key of what is called `name` among its kind: the kind's namespace
    in the high bits, the name's CRC-32 in the low 32."""
    return (namespace << 32) | zlib.crc32(name.encode())


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


@dataclass(frozen=True)
class TopicFilter:
    """The events of the log a runner handles: those whose topic starts with `prefix`, or is
    one of `topics`; given neither, every event."""

    prefix: str | None = None
    topics: frozenset[str] | None = None

    def wants(self, topic: str) -> bool:
        """Whether the runner handles events of this topic."""
        if self.prefix:
            return topic.startswith(self.prefix)
        return self.topics is None or topic in self.topics


EVERY_EVENT = TopicFilter()


def read_notifications(
    connection: psycopg.Connection[Any],
    events_table: str,
    *,
    after: int,
    limit: int,
    wanted: Collection[TopicFilter] = (EVERY_EVENT,),
    stop: int | None = None,
) -> list[Notification]:
    """The next `limit` notifications after `after` (up to `stop`), in order.

    Only the events some filter of `wanted` names are fetched whole; the others come with an
    empty state and count for the position alone.
    """
    prefixes = [f.prefix for f in wanted if f.prefix]
    topics = sorted({topic for f in wanted if not f.prefix for topic in f.topics or ()})
    if any(not f.prefix and f.topics is None for f in wanted):
        state = sql.SQL("state")
        params: list[Any] = []
    else:
        names = [sql.SQL("topic = ANY(%s)")] if topics else []
        names += [sql.SQL("starts_with(topic, %s)")] * len(prefixes)
        state = sql.SQL("CASE WHEN {} THEN state END").format(
            sql.SQL(" OR ").join(names) if names else sql.SQL("false")
        )
        params = ([topics] if topics else []) + prefixes
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


class LogReader:
    """Reads the notification log for runners and decodes its events.

    A runner's own reader (`window` 0) reads each batch from the database and decodes each
    event it is asked to. The worker's shared reader keeps the last `window` notifications
    it read, and each event it decoded, until `forget()` at the end of a turn: every runner
    reading a stretch of the log another has read that turn gets the same notifications and
    events, without reading or decoding them again. That is sound because the log only
    grows, in the order of commits (the event store's table lock): what one runner's
    transaction saw up to a position, every later transaction sees the same.
    """

    def __init__(self, events_table: str, mapper: Mapper[UUID], *, window: int = 0) -> None:
        self.events_table = events_table
        self.mapper = mapper
        self.window = window
        # Events no filter names are read without their state, and never decoded.
        self.wanted: tuple[TopicFilter, ...] = ()
        self._after = 0  # the kept notifications are every one in (_after, their last id]
        self._kept: list[Notification] = []
        self._ids: list[int] = []
        self._events: dict[int, DomainEventProtocol[UUID]] = {}

    def read(
        self,
        connection: psycopg.Connection[Any],
        *,
        after: int,
        limit: int,
        stop: int | None = None,
    ) -> list[Notification]:
        """The next `limit` notifications after `after` (up to `stop`), in order."""
        if not self.window:
            return self._fetch(connection, after, limit, stop)
        through = self._ids[-1] if self._ids else self._after
        if not self._after <= after <= through:
            self._forget_up_to(None, after)
            through = after
        start = bisect.bisect_right(self._ids, after)
        kept = self._kept[start : start + limit]
        if stop is not None:
            kept = [n for n in kept if n.id <= stop]
        if len(kept) == limit or (stop is not None and through >= stop):
            return kept
        more = self._fetch(connection, through, limit - len(kept), stop)
        self._keep(more)
        return kept + more

    def want(self, wanted: TopicFilter) -> None:
        """Fetch whole the events `wanted` names too (what was kept without them is dropped)."""
        if wanted not in self.wanted:
            self.wanted += (wanted,)
            self.forget()

    def decode(self, notification: Notification) -> DomainEventProtocol[UUID]:
        """The event of a notification read here (raises what the mapper raises)."""
        event = self._events.get(notification.id)
        if event is None:
            # A failure is not kept: each runner meets it, and handles it, as its own.
            event = self.mapper.to_domain_event(notification)
            if self.window:
                self._events[notification.id] = event
        return event

    def forget(self) -> None:
        """Drop what was kept (at the end of a turn: the next reads what is stored then)."""
        self._forget_up_to(None, 0)

    def _fetch(
        self, connection: psycopg.Connection[Any], after: int, limit: int, stop: int | None
    ) -> list[Notification]:
        return read_notifications(
            connection, self.events_table, after=after, limit=limit, wanted=self.wanted, stop=stop
        )

    def _keep(self, notifications: list[Notification]) -> None:
        self._kept += notifications
        self._ids += [n.id for n in notifications]
        overflow = len(self._kept) - self.window
        if overflow > 0:
            self._forget_up_to(overflow, self._ids[overflow - 1])

    def _forget_up_to(self, count: int | None, after: int) -> None:
        """Drop the first `count` kept notifications (None: all); keep on from after `after`."""
        dropped = self._kept if count is None else self._kept[:count]
        for notification in dropped:
            self._events.pop(notification.id, None)
        self._kept = [] if count is None else self._kept[count:]
        self._ids = [] if count is None else self._ids[count:]
        self._after = after


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


class ReadNotifications(Protocol):
    """What a runner's batch says at least: how many notifications it read."""

    @property
    def notifications(self) -> int: ...


Batch = TypeVar("Batch", bound=ReadNotifications)


class TrackedRunner:
    """A runner over the notification log with a tracked position and an advisory lock.

    Its lock's key is made from its kind (`lock_namespace`, set by each sort of runner) and
    its tracking name, as the runners of one kind each hold a lock of their own.
    """

    lock_namespace: ClassVar[int]

    def __init__(
        self,
        database_url: str,
        application: Application[Any],
        *,
        tracking_name: str,
        wanted: TopicFilter = EVERY_EVENT,
        batch_size: int = DEFAULT_BATCH_SIZE,
        connection: LazyConnection | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("a batch holds at least one notification")
        self.database_url = database_url
        self.tracking_name = tracking_name
        self.lock_key = advisory_lock_key(self.lock_namespace, tracking_name)
        self.wanted = wanted
        self.batch_size = batch_size
        self.mapper = application.mapper
        self.events_table = events_table_of(application)
        self.reader = LogReader(self.events_table, self.mapper)
        self.reader.want(wanted)
        self._connection = connection or LazyConnection(database_url)

    @property
    def name(self) -> str:
        """What the worker's logs and runner_health call this runner."""
        return self.tracking_name

    def connection(self) -> psycopg.Connection[Any]:
        """The runner's connection (autocommit; each batch opens its own transaction)."""
        return self._connection()

    def read_from(self, reader: LogReader) -> None:
        """Read and decode the log through `reader` (the worker's, shared by its runners)."""
        reader.want(self.wanted)
        self.reader = reader

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

    def batches_until_caught_up(
        self, run_batch: Callable[[], Batch], should_stop: Callable[[], bool] | None
    ) -> Iterator[Batch]:
        """Run `run_batch` until a batch comes back short of `batch_size` (the log's end) or,
        after a batch, `should_stop` says so; yield each batch."""
        while True:
            batch = run_batch()
            yield batch
            if batch.notifications < self.batch_size or (should_stop is not None and should_stop()):
                return

    @contextmanager
    def batch(self) -> Iterator[tuple[psycopg.Connection[Any], int]]:
        """A transaction holding the runner's lock, with the position it starts after."""
        connection = self.connection()
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (self.lock_key,))
            yield connection, tracked_position(connection, self.tracking_name)
