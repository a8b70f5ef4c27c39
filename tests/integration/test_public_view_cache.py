"""The cache of public views against a real worker and a real LISTEN (§9): a change the
worker projects is seen by the next read, and a lost listener serves nothing stale."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest

from application.public_status import PublicCaseStatus
from infrastructure.public_views import LISTENER_APPLICATION_NAME
from interfaces.bootstrap import Container
from tests.factories import assign, registration
from tests.support import run_worker_once

CLIENT = "a-citizen"


@pytest.fixture
async def listening(container: Container) -> AsyncIterator[Container]:
    """The container's read pool open and its listener started, as the API's start-up does."""
    listener = container.public_view_listener
    assert listener is not None, "the cache is on by default"
    await container.reads.open()
    listener.start()
    await until_serving(container)
    yield container
    await listener.stop()
    await container.reads.close()


async def until_serving(container: Container) -> None:
    for _ in range(200):
        if container.public_views.serving:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the listener did not start listening")


async def status_of(container: Container, number: str, code: str) -> PublicCaseStatus:
    return await container.public_status.case_status(number, code, client=CLIENT)


async def test_a_change_projected_by_the_worker_is_seen_by_the_next_read_of_a_cached_view(
    listening: Container,
) -> None:
    registered = registration(listening.supervision)
    number, code = registered.case.tracking_number, registered.access_code
    run_worker_once(listening)
    assert (await status_of(listening, number, code)).status == "registered"
    assert len(listening.public_views) == 1, "the view is kept"
    assert (await status_of(listening, number, code)).status == "registered"

    assign(listening.supervision, registered.case.id)
    run_worker_once(listening)  # projects, NOTIFYs and commits; the read comes at once

    assert (await status_of(listening, number, code)).status == "assigned"


async def test_a_rebuild_of_case_list_flushes_every_view(listening: Container) -> None:
    registered = registration(listening.supervision)
    number, code = registered.case.tracking_number, registered.access_code
    run_worker_once(listening)
    await status_of(listening, number, code)
    assert len(listening.public_views) == 1

    await asyncio.to_thread(listening.rebuild_projections)
    assert listening.public_view_listener is not None
    assert await listening.public_view_listener.caught_up()

    assert len(listening.public_views) == 0


async def test_while_the_listener_is_lost_no_view_kept_before_is_served(
    listening: Container, database_url: str
) -> None:
    registered = registration(listening.supervision)
    number, code = registered.case.tracking_number, registered.access_code
    run_worker_once(listening)
    await status_of(listening, number, code)
    assert len(listening.public_views) == 1

    with psycopg.connect(database_url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            (LISTENER_APPLICATION_NAME,),
        ).fetchone()
    assert ended == (1,)
    assign(listening.supervision, registered.case.id)
    run_worker_once(listening)  # its NOTIFY reaches nobody in this process

    assert (await status_of(listening, number, code)).status == "assigned"
    await until_serving(listening)  # listening again, after a reconnection
    assert (await status_of(listening, number, code)).status == "assigned"
