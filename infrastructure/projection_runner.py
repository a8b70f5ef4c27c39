"""Runs projections over the notification log in batches, exactly once, in PostgreSQL.

A batch reads up to N notifications after the projection's tracking position, applies the
events it is interested in to the rows they concern, writes the changed rows and moves the
tracking position to the last notification read, all in one transaction: a crash rolls rows
and position back together, and a restart resumes where the last commit left off.

Rows are written as `storable_row` makes them: text an event holds that PostgreSQL's `text`
and `jsonb` cannot (NUL, and the other characters of `domain.text`) is written with U+FFFD
in its place, so an event recorded before such text was refused cannot stop the read side.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

import psycopg
import structlog
from eventsourcing.application import Application
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from application.base import OversightApplication
from application.projections import Projection, Row
from domain.calendar import WorkingCalendar
from domain.calendar_book import CALENDAR_BOOK_ID
from domain.personal_data import ERASURE_TOPICS
from domain.text import UNSTORABLE, storable
from infrastructure.history import KEPT_HISTORY, PERSONAL_COLUMNS, history_of
from infrastructure.notification_log import (
    DEFAULT_BATCH_SIZE,
    TopicFilter,
    TrackedRunner,
    advisory_lock_key,
    set_tracked_position,
    tracked_position,
)
from infrastructure.public_view_notices import ANNOUNCED_TABLES, announce_changed, announce_flush

log = structlog.get_logger("oversight.projections")

# High bits of every projection's advisory lock key; the low 32 bits name the projection.
PROJECTION_LOCK_NAMESPACE = 0x0F_E2_52
REBUILD_BATCH_SIZE = 5_000
REBUILD_SUFFIX = "_rebuild"

Progress = Callable[[int, int], None]


class ProjectionFailed(RuntimeError):
    """A projection produced a row its table cannot hold."""


def storable_value(value: Any) -> Any:
    """`value` with every string in it, mapping keys included, as the record can hold it.

    Events are never changed: their text is replaced only in the rows made from them.
    """
    # Exact types first: every value of every row written passes here (a rebuild's hot path).
    kind = type(value)
    if kind is str:
        return storable(value) if UNSTORABLE.search(value) else value
    if kind is dict:
        return {storable_value(key): storable_value(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [storable_value(item) for item in value]
    if isinstance(value, str):
        return storable(value)
    return value


def storable_row(row: Row) -> Row:
    """A read row as PostgreSQL's text, text[] and jsonb columns can hold it."""
    return {name: storable_value(value) for name, value in row.items()}


def erases_personal_data(event: Any) -> bool:
    """Whether the event erases its record's personal data (§10)."""
    return getattr(type(event), "TOPIC", None) in ERASURE_TOPICS


def projection_lock_key(tracking_name: str) -> int:
    """The advisory lock a batch of this projection holds for its transaction."""
    return advisory_lock_key(PROJECTION_LOCK_NAMESPACE, tracking_name)


