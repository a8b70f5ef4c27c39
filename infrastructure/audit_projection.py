"""Keeps the audit_events table current: one row per event, in batches, exactly once.

Unlike the row-per-record projections, the feed appends: each batch reads the next events
after its tracking position, decodes each (an event that cannot be decoded any more — its
personal-data key erased — still gets a row saying where and what), writes the rows, the
subject index a person's history is read from, and the tracking position in one
transaction under the projection's advisory lock. Rows are written as the projections'
rows are (`storable_row`): text PostgreSQL cannot hold shows U+FFFD in its place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

import psycopg
import structlog
from eventsourcing.application import Application
from eventsourcing.persistence import Notification, StoredEvent
from psycopg import sql
from psycopg.types.json import Jsonb

from application.projections import Row
from application.projections.audit_events import (
    PROJECTION_NAME,
    Subjects,
    audit_row,
    inherited_subjects,
    no_subjects,
    personal_strings,
    subject_links,
    unreadable_row,
)
from infrastructure.notification_log import (
    DEFAULT_BATCH_SIZE,
    LazyConnection,
    TrackedRunner,
    set_tracked_position,
)
from infrastructure.projection_runner import (
    PROJECTION_LOCK_NAMESPACE,
    BatchResult,
    RebuildTarget,
    storable_row,
    storable_value,
)

log = structlog.get_logger("oversight.projections")

# The feed's tables: the events, the subject index, and what each record was created about.
AUDIT_TABLES = ("audit_events", "audit_subjects", "audit_record_subjects")
_COLUMNS = (
    "position",
    "record_id",
    "record_type",
    "version",
    "event_type",
    "at",
    "actor_principal",
    "actor_role",
    "actor_department",
    "request_id",
    "reason",
    "staff_ids",
    "window_ids",
    "department_ids",
    "changes",
    "readable",
    "actor_name",
    "recorded_at",
)
_INSERT_ROW = sql.SQL(
    "INSERT INTO {events} ({columns}) VALUES ({values}) ON CONFLICT (position) DO NOTHING"
)
_INSERT_SUBJECT = sql.SQL(
    "INSERT INTO {subjects} (kind, subject_id, position) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
)
_INSERT_RECORD_SUBJECT = sql.SQL(
    "INSERT INTO {record_subjects} (record_id, kind, subject_id) VALUES (%s, %s, %s) "
    "ON CONFLICT DO NOTHING"
)
_LATEST_RECORDED = sql.SQL("SELECT max(recorded_at) FROM {events}")
_SELECT_RECORD_SUBJECTS = sql.SQL(
    "SELECT record_id, kind, subject_id FROM {record_subjects} WHERE record_id = ANY(%s)"
)


class AuditEventsRunner(TrackedRunner):
    """Appends every event of the notification log to audit_events (a worker task).

    `tables` (each of AUDIT_TABLES to the table written instead) and `tracking_name` default
    to the feed's own; a rebuild points them at fresh tables and a tracking row of its own.
    """

    name = PROJECTION_NAME
    lock_namespace = PROJECTION_LOCK_NAMESPACE

    def __init__(
        self,
        database_url: str,
        application: Application[Any],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        connection: LazyConnection | None = None,
        tables: Mapping[str, str] | None = None,
        tracking_name: str | None = None,
    ) -> None:
        super().__init__(
            database_url,
            application,
            tracking_name=tracking_name or self.name,
            batch_size=batch_size,
            connection=connection,
        )
        names = {table: sql.Identifier((tables or {}).get(table, table)) for table in AUDIT_TABLES}
        events, subjects, record_subjects = (names[table] for table in AUDIT_TABLES)
        self._insert_row = _INSERT_ROW.format(
            events=events,
            columns=sql.SQL(", ").join(map(sql.Identifier, _COLUMNS)),
            values=sql.SQL(", ").join(sql.Placeholder() * len(_COLUMNS)),
        )
        self._latest_recorded = _LATEST_RECORDED.format(events=events)
        self._insert_subject = _INSERT_SUBJECT.format(subjects=subjects)
        self._insert_record_subject = _INSERT_RECORD_SUBJECT.format(record_subjects=record_subjects)
        self._select_record_subjects = _SELECT_RECORD_SUBJECTS.format(
            record_subjects=record_subjects
        )

    def run_until_caught_up(self, *, should_stop: Callable[[], bool] | None = None) -> int:
        """Run batches until the log's end; answer how many events were projected."""
        batches = self.batches_until_caught_up(self.run_batch, should_stop)
        return sum(batch.notifications for batch in batches)

    def run_batch(self, *, stop: int | None = None) -> BatchResult:
        """Append the next batch (up to `stop`, if given) in one transaction."""
        with self.batch() as (connection, after):
            notifications = self.reader.read(
                connection, after=after, limit=self.batch_size, stop=stop
            )
            if not notifications:
                return BatchResult(0, 0, after)
            rows = [storable_row(row) for row in self._rows(connection, notifications)]
            self._stamp_record_time(connection, rows)
            with connection.cursor() as cursor:
                cursor.executemany(
                    self._insert_row,
                    [
                        [Jsonb(row[c]) if c == "changes" else row[c] for c in _COLUMNS]
                        for row in rows
                    ],
                )
                links = [link for row in rows for link in subject_links(row)]
                if links:
                    cursor.executemany(self._insert_subject, links)
            last = notifications[-1].id
            set_tracked_position(connection, self.tracking_name, last)
        return BatchResult(len(notifications), len(notifications), last)

    def _stamp_record_time(self, connection: psycopg.Connection[Any], rows: list[Row]) -> None:
        """Give each row the latest event time up to its position (§14's record time): the
        running maximum never goes back, so an instant's prefix of the log is found by it."""
        latest = connection.execute(self._latest_recorded).fetchone()
        recorded = latest[0] if latest else None
        for row in rows:
            at = row["at"]
            if at is not None and (recorded is None or at > recorded):
                recorded = at
            row["recorded_at"] = recorded

    def _rows(
        self, connection: psycopg.Connection[Any], notifications: list[Notification]
    ) -> list[Row]:
        decoded: list[tuple[Notification, Any]] = []
        for notification in notifications:
            try:
                event = self.reader.decode(notification)
            except Exception as error:  # an erased key or an unknown topic: a row without it
                log.warning(
                    "audit_event_unreadable",
                    position=notification.id,
                    error=type(error).__name__,
                )
                event = None
            decoded.append((notification, event))

        record_ids = list(dict.fromkeys(n.originator_id for n, _ in decoded))
        subjects = self._record_subjects(connection, record_ids)
        personal: dict[UUID, set[str]] = {}
        created_here: set[UUID] = set()
        new_links: list[tuple[UUID, str, str]] = []
        for notification, event in decoded:
            if notification.originator_version == 1 and event is not None:
                record_id = notification.originator_id
                created_here.add(record_id)
                personal[record_id] = personal_strings(event)
                inherited = inherited_subjects(event)
                subjects[record_id] = inherited
                new_links += [
                    (record_id, kind, storable_value(subject))
                    for kind, ids in inherited.items()
                    for subject in ids
                ]
        earlier = [record_id for record_id in record_ids if record_id not in created_here]
        personal.update(self._personal_strings(earlier))
        if new_links:
            with connection.cursor() as cursor:
                cursor.executemany(self._insert_record_subject, new_links)

        rows: list[Row] = []
        for notification, event in decoded:
            inherited = subjects.get(notification.originator_id)
            if event is None:
                rows.append(
                    unreadable_row(
                        position=notification.id,
                        record_id=notification.originator_id,
                        version=notification.originator_version,
                        topic=notification.topic,
                        inherited=inherited,
                    )
                )
                continue
            rows.append(
                audit_row(
                    event,
                    position=notification.id,
                    topic=notification.topic,
                    inherited=inherited,
                    personal=personal.get(notification.originator_id, ()),
                )
            )
        return rows

    def _record_subjects(
        self, connection: psycopg.Connection[Any], record_ids: list[UUID]
    ) -> dict[UUID, Subjects]:
        found: dict[UUID, Subjects] = {}
        for record_id, kind, subject_id in connection.execute(
            self._select_record_subjects, (record_ids,)
        ):
            found.setdefault(record_id, no_subjects())[kind].add(subject_id)
        return found

    def _personal_strings(self, record_ids: list[UUID]) -> dict[UUID, set[str]]:
        """The complainants' identities in records created earlier, to mask in later text."""
        if not record_ids:
            return {}
        connection = self.connection()
        query = sql.SQL(
            "SELECT originator_id, originator_version, topic, state FROM {} "
            "WHERE originator_id = ANY(%s) AND originator_version = 1"
        ).format(sql.Identifier(self.events_table))
        found: dict[UUID, set[str]] = {}
        for originator_id, version, topic, state in connection.execute(query, (record_ids,)):
            try:
                event = self.mapper.to_domain_event(
                    StoredEvent(originator_id, version, topic, bytes(state))
                )
            except Exception:  # an erased key: nothing readable is left to mask
                event = None
            strings = personal_strings(event) if event is not None else set()
            if strings:
                found[originator_id] = strings
        return found


def audit_feed_target(database_url: str, application: Application[Any]) -> RebuildTarget:
    """The audit feed and its subject index, as `oversight projections rebuild` replays them."""
    return RebuildTarget(
        name=PROJECTION_NAME,
        tables=AUDIT_TABLES,
        replayer=lambda tables, tracking_name, batch_size: AuditEventsRunner(
            database_url,
            application,
            tables=tables,
            tracking_name=tracking_name,
            batch_size=batch_size,
        ),
    )
