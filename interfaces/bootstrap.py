"""The composition root: reads settings once and wires infrastructure into the application."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import uuid4

import structlog

from application.ports import Clock, IdFactory
from application.supervision import Supervision
from domain.calendar import WorkingCalendar
from domain.deadlines import DeadlinePolicy
from infrastructure.calendar_source import known_schedules, load_deadline_policy
from infrastructure.clock import SystemClock
from infrastructure.directory_file import read_directory_file, sample_directory
from infrastructure.embedded import EmbeddedPostgres
from infrastructure.eventstore import event_store_env, initialise_schema, refuse_unsafe_environment
from infrastructure.logging import configure_logging
from infrastructure.secrets import RandomSecrets
from infrastructure.settings import Settings

log = structlog.get_logger("oversight")

# Connections beyond the API's threads: the in-process worker and administrative calls.
SPARE_CONNECTIONS = 4


@dataclass
class Container:
    """Everything a running process needs, built once."""

    settings: Settings
    database_url: str
    supervision: Supervision
    calendar: WorkingCalendar
    policy: DeadlinePolicy
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Release connections and let go of an embedded server."""
        self.supervision.close()
        while self._closers:
            self._closers.pop()()


def database_url(settings: Settings, closers: list[Callable[[], None]]) -> str:
    """The configured server, or an embedded one in the data folder."""
    if settings.database_url:
        return settings.database_url
    embedded = EmbeddedPostgres(settings.data_dir)
    url = embedded.start()
    closers.append(embedded.stop)
    log.info("embedded_postgres_started", data_dir=str(embedded.pgdata))
    return url


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    ids: IdFactory | None = None,
    initialise: bool = True,
) -> Container:
    """Build the application on the configured (or embedded) PostgreSQL."""
    settings = settings or Settings()
    refuse_unsafe_environment(dict(os.environ))
    configure_logging(settings.log_level, settings.log_format)
    closers: list[Callable[[], None]] = []
    url = database_url(settings, closers)
    if initialise:
        initialise_schema(url)
    calendar, policy = timekeeping()
    env = event_store_env(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=max(0, settings.api_threads + SPARE_CONNECTIONS - settings.db_pool_size),
        connect_timeout=settings.db_connect_timeout,
    )
    supervision = Supervision(
        clock=clock or SystemClock(),
        ids=ids or uuid4,
        secrets=RandomSecrets(),
        calendar=calendar,
        policy=policy,
        env=env,
    )
    return Container(settings, url, supervision, calendar, policy, closers)


def initialise(settings: Settings | None = None) -> str:
    """Create the schema and answer where the database is (for `oversight init`)."""
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.log_format)
    closers: list[Callable[[], None]] = []
    url = database_url(settings, closers)
    initialise_schema(url)
    for close in closers:
        close()
    return url


def timekeeping() -> tuple[WorkingCalendar, DeadlinePolicy]:
    """The working-day calendar of the known years and the deadline policy in force."""
    return WorkingCalendar(known_schedules()), load_deadline_policy()


__all__ = ["Container", "bootstrap", "initialise", "read_directory_file", "sample_directory"]