def position(database_url: str, name: str) -> int:
    """Where the projection tracked as `name` has got to, read on a connection of its own."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        return tracked_position(connection, name)


class CalendarCache:
    """The application's working calendar, looked up in the event store at most once a second.

    The projection asks for the calendar at every event, and reading it means reading the
    published years from the database. With `version` (a cheap "has anything been
    published?" answer), the calendar and what it has worked out are kept until it changes.
    """

    def __init__(
        self,
        load: Callable[[], WorkingCalendar],
        *,
        version: Callable[[], object] | None = None,
        ttl: float = 1.0,
    ) -> None:
        self._load = load
        self._version = version
        self._ttl = ttl
        self._value: WorkingCalendar | None = None
        self._loaded_version: object = None
        self._checked_at = 0.0

    @classmethod
    def of(cls, application: OversightApplication) -> CalendarCache:
        """The application's calendar, read again when the CalendarBook gains an event."""
        return cls(lambda: application.calendar, version=lambda: calendar_version(application))

    def __call__(self) -> WorkingCalendar:
        now = time.monotonic()
        if self._value is None or now - self._checked_at >= self._ttl:
            version = self._version() if self._version is not None else None
            if self._value is None or version is None or version != self._loaded_version:
                self._value = cast(WorkingCalendar, _RememberingCalendar(self._load()))
                self._loaded_version = version
            self._checked_at = now
        return self._value

    def invalidate(self) -> None:
        """Read the calendar again on the next call (a year was just published)."""
        self._value = None


def calendar_version(application: Application[Any]) -> int:
    """The version of the book of published calendar years (0: nothing published)."""
    latest = application.recorder.select_events(CALENDAR_BOOK_ID, desc=True, limit=1)
    return latest[0].originator_version if latest else 0


class _RememberingCalendar:
    """A working calendar that remembers its office-time arithmetic.

    Every event of an open case asks again when its reminder falls, from the same start and
    due moments; day-by-day counting made that most of a rebuild's time.
    """

    MAX_REMEMBERED = 100_000

    def __init__(self, calendar: WorkingCalendar) -> None:
        self._calendar = calendar
        self._seconds_between: dict[tuple[datetime, datetime], int] = {}
        self._plus_seconds: dict[tuple[datetime, int], datetime] = {}

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        key = (start, end)
        found = self._seconds_between.get(key)
        if found is None:
            if len(self._seconds_between) >= self.MAX_REMEMBERED:
                self._seconds_between.clear()
            found = self._seconds_between[key] = self._calendar.working_seconds_between(start, end)
        return found

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        key = (start, seconds)
        found = self._plus_seconds.get(key)
        if found is None:
            if len(self._plus_seconds) >= self.MAX_REMEMBERED:
                self._plus_seconds.clear()
            found = self._plus_seconds[key] = self._calendar.add_working_seconds(start, seconds)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._calendar, name)


@dataclass(frozen=True)
class BatchResult:
    """What one batch did."""

    notifications: int
    events: int
    position: int


@dataclass(frozen=True)
class _Columns:
    names: tuple[str, ...]
    jsonb: frozenset[str]


