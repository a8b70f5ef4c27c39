"""The service's Prometheus metrics: what each process counts, and what a scrape reads.

`prometheus_client` decides at import whether it keeps values in this process's memory or,
when `PROMETHEUS_MULTIPROC_DIR` names a directory, in files there that every process of
`oversight serve --workers N` writes and any of them reads back at a scrape. So the variable
is set (by `serve`, interfaces/metrics_directory.py) before anything imports this module.

Counters and histograms add up across processes. Each gauge says how it combines: requests in
flight and pool use sum over the live processes; the worker's leadership is shown per live
process (`pid`); the deadline clock's last turn is the latest any process recorded.
Projection lag, the event store's position and whether any session holds the worker lock
are read from the database when scraped (`scrape_database`), bounded by a timeout so a busy
database never stalls a scrape: on timeout they are left out and
`oversight_scrape_database_ok` is 0.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from eventsourcing.persistence import StoredEvent
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from infrastructure.projection_runner import REBUILD_SUFFIX
from infrastructure.sql_pool import SqlPool

log = structlog.get_logger("oversight.metrics")

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# A scrape waits at most this long for the database; Prometheus's own default timeout is 10 s.
SCRAPE_DATABASE_SECONDS = 2.0
# How often a process refreshes its pools' gauges as requests pass (and at every scrape).
POOL_SAMPLE_SECONDS = 5.0
# A route label for a request no route matched: never the raw path (ids, probes, typos).
UNMATCHED_ROUTE = "unmatched"


def multiprocess() -> bool:
    """Whether this process keeps its metrics in the shared directory."""
    return bool(os.environ.get(MULTIPROCESS_DIRECTORY))


# Requests ------------------------------------------------------------------------------

REQUEST_SECONDS = Histogram(
    "oversight_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IN_FLIGHT = Gauge(
    "oversight_http_requests_in_flight",
    "HTTP requests being answered now.",
    multiprocess_mode="livesum",
)
COMMANDS = Counter(
    "oversight_commands",
    "API commands (POST, PUT, PATCH, DELETE under /api/v1) by verb and outcome: ok, refused "
    "(with the error code), conflict (a concurrent change), error (5xx, with the code).",
    ["verb", "outcome", "code"],
)

# The worker ----------------------------------------------------------------------------

WORKER_LEADER = Gauge(
    "oversight_worker_leader",
    "1 in the process whose worker holds the worker lock (active), else 0.",
    multiprocess_mode="liveall",
)
CLOCK_LAST_TURN = Gauge(
    "oversight_deadline_clock_last_turn_timestamp_seconds",
    "When the active worker last ran the deadline clock (Unix time).",
    multiprocess_mode="max",
)
RUNNER_FAILURES = Counter(
    "oversight_runner_failures",
    "Failed turns of the worker's runners (projections, policies, the audit feed, the ledger).",
    ["runner"],
)

# Database pools ------------------------------------------------------------------------

POOL_SIZE = Gauge(
    "oversight_db_pool_connections",
    "Open connections of a pool (event_store: psycopg; others: asyncpg), summed over processes.",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_IN_USE = Gauge(
    "oversight_db_pool_connections_in_use",
    "Connections of a pool lent out now, summed over processes.",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_MAX = Gauge(
    "oversight_db_pool_connections_max",
    "The most connections a pool may open, summed over processes.",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "oversight_db_pool_requests_waiting",
    "Requests waiting for a connection of the pool (event_store only), summed over processes.",
    ["pool"],
    multiprocess_mode="livesum",
)

# The read replica ----------------------------------------------------------------------

READ_REPLICA_FALLBACK = Gauge(
    "oversight_read_replica_fallback",
    "1 while a process's reads go to the primary because the read replica cannot be reached, "
    "else 0 (the most over live processes).",
    multiprocess_mode="livemax",
)
READ_REPLICA_FALLBACKS = Counter(
    "oversight_read_replica_fallbacks",
    "Times a process's reads switched to the primary because the read replica could not be "
    "reached.",
)

# The public ----------------------------------------------------------------------------

PUBLIC_STATUS_REFUSALS = Counter(
    "oversight_public_status_refusals",
    "Public status queries refused for a wrong access code or an unknown tracking number.",
)
PUBLIC_STATUS_LOCKOUTS = Counter(
    "oversight_public_status_lockouts",
    "Tracking numbers locked after repeated failed lookups.",
)
PUBLIC_VIEW_CACHE = Counter(
    "oversight_public_view_cache",
    "The public view cache of each API process, by event: hit and miss (lookups while it "
    "serves), invalidation (a notification dropping cases or a locked number), flush (every "
    "view dropped: a rebuild, too many changes for one notification, listening started or "
    "lost).",
    ["event"],
)
PUBLIC_VIEW_LISTENER_LOST = Counter(
    "oversight_public_view_listener_lost",
    "Times an API process's LISTEN on oversight_public_views was lost or could not be set up "
    "(its cache serves nothing until it is back).",
)
RATE_LIMITED = Counter(
    "oversight_rate_limited",
    "Requests past a per-client limit, by limit: public (the public rate limit, answered "
    "429), public-failed-lookups and sign-in-failures (the client is turned away until the "
    "window passes).",
    ["limit"],
)
PUBLIC_SHED = Counter(
    "oversight_public_shed",
    "Public requests turned away at once (503 public_busy) because the process already had "
    "OVERSIGHT_PUBLIC_MAX_IN_FLIGHT public requests in hand.",
)

if multiprocess():
    # A process that ends cleanly takes its live gauges with it.
    atexit.register(mark_process_dead, os.getpid())


# What the HTTP side and the worker call -----------------------------------------------


def command_outcome(status: int, code: str | None) -> tuple[str, str]:
    """A command's outcome and the code that goes with it, from its answer."""
    if status < 400:
        return "ok", ""
    if status == 409 and code == "conflict":
        return "conflict", ""
    return ("error" if status >= 500 else "refused"), code or f"http_{status}"


