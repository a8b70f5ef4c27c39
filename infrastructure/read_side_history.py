"""What the read side knows of the record's past (§14): a record's version at a log position,
from the audit feed (a row per event: record, version, position), and whether the read
tables that keep history have been projected that far."""

from __future__ import annotations

from uuid import UUID

from application.queries import PastNotProjected
from infrastructure.history import KEPT_HISTORY
from infrastructure.read_side import wait_until_projected
from infrastructure.sql_pool import SqlPool

# Down the record's index (record_id, version) from its newest event to the first at or
# before the position: a handful of rows for any record.
_VERSION_AT = (
    "SELECT version FROM audit_events WHERE record_id = $1 AND position <= $2"
    " ORDER BY version DESC LIMIT 1"
)
# Each table that keeps history is written by the projection of its name (migration 0036).
_HISTORY_PROJECTIONS = tuple(KEPT_HISTORY)


class ReadSideHistoryOnPostgres:
    """The read side's past, over the read side's pool."""

    def __init__(self, store: SqlPool, *, wait_seconds: float = 5.0) -> None:
        self.store = store
        self.wait_seconds = wait_seconds

    async def version_at(self, record_id: UUID, position: int) -> int | None:
        """The version of `record_id` at `position`; None when it had no event by then. The
        audit feed has reached any position `RecordTime.past` answers."""
        version = await self.store.fetchval(_VERSION_AT, record_id, position)
        return None if version is None else int(version)

    async def projected_to(self, position: int) -> None:
        """Wait (boundedly) for the history tables' projections to reach `position`."""
        # Asked through the past's own pool: on the primary, where the past is read.
        _, reached = await wait_until_projected(
            self.store.as_of(position), _HISTORY_PROJECTIONS, position, seconds=self.wait_seconds
        )
        if not reached:
            raise PastNotProjected(
                "the read side has not yet got as far as that instant; retry in a moment"
            )
