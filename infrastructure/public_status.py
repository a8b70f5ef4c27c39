"""The public status query over case_list (through each process's cache of public views), and
the failed-lookup counter, both with asyncpg."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread

from application.public_status import FoundCase, LockPolicy, PublicCaseStatus, TimelineEntry
from domain.directory import Directory
from infrastructure import metrics
from infrastructure.public_view_notices import NUMBER_PREFIX, PUBLIC_VIEWS_CHANNEL
from infrastructure.public_views import PublicRecord, PublicViewCache
from infrastructure.read_replica import ReplicaPool
from infrastructure.read_side import from_row
from infrastructure.sql_pool import SqlPool

# Only these columns are ever read: nothing of the complainant, staff, window, summary or
# internal notes can leak through a column that was never selected. The lock is read in the
# same statement, so a lookup costs one round trip on the primary. On a read replica a lock
# shows only after the replica's lag, so there the primary is asked too (LOCKED_UNTIL_SQL).
FIND_CASE_SQL = """
SELECT c.id, c.access_code_hash, c.kind, c.status, c.department, c.registered_at, c.due_at,
       c.updated_at, c.public_timeline,
       (
           SELECT f.locked_until FROM public_lookup_failures f
           WHERE f.tracking_number = c.tracking_number AND f.locked_until > $2
       ) AS locked_until