def observe_request(
    method: str, route: str, status: int, seconds: float, verb: str | None, code: str | None
) -> None:
    """Count one answered request, and the command it ran when `verb` names one."""
    REQUEST_SECONDS.labels(method, route, str(status)).observe(seconds)
    if verb is not None:
        outcome, shown_code = command_outcome(status, code)
        COMMANDS.labels(verb, outcome, shown_code).inc()


def worker_leading(active: bool) -> None:
    WORKER_LEADER.set(1 if active else 0)


def clock_turned(at: datetime) -> None:
    CLOCK_LAST_TURN.set(at.timestamp())


def runner_failed(runner: str) -> None:
    RUNNER_FAILURES.labels(runner).inc()


def read_replica_fell_back() -> None:
    READ_REPLICA_FALLBACK.set(1)
    READ_REPLICA_FALLBACKS.inc()


def read_replica_in_use() -> None:
    READ_REPLICA_FALLBACK.set(0)


def public_status_refused(*, locked_now: bool) -> None:
    PUBLIC_STATUS_REFUSALS.inc()
    if locked_now:
        PUBLIC_STATUS_LOCKOUTS.inc()


_PUBLIC_VIEW_CACHE_EVENTS = {
    event: PUBLIC_VIEW_CACHE.labels(event) for event in ("hit", "miss", "invalidation", "flush")
}


def public_view_cache(event: str) -> None:
    _PUBLIC_VIEW_CACHE_EVENTS[event].inc()


def public_view_listener_lost() -> None:
    PUBLIC_VIEW_LISTENER_LOST.inc()


def rate_limited(limit: str) -> None:
    RATE_LIMITED.labels(limit).inc()


@dataclass
class PoolSampler:
    """Refreshes the pools' gauges at most every POOL_SAMPLE_SECONDS (cheap: counters the
    pools keep anyway, no round trip)."""

    event_store_pool: Callable[[], Any]
    reads: SqlPool
    public: SqlPool | None = None  # the public status query's own pool, when it has one
    _sampled_at: float = field(default=float("-inf"), init=False)

    def maybe_sample(self) -> None:
        now = time.monotonic()
        if now - self._sampled_at >= POOL_SAMPLE_SECONDS:
            self.sample()

    def sample(self) -> None:
        self._sampled_at = time.monotonic()
        pool = self.event_store_pool()
        if pool is not None:
            stats = pool.get_stats()
            size = stats.get("pool_size", 0)
            POOL_SIZE.labels("event_store").set(size)
            POOL_IN_USE.labels("event_store").set(size - stats.get("pool_available", 0))
            POOL_MAX.labels("event_store").set(stats.get("pool_max", 0))
            POOL_WAITING.labels("event_store").set(stats.get("requests_waiting", 0))
        asyncpg_pools = {"reads": self.reads, "public": self.public}
        for name, asyncpg_pool in asyncpg_pools.items():
            if asyncpg_pool is not None:
                size, idle, most = asyncpg_pool.usage()
                POOL_SIZE.labels(name).set(size)
                POOL_IN_USE.labels(name).set(size - idle)
                POOL_MAX.labels(name).set(most)


# What a scrape reads from the database ---------------------------------------------------


@dataclass(frozen=True)
class RunnerLag:
    """How far one runner over the log is behind its end."""

    runner: str
    positions: int
    seconds: float | None  # None: the oldest unprocessed event could not be read


@dataclass(frozen=True)
class DatabaseReading:
    """What the database said at a scrape; `ok` False when it did not answer in time."""

    ok: bool
    position: int = 0
    worker_lock_held: bool = False
    lags: tuple[RunnerLag, ...] = ()


