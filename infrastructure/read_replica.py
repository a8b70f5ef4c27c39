"""Reads on a streaming replica of the primary, which answers them while the replica cannot."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import asyncpg
import structlog

from infrastructure import metrics
from infrastructure.sql_pool import DatabaseUnreachable, Method, SqlPool

log = structlog.get_logger("oversight.read_replica")


class ReplicaReachability:
    """Whether this process can reach a read replica, as it last found out: shared by every
    pool on that replica, so the switch to the primary and the return are each logged and
    counted once however many pools notice. While unreachable, the replica is tried again
    `retry_seconds` after it last failed."""

    def __init__(self, server: str, *, retry_seconds: float) -> None:
        self.server = server
        self.retry_seconds = retry_seconds
        self._retry_at: float | None = None  # set while reads go to the primary
        metrics.read_replica_in_use()

    @property
    def falling_back(self) -> bool:
        """Whether reads go to the primary now, the replica not being reachable."""
        return self._retry_at is not None

    def primary_meanwhile(self) -> bool:
        """Whether a read should go to the primary without trying the replica."""
        return self._retry_at is not None and time.monotonic() < self._retry_at

    def unreachable(self, error: DatabaseUnreachable) -> None:
        """The replica could not be reached: the primary answers until the next try."""
        if self._retry_at is None:
            metrics.read_replica_fell_back()
            log.warning(
                "read_replica_unavailable",
                replica=self.server,
                error_type=type(error.__cause__ or error).__name__,
                retry_seconds=self.retry_seconds,
            )
        self._retry_at = time.monotonic() + self.retry_seconds

    def answered(self) -> None:
        """The replica answered: reads go to it again."""
        if self._retry_at is not None:
            self._retry_at = None
            metrics.read_replica_in_use()
            log.info("read_replica_available", replica=self.server)


class ReplicaPool(SqlPool):
    """A pool on a read replica for the reads that tolerate its lag (lists, boards, public
    status); `primary` is a pool on the primary it replicates.

    While the replica cannot be reached (refused, lost, too slow to answer) every statement
    goes to the primary, as `reachability` (shared by the pools on the same replica) says;
    the switch and the return are shown by `oversight_read_replica_fallback`. A statement the
    replica cancels for a conflict with the WAL it replays is asked of the primary. A read
    waiting for a position waits at most `wait_seconds` (read_side.py).
    """

    def __init__(
        self,
        database_url: str,
        *,
        primary: SqlPool,
        reachability: ReplicaReachability,
        wait_seconds: float,
        max_size: int = 10,
        statement_timeout: float = 15.0,
        connect_timeout: float = 60.0,
    ) -> None:
        super().__init__(
            database_url,
            max_size=max_size,
            statement_timeout=statement_timeout,
            connect_timeout=connect_timeout,
        )
        self.primary = primary
        self.reachability = reachability
        self.wait_seconds = wait_seconds

    @property
    def falling_back(self) -> bool:
        """Whether reads go to the primary now, the replica not being reachable."""
        return self.reachability.falling_back

    async def open(self) -> None:
        """Connect to the replica; if it cannot be reached, to the primary meanwhile."""
        try:
            await super().open()
        except DatabaseUnreachable as error:
            self.reachability.unreachable(error)
            await self.primary.open()

    async def run(self, method: Method, query: str, args: Sequence[Any]) -> Any:
        if self.reachability.primary_meanwhile():
            return await self.primary.run(method, query, args)
        try:
            answer = await super().run(method, query, args)
        except DatabaseUnreachable as error:
            self.reachability.unreachable(error)
            return await self.primary.run(method, query, args)
        except asyncpg.SerializationError:  # cancelled for a conflict with recovery
            return await self.primary.run(method, query, args)
        self.reachability.answered()
        return answer