FROM case_list c
WHERE c.tracking_number = $1
"""
LOCKED_UNTIL_SQL = """
SELECT locked_until FROM public_lookup_failures WHERE tracking_number = $1 AND locked_until > $2
"""

DIRECTORY_REFRESH_SECONDS = 60.0
# A department missing from the cached directory was perhaps added since: look again, but
# not more often than this.
DIRECTORY_MISS_REFRESH_SECONDS = 5.0


class CaseListPublicStatus:
    """Finds a case's public view and its access code's hash in case_list.

    A record read is kept in `cache` (when it serves) until a notification drops it; the
    lock's end is kept with it and compared with "now" on every lookup. Department names come
    from the directory, read through the event store at most once a minute (in a worker
    thread, off the event loop) and kept here meanwhile.
    """

    def __init__(
        self,
        reads: SqlPool,
        directory: Callable[[], Directory],
        *,
        cache: PublicViewCache,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._reads = reads
        self._cache = cache
        self._load_directory = directory
        self._monotonic = monotonic
        self._directory: Directory | None = None
        self._loaded_at = 0.0
        self._refreshing = asyncio.Lock()

    async def find(self, tracking_number: str, now: datetime) -> FoundCase | None:
        record = await self._cache.get(tracking_number)
        if record is None:
            ticket = self._cache.ticket()
            record = await self._read(tracking_number, now)
            if record is None:
                return None
            self._cache.put(tracking_number, record, ticket)
        status = PublicCaseStatus(
            kind=record.kind,
            status=record.status,
            department_id=record.department_id,
            department_name=await self._department_name(record.department_id),
            registered_at=record.registered_at,
            due_at=record.due_at,
            updated_at=record.updated_at,
            timeline=list(record.timeline),
        )
        return FoundCase(record.access_code_hash, status, record.locked_at(now))

    async def _read(self, tracking_number: str, now: datetime) -> PublicRecord | None:
        row = await self._reads.fetchrow(FIND_CASE_SQL, tracking_number, now)
        primary = self._reads.primary if isinstance(self._reads, ReplicaPool) else None
        if row is None and primary is not None:
            # A case registered a moment ago may not be on the replica yet: its absence there
            # must not count as a failed lookup against the citizen.
            row = await primary.fetchrow(FIND_CASE_SQL, tracking_number, now)
        if row is None:
            return None
        locked_until = row["locked_until"]  # a lock seen on the replica holds: locks only end
        if locked_until is None and primary is not None:
            # Whether the number is locked decides whether the code opens the case.
            locked_until = await primary.fetchval(LOCKED_UNTIL_SQL, tracking_number, now)
        return from_row(
            PublicRecord,
            row,
            case_id=str(row["id"]),
            department_id=row["department"],
            timeline=tuple(_timeline_entry(entry) for entry in row["public_timeline"]),
            locked_until=locked_until,
        )

    async def _department_name(self, department_id: str | None) -> str | None:
        if department_id is None:
            return None
        directory = await self._current_directory(DIRECTORY_REFRESH_SECONDS)
        department = directory.department(department_id)
        if department is None:
            directory = await self._current_directory(DIRECTORY_MISS_REFRESH_SECONDS)
            department = directory.department(department_id)
        return department.name if department is not None else None

    async def _current_directory(self, max_age: float) -> Directory:
        if self._directory is None or self._monotonic() - self._loaded_at >= max_age:
            async with self._refreshing:
                # Requests that queued behind a refresh use its result.
                if self._directory is None or self._monotonic() - self._loaded_at >= max_age:
                    self._directory = await anyio.to_thread.run_sync(self._load_directory)
                    self._loaded_at = self._monotonic()
        return self._directory


def _timeline_entry(entry: dict[str, Any]) -> TimelineEntry:
    return TimelineEntry(
        type=entry["type"], text=entry.get("text"), at=datetime.fromisoformat(entry["at"])
    )


# One statement counts a failure and locks when due, so concurrent failures in several
# processes cannot lose a count. While a number is locked nothing changes: a guesser cannot
# lengthen the lock, nor can a citizen's typo. After a lock, or once the window has passed,
# counting starts afresh. A lock just taken is announced to every API process's cache of
# public views, in the same statement.
_RECORD_FAILURE_SQL = """
WITH counted AS (
INSERT INTO public_lookup_failures AS f (tracking_number, failures, window_started_at, locked_until)
VALUES ($1, 1, $2::timestamptz, CASE WHEN $3::integer <= 1 THEN $2 + $5::interval END)
ON CONFLICT (tracking_number) DO UPDATE SET
    failures = CASE
        WHEN f.locked_until IS NOT NULL OR f.window_started_at + $4::interval <= $2 THEN 1
        ELSE f.failures + 1 END,
    window_started_at = CASE
        WHEN f.locked_until IS NOT NULL OR f.window_started_at + $4::interval <= $2 THEN $2
        ELSE f.window_started_at END,
    locked_until = CASE
        WHEN f.locked_until IS NOT NULL OR f.window_started_at + $4::interval <= $2
            THEN CASE WHEN $3 <= 1 THEN $2 + $5 END
        WHEN f.failures + 1 >= $3 THEN $2 + $5
    END
WHERE f.locked_until IS NULL OR f.locked_until <= $2
RETURNING locked_until IS NOT NULL AS locked_now
)
SELECT locked_now, CASE WHEN locked_now THEN pg_notify($6, $7 || $1) END FROM counted
"""

_PURGE_SQL = """
DELETE FROM public_lookup_failures
WHERE window_started_at <= $1 AND (locked_until IS NULL OR locked_until <= $2)
"""

PURGE_EVERY = timedelta(minutes=10)


class PostgresLookupFailures:
    """Failed lookups per tracking number in `public_lookup_failures`, on the primary.

    "Now" is always the application's time source, passed in, never the database's. The pool is
    the reads' pool when that is the primary; with a replica for reads it is a pool of its
    own, opened on first use. A lock taken drops the number from this process's `cache` at
    once, and from the other processes' as the notification reaches them.
    """

    def __init__(
        self, store: SqlPool, policy: LockPolicy | None = None, *, cache: PublicViewCache
    ) -> None:
        self._store = store
        self._cache = cache
        self.policy = policy or LockPolicy()
        self._purged_at: datetime | None = None

    async def record_failure(self, tracking_number: str, now: datetime) -> None:
        policy = self.policy
        # Past a lock nothing is updated: a row back that holds a lock is a lock just taken.
        locked_now = await self._store.fetchval(
            _RECORD_FAILURE_SQL,
            tracking_number,
            now,
            policy.failures,
            policy.window,
            policy.duration,
            PUBLIC_VIEWS_CHANNEL,
            NUMBER_PREFIX,
        )
        if locked_now:
            self._cache.forget_number(tracking_number)
        metrics.public_status_refused(locked_now=bool(locked_now))
        if self._purged_at is None or now - self._purged_at >= PURGE_EVERY:
            self._purged_at = now
            await self._store.execute(_PURGE_SQL, now - policy.window, now)
