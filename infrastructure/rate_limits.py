"""Per-client limits shared by every API process: counters in PostgreSQL, one per window.

A client's requests are counted in `client_request_counts` (migration 0014) on the primary,
one row per counter, window and client, by one upsert per request; so `serve --workers N`,
or N machines behind a load balancer, allow a client the limit once, not N times. Windows
are fixed (aligned to the epoch), so a client may get up to twice the limit across the turn
of a window, never more. "Now" is always the application's time source, passed in.

A client is a keyed digest of its network (`ClientDigests`): addresses are never stored.
When the counters cannot be read or written the request is refused with 503 (fail closed):
a limiter that let requests through while its database was away would let a flood through
exactly when the service is weakest.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import asyncpg
import structlog

from application.base import StorageUnavailable
from infrastructure import metrics
from infrastructure.keyed_digests import derived_key, keyed_digest
from infrastructure.sql_pool import SqlPool

log = structlog.get_logger("oversight.rate_limits")

T = TypeVar("T")

# Counts only what the limit allows: past it, the row is left alone (no write under a flood).
_HIT_SQL = """
INSERT INTO client_request_counts AS c (counter, window_started_at, client, hits)
VALUES ($1, $2, $3, 1)
ON CONFLICT (counter, window_started_at, client) DO UPDATE SET hits = c.hits + 1
WHERE c.hits < $4::bigint
RETURNING c.hits
"""

# The counts of every (window, client) asked since the last round trip, in one.
_HITS_OF_MANY_SQL = """
SELECT c.window_started_at, c.client, c.hits
FROM unnest($2::timestamptz[], $3::text[]) AS asked (window_started_at, client)
JOIN client_request_counts c
    ON c.counter = $1 AND c.window_started_at = asked.window_started_at
    AND c.client = asked.client
