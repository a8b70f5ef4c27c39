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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from eventsourcing.application import Application

from application.policies import Policy
from infrastructure.notification_log import (
    DEFAULT_BATCH_SIZE,
    TopicFilter,
    TrackedRunner,
    set_tracked_position,
)

log = structlog.get_logger("oversight.policies")

# High bits of every policy's advisory lock key; the low 32 bits name the policy.
POLICY_LOCK_NAMESPACE = 0x0F_E2_54


@dataclass(frozen=True)
class PolicyBatch:
    """What one batch did."""

    notifications: int
    events: int
    recorded: int
    position: int


class PolicyRunner(TrackedRunner):
    """Feeds one policy the events of the notification log it reacts to, in order."""

    lock_namespace = POLICY_LOCK_NAMESPACE

    def __init__(
        self,
        database_url: str,
        application: Application[Any],
        policy: Policy,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        super().__init__(
            database_url,
            application,
            tracking_name=policy.name,
            wanted=TopicFilter(prefix=policy.topic_prefix),
            batch_size=batch_size,
        )
        self.policy = policy

    def run_batch(self) -> PolicyBatch:
        """Handle the next batch of events, then move the position past it."""
        with self.batch() as (connection, after):
            notifications = self.reader.read(connection, after=after, limit=self.batch_size)
            if not notifications:
                return PolicyBatch(0, 0, 0, after)
            events = recorded = 0
            for notification in notifications:
                if not self.wanted.wants(notification.topic):
                    continue
                events += 1
                recorded += self.policy.handle(self.reader.decode(notification))
            last = notifications[-1].id
            set_tracked_position(connection, self.tracking_name, last)
        if recorded:
            log.info("policy_recorded", policy=self.policy.name, records=recorded, position=last)
        return PolicyBatch(len(notifications), events, recorded, last)

    def run_until_caught_up(self, *, should_stop: Callable[[], bool] | None = None) -> int:
        """Run batches until the log is reached (or `should_stop` says so after a batch);
        answer how many records the policy made."""
        batches = self.batches_until_caught_up(self.run_batch, should_stop)
        return sum(batch.recorded for batch in batches)