_TRACKED = """
SELECT name, position FROM projection_tracking
UNION ALL
SELECT 'ledger', COALESCE(max(through), 0) FROM ledger
"""
# An advisory lock on one bigint shows in pg_locks as classid (high half), objid (low half).
_LOCK_HELD = """
SELECT EXISTS (
    SELECT 1 FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND objsubid = 1
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND classid::bigint = ($1::bigint >> 32) AND objid::bigint = ($1::bigint & 4294967295)
)
"""


async def scrape_database(
    reads: SqlPool,
    *,
    events_table: str,
    worker_lock_key: int,
    event_time: Callable[[StoredEvent], datetime | None],
    now: datetime,
    timeout: float = SCRAPE_DATABASE_SECONDS,
) -> DatabaseReading:
    """Read the log's end, every runner's position and the worker lock, within `timeout`.

    `event_time` decodes a stored event's time (it may block: it runs on a thread); the age
    of the oldest event a runner has not handled is `now` minus that time.
    """
    try:
        return await asyncio.wait_for(
            _read_database(reads, events_table, worker_lock_key, event_time, now), timeout
        )
    except Exception as error:  # a timeout or any failure: the scrape still answers
        log.warning("metrics_database_unread", error_type=type(error).__name__)
        return DatabaseReading(ok=False)


async def _read_database(
    reads: SqlPool,
    events_table: str,
    worker_lock_key: int,
    event_time: Callable[[StoredEvent], datetime | None],
    now: datetime,
) -> DatabaseReading:
    table = '"' + events_table.replace('"', '""') + '"'
    latest = int(
        await reads.fetchval(f"SELECT COALESCE(max(notification_id), 0) FROM {table}")  # noqa: S608
    )
    # A rebuild's own rows (`…_rebuild`) come and go with it: they are not runners of the worker.
    tracked = [
        (str(name), int(position))
        for name, position in await reads.fetch(_TRACKED)
        if not str(name).endswith(REBUILD_SUFFIX)
    ]
    held = bool(await reads.fetchval(_LOCK_HELD, worker_lock_key))
    ages: dict[int, float | None] = {}
    for position in sorted({position for _, position in tracked if position < latest}):
        row = await reads.fetchrow(
            f"SELECT originator_id, originator_version, topic, state FROM {table} "  # noqa: S608
            "WHERE notification_id > $1 ORDER BY notification_id LIMIT 1",
            position,
        )
        ages[position] = None
        if row is not None:
            stored = StoredEvent(
                originator_id=row[0],
                originator_version=row[1],
                topic=row[2],
                state=bytes(row[3]),
            )
            at = await asyncio.to_thread(_time_or_none, event_time, stored)
            if at is not None:
                ages[position] = max(0.0, (now - at).total_seconds())
    lags = tuple(
        RunnerLag(name, max(0, latest - position), ages.get(position, 0.0))
        for name, position in tracked
    )
    return DatabaseReading(ok=True, position=latest, worker_lock_held=held, lags=lags)


def _time_or_none(
    event_time: Callable[[StoredEvent], datetime | None], stored: StoredEvent
) -> datetime | None:
    try:
        return event_time(stored)
    except Exception:  # an event no longer decodable (an erased key): its age is unknown
        return None


class DatabaseCollector(Collector):
    """The scrape's database reading as metric families."""

    def __init__(self, reading: DatabaseReading) -> None:
        self.reading = reading

    def collect(self) -> Iterator[Metric]:
        reading = self.reading
        yield _gauge(
            "oversight_scrape_database_ok",
            "1 when the database answered this scrape in time, else 0 (lag is then left out).",
            [((), 1 if reading.ok else 0)],
        )
        if not reading.ok:
            return
        yield _gauge(
            "oversight_event_store_position",
            "The latest position of the notification log.",
            [((), reading.position)],
        )
        yield _gauge(
            "oversight_worker_lock_held",
            "1 when some process holds the worker lock on this database (a worker is active).",
            [((), 1 if reading.worker_lock_held else 0)],
        )
        yield _gauge(
            "oversight_projection_lag_positions",
            "Events of the log a runner (projection, policy, audit feed, ledger) has not handled.",
            [((lag.runner,), lag.positions) for lag in reading.lags],
            ["runner"],
        )
        yield _gauge(
            "oversight_projection_lag_seconds",
            "Age of the oldest event a runner has not handled (0 when caught up).",
            [((lag.runner,), lag.seconds) for lag in reading.lags if lag.seconds is not None],
            ["runner"],
        )


def _gauge(
    name: str,
    documentation: str,
    samples: Iterable[tuple[tuple[str, ...], float]],
    labels: list[str] | None = None,
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=labels or [])
    for values, value in samples:
        family.add_metric(list(values), value)
    return family


def exposition(reading: DatabaseReading) -> bytes:
    """The text a scrape answers: every process's metrics, then the database's reading."""
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    scraped = CollectorRegistry()
    scraped.register(DatabaseCollector(reading))
    return counted + generate_latest(scraped)