class ProjectionRunner(TrackedRunner):
    """Keeps one projection's table current from the notification log, exactly once.

    Where the table keeps history (infrastructure/history.py), every change an event makes
    to a row is written as a version of it too, valid from that event's position.
    `table`, `history` and `tracking_name` default to the projection's own; a rebuild points
    them at fresh tables and a tracking row of its own.
    """

    lock_namespace = PROJECTION_LOCK_NAMESPACE

    def __init__(
        self,
        database_url: str,
        application: Application[Any],
        projection: Projection,
        *,
        table: str | None = None,
        history: str | None = None,
        tracking_name: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        super().__init__(
            database_url,
            application,
            tracking_name=tracking_name or projection.name,
            wanted=TopicFilter(prefix=projection.topic_prefix),
            batch_size=batch_size,
        )
        self.projection = projection
        self.table = table or projection.table
        # A table of its own (a rebuild's, a test's) keeps only the history it is given.
        self.history = history if table is not None else history_of(projection.table)
        self.personal = PERSONAL_COLUMNS.get(projection.table, ()) if self.history else ()
        self._columns: dict[str, _Columns] = {}

    def run_batch(self, *, stop: int | None = None) -> BatchResult:
        """Project the next batch (up to `stop`, if given) in one transaction."""
        with self.batch() as (connection, after):
            return self.project_batch(connection, after, stop=stop)

    def run_until_caught_up(
        self,
        *,
        stop: int | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> int:
        """Run batches until the log (or `stop`) is reached; answer notifications processed."""
        batches = self.batches_until_caught_up(lambda: self.run_batch(stop=stop), should_stop)
        return sum(batch.notifications for batch in batches)

    def project_batch(
        self, connection: psycopg.Connection[Any], after: int, *, stop: int | None = None
    ) -> BatchResult:
        """One batch after position `after`, inside the caller's transaction."""
        notifications = self.reader.read(connection, after=after, limit=self.batch_size, stop=stop)
        if not notifications:
            return BatchResult(0, 0, after)
        wants = self.wanted.wants
        events = [(n.id, self.reader.decode(n)) for n in notifications if wants(n.topic)]
        if events:
            # Keys as written: a key made of stored text finds the row written under it.
            key_of = self.projection.key_of
            keyed = [(storable_value(key_of(event)), at, event) for at, event in events]
            keys = list(dict.fromkeys(key for key, _, _ in keyed))
            rows: dict[Any, Row | None] = dict(self._lock_rows(connection, keys))
            versions = _Versions(rows) if self.history is not None else None
            for key, position, event in keyed:
                rows[key] = self.projection.project(rows.get(key), event, position)
                if versions is not None:
                    versions.seen(key, position, rows[key], erases=erases_personal_data(event))
            self._write(connection, rows)  # every key read was an event's, so all are touched
            if versions is not None and self.history is not None:
                self._write_versions(connection, self.history, versions)
                self._erase_from_versions(connection, self.history, versions, rows)
            if self.table in ANNOUNCED_TABLES:
                announce_changed(connection, keys)
        last = notifications[-1].id
        set_tracked_position(connection, self.tracking_name, last)
        return BatchResult(len(notifications), len(events), last)

    # Reading and writing ------------------------------------------------------

    def _lock_rows(self, connection: psycopg.Connection[Any], keys: list[Any]) -> dict[Any, Row]:
        query = sql.SQL("SELECT * FROM {table} WHERE {key} = ANY(%s) FOR UPDATE").format(
            table=sql.Identifier(self.table), key=sql.Identifier(self.projection.key)
        )
        with connection.cursor(row_factory=dict_row) as cursor:
            cursor.execute(query, (keys,))
            return {row[self.projection.key]: row for row in cursor.fetchall()}

    def _write(self, connection: psycopg.Connection[Any], rows: dict[Any, Row | None]) -> None:
        gone = [key for key, row in rows.items() if row is None]
        kept = [storable_row(row) for row in rows.values() if row is not None]
        if gone:
            connection.execute(
                sql.SQL("DELETE FROM {table} WHERE {key} = ANY(%s)").format(
                    table=sql.Identifier(self.table), key=sql.Identifier(self.projection.key)
                ),
                (gone,),
            )
        self._insert(connection, self.table, kept, self._upsert)

    def _write_versions(
        self, connection: psycopg.Connection[Any], history: str, versions: _Versions
    ) -> None:
        """Close the versions the batch's first changes end, and add the batch's own."""
        closing_at = versions.first_change_positions()
        if closing_at:
            with connection.cursor() as cursor:
                cursor.executemany(
                    sql.SQL(
                        "UPDATE {history} SET valid_to = %s WHERE {key} = %s AND valid_to IS NULL"
                    ).format(
                        history=sql.Identifier(history), key=sql.Identifier(self.projection.key)
                    ),
                    [(at, key) for key, at in closing_at.items()],
                )
        added = versions.rows()
        self._insert(
            connection,
            history,
            added,
            lambda shape: sql.SQL("INSERT INTO {table} ({columns}) VALUES ({values})").format(
                table=sql.Identifier(history),
                columns=sql.SQL(", ").join(map(sql.Identifier, shape)),
                values=sql.SQL(", ").join(sql.Placeholder() * len(shape)),
            ),
        )

    def _erase_from_versions(
        self,
        connection: psycopg.Connection[Any],
        history: str,
        versions: _Versions,
        rows: dict[Any, Row | None],
    ) -> None:
        """Give the versions before each erasure the erased row's personal columns."""
        erased = [
            [*(storable_value(row[name]) for name in self.personal), key, position]
            for key, position in versions.erasures().items()
            if self.personal and (row := rows[key]) is not None
        ]
        if not erased:
            return
        statement = sql.SQL("UPDATE {history} SET {columns} WHERE {key} = %s AND valid_from < %s")
        with connection.cursor() as cursor:
            cursor.executemany(
                statement.format(
                    history=sql.Identifier(history),
                    columns=sql.SQL(", ").join(
                        sql.SQL("{} = %s").format(sql.Identifier(name)) for name in self.personal
                    ),
                    key=sql.Identifier(self.projection.key),
                ),
                erased,
            )

    def _insert(
        self,
        connection: psycopg.Connection[Any],
        table: str,
        rows: list[Row],
        statement: Callable[[tuple[str, ...]], sql.Composed],
    ) -> None:
        """Write `rows` (storable already) into `table`, one statement per set of columns."""
        columns = self._table_columns(connection, table)
        by_shape: dict[tuple[str, ...], list[Row]] = {}
        for row in rows:
            unknown = row.keys() - set(columns.names)
            if unknown:
                raise ProjectionFailed(
                    f"projection {self.projection.name} wrote columns {sorted(unknown)} "
                    f"that table {table} does not have"
                )
            shape = tuple(name for name in columns.names if name in row)
            by_shape.setdefault(shape, []).append(row)
        with connection.cursor() as cursor:
            for shape, shaped in by_shape.items():
                cursor.executemany(
                    statement(shape),
                    [
                        [Jsonb(row[name]) if name in columns.jsonb else row[name] for name in shape]
                        for row in shaped
                    ],
                )

    def _upsert(self, shape: tuple[str, ...]) -> sql.Composed:
        key = self.projection.key
        updates = [name for name in shape if name != key]
        conflict = (
            sql.SQL("DO UPDATE SET {}").format(
                sql.SQL(", ").join(
                    sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(name)) for name in updates
                )
            )
            if updates
            else sql.SQL("DO NOTHING")
        )
        return sql.SQL(
            "INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({key}) {conflict}"
        ).format(
            table=sql.Identifier(self.table),
            columns=sql.SQL(", ").join(map(sql.Identifier, shape)),
            values=sql.SQL(", ").join(sql.Placeholder() * len(shape)),
            key=sql.Identifier(key),
            conflict=conflict,
        )

    def _table_columns(self, connection: psycopg.Connection[Any], table: str) -> _Columns:
        if table not in self._columns:
            rows = connection.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped "
                "ORDER BY attnum",
                (table,),
            ).fetchall()
            if not rows:
                raise ProjectionFailed(f"table {table} does not exist; run the migrations")
            self._columns[table] = _Columns(
                names=tuple(name for name, _ in rows),
                jsonb=frozenset(name for name, kind in rows if kind in {"jsonb", "json"}),
            )
        return self._columns[table]


