"""Runs a policy over the notification log, with a tracking position of its own.

Like a projection runner, it reads the notifications after the policy's position, in order,
hands the events it is interested in to the policy, and moves the position on. Unlike a
projection, the policy's reaction is saved in the event store by the application, not in the
transaction that moves the position: a crash between the two makes the event be handled
again on restart, so a policy must be idempotent (see application/policies.py). The batch
transaction holds the policy's advisory lock, so two runners never handle the same event at
the same time.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import psycopg
import structlog
from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from psycopg import sql

from application.policies import Policy
from infrastructure.projection_runner import (
    DEFAULT_BATCH_SIZE,
    events_table_of,
    tracked_position,
)

log = structlog.get_logger("oversight.policies")

# High bits of every policy's advisory lock key; the low 32 bits name the policy.
POLICY_LOCK_NAMESPACE = 0x0F_E2_54


def policy_lock_key(name: str) -> int:
    return (POLICY_LOCK_NAMESPACE << 32) | zlib.crc32(name.encode())


@dataclass(frozen=True)
class PolicyBatch:
    """What one batch did."""

    notifications: int
    events: int
    recorded: int
    position: int


class PolicyRunner:
    """Feeds one policy the events of the notification log it reacts to, in order."""

    def __init__(
        self,
        database_url: str,
        application: Application[Any],
        policy: Policy,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        if batch_size < 1:
            raise ValueError("a batch holds at least one notification")
        self.database_url = database_url
        self.policy = policy
        self.tracking_name = policy.name
        self.batch_size = batch_size
        self.lock_key = policy_lock_key(policy.name)
        self._mapper = application.mapper
        self.events_table = events_table_of(application)
        self._connection: psycopg.Connection[Any] | None = None

    def connection(self) -> psycopg.Connection[Any]:
        """The runner's connection (autocommit; each batch opens its own transaction)."""
        if self._connection is None or self._connection.closed or self._connection.broken:
            if self._connection is not None:
                self._connection.close()
            self._connection = psycopg.connect(self.database_url, autocommit=True)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> PolicyRunner:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def position(self) -> int:
        """The last notification this policy has accounted for."""
        return tracked_position(self.connection(), self.tracking_name)

    def run_batch(self) -> PolicyBatch:
        """Handle the next batch of events, then move the position past it."""
        connection = self.connection()
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (self.lock_key,))
            after = tracked_position(connection, self.tracking_name)
            notifications = self._read_notifications(connection, after)
            if not notifications:
                return PolicyBatch(0, 0, 0, after)
            events = recorded = 0
            for notification in notifications:
                if not notification.topic.startswith(self.policy.topic_prefix):
                    continue
                events += 1
                recorded += self.policy.handle(self._mapper.to_domain_event(notification))
            last = notifications[-1].id
            connection.execute(
                "INSERT INTO projection_tracking (name, position) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position",
                (self.tracking_name, last),
            )
        if recorded:
            log.info("policy_recorded", policy=self.policy.name, records=recorded, position=last)
        return PolicyBatch(len(notifications), events, recorded, last)

    def run_until_caught_up(self) -> int:
        """Run batches until the log is reached; answer how many records the policy made."""
        recorded = 0
        while True:
            batch = self.run_batch()
            recorded += batch.recorded
            if batch.notifications < self.batch_size:
                return recorded

    def _read_notifications(
        self, connection: psycopg.Connection[Any], after: int
    ) -> list[Notification]:
        # Only the events the policy reacts to are fetched whole.
        query = sql.SQL(
            "SELECT notification_id, originator_id, originator_version, topic, "
            "CASE WHEN starts_with(topic, %s) THEN state END "
            "FROM {events} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(events=sql.Identifier(self.events_table))
        rows = connection.execute(
            query, (self.policy.topic_prefix, after, self.batch_size)
        ).fetchall()
        return [
            Notification(
                id=notification_id,
                originator_id=originator_id,
                originator_version=originator_version,
                topic=topic,
                state=bytes(state) if state is not None else b"",
            )
            for notification_id, originator_id, originator_version, topic, state in rows
        ]
