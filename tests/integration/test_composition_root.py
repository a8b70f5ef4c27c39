"""The composition root's container: what it opens, it lets go of when its block ends."""

from __future__ import annotations

import psycopg

from infrastructure.worker import WORKER_LOCK_KEY, hold_worker_lock
from interfaces.bootstrap import bootstrap
from tests.integration.waiting import finishes
from tests.support import SettableTimeSource, settings_for


def worker_lock_taken_by_another_session(database_url: str) -> bool:
    with psycopg.connect(database_url, autocommit=True) as other:
        row = other.execute("SELECT pg_try_advisory_lock(%s)", (WORKER_LOCK_KEY,)).fetchone()
        return not (row and row[0])


def wait_for_the_worker_lock(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (WORKER_LOCK_KEY,))


def test_leaving_a_containers_block_releases_what_it_was_given_to_hold(
    database_url: str,
) -> None:
    settings = settings_for(database_url)
    with bootstrap(settings, time_source=SettableTimeSource(), initialise=False) as container:
        release = hold_worker_lock(database_url)
        assert release is not None
        container.close_with(release)
        held_inside = worker_lock_taken_by_another_session(database_url)

    assert held_inside
    finishes(lambda: wait_for_the_worker_lock(database_url))


def test_the_worker_lock_is_not_held_twice(database_url: str) -> None:
    first = hold_worker_lock(database_url)
    assert first is not None
    try:
        assert hold_worker_lock(database_url) is None
    finally:
        first()


def test_leaving_a_containers_block_stops_the_worker_it_started(database_url: str) -> None:
    settings = settings_for(database_url)
    with bootstrap(settings, time_source=SettableTimeSource(), initialise=False) as container:
        handle = container.start_worker(poll_interval=0.05, standby_interval=0.05)

    assert handle.join(timeout=0)
    assert handle.state == "stopped"