class _Versions:
    """The versions a batch makes of its rows: one per event that changed a row."""

    def __init__(self, standing: dict[Any, Row]) -> None:
        # As stored: a projection may change the row it is given in place.
        self._last: dict[Any, Row | None] = {
            key: storable_row(row) for key, row in standing.items()
        }
        self._made: list[tuple[Any, int, Row | None]] = []
        self._erasures: dict[Any, int] = {}

    def seen(self, key: Any, position: int, row: Row | None, *, erases: bool = False) -> None:
        """The row `key` became at `position` (None: it went away), by an event that erased
        its record's personal data or not."""
        version = storable_row(row) if row is not None else None
        if version != self._last.get(key):
            self._made.append((key, position, version))
            self._last[key] = version
        if erases:
            self._erasures.setdefault(key, position)

    def erasures(self) -> dict[Any, int]:
        """Per key, where the batch erased its record's personal data: the versions before
        it must lose it too."""
        return self._erasures

    def first_change_positions(self) -> dict[Any, int]:
        """Per key, where the batch first changed it: where its standing version ends."""
        first: dict[Any, int] = {}
        for key, position, _ in self._made:
            first.setdefault(key, position)
        return first

    def rows(self) -> list[Row]:
        """Each version made, valid from its event to the next change of its row."""
        rows: list[Row] = []
        next_change: dict[Any, int] = {}
        for key, position, version in reversed(self._made):
            if version is not None:
                rows.append({**version, "valid_from": position, "valid_to": next_change.get(key)})
            next_change[key] = position
        rows.reverse()
        return rows


# Rebuild ----------------------------------------------------------------------------


class Replayer(Protocol):
    """A runner a rebuild drives: it writes into fresh tables under a tracking row of its own,
    one batch per call, on one connection (a batch inside an open transaction nests in it)."""

    tracking_name: str
    batch_size: int
    events_table: str

    def connection(self) -> psycopg.Connection[Any]: ...

    def run_batch(self, *, stop: int | None = None) -> BatchResult: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class RebuildTarget:
    """A read model a rebuild replays: the name its live runner tracks and locks under, the
    tables that runner writes, and how to make a runner writing into fresh copies of them.

    `replayer(tables, tracking_name, batch_size)` gets each live table's fresh name.
    """

    name: str
    tables: tuple[str, ...]
    replayer: Callable[[dict[str, str], str, int], Replayer]


def projection_target(
    database_url: str, application: Application[Any], projection: Projection
) -> RebuildTarget:
    """A row-per-record projection, as a rebuild replays it."""
    history = history_of(projection.table)
    return RebuildTarget(
        name=projection.name,
        tables=(projection.table,) if history is None else (projection.table, history),
        replayer=lambda tables, tracking_name, batch_size: ProjectionRunner(
            database_url,
            application,
            projection,
            table=tables[projection.table],
            history=tables.get(history) if history is not None else None,
            tracking_name=tracking_name,
            batch_size=batch_size,
        ),
    )


