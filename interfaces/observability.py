"""The composition root's part for metrics: what the HTTP side counts through, and what a
scrape of `GET /metrics` reads (infrastructure/metrics.py keeps the metrics themselves)."""

from __future__ import annotations

from eventsourcing.persistence import StoredEvent

from infrastructure import metrics
from infrastructure.metrics import (
    CONTENT_TYPE,
    UNMATCHED_ROUTE,
    observe_request,
)
from infrastructure.notification_log import events_table_of
from infrastructure.worker import WORKER_LOCK_KEY
from interfaces.bootstrap import Container

__all__ = [
    "CONTENT_TYPE",
    "UNMATCHED_ROUTE",
    "in_flight",
    "observe_request",
    "public_shed",
    "scrape",
]


def in_flight() -> metrics.Gauge:
    """The gauge of requests being answered."""
    return metrics.IN_FLIGHT


def public_shed() -> None:
    """Count a public request shed by the admission control."""
    metrics.PUBLIC_SHED.inc()


async def scrape(container: Container) -> bytes:
    """The Prometheus text of every process's metrics and the database's reading now."""
    supervision = container.supervision

    def event_time(stored: StoredEvent) -> object:
        return supervision.mapper.to_domain_event(stored).timestamp

    reading = await metrics.scrape_database(
        container.primary,
        events_table=events_table_of(supervision),
        worker_lock_key=WORKER_LOCK_KEY,
        event_time=event_time,  # type: ignore[arg-type]
        now=supervision.time_source.now(),
    )
    container.pool_gauges.sample()
    return metrics.exposition(reading)