"""

_PURGE_SQL = """
DELETE FROM client_request_counts WHERE counter = $1 AND window_started_at < $2
"""

# IPv6 subscribers are commonly given a /64 (or more) to themselves: counting each address
# of it apart would give one client 2^64 limits.
IPV6_CLIENT_PREFIX = 64
_DIGEST_LABEL = b"oversight client digest v1"


def client_network(address: str) -> str:
    """What counts as one client: an IPv4 address, or the /64 network of an IPv6 address;
    anything that is not an address (a test client's name) as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(ip)


class ClientDigests:
    """Keyed digests of clients' networks: enough to count a client and to tell its ratings
    apart from others', without keeping its address.

    The key is derived from a server key (the access-code key), so every API process that
    shares that key — as they must for access codes — counts a client under one digest.
    """

    def __init__(self, server_key: bytes) -> None:
        self._key = derived_key(server_key, _DIGEST_LABEL)

    def __call__(self, address: str) -> str:
        return keyed_digest(self._key, client_network(address))


def window_start(now: datetime, seconds: int) -> datetime:
    """The start of the fixed window (aligned to the epoch) that `now` falls in."""
    epoch_seconds = math.floor(now.timestamp())
    return datetime.fromtimestamp(epoch_seconds - epoch_seconds % seconds, UTC)


def retry_after(started: datetime, seconds: int, now: datetime) -> int:
    """Whole seconds from `now` until the window that started at `started` is over."""
    ends = started + timedelta(seconds=seconds)
    return max(1, math.ceil((ends - now).total_seconds()))


class _Asked:
    """The waits gathered for the next round trip, and the counts it will answer."""

    def __init__(self) -> None:
        self.keys: set[tuple[datetime, str]] = set()
        self.answered: asyncio.Future[dict[tuple[datetime, str], int]] = (
            asyncio.get_running_loop().create_future()
        )


class PostgresClientLimit:
    """At most `amount` requests per client in each window of `window`, for every API process
    together; an amount of 0 switches it off (and nothing is counted).

    Waits share round trips: those that arrive while one is under way are answered together
    by the next, which is sent after they arrived, so each still reads the counts as they
    stand after it was asked.
    """

    def __init__(self, store: SqlPool, *, name: str, amount: int, window: timedelta) -> None:
        self.name = name
        self.amount = amount
        self._store = store
        self._seconds = int(window.total_seconds())
        if self._seconds < 1:
            raise ValueError(f"a limit's window is at least a second, got {window}")
        self._purged_window: datetime | None = None
        self._asking: _Asked | None = None  # gathering, not yet sent
        self._asker: asyncio.Task[None] | None = None

    async def hit(self, client: str, now: datetime) -> int | None:
        """Count one request: None when within the limit, else seconds until one is allowed."""
        if not self.amount:
            return None
        started = self._window_start(now)
        await self._purge_before(started)
        hits = await self._run(
            self._store.fetchval(_HIT_SQL, self.name, started, client, self.amount)
        )
        if hits is not None:
            return None
        metrics.rate_limited(self.name)
        return self._retry_after(started, now)

    async def wait(self, client: str, now: datetime) -> int | None:
        """Without counting: None when the client may go on, else seconds to wait."""
        if not self.amount:
            return None
        started = self._window_start(now)
        hits = await self._hits_of(started, client)
        return None if hits < self.amount else self._retry_after(started, now)

    async def _hits_of(self, started: datetime, client: str) -> int:
        loop = asyncio.get_running_loop()
        asking = self._asking
        # (A gathering of another event loop, one a test has closed since, is left behind.)
        if asking is None or asking.answered.get_loop() is not loop:
            asking = self._asking = _Asked()
        if self._asker is None or self._asker.done() or self._asker.get_loop() is not loop:
            self._asker = loop.create_task(self._ask())
        asking.keys.add((started, client))
        counts = await asyncio.shield(asking.answered)
        return counts.get((started, client), 0)

    async def _ask(self) -> None:
        while self._asking is not None:
            asking, self._asking = self._asking, None
            windows, clients = zip(*asking.keys, strict=True)
            try:
                rows = await self._run(
                    self._store.fetch(_HITS_OF_MANY_SQL, self.name, list(windows), list(clients))
                )
            except Exception as error:  # every wait of the round trip refuses alike
                asking.answered.set_exception(error)
            else:
                asking.answered.set_result({(row[0], row[1]): row[2] for row in rows})

    def _window_start(self, now: datetime) -> datetime:
        return window_start(now, self._seconds)

    def _retry_after(self, started: datetime, now: datetime) -> int:
        return retry_after(started, self._seconds, now)

    async def _purge_before(self, started: datetime) -> None:
        # Once per window in each process: the windows before this one are over for good.
        if self._purged_window == started:
            return
        await self._run(self._store.execute(_PURGE_SQL, self.name, started))
        self._purged_window = started

    async def _run(self, statement: Awaitable[T]) -> T:
        try:
            return await statement
        except asyncpg.PostgresError as error:
            # Timeouts and lost connections are StorageUnavailable already (the SqlPool);
            # anything else (a missing table, a read-only server) refuses the same way.
            log.warning("rate_limit_unavailable", counter=self.name, error=type(error).__name__)
            raise StorageUnavailable(
                "the request limit could not be checked; retry in a moment"
            ) from error


class InMemoryClientLimit:
    """The same limit counted in a dictionary, for one process: the unit tests' tier."""

    def __init__(self, *, name: str, amount: int, window: timedelta) -> None:
        self.name = name
        self.amount = amount
        self._seconds = max(1, int(window.total_seconds()))
        self._hits: dict[tuple[datetime, str], int] = {}

    async def hit(self, client: str, now: datetime) -> int | None:
        started = window_start(now, self._seconds)
        hits = self._hits.get((started, client), 0)
        if self.amount and hits >= self.amount:
            return retry_after(started, self._seconds, now)
        self._hits = {key: n for key, n in self._hits.items() if key[0] >= started}
        self._hits[(started, client)] = hits + 1
        return None

    async def wait(self, client: str, now: datetime) -> int | None:
        started = window_start(now, self._seconds)
        if self.amount and self._hits.get((started, client), 0) >= self.amount:
            return retry_after(started, self._seconds, now)
        return None