@dataclass(frozen=True)
class RebuildReport:
    """What a rebuild replayed, and how fast."""

    projections: tuple[str, ...]
    notifications: int
    events: int
    position: int
    seconds: float

    @property
    def notifications_per_second(self) -> float:
        return self.notifications / self.seconds if self.seconds > 0 else 0.0


# Serialises rebuilds of the same projection across processes (a session-level lock).
REBUILD_LOCK_NAMESPACE = 0x0F_E2_53


class RebuildInProgress(RuntimeError):
    """Another process is rebuilding the same projection."""


def rebuild(
    database_url: str,
    targets: Sequence[RebuildTarget],
    *,
    batch_size: int = REBUILD_BATCH_SIZE,
    progress: Progress | None = None,
) -> RebuildReport:
    """Replay the whole log into fresh tables, then swap each in for the live one.

    The live runner keeps serving while a read model is rebuilt into `<table>_rebuild`; the
    swap happens in one transaction holding the live runner's advisory lock, so the live
    runner waits for it and then resumes at the rebuilt position.
    """
    started = time.perf_counter()
    notifications = events = position = 0
    for target in targets:
        report = _rebuild_one(database_url, target, batch_size, progress)
        notifications += report.notifications
        events += report.events
        position = report.position
    return RebuildReport(
        projections=tuple(target.name for target in targets),
        notifications=notifications,
        events=events,
        position=position,
        seconds=time.perf_counter() - started,
    )


def _rebuild_one(
    database_url: str,
    target: RebuildTarget,
    batch_size: int,
    progress: Progress | None,
) -> RebuildReport:
    started = time.perf_counter()
    fresh = {live: f"{live}{REBUILD_SUFFIX}" for live in target.tables}
    runner = target.replayer(fresh, f"{target.name}{REBUILD_SUFFIX}", batch_size)
    with closing(runner), psycopg.connect(database_url, autocommit=True) as guard:
        lock = advisory_lock_key(REBUILD_LOCK_NAMESPACE, target.name)
        locked = guard.execute("SELECT pg_try_advisory_lock(%s)", (lock,)).fetchone()
        if not locked or not locked[0]:
            raise RebuildInProgress(f"projection {target.name} is being rebuilt elsewhere")
        connection = runner.connection()
        with connection.transaction():
            for live, new in fresh.items():
                connection.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(new)))
                connection.execute(
                    sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                        sql.Identifier(new), sql.Identifier(live)
                    )
                )
            connection.execute(
                "DELETE FROM projection_tracking WHERE name = %s", (runner.tracking_name,)
            )
        head = _head(connection, runner.events_table)
        log.info("rebuild_started", projection=target.name, head=head)
        if progress is not None:
            progress(0, head)
        counts = _Counts()
        while True:
            result = runner.run_batch(stop=head)
            counts.add(result)
            if progress is not None and result.notifications:
                progress(result.position, head)
            if result.notifications < batch_size:
                break
        position = _swap(connection, runner, target, fresh, counts)
        # Replaying rewrote each row once per event: clear the dead versions now rather than
        # leave every board to read past them until autovacuum comes by.
        for live in target.tables:
            connection.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(live)))
        if progress is not None:
            progress(position, max(head, position))
    seconds = time.perf_counter() - started
    log.info(
        "rebuild_finished",
        projection=target.name,
        notifications=counts.notifications,
        events=counts.events,
        position=position,
        seconds=round(seconds, 3),
    )
    return RebuildReport((target.name,), counts.notifications, counts.events, position, seconds)


@dataclass
class _Counts:
    notifications: int = 0
    events: int = 0

    def add(self, result: BatchResult) -> None:
        self.notifications += result.notifications
        self.events += result.events


