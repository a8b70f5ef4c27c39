"""The service's event store on a test's database, as the composition root configures it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import Environment

from application.base import EVENT_STORE_NAME
from infrastructure.eventstore import EventRecorder, EventStoreFactory, event_store_env

NEW_EVENTS_TOPIC = "tests:New"


@contextmanager
def event_store(
    database_url: str,
    *,
    connect_timeout: int = 10,
    lock_timeout: int = 30,
    statement_timeout: float | None = None,
    factory: type[EventStoreFactory] = EventStoreFactory,
) -> Iterator[EventRecorder]:
    """The event store's recorder (a pool of one connection), closed afterwards."""
    env = event_store_env(
        database_url,
        pool_size=1,
        max_overflow=0,
        connect_timeout=connect_timeout,
        lock_timeout=lock_timeout,
        statement_timeout=statement_timeout,
    )
    built = factory(Environment(EVENT_STORE_NAME, env))
    try:
        recorder = built.application_recorder()
        assert isinstance(recorder, EventRecorder)
        yield recorder
    finally:
        built.close()


def new_events(count: int, state_bytes: int) -> list[StoredEvent]:
    """Events of new aggregates, each with `state_bytes` random bytes of state."""
    return [
        StoredEvent(uuid4(), 1, NEW_EVENTS_TOPIC, os.urandom(state_bytes)) for _ in range(count)
    ]
