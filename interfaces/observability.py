"""The composition root's part for metrics: what the HTTP side counts through, and what a
scrape of `GET /metrics` reads (infrastructure/metrics.py keeps the metrics themselves)."""

from __future__ import annotations

from eventsourcing.persistence import StoredEvent

from infrastructure import metrics
from infrastructure.metrics import (
    CONTENT_TYPE,
    SCRAPE_DATABASE_SECONDS,
    UNMATCHED_ROUTE,
    PoolSampler,
    observe_request,
)
from infrastructure.notification_log import events_table_of
from infrastructure.sql_pool import SqlPool
from infrastructure.worker import WORKER_LOCK_KEY
from interfaces.bootstrap import Container

__all__ = [
    "CONTENT_TYPE",
    "UNMATCHED_ROUTE",
    "in_flight",
    "observe_request",
    "pool_sampler",
    "public_shed",
    "scrape",
]


def in_flight() -> metrics.Gauge:
    """The gauge of requests being answered."""
    return metrics.IN_FLIGHT


def public_shed() -> None:
    """Count a public request shed by the admission control."""
    metrics.PUBLIC_SHED.inc()


def pool_sampler(container: Container) -> PoolSampler:
    """The container's pools, sampled into their gauges (one sampler per container)."""
    sampler: PoolSampler | None = getattr(container, "_metrics_pool_sampler", None)
    if sampler is None:
        datastore = getattr(container.supervision.recorder, "datastore", None)
        sampler = PoolSampler(
            event_store_pool=lambda: getattr(datastore, "pool", None), reads=container.reads
        )
        container._metrics_pool_sampler = sampler  # type: ignore[attr-defined]
    return sampler


def primary_reads(container: Container) -> SqlPool:
    """Where a scrape reads the log and the worker lock: the primary. The read pool does when
    it is on the primary; a replica knows nothing of the primary's locks and lags behind it,
    so then a pool of one connection on the primary, closed with the container."""
    if not container.settings.read_database_url:
        return container.reads
    pool: SqlPool | None = getattr(container, "_metrics_primary", None)
    if pool is None:
        pool = SqlPool(
            container.database_url, max_size=1, statement_timeout=SCRAPE_DATABASE_SECONDS
        )
        container._metrics_primary = pool  # type: ignore[attr-defined]
        container.close_with(pool.terminate)
    return pool


async def scrape(container: Container) -> bytes:
    """The Prometheus text of every process's metrics and the database's reading now."""
    supervision = container.supervision

    def event_time(stored: StoredEvent) -> object:
        return supervision.mapper.to_domain_event(stored).timestamp

    reading = await metrics.scrape_database(
        primary_reads(container),
        events_table=events_table_of(supervision),
        worker_lock_key=WORKER_LOCK_KEY,
        event_time=event_time,  # type: ignore[arg-type]
        now=supervision.time_source.now(),
    )
    pool_sampler(container).sample()
    return metrics.exposition(reading)