def _head(connection: psycopg.Connection[Any], events_table: str) -> int:
    row = connection.execute(
        sql.SQL("SELECT max(notification_id) FROM {}").format(sql.Identifier(events_table))
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _swap(
    connection: psycopg.Connection[Any],
    runner: Replayer,
    target: RebuildTarget,
    fresh: dict[str, str],
    counts: _Counts,
) -> int:
    """Catch up the last events and put the rebuilt tables in place, in one transaction."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (projection_lock_key(target.name),))
        while True:  # each batch nests in this transaction, on the same connection
            result = runner.run_batch()
            counts.add(result)
            if result.notifications < runner.batch_size:
                break
        position = tracked_position(connection, runner.tracking_name)
        kept = [live for live in fresh if live in KEPT_HISTORY]
        for live in kept:  # the view of a history table stands in the way of its swap
            connection.execute(sql.SQL("DROP VIEW IF EXISTS as_of.{}").format(sql.Identifier(live)))
        for live, new in fresh.items():
            _replace_table(connection, live, new)
            if live in ANNOUNCED_TABLES:
                announce_flush(connection)
        for live in kept:
            connection.execute("SELECT keep_history(%s, %s)", (live, KEPT_HISTORY[live]))
        set_tracked_position(connection, target.name, position)
        connection.execute(
            "DELETE FROM projection_tracking WHERE name = %s", (runner.tracking_name,)
        )
    return position


def _replace_table(connection: psycopg.Connection[Any], live: str, fresh: str) -> None:
    """Drop `live` and rename `fresh` in its place, keeping its index names, storage
    parameters and grants (inside the caller's transaction)."""
    indexes = _index_names_by_definition(connection, live)
    grants = _grants(connection, live)
    parameters = _storage_parameters(connection, live)
    connection.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(live)))
    connection.execute(
        sql.SQL("ALTER TABLE {} RENAME TO {}").format(sql.Identifier(fresh), sql.Identifier(live))
    )
    _restore_index_names(connection, live, indexes)
    if parameters:
        connection.execute(
            sql.SQL("ALTER TABLE {} SET ({})").format(
                sql.Identifier(live), sql.SQL(", ").join(map(sql.SQL, parameters))
            )
        )
    for grantee, privilege in grants:
        connection.execute(
            sql.SQL("GRANT {} ON {} TO {}").format(
                sql.SQL(privilege),
                sql.Identifier(live),
                sql.SQL("PUBLIC") if grantee == "PUBLIC" else sql.Identifier(grantee),
            )
        )


_PRIVILEGES = frozenset(
    {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"}
)


def _grants(connection: psycopg.Connection[Any], table: str) -> list[tuple[str, str]]:
    # The swapped-in table is new: privileges given on the old one (say, to a read-only role
    # of the replica) are given again.
    rows = connection.execute(
        "SELECT grantee, privilege_type FROM information_schema.table_privileges "
        "WHERE table_schema = current_schema() AND table_name = %s AND grantee <> current_user",
        (table,),
    ).fetchall()
    return [(grantee, privilege) for grantee, privilege in rows if privilege in _PRIVILEGES]


def _storage_parameters(connection: psycopg.Connection[Any], table: str) -> list[str]:
    # `LIKE … INCLUDING ALL` copies columns and indexes but not storage parameters, such as
    # the task tables' autovacuum settings; they are set again on the swapped-in table.
    row = connection.execute(
        "SELECT reloptions FROM pg_class WHERE oid = to_regclass(%s)", (table,)
    ).fetchone()
    return list(row[0]) if row and row[0] else []


def _index_names_by_definition(connection: psycopg.Connection[Any], table: str) -> dict[str, str]:
    rows = connection.execute(
        "SELECT indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = current_schema() AND tablename = %s",
        (table,),
    ).fetchall()
    return {_definition_shape(definition): name for name, definition in rows}


def _definition_shape(definition: str) -> str:
    # "CREATE [UNIQUE] INDEX name ON schema.table USING ..." without its name and table.
    head, _, rest = definition.partition(" ON ")
    unique = head.startswith("CREATE UNIQUE")
    using = rest.partition(" ")[2]
    return f"{'unique ' if unique else ''}{using}"


def _restore_index_names(
    connection: psycopg.Connection[Any], table: str, old_names: dict[str, str]
) -> None:
    """Give the rebuilt table's indexes the names the migrations gave the old ones."""
    for shape, name in _index_names_by_definition(connection, table).items():
        wanted = old_names.get(shape)
        if wanted is not None and wanted != name:
            connection.execute(
                sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                    sql.Identifier(name), sql.Identifier(wanted)
                )
            )
