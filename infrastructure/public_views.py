"""The in-process cache of public case views, and how it hears of changes (§9).

Each API process keeps the public views it has read from case_list in a bounded LRU cache,
keyed by tracking number. Whatever changes what a view shows says so on the PostgreSQL
channel `oversight_public_views`, in the transaction that changes it: the worker's case_list
projection (the ids of the cases of each batch), a rebuild of case_list (flush all), and a
failed lookup that locks a tracking number (that number). Each API process LISTENs on a
connection of its own (`PublicViewListener`) and drops what it hears of.

The cache serves only while its process is listening: before the first LISTEN, and from the
moment the connection is lost until it is back, it is empty and every lookup goes to the read
side, so no view older than the read side's own is ever served (beyond the moment it takes a
notification to arrive, which the read side would have shown no sooner). A view read while
anything was dropped is not kept: it may have been read before the change it was dropped for.

The cache needs the notifications of the server it reads: with a read replica
(OVERSIGHT_READ_DATABASE_URL) it stays off, for a replica replays rows but not NOTIFYs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import structlog

from application.public_status import TimelineEntry
from infrastructure import metrics
from infrastructure.public_view_notices import FLUSH_ALL, NUMBER_PREFIX, PUBLIC_VIEWS_CHANNEL
from infrastructure.sql_pool import asyncpg_dsn

log = structlog.get_logger("oversight.public_views")

# How the listening session is named in pg_stat_activity.
LISTENER_APPLICATION_NAME = "oversight-public-views"
# A silent connection is asked whether it is alive this often, with this long to answer.
PING_SECONDS = 5.0
PING_TIMEOUT = 2.0
RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class PublicRecord:
    """What case_list holds of a case for the public query, and the tracking number's lock."""

    case_id: str
    access_code_hash: str
    kind: str
    status: str
    department_id: str | None
    registered_at: datetime
    due_at: datetime | None
    updated_at: datetime
    timeline: tuple[TimelineEntry, ...]
    locked_until: datetime | None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


