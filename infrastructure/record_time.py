"""Record time (§14): the log position the record had reached at an instant.

The audit feed holds a row per position with `recorded_at`, the latest event time up to
that position (migration 0036): the record as it stood at an instant is the log up to the
last position recorded by then.
"""

from __future__ import annotations

from datetime import datetime

from application.projections.audit_events import PROJECTION_NAME as AUDIT_FEED
from application.queries import Past, PastNotProjected
from infrastructure.read_side import wait_until_projected
from infrastructure.sql_pool import SqlPool

_LAST_RECORDED_BY = (
    "SELECT position FROM audit_events WHERE recorded_at <= $1"
    " ORDER BY recorded_at DESC, position DESC LIMIT 1"
)
_RECORDED_AFTER = "SELECT EXISTS (SELECT 1 FROM audit_events WHERE recorded_at > $1)"


class RecordTimeOnPostgres:
    """Finds an instant's position in the audit feed, waiting (boundedly) for the feed to
    reach the events recorded by then."""

    def __init__(self, store: SqlPool, events_table: str, *, wait_seconds: float = 5.0) -> None:
        self.store = store
        self.events_table = events_table
        self.wait_seconds = wait_seconds

    async def past(self, instant: datetime) -> Past:
        """The instant, and the position of the last event recorded by it."""
        if not await self.store.fetchval(_RECORDED_AFTER, instant):
            # Nothing indexed is later than the instant: events the feed has not reached yet
            # may have been recorded by it. Wait for the feed to reach the log's end.
            head = await self.store.fetchval(
                f"SELECT COALESCE(max(notification_id), 0) FROM {self.events_table}"  # noqa: S608
            )
            _, reached = await wait_until_projected(
                self.store, (AUDIT_FEED,), int(head), seconds=self.wait_seconds
            )
            if not reached:
                raise PastNotProjected(
                    "the record of that instant is still being indexed; retry in a moment"
                )
        position = await self.store.fetchval(_LAST_RECORDED_BY, instant)
        return Past(instant=instant, position=int(position or 0))