class PublicViewCache:
    """At most `capacity` public records by tracking number, least recently used out first;
    empty and unused while its process is not listening. A capacity of 0 switches it off."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._records: OrderedDict[str, PublicRecord] = OrderedDict()
        self._numbers: dict[str, str] = {}  # case id -> tracking number
        self._listening = False
        self._caught_up: Callable[[], Awaitable[bool]] = _not_listening
        # Moves on every drop: a record read across a move may predate what was dropped.
        self._generation = 0

    @property
    def serving(self) -> bool:
        return self._listening and self.capacity > 0

    def __len__(self) -> int:
        return len(self._records)

    async def get(self, tracking_number: str) -> PublicRecord | None:
        """The record kept for the number, or None (a miss) when none is or the cache is off.

        A record found is given only once every notification committed before this call has
        been heard (`caught_up`), so a change the read side already shows is never hidden.
        """
        if not self.serving or tracking_number not in self._records:
            return self._missed()
        if not await self._caught_up():
            return self._missed()
        record = self._records.get(tracking_number)
        if record is None:
            return self._missed()
        self._records.move_to_end(tracking_number)
        metrics.public_view_cache("hit")
        return record

    def _missed(self) -> None:
        if self.serving:
            metrics.public_view_cache("miss")

    def ticket(self) -> int:
        """Taken before reading a record from the read side; `put` needs it."""
        return self._generation

    def put(self, tracking_number: str, record: PublicRecord, ticket: int) -> None:
        """Keep a record read since `ticket` was taken, unless anything was dropped since."""
        if not self.serving or ticket != self._generation:
            return
        self._records[tracking_number] = record
        self._records.move_to_end(tracking_number)
        self._numbers[record.case_id] = tracking_number
        while len(self._records) > self.capacity:
            _, evicted = self._records.popitem(last=False)
            self._numbers.pop(evicted.case_id, None)

    def forget_cases(self, case_ids: Iterable[str]) -> None:
        """Drop the records of these cases (they changed)."""
        self._generation += 1
        for case_id in case_ids:
            tracking_number = self._numbers.pop(case_id, None)
            if tracking_number is not None:
                self._records.pop(tracking_number, None)
        metrics.public_view_cache("invalidation")

    def forget_number(self, tracking_number: str) -> None:
        """Drop the record of this tracking number (it was locked)."""
        self._generation += 1
        record = self._records.pop(tracking_number, None)
        if record is not None:
            self._numbers.pop(record.case_id, None)
        metrics.public_view_cache("invalidation")

    def flush(self) -> None:
        """Drop every record."""
        self._generation += 1
        self._records.clear()
        self._numbers.clear()
        metrics.public_view_cache("flush")

    def heard(self, payload: str) -> None:
        """Act on one notification of the channel."""
        if payload == FLUSH_ALL:
            self.flush()
        elif payload.startswith(NUMBER_PREFIX):
            self.forget_number(payload.removeprefix(NUMBER_PREFIX))
        else:
            self.forget_cases(payload.split(","))

    def listening(self, caught_up: Callable[[], Awaitable[bool]] | None) -> None:
        """Start serving (LISTEN is in place; `caught_up` waits until every notification
        committed before it was called has been heard, False if it cannot tell) or stop
        (None: it was lost). Empty either way, since what was announced while nobody
        listened is unknown."""
        self.flush()
        self._listening = caught_up is not None
        self._caught_up = caught_up or _not_listening


async def _not_listening() -> bool:
    return False


class PublicViewListener:
    """LISTENs on `oversight_public_views` for one API process and feeds its cache; on a lost
    connection the cache stops serving until the LISTEN is back.

    The same connection answers the cache's `caught_up`: PostgreSQL sends a listening session
    the notifications of every transaction committed before a statement no later than that
    statement's answer, so one `SELECT 1` begun after a request arrived proves the request
    has heard of every change committed before it. Requests that arrive while one is under
    way wait for the next, so one round trip serves them all.
    """

    def __init__(self, database_url: str, cache: PublicViewCache) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._cache = cache
        self._task: asyncio.Task[None] | None = None
        self._waiting: asyncio.Future[bool] | None = None
        self._wake = asyncio.Event()

    def start(self) -> None:
        """Start listening in a task of the running event loop."""
        if self._task is None:
            self._wake = asyncio.Event()  # of this loop: a test may start the app again
            self._waiting = None
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop listening; the cache stops serving."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._cache.listening(None)

    async def caught_up(self) -> bool:
        """Once every notification committed before this call has been heard: True; False
        when the connection was lost on the way."""
        if self._waiting is None:
            self._waiting = asyncio.get_running_loop().create_future()
            self._wake.set()
        return await asyncio.shield(self._waiting)

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self._listen_until_lost()
                failures = 0
            except Exception as error:  # whatever it was, listen again: the cache is off meanwhile
                log.warning("public_view_listener_lost", error=type(error).__name__)
            metrics.public_view_listener_lost()
            await asyncio.sleep(RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)])
            failures += 1

    async def _listen_until_lost(self) -> None:
        lost = asyncio.Event()
        connection = await asyncpg.connect(
            self._dsn,
            timeout=PING_TIMEOUT * 5,
            server_settings={"application_name": LISTENER_APPLICATION_NAME},
        )
        try:
            # Wakes the loop below, whose round trip then fails and ends the listening.
            connection.add_termination_listener(lambda _: (lost.set(), self._wake.set()))
            await connection.add_listener(
                PUBLIC_VIEWS_CHANNEL, lambda _c, _pid, _channel, payload: self._cache.heard(payload)
            )
            self._cache.listening(self.caught_up)
            log.info("public_view_listener_listening", channel=PUBLIC_VIEWS_CHANNEL)
            while not lost.is_set():
                # A round trip for the requests waiting, or to see the connection is alive.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), PING_SECONDS)
                self._wake.clear()
                waiting, self._waiting = self._waiting, None
                try:
                    await connection.fetchval("SELECT 1", timeout=PING_TIMEOUT)
                except BaseException:
                    if waiting is not None:
                        waiting.set_result(False)
                    raise
                if waiting is not None:
                    waiting.set_result(True)
        finally:
            self._cache.listening(None)
            if self._waiting is not None:
                self._waiting.set_result(False)
                self._waiting = None
            connection.terminate()
